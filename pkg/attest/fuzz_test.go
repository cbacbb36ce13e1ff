package attest_test

import (
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/attest"
	"github.com/tollgate-dev/tollgate/pkg/decision"
)

// FuzzParsePredicate: an accepted predicate always has a known verdict, a
// release name, a time and a policy digest.
func FuzzParsePredicate(f *testing.F) {
	f.Add([]byte(`{"verdict":"PASSED","release":"r","policyDigest":"sha256:00","time":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"verdict":"FAILED","release":"r","policyDigest":"x","time":"2026-01-01T00:00:00Z","reasons":[{"message":"m"}]}`))
	f.Add([]byte(`{"verdict":"passed"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := attest.ParsePredicate(b)
		if err != nil {
			return
		}
		if (p.Verdict != decision.Passed && p.Verdict != decision.Failed) || p.Release == "" || p.Time.IsZero() || p.PolicyDigest.IsZero() {
			t.Fatalf("accepted %q as %+v", b, p)
		}
	})
}
