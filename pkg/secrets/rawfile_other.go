//go:build !linux

package secrets

import (
	"fmt"
	"io"
	"syscall"
)

// openRaw opens a file for reading with a plain system call.
func openRaw(p string) (int, error) {
	for {
		fd, err := syscall.Open(p, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

func (f *rawFile) stat() (size int64, regular bool, err error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(f.fd, &st); err != nil {
		return 0, false, err
	}
	return st.Size, st.Mode&syscall.S_IFMT == syscall.S_IFREG, nil
}

func (f *rawFile) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, err := syscall.Read(f.fd, p)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, fmt.Errorf("read: %w", err)
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f *rawFile) ReadAt(p []byte, off int64) (int, error) {
	done := 0
	for done < len(p) {
		n, err := syscall.Pread(f.fd, p[done:], off+int64(done))
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return done, fmt.Errorf("read: %w", err)
		case n == 0:
			return done, io.EOF
		}
		done += n
	}
	return done, nil
}

func (f *rawFile) Close() error { return syscall.Close(f.fd) }
