package attest_test

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/pkg/attest"
)

// BenchmarkAttest measures a whole attest: read and verify three reports
// and two approvals, decide, sign two statements (keyless, virtual Sigstore).
func BenchmarkAttest(b *testing.B) {
	f := newFixture(b)
	for b.Loop() {
		if _, err := attest.Attest(context.Background(), f.in, f.bot); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify measures the promotion check of one keyless bundle.
func BenchmarkVerify(b *testing.B) {
	f := newFixture(b)
	out, err := attest.Attest(context.Background(), f.in, f.bot)
	if err != nil {
		b.Fatal(err)
	}
	req := attest.Requirements{ArtifactDigest: f.artifact(b), MaxAge: time.Hour, Now: time.Now()}
	for b.Loop() {
		if _, err := f.verify(b, out.Bundle, req); err != nil {
			b.Fatal(err)
		}
	}
}
