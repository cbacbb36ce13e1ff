package commands_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/commands"
	"github.com/tollgate-dev/tollgate/internal/handoff"
)

// TestSiblingCommands: the commands handed to a sibling before
// initialisation (internal/handoff) are exactly those marked in the tree,
// each under its own name (the sibling is cmd/<name>) and with the same
// flags that keep it in tollgate's process.
func TestSiblingCommands(t *testing.T) {
	t.Parallel()
	root := commands.NewRoot(cli.FixedClock(time.Unix(0, 0)))
	marked := map[string][]string{}
	for _, c := range root.Commands() {
		if name, keep, ok := cli.SiblingOf(c); ok {
			if name != c.Name() {
				t.Errorf("%s is marked with sibling %q: the early hand-over needs the same name", c.Name(), name)
			}
			marked[name] = keep
		}
	}
	early := handoff.Commands()
	if len(marked) != len(early) {
		t.Fatalf("marked %v, handed over early %v", marked, early)
	}
	for name, keep := range marked {
		if e, ok := early[name]; !ok || !slices.Equal(e, keep) {
			t.Errorf("%s: marked to stay for %v, handed over early unless %v (%v)", name, keep, e, ok)
		}
	}
}
