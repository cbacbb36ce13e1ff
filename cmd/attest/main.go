// Command attest is the attest container task: it verifies the checks'
// evidence and the approvals, decides, and signs the verdict.
package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/commands/attest"
	"github.com/tollgate-dev/tollgate/internal/options"
)

func main() {
	os.Exit(cli.Main(func(c cli.Clock) *cobra.Command { return options.Root(attest.New(c)) }))
}
