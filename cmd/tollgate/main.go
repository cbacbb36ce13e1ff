// Command tollgate is the CLI people run: review, approve, keygen, hash,
// every check, attest, gate, verify and run. See `tollgate --help`.
package main

import (
	"os"

	"github.com/tollgate-dev/tollgate/internal/commands"
	"github.com/tollgate-dev/tollgate/internal/runner"
)

func main() { os.Exit(run()) }

func run() int { return commands.Main(commands.NewRoot(runner.NewCommand())) }
