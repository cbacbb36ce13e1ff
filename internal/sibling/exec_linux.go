package sibling

import (
	"os"
	"syscall"
)

// execFile executes the open file f itself (through /proc/self/fd), so the
// binary that passed the checks is the one that runs even if the name is
// replaced in between. The descriptor is close-on-exec: the kernel has
// opened the image before it closes it.
func execFile(f *os.File, name string, args, env []string) error {
	argv := append([]string{name}, args...)
	return syscall.Exec("/proc/self/fd/"+itoa(uint64(f.Fd())), argv, env)
}
