package artifact_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/digest"
)

func write(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(h[:])
}

func TestLessNameOrdersLikeModelSigning(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		less bool
	}{
		// PurePosixPath compares components: "a" < "a.txt", so a/b sorts first,
		// although the byte string "a.txt" < "a/b".
		{"a/b", "a.txt", true},
		{"a.txt", "a/b", false},
		{"a", "a/b", true},
		{"B", "a", true}, // code point order, case-sensitive
		{"x/y/z", "x/y", false},
		// shards: numeric offsets, not string order
		{"w.bin:2:4", "w.bin:10:12", true},
		{"w.bin:10:12", "w.bin:2:4", false},
		{"w.bin:0:8", "w.bin.idx:0:8", true},
		{"d/f:0:8", "d.txt:0:1", true},
	}
	for _, tt := range tests {
		if got := artifact.LessName(tt.a, tt.b); got != tt.less {
			t.Errorf("lessName(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.less)
		}
	}
}

func TestHashFilesAndShards(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, map[string]string{
		"a.txt":          "alpha",
		"a/b":            "beta",
		"empty":          "",
		"w.bin":          "0123456789",
		".git/HEAD":      "ref: refs/heads/main",
		".gitignore":     "x",
		".github/ci.yml": "on: push",
		"skip/me":        "ignored by the user",
	})
	ctx := context.Background()

	m, err := artifact.Hash(ctx, root, artifact.WithIgnore("skip"))
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{"a/b", "a.txt", "empty", "w.bin"}
	if len(m.Files) != len(wantNames) {
		t.Fatalf("files = %+v", m.Files)
	}
	h := sha256.New()
	for i, n := range wantNames {
		if m.Files[i].Name != n {
			t.Errorf("file %d = %s, want %s", i, m.Files[i].Name, n)
		}
		d, _ := digest.ParseSHA256(m.Files[i].Digest)
		raw := d.Raw()
		h.Write(raw)
	}
	if want := "sha256:" + hex.EncodeToString(h.Sum(nil)); m.Root != want {
		t.Errorf("root = %s, want %s", m.Root, want)
	}
	if m.Files[3].Digest != sum("0123456789") || m.Files[3].Size != 10 {
		t.Errorf("w.bin = %+v", m.Files[3])
	}
	if got := strings.Join(m.Serialization.IgnorePaths, ","); got != ".git,.gitattributes,.github,.gitignore,skip" {
		t.Errorf("ignore paths recorded = %s", got)
	}

	s, err := artifact.Hash(ctx, root, artifact.WithMethod(artifact.MethodShards), artifact.WithShardSize(4), artifact.WithIgnore("skip"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range s.Files {
		names = append(names, r.Name)
	}
	// empty files have no shard in model-signing's shard serialization
	if got, want := strings.Join(names, " "), "a/b:0:4 a.txt:0:4 a.txt:4:5 w.bin:0:4 w.bin:4:8 w.bin:8:10"; got != want {
		t.Errorf("shards = %s, want %s", got, want)
	}
	if s.Files[5].Digest != sum("89") || s.Serialization.ShardSize != 4 || s.Serialization.Algorithm() != "sha256-sharded-4" {
		t.Errorf("last shard = %+v, serialization = %+v", s.Files[5], s.Serialization)
	}
	if s.Root == m.Root {
		t.Error("shard and file roots must differ")
	}

	// the same tree gives the same manifest, whatever the worker count
	m1, err := artifact.Hash(ctx, root, artifact.WithIgnore("skip"), artifact.WithWorkers(1))
	if err != nil || m1.Root != m.Root {
		t.Errorf("single worker root = %v, %v; want %s", m1, err, m.Root)
	}
}

func TestHashRejectsBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		setup   func(t *testing.T, root string)
		opts    []artifact.Option
		wantErr string
	}{
		{
			name: "fifo",
			setup: func(t *testing.T, root string) {
				if err := syscall.Mkfifo(filepath.Join(root, "pipe"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: "pipe is a named pipe (FIFO)",
		},
		{
			name: "socket",
			setup: func(t *testing.T, root string) {
				fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer syscall.Close(fd)
				if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: filepath.Join(root, "sock")}); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: "sock is a socket",
		},
		{
			name: "symlink not allowed",
			setup: func(t *testing.T, root string) {
				write(t, root, map[string]string{"real": "x"})
				if err := os.Symlink("real", filepath.Join(root, "link")); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: "link is a symbolic link; pass --allow-symlinks",
		},
		{
			name: "symlink outside root",
			setup: func(t *testing.T, root string) {
				outside := filepath.Join(t.TempDir(), "secret")
				if err := os.WriteFile(outside, []byte("s"), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(outside, filepath.Join(root, "escape")); err != nil {
					t.Fatal(err)
				}
			},
			opts:    []artifact.Option{artifact.WithAllowSymlinks(true)},
			wantErr: "escape is a symbolic link to ",
		},
		{
			name: "relative symlink outside root",
			setup: func(t *testing.T, root string) {
				if err := os.Symlink("../../../../../../etc/hostname", filepath.Join(root, "up")); err != nil {
					t.Fatal(err)
				}
			},
			opts:    []artifact.Option{artifact.WithAllowSymlinks(true)},
			wantErr: "outside the artefact root",
		},
		{
			name: "symlink loop",
			setup: func(t *testing.T, root string) {
				if err := os.Symlink("b", filepath.Join(root, "a")); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink("a", filepath.Join(root, "b")); err != nil {
					t.Fatal(err)
				}
			},
			opts:    []artifact.Option{artifact.WithAllowSymlinks(true)},
			wantErr: "is a symbolic link loop",
		},
		{
			name: "device",
			setup: func(t *testing.T, root string) {
				// /dev/null's numbers; needs CAP_MKNOD, which CI (root) has.
				if err := syscall.Mknod(filepath.Join(root, "null"), syscall.S_IFCHR|0o644, 1<<8|3); err != nil {
					if os.Geteuid() != 0 {
						t.Logf("mknod needs root; checking a symlink to /dev/null instead: %v", err)
						if err := os.Symlink("/dev/null", filepath.Join(root, "null")); err != nil {
							t.Fatal(err)
						}
						return
					}
					t.Fatal(err)
				}
			},
			wantErr: "null is a ",
		},
		{
			name:    "ignore path escaping root",
			setup:   func(t *testing.T, root string) {},
			opts:    []artifact.Option{artifact.WithIgnore("../x")},
			wantErr: "must be relative to the artefact root",
		},
		{
			name: "too many files",
			setup: func(t *testing.T, root string) {
				write(t, root, map[string]string{"1": "", "2": "", "3": ""})
			},
			opts:    []artifact.Option{artifact.WithMaxFiles(2)},
			wantErr: "more than 2 files",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			write(t, root, map[string]string{"ok.txt": "ok"})
			tt.setup(t, root)
			done := make(chan error, 1)
			go func() {
				_, err := artifact.Hash(context.Background(), root, tt.opts...)
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if tt.name != "ignore path escaping root" && !errors.Is(err, artifact.ErrInvalidArtifact) {
					t.Errorf("err %v does not wrap ErrInvalidArtifact", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("hash hung")
			}
		})
	}
}

func TestHashAllowsSymlinkInsideRoot(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, map[string]string{"dir/real": "x"})
	if err := os.Symlink("dir/real", filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	m, err := artifact.Hash(context.Background(), root, artifact.WithAllowSymlinks(true))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 2 || m.Files[1].Name != "link" || m.Files[1].Digest != sum("x") || !m.Serialization.AllowSymlinks {
		t.Fatalf("manifest = %+v", m)
	}
}

// growing is a Progress that appends to a file the first time bytes are
// hashed, simulating a writer racing the hash.
type growing struct{ path string }

func (g *growing) Start(int64) {}
func (g *growing) Finish()     {}
func (g *growing) Add(int64) {
	f, err := os.OpenFile(g.path, os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, _ = f.WriteString("more") // best effort: the file grows while it is hashed
		f.Close()
	}
}

func TestHashDetectsFileChangingWhileHashed(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, map[string]string{"w.bin": strings.Repeat("x", 4096)})
	_, err := artifact.Hash(context.Background(), root, artifact.WithProgress(&growing{path: filepath.Join(root, "w.bin")}))
	if err == nil || !strings.Contains(err.Error(), "w.bin changed while the artefact was being hashed") {
		t.Fatalf("err = %v", err)
	}
}

func TestHashHonoursCancellation(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, map[string]string{"a": "a"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := artifact.Hash(ctx, root); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestRootDigestRejectsBadDigest(t *testing.T) {
	t.Parallel()
	if _, err := artifact.RootDigest([]artifact.Resource{{Name: "a", Digest: "sha256:zz"}}); err == nil {
		t.Fatal("want error")
	}
}

func TestComparePathOrdersComponents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int // sign
	}{
		{"a", "a", 0},
		{"a", "b", -1},
		{"a/b", "a", 1},
		{"a", "a/b", -1},
		{"a/b", "a-b", -1}, // "a" < "a-b" by component, although "/" > "-" as bytes
		{"a-b", "a/b", 1},
		{"a/", "a", 1},
		{"", "a", -1},
		{"x/y/z", "x/y/z", 0},
		{"x/y/z", "x/y0", -1},
	}
	for _, tt := range tests {
		got := artifact.ComparePath(tt.a, tt.b)
		if (got < 0) != (tt.want < 0) || (got > 0) != (tt.want > 0) {
			t.Errorf("comparePath(%q, %q) = %d, want sign %d", tt.a, tt.b, got, tt.want)
		}
	}
}
