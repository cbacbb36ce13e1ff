package archive

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrUnsafe is wrapped by every error about a member Extract refuses.
var ErrUnsafe = errors.New("unsafe archive member")

// ErrLimit is wrapped by every error about a stream that exceeds Limits.
var ErrLimit = errors.New("archive limit exceeded")

// Limits bound what Extract accepts.
type Limits struct {
	// MaxBytes bounds the total size of the regular files.
	MaxBytes int64
	// MaxFiles bounds the number of members (files and directories).
	MaxFiles int
}

// DefaultLimits fit a release candidate with model weights: 64 GiB in at
// most 200,000 members.
var DefaultLimits = Limits{MaxBytes: 64 << 30, MaxFiles: 200_000}

// Limits on names, for both Write and Extract.
const (
	MaxNameLen = 4096
	MaxDepth   = 64
)

// epoch is the modification time of every member Write emits.
var epoch = time.Unix(0, 0).UTC()

// Stats describes a packed or extracted tree.
type Stats struct {
	Files int   // regular files
	Dirs  int   // directories, the root excluded
	Bytes int64 // total size of the regular files
}

// Mode returns the sanitised permission bits for a member: 0755 for
// directories and for files with any execute bit, 0644 for other files.
func Mode(m fs.FileMode) fs.FileMode {
	if m.IsDir() || m&0o111 != 0 {
		return 0o755
	}
	return 0o644
}

// checkName validates a slash-separated relative member name.
func checkName(name string) error {
	switch {
	case name == "" || name == ".":
		return fmt.Errorf("%w: empty name", ErrUnsafe)
	case len(name) > MaxNameLen:
		return fmt.Errorf("%w: name of %d bytes, more than %d", ErrUnsafe, len(name), MaxNameLen)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: %q is not valid UTF-8", ErrUnsafe, name)
	case strings.ContainsRune(name, 0):
		return fmt.Errorf("%w: %q contains NUL", ErrUnsafe, name)
	case strings.HasPrefix(name, "/"):
		return fmt.Errorf("%w: %q is absolute", ErrUnsafe, name)
	case strings.Contains(name, `\`):
		return fmt.Errorf("%w: %q contains a backslash", ErrUnsafe, name)
	}
	parts := strings.Split(name, "/")
	if len(parts) > MaxDepth {
		return fmt.Errorf("%w: %q is nested deeper than %d", ErrUnsafe, name, MaxDepth)
	}
	for _, p := range parts {
		if p == "" || p == "." || p == ".." {
			return fmt.Errorf("%w: %q is not a clean relative path", ErrUnsafe, name)
		}
	}
	return nil
}

// Write packs the tree under dir into w as a deterministic tar stream.
func Write(w io.Writer, dir string) (Stats, error) {
	var st Stats
	root, err := os.OpenRoot(dir)
	if err != nil {
		return st, fmt.Errorf("archive: open %s: %w", dir, err)
	}
	defer root.Close()
	var names []string
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == "." {
			return nil
		}
		if err := checkName(p); err != nil {
			return fmt.Errorf("%s: %w", filepath.Join(dir, filepath.FromSlash(p)), err)
		}
		t := d.Type()
		if !t.IsDir() && !t.IsRegular() {
			return fmt.Errorf("%s: %w: %s (only regular files and directories are packed)", filepath.Join(dir, filepath.FromSlash(p)), ErrUnsafe, kind(t))
		}
		names = append(names, p)
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("archive: %w", err)
	}
	sort.Strings(names)
	tw := tar.NewWriter(w)
	for _, n := range names {
		if err := writeMember(tw, root, n, &st); err != nil {
			return st, fmt.Errorf("archive: %s: %w", filepath.Join(dir, filepath.FromSlash(n)), err)
		}
	}
	if err := tw.Close(); err != nil {
		return st, fmt.Errorf("archive: %w", err)
	}
	return st, nil
}

func writeMember(tw *tar.Writer, root *os.Root, name string, st *Stats) error {
	fi, err := root.Lstat(name)
	if err != nil {
		return err
	}
	h := &tar.Header{Name: name, ModTime: epoch, Mode: int64(Mode(fi.Mode())), Format: tar.FormatPAX}
	switch {
	case fi.IsDir():
		h.Typeflag, h.Name = tar.TypeDir, name+"/"
		st.Dirs++
		return tw.WriteHeader(h)
	case fi.Mode().IsRegular():
	default:
		return fmt.Errorf("%w: %s", ErrUnsafe, kind(fi.Mode().Type()))
	}
	f, err := root.OpenFile(name, os.O_RDONLY|syscallNoFollow|syscallNonBlock, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	ofi, err := f.Stat()
	if err != nil {
		return err
	}
	if !ofi.Mode().IsRegular() || !os.SameFile(fi, ofi) {
		return fmt.Errorf("changed while packing")
	}
	h.Typeflag, h.Size = tar.TypeReg, ofi.Size()
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	n, err := io.Copy(tw, io.LimitReader(f, h.Size))
	if err != nil {
		return err
	}
	if n != h.Size {
		return fmt.Errorf("changed while packing (%d of %d bytes)", n, h.Size)
	}
	st.Files++
	st.Bytes += n
	return nil
}

func kind(t fs.FileMode) string {
	switch {
	case t&fs.ModeSymlink != 0:
		return "symbolic link"
	case t&fs.ModeNamedPipe != 0:
		return "FIFO"
	case t&fs.ModeSocket != 0:
		return "socket"
	case t&fs.ModeDevice != 0:
		return "device"
	case t&fs.ModeIrregular != 0:
		return "irregular file"
	}
	return "special file"
}

// Extract reads a tar stream from r into dest, which must be an existing,
// empty directory, within limits. On error dest may hold part of the tree:
// extract into a fresh directory and discard it on error.
func Extract(r io.Reader, dest string, lim Limits) (Stats, error) {
	var st Stats
	if lim.MaxBytes <= 0 || lim.MaxFiles <= 0 {
		return st, fmt.Errorf("archive: limits must be positive (got %d bytes, %d files)", lim.MaxBytes, lim.MaxFiles)
	}
	entries, err := os.ReadDir(dest)
	if err != nil {
		return st, fmt.Errorf("archive: destination: %w", err)
	}
	if len(entries) > 0 {
		return st, fmt.Errorf("archive: destination %s is not empty", dest)
	}
	root, err := os.OpenRoot(dest)
	if err != nil {
		return st, fmt.Errorf("archive: destination: %w", err)
	}
	defer root.Close()
	seen := map[string]bool{} // member name -> is a directory
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return st, nil
		}
		if err != nil {
			return st, fmt.Errorf("archive: read member %d: %w", st.Files+st.Dirs+1, err)
		}
		name := strings.TrimSuffix(h.Name, "/")
		if err := checkName(name); err != nil {
			return st, fmt.Errorf("archive: member %q: %w", h.Name, err)
		}
		if _, dup := seen[name]; dup {
			return st, fmt.Errorf("archive: member %q: %w: duplicate", h.Name, ErrUnsafe)
		}
		seen[name] = h.Typeflag == tar.TypeDir
		if err := mkParents(root, name, seen, &st, lim); err != nil {
			return st, fmt.Errorf("archive: member %q: %w", h.Name, err)
		}
		if st.Files+st.Dirs >= lim.MaxFiles {
			return st, fmt.Errorf("archive: %w: more than %d members", ErrLimit, lim.MaxFiles)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := mkdir(root, name); err != nil {
				return st, fmt.Errorf("archive: member %q: %w", h.Name, err)
			}
			st.Dirs++
		case tar.TypeReg:
			if h.Size < 0 || h.Size > lim.MaxBytes-st.Bytes {
				return st, fmt.Errorf("archive: member %q: %w: more than %d bytes in all", h.Name, ErrLimit, lim.MaxBytes)
			}
			if err := writeFile(root, name, tr, h.Size, Mode(fs.FileMode(h.Mode)&fs.ModePerm)); err != nil {
				return st, fmt.Errorf("archive: member %q: %w", h.Name, err)
			}
			st.Files++
			st.Bytes += h.Size
		default:
			return st, fmt.Errorf("archive: member %q: %w: %s (only regular files and directories are accepted)", h.Name, ErrUnsafe, typeName(h.Typeflag))
		}
	}
}

// mkParents creates the missing parent directories of name, counting them.
func mkParents(root *os.Root, name string, seen map[string]bool, st *Stats, lim Limits) error {
	var missing []string
	for d := path.Dir(name); d != "."; d = path.Dir(d) {
		if isDir, ok := seen[d]; ok {
			if !isDir {
				return fmt.Errorf("%w: parent %s is not a directory", ErrUnsafe, d)
			}
			break
		}
		missing = append(missing, d)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		d := missing[i]
		if st.Files+st.Dirs >= lim.MaxFiles {
			return fmt.Errorf("%w: more than %d members", ErrLimit, lim.MaxFiles)
		}
		if err := mkdir(root, d); err != nil {
			return err
		}
		seen[d] = true
		st.Dirs++
	}
	return nil
}

// mkdir creates directory name (or accepts an existing one, which an
// earlier member made) with mode 0755 whatever the umask.
func mkdir(root *os.Root, name string) error {
	if err := root.Mkdir(name, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	fi, err := root.Lstat(name)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%w: %s is not a directory", ErrUnsafe, name)
	}
	return root.Chmod(name, 0o755)
}

func writeFile(root *os.Root, name string, r io.Reader, size int64, mode fs.FileMode) error {
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscallNoFollow, mode)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(r, size))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("truncated: %d of %d bytes", n, size)
	}
	// The umask may have removed bits; set exactly the sanitised mode.
	return root.Chmod(name, mode)
}

func typeName(t byte) string {
	switch t {
	case tar.TypeSymlink:
		return "symbolic link"
	case tar.TypeLink:
		return "hard link"
	case tar.TypeChar, tar.TypeBlock:
		return "device"
	case tar.TypeFifo:
		return "FIFO"
	case tar.TypeGNUSparse:
		return "sparse file"
	case tar.TypeCont:
		return "contiguous file"
	}
	return fmt.Sprintf("type %q", t)
}
