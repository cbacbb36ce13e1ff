package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/pkg/redact"
)

// Execute runs root with args and returns the exit code. Errors are printed
// to stderr as "<name>: <error>", usage errors with a pointer to --help.
func Execute(ctx context.Context, root *cobra.Command, args []string, stderr io.Writer) int {
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	code := CodeOf(err)
	// Errors name files: escape what could move the cursor or forge a line.
	fmt.Fprintf(stderr, "%s: %s\n", root.Name(), redact.Escape(err.Error()))
	if code == ExitUsage {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", root.CommandPath())
	}
	return code
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
