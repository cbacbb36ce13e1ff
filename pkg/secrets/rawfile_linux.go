//go:build linux

package secrets

import (
	"fmt"
	"io"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The files are opened, read and closed with raw system calls: calls on
// regular files that return promptly. A Go system call tells the
// scheduler it may block, and one that takes longer than the scheduler's
// monitor tick (a large read) has its processor handed to another
// thread; for a scan that makes thousands of such calls a second, that
// bookkeeping cost several percent of the CPU. O_NONBLOCK keeps an
// entry swapped for a FIFO after the walk from blocking the open.

func openRaw(p string) (int, error) {
	return openAt(p, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC)
}

// openAt opens p with flags by a raw openat, retried on EINTR.
func openAt(p string, flags int) (int, error) {
	b, err := syscall.BytePtrFromString(p)
	if err != nil {
		return -1, err
	}
	dirfd := unix.AT_FDCWD
	for {
		r, _, e := syscall.RawSyscall6(syscall.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(b)),
			uintptr(flags), 0, 0, 0)
		switch e {
		case 0:
			return int(r), nil
		case syscall.EINTR:
			continue
		}
		return -1, e
	}
}

func (f *rawFile) stat() (size int64, regular bool, err error) {
	var st syscall.Stat_t
	if _, _, e := syscall.RawSyscall(syscall.SYS_FSTAT, uintptr(f.fd), uintptr(unsafe.Pointer(&st)), 0); e != 0 {
		return 0, false, e
	}
	return st.Size, st.Mode&syscall.S_IFMT == syscall.S_IFREG, nil
}

func (f *rawFile) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		r, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(f.fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		switch {
		case e == syscall.EINTR:
			continue
		case e != 0:
			return 0, fmt.Errorf("read: %w", e)
		case r == 0:
			return 0, io.EOF
		}
		return int(r), nil
	}
}

func (f *rawFile) ReadAt(p []byte, off int64) (int, error) {
	done := 0
	for done < len(p) {
		r, _, e := syscall.RawSyscall6(syscall.SYS_PREAD64, uintptr(f.fd), uintptr(unsafe.Pointer(&p[done])), uintptr(len(p)-done), uintptr(off+int64(done)), 0, 0)
		switch {
		case e == syscall.EINTR:
			continue
		case e != 0:
			return done, fmt.Errorf("read: %w", e)
		case r == 0:
			return done, io.EOF
		}
		done += int(r)
	}
	return done, nil
}

func (f *rawFile) Close() error {
	if _, _, e := syscall.RawSyscall(syscall.SYS_CLOSE, uintptr(f.fd), 0, 0); e != 0 {
		return e
	}
	return nil
}
