package artifact

import (
	"os"

	"golang.org/x/sys/unix"
)

// adviseSequential tells the kernel that [off, off+n) of f is read once,
// front to back, so it reads ahead aggressively on a cold cache. It is
// advice only: errors are ignored. (SyscallConn, not Fd, so the descriptor
// keeps its non-blocking mode.)
func adviseSequential(f *os.File, off, n int64) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) { _ = unix.Fadvise(int(fd), off, n, unix.FADV_SEQUENTIAL) })
}
