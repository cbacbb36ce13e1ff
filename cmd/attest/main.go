// Command attest is the attest container task: it verifies the checks'
// evidence and the approvals, decides, and signs the verdict.
package main

import (
	"os"

	"github.com/tollgate-dev/tollgate/internal/commands"
)

func main() { os.Exit(commands.Main(commands.NewStep(commands.NewAttest()))) }
