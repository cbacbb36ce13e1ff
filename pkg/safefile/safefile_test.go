package safefile_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/safefile"
)

func TestRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want, wantErr string
	}{
		{name: "fits", path: write("ok", "0123456789"), want: "0123456789"},
		{name: "empty", path: write("empty", ""), want: ""},
		{name: "one byte over", path: write("big", strings.Repeat("x", 11)), wantErr: "larger than 10 bytes"},
		{name: "directory", path: dir, wantErr: "not a regular file"},
		// A named pipe without a writer is refused at once, not waited on.
		{name: "fifo", path: fifo, wantErr: "not a regular file"},
		{name: "device", path: "/dev/zero", wantErr: "not a regular file"},
		{name: "missing", path: filepath.Join(dir, "missing"), wantErr: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := safefile.Read(tt.path, 10)
			switch {
			case tt.wantErr == "" && (err != nil || string(b) != tt.want):
				t.Fatalf("Read = %q, %v; want %q", b, err, tt.want)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.path)):
				t.Fatalf("err = %v, want one naming %s and saying %q", err, tt.path, tt.wantErr)
			}
		})
	}
}

func TestWriteAtomic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := filepath.Join(dir, "sub", "r.json")
	if err := safefile.WriteAtomic(target, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := safefile.WriteAtomic(target, []byte("two")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(target)
	if err != nil || string(b) != "two" {
		t.Fatalf("read back %q, %v", b, err)
	}
	fi, err := os.Stat(target)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v, %v", fi.Mode(), err)
	}
}

func TestWriteAtomicLeavesNoPartialFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// a directory where the file should go makes the rename fail
	target := filepath.Join(dir, "r.json")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, "keep"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := safefile.WriteAtomic(target, []byte("x")); err == nil {
		t.Fatal("want error")
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v (%v)", entries, err)
	}
}
