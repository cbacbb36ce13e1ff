package provenance_test

import (
	"context"
	"crypto/rand"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/provenance"
	"github.com/tollgate-dev/tollgate/pkg/review"
)

// BenchmarkProvenance reports the throughput of a full provenance run over
// a 256 MB model file next to `openssl dgst -sha256` on the same file.
// hack/bench-provenance.sh runs the 20 GB sparse-file version with peak RSS.
func BenchmarkProvenance(b *testing.B) {
	const size = 256 << 20
	dir := b.TempDir()
	weights := filepath.Join(dir, "model", "model.safetensors")
	if err := os.MkdirAll(filepath.Dir(weights), 0o755); err != nil {
		b.Fatal(err)
	}
	f, err := os.Create(weights)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.CopyN(f, rand.Reader, size); err != nil {
		b.Fatal(err)
	}
	f.Close()
	ctx := context.Background()
	m, err := artifact.Hash(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	rv := review.New("bench")
	rv.Spec.Artifact = *m
	b.Run("tollgate", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			out, err := provenance.Run(ctx, provenance.Config{Artifact: dir, Review: rv})
			if err != nil || out.Report.Verdict != evidence.Pass {
				b.Fatalf("%v %+v", err, out)
			}
		}
	})
	b.Run("openssl", func(b *testing.B) {
		if _, err := exec.LookPath("openssl"); err != nil {
			b.Fatal("openssl not installed: apt-get install openssl")
		}
		b.SetBytes(size)
		for b.Loop() {
			if out, err := exec.Command("openssl", "dgst", "-sha256", weights).CombinedOutput(); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
		}
	})
}
