package trust_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/trust"
)

// FuzzVerify feeds arbitrary bundles to Verify against the conformance
// identities (key, private CA, keyless): it must never panic, every failure
// wraps ErrUntrusted, and every success names the identity that matched.
func FuzzVerify(f *testing.F) {
	ibm, key, chain, _ := conformanceIDs(f)
	for _, d := range []string{"v1.1.0-sigstore", "v1.1.0-elliptic-key", "v1.1.0-certificate", "v0.2.0-certificate"} {
		f.Add(readFile(f, filepath.Join(conformance(f, "model-signing", d), "model.sig")))
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"x"}},"dsseEnvelope":{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"AAAA"}]}}`))
	ids := []policy.Identity{key, chain, ibm}
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := trust.Verify(context.Background(), b, ids, trust.WithoutArtifactUnsafe())
		switch {
		case err != nil && !errors.Is(err, trust.ErrUntrusted):
			t.Fatalf("error does not wrap ErrUntrusted: %v", err)
		case err == nil && (res == nil || res.Identity == ""):
			t.Fatalf("verified without an identity: %+v", res)
		}
	})
}
