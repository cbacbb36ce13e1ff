package approval_test

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/approval"
)

// FuzzDescribeSigner reads the unverified signer of arbitrary bundle JSON
// (used in error messages): it must never panic and never return "".
func FuzzDescribeSigner(f *testing.F) {
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}},"dsseEnvelope":{"payload":"e30=","payloadType":"x","signatures":[{"sig":"AA=="}]}}`))
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"certificate":{"rawBytes":"MAA="}}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if approval.DescribeSigner(b) == "" {
			t.Fatalf("empty signer description for %q", b)
		}
	})
}

func FuzzParsePredicate(f *testing.F) {
	f.Add([]byte(`{"review":"r","reviewDigest":"sha256:` + strings.Repeat("a", 64) + `","policyDigest":"sha256:` + strings.Repeat("b", 64) + `","artifactDigest":"sha256:x","time":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"policyDigest":"sha256:nothex"}`))
	f.Add([]byte(`{"policyDigest":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := approval.ParsePredicate(b)
		if err == nil && p == nil {
			t.Fatal("nil predicate without error")
		}
		if err == nil && !p.PolicyDigest.IsZero() && p.PolicyDigest.Algorithm() != "sha256" {
			t.Fatalf("accepted policy digest %s", p.PolicyDigest)
		}
	})
}
