package sign_test

import (
	"context"
	"crypto"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"
	_ "github.com/sigstore/sigstore/pkg/signature/kms/fake" // registers fakekms://

	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/intoto"
	"github.com/tollgate-dev/tollgate/pkg/sign"
	"github.com/tollgate-dev/tollgate/pkg/sign/signtest"
	"github.com/tollgate-dev/tollgate/pkg/signer"
)

var subject = digest.MustParse("sha256:92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4")

func statement(t *testing.T) []byte {
	t.Helper()
	st, err := intoto.New("release", subject, "https://tollgate.dev/test/v1", map[string]string{"b": "<2>", "a": "1"})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// verifyBundle checks a signed bundle with sigstore-go directly (the
// policy-aware verifier is pkg/trust; this only proves the bundle is well
// formed and the signature covers the statement).
func verifyBundle(t *testing.T, b []byte, tm root.TrustedMaterial, pub crypto.PublicKey, keyless bool) *verify.VerificationResult {
	t.Helper()
	var bun bundle.Bundle
	if err := bun.UnmarshalJSON(b); err != nil {
		t.Fatalf("bundle does not parse: %v", err)
	}
	opts := []verify.VerifierOption{verify.WithNoObserverTimestamps()}
	if keyless {
		opts = []verify.VerifierOption{verify.WithTransparencyLog(1), verify.WithIntegratedTimestamps(1)}
	} else {
		sv, err := signature.LoadDefaultVerifier(pub)
		if err != nil {
			t.Fatal(err)
		}
		tm = root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) {
			return root.NewExpiringKey(sv, time.Time{}, time.Time{}), nil
		})
	}
	v, err := verify.NewVerifier(tm, opts...)
	if err != nil {
		t.Fatal(err)
	}
	id := verify.WithoutIdentitiesUnsafe()
	res, err := v.Verify(&bun, verify.NewPolicy(verify.WithArtifactDigest("sha256", subject.Raw()), id))
	if err != nil {
		t.Fatalf("bundle does not verify: %v", err)
	}
	return res
}

func TestKeyFileRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		password []byte
	}{
		{"encrypted", []byte("correct horse")},
		{"encrypted with empty password", []byte{}},
		{"unencrypted", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			priv, pub, err := sign.GenerateKey(tc.password)
			if err != nil {
				t.Fatal(err)
			}
			wantType := sign.PrivateKeyType
			if tc.password != nil {
				wantType = sign.EncryptedKeyType
			}
			if !strings.Contains(string(priv), "BEGIN "+wantType+"-----") {
				t.Fatalf("private key PEM type: want %s, got\n%s", wantType, priv)
			}
			dir := t.TempDir()
			prefix := filepath.Join(dir, "cosign")
			if err := sign.WriteKeyPair(prefix, priv, pub); err != nil {
				t.Fatal(err)
			}
			if err := sign.WriteKeyPair(prefix, priv, pub); err == nil {
				t.Fatal("WriteKeyPair overwrote existing key files")
			}
			fi, err := os.Stat(prefix + ".key")
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("private key mode: %v %v", fi.Mode(), err)
			}
			s, err := sign.LoadKey(prefix+".key", tc.password)
			if err != nil {
				t.Fatal(err)
			}
			pk, err := sign.ParsePublicKey(pub)
			if err != nil {
				t.Fatal(err)
			}
			id, _ := signer.Key(pk)
			if s.Identity() != id || !id.IsKey() || len(id.String()) != 4+64 {
				t.Fatalf("identity %q, want %q", s.Identity(), id)
			}
			b, err := s.SignStatement(context.Background(), statement(t))
			if err != nil {
				t.Fatal(err)
			}
			verifyBundle(t, b, nil, pk, false)
		})
	}
}

func TestLoadKeyRefuses(t *testing.T) {
	t.Parallel()
	priv, _, err := sign.GenerateKey([]byte("right"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	enc := filepath.Join(dir, "enc.key")
	if err := os.WriteFile(enc, priv, 0o600); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.key")
	if err := os.WriteFile(garbage, []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		password   []byte
		want       string
	}{
		{"wrong password", enc, []byte("wrong"), "wrong password"},
		{"encrypted without password", enc, nil, "is encrypted"},
		{"not a private key", garbage, nil, "unsupported PEM block"},
		{"missing", filepath.Join(dir, "nope.key"), nil, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := sign.LoadKey(tc.path, tc.password)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if tc.name == "wrong password" && !errors.Is(err, sign.ErrPassword) {
				t.Fatalf("err = %v, want ErrPassword", err)
			}
		})
	}
}

func TestKeyless(t *testing.T) {
	t.Parallel()
	v := signtest.New(t)
	ctx := context.Background()
	s, err := sign.Keyless(ctx, signtest.Token("release-bot@example.com", "https://issuer.example"), v.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	if want := "release-bot@example.com (issuer https://issuer.example)"; s.Identity().String() != want {
		t.Fatalf("identity %q, want %q", s.Identity(), want)
	}
	b, err := s.SignStatement(ctx, statement(t))
	if err != nil {
		t.Fatal(err)
	}
	res := verifyBundle(t, b, v.TrustedMaterial(), nil, true)
	if res.Signature == nil || res.Signature.Certificate == nil || res.Signature.Certificate.SubjectAlternativeName != "release-bot@example.com" {
		t.Fatalf("verified certificate: %+v", res.Signature)
	}
	// A URI subject (a Kubernetes ServiceAccount) works the same way.
	sa := "https://kubernetes.io/namespaces/ci/serviceaccounts/tollgate"
	s2, err := sign.Keyless(ctx, signtest.Token(sa, "https://kubernetes.default.svc"), v.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	if s2.Identity().Name() != sa || s2.Identity().IsKey() {
		t.Fatalf("identity %q", s2.Identity())
	}
}

func TestKMS(t *testing.T) {
	ctx := context.Background()
	s, err := sign.FromKMS(ctx, "fakekms://release-key")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.SignStatement(ctx, statement(t))
	if err != nil {
		t.Fatal(err)
	}
	verifyBundle(t, b, nil, s.PublicKey(), false)

	// No provider and no plugin on PATH: a clear error, not a panic.
	t.Setenv("PATH", t.TempDir())
	if _, err := sign.FromKMS(ctx, "nosuchkms://key"); err == nil || !strings.Contains(err.Error(), "sigstore-kms-") {
		t.Fatalf("err = %v, want a hint about the sigstore-kms plugin", err)
	}
}

// TestKMSPlugin signs through sigstore's CLI plugin protocol: the
// production KMS path, served by a sigstore-kms-tgtest program on PATH.
func TestKMSPlugin(t *testing.T) {
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "sigstore-kms-tgtest"), "./testdata/kmsplugin")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build plugin: %v\n%s", err, out)
	}
	priv, pub, err := sign.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(bin, "key.pem")
	if err := os.WriteFile(keyFile, priv, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TGTEST_KMS_KEY", keyFile)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	ctx := context.Background()
	s, err := sign.FromKMS(ctx, "tgtest://release-key")
	if err != nil {
		t.Fatal(err)
	}
	pk, _ := sign.ParsePublicKey(pub)
	want, _ := signer.Key(pk)
	if s.Identity() != want {
		t.Fatalf("plugin identity %s, want the key's %s", s.Identity(), want)
	}
	b, err := s.SignStatement(ctx, statement(t))
	if err != nil {
		t.Fatal(err)
	}
	verifyBundle(t, b, nil, pk, false)
}
