package safefile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// Read reads a regular file of at most limit bytes. It opens without
// blocking, so a named pipe is refused instead of hanging the read until
// a writer appears, and it reads at most limit+1 bytes whatever the file
// claims its size is. Errors name the path.
func Read(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close() //nolint:errcheck // read-only: nothing to flush
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s: not a regular file", path)
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("read %s: larger than %d bytes", path, limit)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("read %s: larger than %d bytes", path, limit)
	}
	return b, nil
}

// WriteAtomic writes b to path (mode 0644) through a temporary file in the
// same directory, synced before it is renamed over path, so a reader never
// sees a partial file and a full disk leaves the old file (or none) in
// place. The directory is created when missing.
func WriteAtomic(path string, b []byte) error {
	return WriteAtomicFunc(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// WriteAtomicFunc is WriteAtomic for content written by write, streamed
// into the temporary file (a large manifest need not be built in memory
// first). An error from write leaves path untouched.
func WriteAtomicFunc(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	name := tmp.Name()
	werr := write(tmp)
	if werr == nil {
		werr = tmp.Sync()
	}
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(name, 0o644)
	}
	if werr == nil {
		werr = os.Rename(name, path)
	}
	if werr != nil {
		_ = os.Remove(name) // best effort: the write already failed
		return fmt.Errorf("write %s: %w", path, werr)
	}
	return nil
}
