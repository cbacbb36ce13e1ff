// Command fetch is the fetch step: see `tollgate fetch --help`.
package main

import (
	"os"

	"github.com/tollgate-dev/tollgate/internal/commands"
)

func main() { os.Exit(commands.Main(commands.NewStep(commands.NewFetch()))) }
