package trust_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	conformancedata "github.com/tollgate-dev/tollgate/internal/conformance"
	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/trust"
)

// conformance is the vendored conformance data (package conformance).
var conformance = conformancedata.Dir

func readFile(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Identities as the conformance README names them.
func conformanceIDs(t testing.TB) (ibm, key, chain, chainRootOnly policy.Identity) {
	keys := conformance(t, "model-signing", "keys")
	ibm = policy.Identity{Name: "stefanb", Keyless: &policy.Keyless{
		Issuer: "https://sigstore.verify.ibm.com/oauth2", Subject: "stefanb@us.ibm.com",
		TrustedRoot: conformance(t, "sigstore", "trusted_root.public-good.json"),
	}}
	key = policy.Identity{Name: "p384", PublicKey: string(readFile(t, filepath.Join(keys, "signing-key-pub.pem")))}
	chain = policy.Identity{Name: "private-ca", CertificateChain: string(readFile(t, filepath.Join(keys, "int-ca-cert.pem"))) +
		string(readFile(t, filepath.Join(keys, "ca-cert.pem")))}
	chainRootOnly = policy.Identity{Name: "private-root", CertificateChain: string(readFile(t, filepath.Join(keys, "ca-cert.pem")))}
	return
}

func TestConformanceModelSigning(t *testing.T) {
	t.Parallel()
	ibm, key, chain, rootOnly := conformanceIDs(t)
	wrongKey := policy.Identity{Name: "other", PublicKey: otherKeyPEM(t)}
	wrongSubject := *ibm.Keyless
	wrongSubject.Subject = "mallory@us.ibm.com"
	wrongIssuer := *ibm.Keyless
	wrongIssuer.Issuer = "https://accounts.google.com"
	now := func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }

	tests := []struct {
		dir   string
		good  []policy.Identity
		wrong []policy.Identity
	}{
		{"v1.1.0-sigstore", []policy.Identity{ibm}, []policy.Identity{{Name: "s", Keyless: &wrongSubject}, {Name: "i", Keyless: &wrongIssuer}, key, chain}},
		{"v1.0.1-sigstore", []policy.Identity{ibm}, []policy.Identity{{Name: "s", Keyless: &wrongSubject}, key}},
		{"v0.3.1-sigstore", []policy.Identity{ibm}, []policy.Identity{{Name: "s", Keyless: &wrongSubject}}},
		{"v1.1.0-elliptic-key", []policy.Identity{key}, []policy.Identity{wrongKey, chain, ibm}},
		{"v1.0.1-elliptic-key", []policy.Identity{key}, []policy.Identity{wrongKey}},
		{"v1.1.0-certificate", []policy.Identity{chain, rootOnly}, []policy.Identity{key, ibm, {Name: "self", CertificateChain: selfSignedPEM(t)}}},
		{"v1.0.1-certificate", []policy.Identity{chain, rootOnly}, []policy.Identity{{Name: "self", CertificateChain: selfSignedPEM(t)}}},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			t.Parallel()
			dir := conformance(t, "model-signing", tc.dir)
			sig := readFile(t, filepath.Join(dir, "model.sig"))
			m, err := artifact.Hash(context.Background(), dir, artifact.WithIgnore("ignore-me", "model.sig"))
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range tc.good {
				res, err := trust.Verify(context.Background(), sig, []policy.Identity{id}, mustDigest(t, m.Root), trust.WithNow(now))
				if err != nil {
					t.Fatalf("%s: %v", id.Name, err)
				}
				if res.Identity != id.Name || res.Signer.IsZero() || !strings.Contains(res.PayloadType, "in-toto") || len(res.Payload) == 0 {
					t.Fatalf("%s: result %+v", id.Name, res)
				}
				if id.Keyless != nil && res.SignedAt.IsZero() {
					t.Fatalf("%s: keyless result without a tlog time", id.Name)
				}
			}
			for _, id := range tc.wrong {
				_, err := trust.Verify(context.Background(), sig, []policy.Identity{id}, mustDigest(t, m.Root), trust.WithNow(now))
				if !errors.Is(err, trust.ErrUntrusted) {
					t.Fatalf("wrong identity %s verified: %v", id.Name, err)
				}
			}
			// A changed byte in a signed file, or an added file, changes the
			// root digest: the bundle is not about it.
			for name, mutate := range map[string]func(string){
				"changed byte": func(d string) { flipByte(t, filepath.Join(d, "signme-1")) },
				"added file":   func(d string) { writeFile(t, filepath.Join(d, "extra"), "x") },
			} {
				d := copyDir(t, dir)
				mutate(d)
				m2, err := artifact.Hash(context.Background(), d, artifact.WithIgnore("ignore-me", "model.sig"))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := trust.Verify(context.Background(), sig, tc.good, mustDigest(t, m2.Root), trust.WithNow(now)); !errors.Is(err, trust.ErrUntrusted) {
					t.Fatalf("%s: verified: %v", name, err)
				}
			}
			// A changed byte in the signed statement breaks the signature.
			if _, err := trust.Verify(context.Background(), tamperPayload(t, sig), tc.good, trust.WithoutArtifactUnsafe(), trust.WithNow(now)); !errors.Is(err, trust.ErrUntrusted) {
				t.Fatalf("tampered payload verified: %v", err)
			}
		})
	}
}

func TestConformanceCertificateChainWindow(t *testing.T) {
	t.Parallel()
	_, _, chain, _ := conformanceIDs(t)
	sig := readFile(t, conformance(t, "model-signing", "v1.1.0-certificate", "model.sig"))
	for _, at := range []time.Time{time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC)} {
		_, err := trust.Verify(context.Background(), sig, []policy.Identity{chain}, trust.WithoutArtifactUnsafe(), trust.WithNow(func() time.Time { return at }))
		if !errors.Is(err, trust.ErrUntrusted) || !strings.Contains(err.Error(), "expired or is not yet valid") {
			t.Fatalf("at %s: %v", at, err)
		}
	}
}

func TestConformanceSigstoreJSProvenance(t *testing.T) {
	t.Parallel()
	b := readFile(t, conformance(t, "sigstore", "sigstore.js-2.0.0-provenance.sigstore.json"))
	gh := &policy.Keyless{
		Issuer:  "https://token.actions.githubusercontent.com",
		Subject: "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
	}
	digest := "sha512:46d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe34640966eee9fc2ccca387082b4c85cd3c"
	ids := []policy.Identity{{Name: "sigstore-js", Keyless: gh}}
	// The embedded public-good root is used when none is named.
	res, err := trust.Verify(context.Background(), b, ids, mustDigest(t, digest))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Signer.String(), "sigstore-js") || res.SignedAt.IsZero() {
		t.Fatalf("result %+v", res)
	}
	re := &policy.Keyless{IssuerRegExp: `https://token\.actions\.githubusercontent\.com`, SubjectRegExp: `https://github\.com/sigstore/.*`}
	if _, err := trust.Verify(context.Background(), b, []policy.Identity{{Name: "re", Keyless: re}}, mustDigest(t, digest),
		trust.WithTrustedRootFile(conformance(t, "sigstore", "trusted_root.public-good.json"))); err != nil {
		t.Fatal(err)
	}
	other := "sha512:" + strings.Repeat("0", 128)
	if _, err := trust.Verify(context.Background(), b, ids, mustDigest(t, other)); !errors.Is(err, trust.ErrUntrusted) {
		t.Fatalf("other digest verified: %v", err)
	}
	// Regular expressions are anchored: a pattern matching only part of the
	// subject does not match it.
	partial := &policy.Keyless{Issuer: gh.Issuer, SubjectRegExp: `github\.com/sigstore`}
	if _, err := trust.Verify(context.Background(), b, []policy.Identity{{Name: "partial", Keyless: partial}}, mustDigest(t, digest)); !errors.Is(err, trust.ErrUntrusted) {
		t.Fatalf("partial regexp verified: %v", err)
	}
	wrong := &policy.Keyless{Issuer: gh.Issuer, Subject: "https://github.com/evil/sigstore-js/.github/workflows/release.yml@refs/heads/main"}
	if _, err := trust.Verify(context.Background(), b, []policy.Identity{{Name: "wrong", Keyless: wrong}}, mustDigest(t, digest)); !errors.Is(err, trust.ErrUntrusted) {
		t.Fatalf("wrong subject verified: %v", err)
	}
}
