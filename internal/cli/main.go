package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/sibling"
	"github.com/tollgate-dev/tollgate/pkg/redact"
)

// Execute runs root with args and returns the exit code. Errors are printed
// to stderr as "<name>: <error>", usage errors with a pointer to --help.
//
// A subcommand marked with MarkSibling runs in its lean sibling executable
// when one of the same build is installed next to this one (the process is
// replaced); otherwise, and for --help, it runs here.
func Execute(ctx context.Context, root *cobra.Command, args []string, stderr io.Writer) int {
	name, path := root.Name(), root.CommandPath()
	if parent, ok := sibling.Delegated(); ok {
		// Started by Exec for `parent <command>`: speak as parent does.
		name, path = parent, parent
	} else if c, rest, err := root.Find(args); err == nil && c != root {
		if lean, keep, ok := SiblingOf(c); ok {
			why := errNotServed
			if sibling.Serves(rest, keep...) {
				why = sibling.Exec(root.Name(), lean, rest)
			}
			ctx = sibling.WithReason(ctx, why)
		}
	}
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	code := CodeOf(err)
	// Errors name files: escape what could move the cursor or forge a line.
	fmt.Fprintf(stderr, "%s: %s\n", name, redact.Escape(err.Error()))
	if code == ExitUsage {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", path)
	}
	return code
}

// errNotServed is why a marked command runs in this process when its
// arguments ask for what the sibling does not serve.
var errNotServed = errors.New("the sibling does not serve these arguments (help, the version, or a flag it does not have)")

// Annotations of a command that runs in its lean sibling executable.
const (
	siblingAnnotation = "tollgate.dev/sibling"
	keepAnnotation    = "tollgate.dev/sibling-keep"
)

// MarkSibling records on cmd that it runs in the sibling executable name
// (internal/sibling) when one of the same build is installed, unless one
// of the flags keep is given: the sibling does not serve those.
func MarkSibling(cmd *cobra.Command, name string, keep ...string) *cobra.Command {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[siblingAnnotation] = name
	if len(keep) > 0 {
		cmd.Annotations[keepAnnotation] = strings.Join(keep, ",")
	}
	return cmd
}

// SiblingOf returns the sibling executable cmd is marked with, if any,
// and the flags that keep it in this process.
func SiblingOf(cmd *cobra.Command) (name string, keep []string, ok bool) {
	name = cmd.Annotations[siblingAnnotation]
	if k := cmd.Annotations[keepAnnotation]; k != "" {
		keep = strings.Split(k, ",")
	}
	return name, keep, name != ""
}

// Main is the whole of a main function: it builds the root command with
// the system clock (SOURCE_DATE_EPOCH is read here, once), runs it on
// os.Args with a signal-aware context and returns the exit code.
func Main(newRoot func(Clock) *cobra.Command) int {
	clock, err := SystemClock()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", os.Args[0], err)
		return ExitUsage
	}
	ctx, stop := SignalContext()
	defer stop()
	return Execute(ctx, newRoot(clock), os.Args[1:], os.Stderr)
}
