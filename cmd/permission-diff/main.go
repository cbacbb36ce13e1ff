// Command permission-diff is the permission-diff container task: it checks
// that the agent can do no more than what was reviewed. Same flags as
// `tollgate permission-diff`.
package main

import (
	"os"

	"github.com/tollgate-dev/tollgate/internal/commands"
)

func main() { os.Exit(commands.Main(commands.NewStep(commands.NewPermissionDiff()))) }
