package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes, documented in the README. Checks exit ExitOK for both pass and
// fail verdicts: the verdict is a result, not an exit code.
const (
	// ExitOK: the command did its work (a check ran; the gate passed).
	ExitOK = 0
	// ExitBlocked: a decision was made and it is negative: the gate or
	// verify refused the release.
	ExitBlocked = 1
	// ExitUsage: wrong flags or arguments.
	ExitUsage = 2
	// ExitInvalidInput: an input could not be accepted (malformed document,
	// artefact with a FIFO or an escaping symlink, unreadable file).
	ExitInvalidInput = 3
	// ExitInternal: the command could not decide (I/O failure, bug); a check
	// writes verdict=error before exiting with it.
	ExitInternal = 4
	// ExitInterrupted: stopped by SIGINT or SIGTERM.
	ExitInterrupted = 130
)

// ExitError carries an explicit exit code.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// WithCode wraps err with an exit code; nil stays nil.
func WithCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &ExitError{Code: code, Err: err}
}

// Usagef returns a usage error.
func Usagef(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// Blockedf returns a "release blocked" error.
func Blockedf(format string, args ...any) error {
	return &ExitError{Code: ExitBlocked, Err: fmt.Errorf(format, args...)}
}

// CodeOf maps an error to an exit code: an ExitError's code; ExitInterrupted
// for a cancelled context; ExitInvalidInput for an error a domain package
// marked as invalid input (an InvalidInput() bool method, see pkg/invalid)
// or a missing or unreadable file; ExitInternal otherwise.
func CodeOf(err error) int {
	var (
		ee      *ExitError
		invalid interface{ InvalidInput() bool }
	)
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		return ee.Code
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.As(err, &invalid) && invalid.InvalidInput(),
		errors.Is(err, os.ErrNotExist), errors.Is(err, os.ErrPermission):
		return ExitInvalidInput
	}
	return ExitInternal
}

// Args marks the errors of a cobra argument validator as usage errors.
func Args(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		return WithCode(ExitUsage, v(cmd, args))
	}
}

// SignalContext returns a context cancelled by SIGINT or SIGTERM.
func SignalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
