// Command gate is the gate container task: it fails the pipeline run
// unless the release passes. Same flags as `tollgate gate`.
package main

import (
	"os"

	"github.com/tollgate-dev/tollgate/internal/commands"
)

func main() { os.Exit(commands.Main(commands.NewStep(commands.NewGate()))) }
