//go:build linux

package secrets

import (
	"fmt"

	"golang.org/x/sys/unix"
)

const hugePage = 2 << 20

// mapHuge returns n zeroed bytes outside the Go heap, aligned to 2 MiB
// and on transparent huge pages where the kernel allows them (madvise
// mode), and the function that unmaps them. A large buffer a worker
// keeps takes a handful of page faults instead of one per 4 KiB page;
// on a virtual machine a fault can cost tens of microseconds.
func mapHuge(n int) ([]byte, func(), error) {
	size := (n + hugePage - 1) / hugePage * hugePage
	m, err := unix.Mmap(-1, 0, size+hugePage, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return nil, nil, fmt.Errorf("map %d bytes: %w", size, err)
	}
	off := 0
	if r := addrOf(m) % hugePage; r != 0 {
		off = int(hugePage - r)
	}
	b := m[off : off+size : off+size]
	// Without huge pages (never, or not in this kernel) the buffer still
	// works: the advice is a hint.
	_ = unix.Madvise(b, unix.MADV_HUGEPAGE)
	return b[:n:n], func() { _ = unix.Munmap(m) }, nil
}
