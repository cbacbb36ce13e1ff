// Command provenance is the provenance step: see `tollgate provenance --help`.
package main

import (
	"os"

	"github.com/spf13/cobra"
	// Mozilla's root CAs, pinned in go.sum, for registries, Fulcio and
	// Rekor when the image has none (it has none: see hack/images.sh);
	// SSL_CERT_FILE and SSL_CERT_DIR still take precedence.
	_ "golang.org/x/crypto/x509roots/fallback"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/commands/provenance"
	"github.com/tollgate-dev/tollgate/internal/options"
)

func main() {
	os.Exit(cli.Main(func(c cli.Clock) *cobra.Command { return options.Root(provenance.New(c)) }))
}
