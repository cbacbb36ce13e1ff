package trust_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"

	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/trust"
	"github.com/tollgate-dev/tollgate/pkg/trust/trusttest"
)

func statement(digest string) []byte {
	return []byte(fmt.Sprintf(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":%q}}],"predicateType":"https://example.com/p","predicate":{}}`, digest))
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestVerifyPublicKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, alg := range []protocommon.PublicKeyDetails{
		protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256,
		protocommon.PublicKeyDetails_PKIX_ECDSA_P384_SHA_384,
		protocommon.PublicKeyDetails_PKIX_ED25519,
	} {
		t.Run(alg.String(), func(t *testing.T) {
			t.Parallel()
			key := trusttest.NewKey(t, alg)
			other := trusttest.NewKey(t, alg)
			d := sha("artefact")
			dsse := key.SignStatement(t, statement(d))
			blob := key.SignBlob(t, []byte("artefact"))
			ids := []policy.Identity{
				{Name: "other", PublicKey: other.PublicKeyPEM(t)},
				{Name: "release", PublicKey: key.PublicKeyPEM(t)},
			}
			for name, b := range map[string][]byte{"dsse": dsse, "blob": blob} {
				if name == "blob" && alg != protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256 {
					continue // the message digest uses the key's hash, not sha256
				}
				res, err := trust.Verify(ctx, b, ids, mustDigest(t, "sha256:"+d))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if res.Identity != "release" || !res.Signer.IsKey() {
					t.Fatalf("%s: %+v", name, res)
				}
				if _, err := trust.Verify(ctx, b, ids[:1], trust.WithoutArtifactUnsafe()); !errors.Is(err, trust.ErrUntrusted) {
					t.Fatalf("%s: wrong key verified: %v", name, err)
				}
				if _, err := trust.Verify(ctx, b, ids, mustDigest(t, "sha256:"+sha("other"))); !errors.Is(err, trust.ErrUntrusted) {
					t.Fatalf("%s: other digest verified: %v", name, err)
				}
			}
			res, err := trust.Verify(ctx, dsse, ids, trust.WithoutArtifactUnsafe())
			if err != nil || res.PayloadType != trusttest.InTotoPayloadType || string(res.Payload) != string(statement(d)) {
				t.Fatalf("payload: %+v %v", res, err)
			}
		})
	}
}

func TestVerifyKeyless(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	vs := trusttest.NewSigstore(t)
	d := sha("model")
	b := vs.SignStatement(t, "alice@example.com", "https://issuer.example", statement(d))
	tm := trust.WithTrustedMaterial(vs.TrustedMaterial())
	tests := []struct {
		name string
		k    policy.Keyless
		ok   bool
	}{
		{"exact", policy.Keyless{Issuer: "https://issuer.example", Subject: "alice@example.com"}, true},
		{"regexp", policy.Keyless{IssuerRegExp: `https://issuer\.example`, SubjectRegExp: `.*@example\.com`}, true},
		{"wrong subject", policy.Keyless{Issuer: "https://issuer.example", Subject: "bob@example.com"}, false},
		{"wrong issuer", policy.Keyless{Issuer: "https://other.example", Subject: "alice@example.com"}, false},
		{"unanchored regexp", policy.Keyless{Issuer: "https://issuer.example", SubjectRegExp: `alice`}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k := tc.k
			res, err := trust.Verify(ctx, b, []policy.Identity{{Name: "id", Keyless: &k}}, mustDigest(t, "sha256:"+d), tm)
			if tc.ok != (err == nil) {
				t.Fatalf("ok=%v err=%v", tc.ok, err)
			}
			if err != nil && !errors.Is(err, trust.ErrUntrusted) {
				t.Fatalf("error does not wrap ErrUntrusted: %v", err)
			}
			if tc.ok && (res.SignedAt.IsZero() || res.Signer.Name() != "alice@example.com") {
				t.Fatalf("result %+v", res)
			}
		})
	}
	// Another Sigstore instance's root does not trust this one's certificates.
	other := trusttest.NewSigstore(t)
	k := policy.Keyless{Issuer: "https://issuer.example", Subject: "alice@example.com"}
	if _, err := trust.Verify(ctx, b, []policy.Identity{{Name: "id", Keyless: &k}}, trust.WithoutArtifactUnsafe(), trust.WithTrustedMaterial(other.TrustedMaterial())); !errors.Is(err, trust.ErrUntrusted) {
		t.Fatalf("foreign root verified: %v", err)
	}
	// A trusted root that cannot be read fails closed.
	missing := k
	missing.TrustedRoot = filepath.Join(t.TempDir(), "trusted_root.json")
	if _, err := trust.Verify(ctx, b, []policy.Identity{{Name: "id", Keyless: &missing}}, trust.WithoutArtifactUnsafe()); !errors.Is(err, trust.ErrUntrusted) || !strings.Contains(err.Error(), "trusted root") {
		t.Fatalf("missing trusted root: %v", err)
	}
	// Nor does the public-good root.
	if _, err := trust.Verify(ctx, b, []policy.Identity{{Name: "id", Keyless: &k}}, trust.WithoutArtifactUnsafe()); !errors.Is(err, trust.ErrUntrusted) {
		t.Fatalf("public-good root verified a virtual certificate: %v", err)
	}
	// A key identity does not accept a certificate-signed bundle.
	key := trusttest.NewKey(t, protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256)
	if _, err := trust.Verify(ctx, b, []policy.Identity{{Name: "k", PublicKey: key.PublicKeyPEM(t)}}, trust.WithoutArtifactUnsafe(), tm); !errors.Is(err, trust.ErrUntrusted) {
		t.Fatalf("key identity verified a certificate bundle: %v", err)
	}
}

func TestVerifyFailsClosed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key := trusttest.NewKey(t, protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256)
	b := key.SignStatement(t, statement(sha("x")))
	ids := []policy.Identity{{Name: "k", PublicKey: key.PublicKeyPEM(t)}}
	tests := []struct {
		name   string
		bundle []byte
		ids    []policy.Identity
		opts   []trust.Option
		want   string
	}{
		{"no identities", b, nil, nil, "no trusted identities"},
		{"not json", []byte("{"), ids, nil, "parse Sigstore bundle"},
		{"empty bundle", []byte(`{}`), ids, nil, "bundle"},
		{"too large", make([]byte, trust.MaxBundleSize+1), ids, nil, "limit"},
		{"nil clock", b, ids, []trust.Option{trust.WithNow(nil)}, "nil clock"},
		{"nil trusted material", b, ids, []trust.Option{trust.WithTrustedMaterial(nil)}, "nil trusted material"},
		{"empty trusted root path", b, ids, []trust.Option{trust.WithTrustedRootFile("")}, "empty path"},
		{"missing trusted root", b, ids, []trust.Option{trust.WithTrustedRootFile("/nonexistent/trusted_root.json")}, "trusted root"},
		{"tampered", tamperPayload(t, b), ids, nil, "no trusted identity"},
		{"garbage key", b, []policy.Identity{{Name: "g", PublicKey: "not pem"}}, nil, "no PEM"},
		{"garbage chain", b, []policy.Identity{{Name: "g", CertificateChain: "not pem"}}, nil, "public key, not a certificate"},
		{"keyless identity, key bundle", b, []policy.Identity{{Name: "g", Keyless: &policy.Keyless{Issuer: "i", Subject: "s"}}}, nil, "public key, not a Fulcio certificate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := trust.Verify(ctx, tc.bundle, tc.ids, trust.WithoutArtifactUnsafe(), tc.opts...)
			if !errors.Is(err, trust.ErrUntrusted) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want ErrUntrusted mentioning %q", err, tc.want)
			}
		})
	}
	// The artefact policy is a required argument: its zero value is
	// refused, never read as "verify without an artefact".
	if _, err := trust.Verify(ctx, b, ids, trust.Artifact{}); !errors.Is(err, trust.ErrUntrusted) || !strings.Contains(err.Error(), "no artifact policy") {
		t.Fatalf("zero Artifact: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := trust.Verify(cancelled, b, ids, trust.WithoutArtifactUnsafe()); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// A key given as a certificate has its validity window enforced at
// WithNow, since a key-signed bundle carries no trusted time.
func TestVerifyKeyValidityWindow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key, certPEM := certifiedKey(t, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	b := key.SignStatement(t, statement(sha("x")))
	ids := []policy.Identity{{Name: "k", PublicKey: certPEM}}
	at := func(y int) trust.Option {
		return trust.WithNow(func() time.Time { return time.Date(y, 6, 1, 0, 0, 0, 0, time.UTC) })
	}
	if _, err := trust.Verify(ctx, b, ids, trust.WithoutArtifactUnsafe(), at(2025)); err != nil {
		t.Fatal(err)
	}
	for _, y := range []int{2024, 2026} {
		if _, err := trust.Verify(ctx, b, ids, trust.WithoutArtifactUnsafe(), at(y)); !errors.Is(err, trust.ErrUntrusted) {
			t.Fatalf("%d: %v", y, err)
		}
	}
}

// TestArtifactDigestValidated: a malformed digest never becomes an
// artefact policy: it cannot be parsed into a Digest, and the zero Digest
// is refused when the policy is made, not accepted and failed later.
func TestArtifactDigestValidated(t *testing.T) {
	t.Parallel()
	for _, d := range []string{"garbage", "md5:abcd", "sha256:abc", "sha256:" + strings.Repeat("A", 64), "sha256:" + strings.Repeat("0", 63) + "g", ""} {
		if p, err := digest.Parse(d); err == nil {
			t.Errorf("digest.Parse(%q) = %v", d, p)
		}
	}
	if _, err := trust.ArtifactDigest(digest.Digest{}); err == nil {
		t.Error("ArtifactDigest of the zero Digest accepted")
	}
	for _, d := range []string{"sha256:" + strings.Repeat("0", 64), "sha384:" + strings.Repeat("a", 96), "sha512:" + strings.Repeat("f", 128)} {
		p, err := digest.Parse(d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := trust.ArtifactDigest(p); err != nil {
			t.Errorf("ArtifactDigest(%q): %v", d, err)
		}
	}
}
