// Command provenance is the provenance step: see `tollgate provenance --help`.
package main

import (
	"os"

	"github.com/tollgate-dev/tollgate/internal/commands"
)

func main() { os.Exit(commands.Main(commands.NewStep(commands.NewProvenance()))) }
