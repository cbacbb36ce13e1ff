//go:build linux

package secrets

import (
	"io/fs"
	"os"
	"slices"
	"strings"
	"syscall"
	"unsafe"
)

// readDir returns the entries of the directory dir, sorted by name, as
// os.ReadDir does, with raw system calls (see rawfile_linux.go) and
// without an fs.DirEntry per entry: the walk of a large tree spends more
// on those than on the system calls. buf holds the kernel's records. On
// an error it returns the entries read until then.
func readDir(dir string, buf []byte, out []dirent) ([]dirent, error) {
	out = out[:0]
	fd, err := openAt(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC)
	if err != nil {
		return out, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	f := &rawFile{fd: fd}
	defer f.Close()
	var nameBytes []byte // the names, one after the other
	var spans [][2]int   // each entry's name in nameBytes
	for {
		n, _, e := syscall.RawSyscall(syscall.SYS_GETDENTS64, uintptr(fd), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return names(out, nameBytes, spans), &os.PathError{Op: "readdirent", Path: dir, Err: e}
		}
		if n == 0 {
			break
		}
		// struct linux_dirent64: ino (8), off (8), reclen (2), type (1),
		// then the name, NUL-terminated.
		for b := buf[:n]; len(b) >= 19; {
			reclen := int(b[16]) | int(b[17])<<8
			if reclen < 19 || reclen > len(b) {
				return names(out, nameBytes, spans), &os.PathError{Op: "readdirent", Path: dir, Err: syscall.EIO}
			}
			rec := b[19:reclen]
			if k := slices.Index(rec, 0); k >= 0 {
				rec = rec[:k]
			}
			typ := b[18]
			b = b[reclen:]
			if len(rec) == 0 || string(rec) == "." || string(rec) == ".." {
				continue
			}
			t, ok := direntType(typ)
			if !ok { // DT_UNKNOWN: the file system does not say
				fi, err := os.Lstat(dir + "/" + string(rec))
				if err != nil {
					if os.IsNotExist(err) {
						continue // removed since
					}
					return names(out, nameBytes, spans), err
				}
				t = fi.Mode().Type()
			}
			spans = append(spans, [2]int{len(nameBytes), len(nameBytes) + len(rec)})
			nameBytes = append(nameBytes, rec...)
			out = append(out, dirent{typ: t})
		}
	}
	return names(out, nameBytes, spans), nil
}

// names gives the entries their names, all cut from one string, and
// sorts them.
func names(out []dirent, all []byte, spans [][2]int) []dirent {
	s := string(all)
	for i := range out {
		out[i].name = s[spans[i][0]:spans[i][1]]
	}
	sortDirents(out)
	return out
}

// direntType maps a dirent's d_type to the file mode type bits.
func direntType(t byte) (fs.FileMode, bool) {
	switch t {
	case syscall.DT_REG:
		return 0, true
	case syscall.DT_DIR:
		return fs.ModeDir, true
	case syscall.DT_LNK:
		return fs.ModeSymlink, true
	case syscall.DT_FIFO:
		return fs.ModeNamedPipe, true
	case syscall.DT_SOCK:
		return fs.ModeSocket, true
	case syscall.DT_CHR:
		return fs.ModeDevice | fs.ModeCharDevice, true
	case syscall.DT_BLK:
		return fs.ModeDevice, true
	}
	return 0, false
}

func sortDirents(d []dirent) {
	slices.SortFunc(d, func(a, b dirent) int { return strings.Compare(a.name, b.name) })
}
