package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/pkg/version"
)

// addGlobal adds the flags and set-up every root command shares: logging
// flags, version, and usage errors mapped to ExitUsage.
func addGlobal(root *cobra.Command) {
	var format, level string
	root.Version = version.String()
	root.SilenceUsage = true
	root.SilenceErrors = true
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		l, err := cli.NewLogger(cmd.ErrOrStderr(), format, level)
		if err != nil {
			return cli.WithCode(cli.ExitUsage, err)
		}
		cmd.SetContext(cli.WithLogger(cmd.Context(), l))
		return nil
	}
	root.PersistentFlags().StringVar(&format, "log-format", "auto", "log format: auto (console on a terminal, JSON otherwise), console, json")
	root.PersistentFlags().StringVar(&level, "log-level", "info", "log level: debug, info, warn, error")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return cli.WithCode(cli.ExitUsage, err) })
}

// NewStep turns one subcommand into the root command of a step binary
// (cmd/provenance, cmd/gate, ...), with the same logging flags and exit
// codes as tollgate.
func NewStep(sub *cobra.Command) *cobra.Command {
	addGlobal(sub)
	return sub
}

// NewRoot returns the tollgate command with every subcommand, plus extra.
func NewRoot(extra ...*cobra.Command) *cobra.Command {
	root := &cobra.Command{
		Use:   "tollgate",
		Short: "Release gate for AI agent systems, run inside the pipeline that ships them",
		Long: `tollgate checks the exact artefact a pipeline is about to promote against its
reviewed state, records signed evidence, and blocks the release unless it passes.

Checks (each also a container task): provenance, secret-inventory, permission-diff.
Then attest signs the verdict and gate enforces it; verify checks it before promotion.`,
		Example: `  # Snapshot the reviewed state of a release, then hash it
  tollgate review ./release -o review.yaml --name my-agent
  tollgate hash ./release

  # Run the example Tekton pipeline on this machine
  tollgate run`,
	}
	addGlobal(root)
	for _, c := range subcommands() {
		root.AddCommand(c)
	}
	for _, c := range extra {
		root.AddCommand(c)
	}
	return root
}

// subcommands lists every command in this package; each issue adds its own.
func subcommands() []*cobra.Command {
	return []*cobra.Command{
		newHash(),
		newReview(),
		NewProvenance(),
		NewPermissionDiff(),
		NewSecretInventory(),
		newScanSecrets(),
		newDiffPermissions(),
		NewGate(),
		newKeygen(),
		newApprove(),
		NewAttest(),
		NewVerify(),
		newPush(),
		NewFetch(),
	}
}

// Execute runs root with args and returns the exit code. Errors are printed
// to stderr as "tollgate: <error>".
func Execute(ctx context.Context, root *cobra.Command, args []string, stderr io.Writer) int {
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return cli.ExitOK
	}
	code := cli.CodeOf(err)
	if code == cli.ExitInternal && isUsage(err) {
		code = cli.ExitUsage
	}
	fmt.Fprintf(stderr, "%s: %v\n", root.Name(), err)
	if code == cli.ExitUsage {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", root.CommandPath())
	}
	return code
}

// isUsage recognises cobra's own argument errors.
func isUsage(err error) bool {
	var ee *cli.ExitError
	if errors.As(err, &ee) {
		return false
	}
	msg := err.Error()
	for _, p := range []string{"unknown command", "accepts ", "requires at least", "unknown flag", "unknown shorthand", "required flag"} {
		if len(msg) >= len(p) && containsFold(msg, p) {
			return true
		}
	}
	return false
}

func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// Main is the whole of a main function: it runs root on os.Args with a
// signal-aware context and returns the exit code.
func Main(root *cobra.Command) int {
	ctx, stop := cli.SignalContext()
	defer stop()
	return Execute(ctx, root, os.Args[1:], os.Stderr)
}
