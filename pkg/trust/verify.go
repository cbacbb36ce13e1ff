package trust

import (
	"context"
	"fmt"

	"github.com/tollgate-dev/tollgate/pkg/policy"
)

// verify is implemented by the provenance issue (#3).
func verify(ctx context.Context, bundle []byte, ids []policy.Identity, opts ...Option) (*Result, error) {
	return nil, fmt.Errorf("%w: bundle verification not implemented yet", ErrUntrusted)
}
