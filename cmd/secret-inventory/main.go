// Command secret-inventory is the secret-inventory container task: no
// literal secret ships, secret references match the review record. Same
// flags as `tollgate secret-inventory`.
package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/commands/secretinventory"
	"github.com/tollgate-dev/tollgate/internal/options"
)

func main() {
	os.Exit(cli.Main(func(c cli.Clock) *cobra.Command { return options.Root(secretinventory.New(c)) }))
}
