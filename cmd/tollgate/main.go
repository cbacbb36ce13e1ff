// Command tollgate is the CLI people run: review, approve, keygen, hash,
// every check, attest, gate, verify and run. See `tollgate --help`.
package main

import (
	"os"

	"github.com/spf13/cobra"
	// Mozilla's root CAs, pinned in go.sum, for registries, Fulcio and
	// Rekor when the image has none (it has none: see hack/images.sh);
	// SSL_CERT_FILE and SSL_CERT_DIR still take precedence.
	_ "golang.org/x/crypto/x509roots/fallback"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/commands"
	"github.com/tollgate-dev/tollgate/internal/runner"

	// Hands hash and scan-secrets to their lean siblings before the
	// engines' package initialisers run: see its doc.
	_ "github.com/tollgate-dev/tollgate/internal/handoff"
)

func main() { os.Exit(run()) }

func run() int {
	return cli.Main(func(c cli.Clock) *cobra.Command { return commands.NewRoot(c, runner.NewCommand()) })
}
