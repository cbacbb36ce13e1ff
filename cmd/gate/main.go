// Command gate is the gate container task: it fails the pipeline run
// unless the release passes. Same flags as `tollgate gate`.
package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/commands/gate"
	"github.com/tollgate-dev/tollgate/internal/options"
)

func main() {
	os.Exit(cli.Main(func(c cli.Clock) *cobra.Command { return options.Root(gate.New(c)) }))
}
