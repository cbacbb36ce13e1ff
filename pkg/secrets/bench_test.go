package secrets

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkScanGoroot scans the Go distribution's src/ tree, the corpus
// hack/bench-secrets.sh compares with gitleaks.
func BenchmarkScanGoroot(b *testing.B) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		b.Fatal(err)
	}
	root := filepath.Join(strings.TrimSpace(string(out)), "src")
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
