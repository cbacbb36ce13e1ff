package sibling

import (
	"context"
	"errors"
	"os"
)

const (
	// EnvDisable is the variable that, set to any non-empty value, keeps
	// every command in this process.
	EnvDisable = "TOLLGATE_NO_SIBLING"
	// EnvParent is the variable that names, in the sibling's environment,
	// the command it was started for ("tollgate"): the sibling then prints its errors under
	// that name and never delegates again.
	EnvParent = "TOLLGATE_SIBLING_OF"
)

// ErrDisabled is returned by Exec when EnvDisable is set.
var ErrDisabled = errors.New(EnvDisable + " is set")

// Delegated reports whether this process is a sibling started by Exec, and
// for which command.
func Delegated() (parent string, ok bool) {
	parent = os.Getenv(EnvParent)
	return parent, parent != ""
}

// Exec replaces this process with the sibling executable name from the
// same build, running args, and tells it it runs for parent. It returns
// only when it cannot; the error says why, and the caller runs the
// command itself.
func Exec(parent, name string, args []string) error {
	if os.Getenv(EnvDisable) != "" {
		return ErrDisabled
	}
	if p, ok := Delegated(); ok {
		return errors.New("already running as the sibling of " + p)
	}
	// On Linux, the path of /proc/self/exe: no symbolic link is left in it.
	exe, err := os.Executable()
	if err != nil {
		return wrap("locate this executable", err)
	}
	self, err := readFileBuildInfo(exe)
	if err != nil {
		return wrap("this executable "+exe, err)
	}
	file := exe[:lastIndexByte(exe, os.PathSeparator)+1] + name
	f, err := os.Open(file)
	if err != nil {
		return wrap("no sibling", err)
	}
	defer f.Close()
	if err := check(f, self, name); err != nil {
		return wrap("sibling "+file, err)
	}
	env := append(os.Environ(), EnvParent+"="+parent)
	return wrap("sibling "+file, execFile(f, file, args, env))
}

// readFileBuildInfo reads the build information of the executable file.
func readFileBuildInfo(file string) (*buildInfo, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readBuildInfo(f)
}

// check accepts f as the sibling name of the running build self.
func check(f *os.File, self *buildInfo, name string) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	switch m := fi.Mode(); {
	case !m.IsRegular():
		return errors.New("not a regular file (" + m.Type().String() + ")")
	case m.Perm()&0o111 == 0:
		return errors.New("not executable")
	case m.Perm()&0o022 != 0:
		return errors.New("writable by others than its owner (" + m.Perm().String() + ")")
	}
	other, err := readBuildInfo(f)
	if err != nil {
		return wrap("read build information", err)
	}
	return sameBuild(self, other, name)
}

// Serves reports whether a sibling runs a command's arguments args: they
// ask for neither help nor the version (the full binary answers those under
// its own name), and use none of the flags keep (given without dashes),
// which the sibling does not serve. Arguments after "--" are operands.
func Serves(args []string, keep ...string) bool {
	for _, a := range args {
		if a == "--" {
			return true
		}
		switch {
		case a == "-h", a == "-v", a == "--help", a == "--version",
			hasPrefix(a, "--help="), hasPrefix(a, "--version="):
			return false
		}
		for _, k := range keep {
			if a == "--"+k || hasPrefix(a, "--"+k+"=") {
				return false
			}
		}
	}
	return true
}

type reasonKey struct{}

// WithReason records in ctx why a marked command runs in this process.
func WithReason(ctx context.Context, err error) context.Context {
	return context.WithValue(ctx, reasonKey{}, err)
}

// Reason is what WithReason recorded, or nil.
func Reason(ctx context.Context) error {
	err, _ := ctx.Value(reasonKey{}).(error)
	return err
}
