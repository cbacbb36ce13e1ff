package conformance

import (
	"embed"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sync"
	"testing"
)

//go:embed testdata
var data embed.FS

// FS is the vendored data, rooted at testdata/ ("model-signing/keys/ca-cert.pem").
func FS() fs.FS {
	sub, err := fs.Sub(data, "testdata")
	if err != nil {
		panic(err) // the embedded directory always exists
	}
	return sub
}

// ReadFile returns the bytes of one vendored file.
func ReadFile(t testing.TB, elem ...string) []byte {
	t.Helper()
	b, err := fs.ReadFile(FS(), path.Join(elem...))
	if err != nil {
		t.Fatalf("conformance data: %v", err)
	}
	return b
}

var (
	mu   sync.Mutex
	dirs = map[testing.TB]string{}
)

// Dir returns the path of elem in a copy of the data written under t's
// temporary directory (once per test; tests may modify the copy). A path
// that is not in the data fails the test.
func Dir(t testing.TB, elem ...string) string {
	t.Helper()
	mu.Lock()
	root, ok := dirs[t]
	mu.Unlock()
	if !ok {
		root = Extract(t, t.TempDir())
		mu.Lock()
		dirs[t] = root
		mu.Unlock()
		t.Cleanup(func() {
			mu.Lock()
			delete(dirs, t)
			mu.Unlock()
		})
	}
	p := filepath.Join(append([]string{root}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("conformance data: %v", err)
	}
	return p
}

// Extract writes the data into dir and returns dir.
func Extract(t testing.TB, dir string) string {
	t.Helper()
	if err := os.CopyFS(dir, FS()); err != nil {
		t.Fatalf("conformance data: %v", err)
	}
	return dir
}
