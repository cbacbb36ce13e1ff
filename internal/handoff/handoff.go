package handoff

import (
	"os"

	"github.com/tollgate-dev/tollgate/internal/sibling"
)

// Parent is the name of the root command the siblings are started for.
const Parent = "tollgate"

// commands are the tollgate commands with a lean sibling executable of
// the same name, each with the flags that keep it in tollgate's process.
// internal/commands marks the same ones with cli.MarkSibling, and its
// tests check that the two agree.
var commands = map[string][]string{
	"hash":         nil,
	"scan-secrets": {"review"},
}

// Commands returns the commands handed over before initialisation, each
// with the flags that keep it in this process.
func Commands() map[string][]string {
	out := make(map[string][]string, len(commands))
	for name, keep := range commands {
		out[name] = append([]string(nil), keep...)
	}
	return out
}

func init() { handOver(os.Args) }

// handOver execs the sibling for args when args[1] is one of commands and
// the sibling serves the rest (sibling.Serves). It returns only when it
// does not hand over.
func handOver(args []string) {
	if len(args) < 2 {
		return
	}
	keep, ok := commands[args[1]]
	if !ok || !sibling.Serves(args[2:], keep...) {
		return
	}
	// On success this does not return. Failures are not reported here: the
	// same check runs again in cli.Execute, which logs the reason.
	_ = sibling.Exec(Parent, args[1], args[2:])
}
