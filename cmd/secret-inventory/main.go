// Command secret-inventory is the secret-inventory container task: no
// literal secret ships, secret references match the review record. Same
// flags as `tollgate secret-inventory`.
package main

import (
	"os"

	"github.com/tollgate-dev/tollgate/internal/commands"
)

func main() { os.Exit(commands.Main(commands.NewStep(commands.NewSecretInventory()))) }
