package options

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/pkg/version"
)

// Logging is the logging flag group every binary has.
type Logging struct {
	Format, Level string
}

// AddFlags adds --log-format and --log-level.
func (o *Logging) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Format, "log-format", "auto", "log format: auto (console on a terminal, JSON otherwise), console, json")
	fs.StringVar(&o.Level, "log-level", "info", "log level: debug, info, warn, error")
}

// Root makes cmd the root command of a binary (tollgate, or a step binary
// such as cmd/provenance): the logging flags, --version, and usage errors
// (bad flags, missing required flags, unknown commands) marked so that they
// exit 2. It returns cmd.
func Root(cmd *cobra.Command) *cobra.Command {
	var lo Logging
	cmd.Version = version.String()
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	lo.AddFlags(cmd.PersistentFlags())
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return cli.WithCode(cli.ExitUsage, err) })
	cmd.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		// cobra checks required flags after this hook without marking the
		// error; check them here so that they are usage errors.
		if err := c.ValidateRequiredFlags(); err != nil {
			return cli.WithCode(cli.ExitUsage, err)
		}
		if err := c.ValidateFlagGroups(); err != nil {
			return cli.WithCode(cli.ExitUsage, err)
		}
		l, err := cli.NewLogger(c.ErrOrStderr(), lo.Format, lo.Level)
		if err != nil {
			return cli.WithCode(cli.ExitUsage, err)
		}
		c.SetContext(cli.WithLogger(c.Context(), l))
		return nil
	}
	if cmd.HasSubCommands() && cmd.RunE == nil && cmd.Run == nil {
		// Without this, cobra reports an unknown subcommand with an
		// unmarked error; here it is a usage error, with suggestions.
		cmd.Args = cobra.ArbitraryArgs
		cmd.RunE = func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return c.Help()
			}
			msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
			if s := c.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf("; did you mean %q?", s[0])
			}
			return cli.Usagef("%s", msg)
		}
	}
	return cmd
}
