package approval_test

import (
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
