package secrets

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkScanGoroot scans the Go distribution's src/ tree, the corpus
// hack/bench-secrets.sh compares with gitleaks.
func BenchmarkScanGoroot(b *testing.B) {
	root := goSrc(b)
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

// BenchmarkSegmentGoSource runs the detectors and decoded views over Go
// source held in memory: the cost of scanning text without the I/O.
func BenchmarkSegmentGoSource(b *testing.B) {
	var buf []byte
	err := filepath.WalkDir(filepath.Join(goSrc(b), "net"), func(p string, _ os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".go") && len(buf) < 16<<20 {
			if c, err := os.ReadFile(p); err == nil {
				buf = append(buf, c...)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	s, _ := New(testKey)
	w := &worker{s: s}
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		fs := &fileScan{s: s, path: "x.go"}
		for off := 0; off < len(buf); off += 1 << 20 {
			chunk := buf[off:min(len(buf), off+1<<20)]
			fs.segment(w, seg{b: chunk, lo: 0, hi: len(chunk), lineBase: 1, mode: modeSource, sourceName: "x.go"})
		}
	}
}

// goSrc returns the src/ directory of the Go distribution that go env
// names.
func goSrc(b *testing.B) string {
	b.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		b.Fatal(err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "src")
}
