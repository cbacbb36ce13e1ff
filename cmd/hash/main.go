// Command hash is the hash step (one part of a partitioned hash, or the
// merge of the parts): see `tollgate hash --help`.
package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/commands/hash"
	"github.com/tollgate-dev/tollgate/internal/options"
)

func main() {
	os.Exit(cli.Main(func(cli.Clock) *cobra.Command { return options.Root(hash.New()) }))
}
