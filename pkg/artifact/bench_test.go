package artifact_test

import (
	"context"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/artifact"
)

// benchTree writes n files of size bytes of random data.
func benchTree(b *testing.B, n int, size int64) (string, []string) {
	b.Helper()
	root := b.TempDir()
	buf := make([]byte, size)
	var paths []string
	for i := range n {
		if _, err := rand.Read(buf); err != nil {
			b.Fatal(err)
		}
		p := filepath.Join(root, "shard-"+string(rune('a'+i))+".bin")
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, p)
	}
	return root, paths
}

// BenchmarkHash compares tollgate's parallel hash with sequential
// `openssl dgst -sha256` over the same files, in the same run. Compare the
// two sub-benchmarks' MB/s; hack/bench-hash.sh does the same at 2 GB scale.
func BenchmarkHash(b *testing.B) {
	const n, size = 8, 16 << 20
	root, paths := benchTree(b, n, size)
	b.Run("tollgate", func(b *testing.B) {
		b.SetBytes(n * size)
		for b.Loop() {
			if _, err := artifact.Hash(context.Background(), root); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("openssl-sequential", func(b *testing.B) {
		if _, err := exec.LookPath("openssl"); err != nil {
			b.Fatal("openssl not installed (hack/install-deps.sh)")
		}
		b.SetBytes(n * size)
		for b.Loop() {
			if out, err := exec.Command("openssl", append([]string{"dgst", "-sha256"}, paths...)...).CombinedOutput(); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
		}
	})
}

// BenchmarkBufSize hashes the same tree on one worker through read buffers
// of several sizes; it is how defaultBufSize was chosen.
func BenchmarkBufSize(b *testing.B) {
	const n, size = 4, 32 << 20
	root, _ := benchTree(b, n, size)
	for _, bs := range []int{64 << 10, 256 << 10, 1 << 20} {
		b.Run(strconv.Itoa(bs>>10)+"KiB", func(b *testing.B) {
			b.SetBytes(n * size)
			for b.Loop() {
				if _, err := artifact.Hash(context.Background(), root, artifact.WithWorkers(1), artifact.WithBufSize(bs)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
