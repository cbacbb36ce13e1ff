package archive_test

import (
	"archive/tar"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/archive"
)

func tree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"release/prompts/system.md": "You are a support agent.\n",
		"release/mcp.json":          "{}\n",
		"review.yaml":               "kind: ReleaseReview\n",
		"approvals/a.sigstore.json": "{}",
		"bin/tool":                  "#!/bin/sh\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(dir, "bin/tool"), 0o4770); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	src := tree(t)
	var a, b bytes.Buffer
	st, err := archive.Write(&a, src)
	if err != nil {
		t.Fatal(err)
	}
	if st.Files != 5 || st.Dirs != 5 {
		t.Errorf("stats %+v, want 5 files and 5 dirs", st)
	}
	// Same tree, other times and owners: same bytes.
	if err := os.Chtimes(filepath.Join(src, "review.yaml"), bytes0Time, bytes0Time); err != nil {
		t.Fatal(err)
	}
	if _, err := archive.Write(&b, src); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two packs of the same tree differ")
	}
	tr := tar.NewReader(bytes.NewReader(a.Bytes()))
	var names []string
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		names = append(names, h.Name)
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" || h.ModTime.Unix() != 0 {
			t.Errorf("%s: owner %d:%d %q:%q mtime %v", h.Name, h.Uid, h.Gid, h.Uname, h.Gname, h.ModTime)
		}
	}
	if got := strings.Join(names, " "); got != "approvals/ approvals/a.sigstore.json bin/ bin/tool empty/ release/ release/mcp.json release/prompts/ release/prompts/system.md review.yaml" {
		t.Errorf("members %s", got)
	}

	dst := t.TempDir()
	st2, err := archive.Extract(bytes.NewReader(a.Bytes()), dst, archive.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if st2 != st {
		t.Errorf("extract stats %+v, pack stats %+v", st2, st)
	}
	for name, want := range map[string]fs.FileMode{"bin/tool": 0o755, "review.yaml": 0o644, "release": fs.ModeDir | 0o755, "empty": fs.ModeDir | 0o755} {
		fi, err := os.Lstat(filepath.Join(dst, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", name, fi.Mode(), want)
		}
	}
	b1, _ := os.ReadFile(filepath.Join(dst, "release/prompts/system.md"))
	if string(b1) != "You are a support agent.\n" {
		t.Errorf("content %q", b1)
	}
}

func TestWriteRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		make func(dir string) error
		want string
	}{
		{"symlink", func(d string) error { return os.Symlink("/etc/passwd", filepath.Join(d, "link")) }, "symbolic link"},
		{"inner symlink", func(d string) error { return os.Symlink("a", filepath.Join(d, "link")) }, "symbolic link"},
		{"fifo", func(d string) error { return syscall.Mkfifo(filepath.Join(d, "fifo"), 0o600) }, "FIFO"},
		{"invalid utf-8", func(d string) error { return os.WriteFile(filepath.Join(d, "bad\xff"), nil, 0o600) }, "UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := tc.make(dir); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			_, err := archive.Write(&buf, dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), dir) {
				t.Fatalf("Write = %v, want an error naming the path and %q", err, tc.want)
			}
		})
	}
}

type member struct {
	h    tar.Header
	body string
}

func stream(t testing.TB, ms ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range ms {
		h := m.h
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(m.body))
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(m.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func reg(name, body string) member {
	return member{h: tar.Header{Name: name, Typeflag: tar.TypeReg}, body: body}
}

func TestExtractRefuses(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a/", archive.MaxDepth) + "f"
	for _, tc := range []struct {
		name string
		in   []member
		lim  archive.Limits
		err  error
		want string
	}{
		{"dotdot", []member{reg("../escape", "x")}, archive.DefaultLimits, archive.ErrUnsafe, "clean relative"},
		{"inner dotdot", []member{reg("a/../../escape", "x")}, archive.DefaultLimits, archive.ErrUnsafe, "clean relative"},
		{"absolute", []member{reg("/etc/cron.d/x", "x")}, archive.DefaultLimits, archive.ErrUnsafe, "absolute"},
		{"symlink", []member{{h: tar.Header{Name: "l", Typeflag: tar.TypeSymlink, Linkname: "/etc"}}}, archive.DefaultLimits, archive.ErrUnsafe, "symbolic link"},
		{"symlink then write through", []member{{h: tar.Header{Name: "l", Typeflag: tar.TypeSymlink, Linkname: "/tmp"}}, reg("l/x", "x")}, archive.DefaultLimits, archive.ErrUnsafe, "symbolic link"},
		{"hardlink", []member{reg("a", "x"), {h: tar.Header{Name: "b", Typeflag: tar.TypeLink, Linkname: "a"}}}, archive.DefaultLimits, archive.ErrUnsafe, "hard link"},
		{"device", []member{{h: tar.Header{Name: "d", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3}}}, archive.DefaultLimits, archive.ErrUnsafe, "device"},
		{"fifo", []member{{h: tar.Header{Name: "p", Typeflag: tar.TypeFifo}}}, archive.DefaultLimits, archive.ErrUnsafe, "FIFO"},
		{"duplicate", []member{reg("a", "x"), reg("a", "y")}, archive.DefaultLimits, archive.ErrUnsafe, "duplicate"},
		{"file over dir", []member{{h: tar.Header{Name: "a/", Typeflag: tar.TypeDir}}, reg("a", "y")}, archive.DefaultLimits, archive.ErrUnsafe, "duplicate"},
		{"dir over file", []member{reg("a", "x"), reg("a/b", "y")}, archive.DefaultLimits, archive.ErrUnsafe, "not a directory"},
		{"invalid utf-8", []member{reg("bad\xff", "x")}, archive.DefaultLimits, archive.ErrUnsafe, "UTF-8"},
		{"deep", []member{reg(long, "x")}, archive.DefaultLimits, archive.ErrUnsafe, "deeper"},
		{"too big", []member{reg("a", "12345"), reg("b", "123456")}, archive.Limits{MaxBytes: 10, MaxFiles: 10}, archive.ErrLimit, "bytes"},
		{"too many", []member{reg("a", ""), reg("b", ""), reg("c", "")}, archive.Limits{MaxBytes: 10, MaxFiles: 2}, archive.ErrLimit, "members"},
		{"too many parents", []member{reg("a/b/c", "")}, archive.Limits{MaxBytes: 10, MaxFiles: 2}, archive.ErrLimit, "members"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			outer := t.TempDir()
			dst := filepath.Join(outer, "dst")
			if err := os.Mkdir(dst, 0o755); err != nil {
				t.Fatal(err)
			}
			_, err := archive.Extract(bytes.NewReader(stream(t, tc.in...)), dst, tc.lim)
			if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Extract = %v, want %v containing %q", err, tc.err, tc.want)
			}
			if _, err := os.Lstat(filepath.Join(outer, "escape")); err == nil {
				t.Fatal("a member escaped the destination")
			}
		})
	}
}

func TestExtractModesAndTruncation(t *testing.T) {
	t.Parallel()
	dst := t.TempDir()
	in := stream(t,
		member{h: tar.Header{Name: "suid", Typeflag: tar.TypeReg, Mode: 0o6777, Uid: 0}, body: "x"},
		member{h: tar.Header{Name: "d/", Typeflag: tar.TypeDir, Mode: 0o1777}},
	)
	if _, err := archive.Extract(bytes.NewReader(in), dst, archive.DefaultLimits); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]fs.FileMode{"suid": 0o755, "d": fs.ModeDir | 0o755} {
		fi, _ := os.Lstat(filepath.Join(dst, name))
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", name, fi.Mode(), want)
		}
	}
	// A stream cut in the middle of a file is an error, not a short file.
	full := stream(t, reg("big", strings.Repeat("x", 4096)))
	if _, err := archive.Extract(bytes.NewReader(full[:1024]), t.TempDir(), archive.DefaultLimits); err == nil {
		t.Fatal("truncated stream accepted")
	}
	// The destination must be empty.
	if _, err := archive.Extract(bytes.NewReader(in), dst, archive.DefaultLimits); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("non-empty destination: %v", err)
	}
}
