//go:build interop

package signtest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/intoto"
	"github.com/tollgate-dev/tollgate/pkg/sign"
	"github.com/tollgate-dev/tollgate/pkg/sign/signtest"
)

// TestWriteKeylessFixture writes a keyless bundle signed through a virtual
// Sigstore, and that Sigstore's trusted_root.json, into
// $TOLLGATE_INTEROP_DIR, for hack/interop.sh to verify with cosign.
// Environment: TOLLGATE_INTEROP_DIGEST (sha256:<hex>), _SUBJECT, _ISSUER, _TYPE.
func TestWriteKeylessFixture(t *testing.T) {
	t.Parallel()
	dir := os.Getenv("TOLLGATE_INTEROP_DIR")
	if dir == "" {
		t.Fatal("set TOLLGATE_INTEROP_DIR (run by hack/interop.sh)")
	}
	v := signtest.New(t)
	s, err := sign.Keyless(context.Background(), signtest.Token(os.Getenv("TOLLGATE_INTEROP_SUBJECT"), os.Getenv("TOLLGATE_INTEROP_ISSUER")), v.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	d, err := digest.Parse(os.Getenv("TOLLGATE_INTEROP_DIGEST"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := intoto.New("interop", d, os.Getenv("TOLLGATE_INTEROP_TYPE"), map[string]string{"verdict": "PASSED"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.SignStatement(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := v.TrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	trj, err := tr.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{"keyless.sigstore.json": b, "trusted_root.json": trj} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
