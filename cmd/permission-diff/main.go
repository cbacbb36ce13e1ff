// Command permission-diff is the permission-diff container task: it checks
// that the agent can do no more than what was reviewed. Same flags as
// `tollgate permission-diff`.
package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/commands/permissiondiff"
	"github.com/tollgate-dev/tollgate/internal/options"
)

func main() {
	os.Exit(cli.Main(func(c cli.Clock) *cobra.Command { return options.Root(permissiondiff.New(c)) }))
}
