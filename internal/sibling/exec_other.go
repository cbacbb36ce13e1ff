//go:build !linux

package sibling

import (
	"errors"
	"os"
)

// execFile is Linux only: elsewhere the command runs in this process.
func execFile(*os.File, string, []string, []string) error {
	return errors.New("running a sibling is supported on Linux only")
}
