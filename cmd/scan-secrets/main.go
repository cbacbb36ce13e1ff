// Command scan-secrets is the secret scanner alone, the lean sibling of
// `tollgate scan-secrets` (see `tollgate scan-secrets --help`): it links
// no engine, signing or policy code, so it starts in a fraction of
// tollgate's time.
package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/commands/scansecrets"
	"github.com/tollgate-dev/tollgate/internal/options"
)

func main() {
	os.Exit(cli.Main(func(cli.Clock) *cobra.Command { return options.Root(scansecrets.New(nil)) }))
}
