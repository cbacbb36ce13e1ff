package invalid

import (
	"errors"
	"fmt"
)

// Error is an invalid-input error.
type Error struct {
	msg string
	err error
}

// New returns a sentinel invalid-input error with the message msg.
func New(msg string) error { return &Error{msg: msg} }

// Wrap marks err as invalid input; nil stays nil. errors.Is and errors.As
// still see err.
func Wrap(err error) error {
	if err == nil {
		return nil
	}
	return &Error{msg: err.Error(), err: err}
}

func (e *Error) Error() string { return e.msg }

// Unwrap returns the wrapped error, if any.
func (e *Error) Unwrap() error { return e.err }

// InvalidInput reports that the error is caused by the input.
func (e *Error) InvalidInput() bool { return true }

// Is reports whether err, or an error it wraps, is marked invalid input.
func Is(err error) bool {
	var m interface{ InvalidInput() bool }
	return errors.As(err, &m) && m.InvalidInput()
}

// Quote quotes an untrusted value for an error message, cut to its first
// n bytes (then followed by "…"), so a huge or hostile input never
// becomes a huge message.
func Quote(s string, n int) string {
	if len(s) > n {
		return fmt.Sprintf("%q…", s[:n])
	}
	return fmt.Sprintf("%q", s)
}
