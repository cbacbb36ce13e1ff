package secrets

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// BenchmarkScanGoroot scans the Go distribution's src/ tree, the corpus
// hack/bench-secrets.sh compares with gitleaks.
func BenchmarkScanGoroot(b *testing.B) {
	root := filepath.Join(runtime.GOROOT(), "src")
	if _, err := os.Stat(root); err != nil {
		b.Fatal(err)
	}
	s, err := New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := s.Scan(context.Background(), root)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(res.Stats.Bytes)
	}
}
