package provenance_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"

	conformancedata "github.com/tollgate-dev/tollgate/internal/conformance"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/provenance"
	"github.com/tollgate-dev/tollgate/pkg/trust/trusttest"
)

// conformance is the vendored conformance data (package conformance).
var conformance = conformancedata.Dir

func readString(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// copyModel copies a conformance model folder (flat) to a temp dir.
func copyModel(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		write(t, filepath.Join(dst, e.Name()), readString(t, filepath.Join(src, e.Name())))
	}
	return dst
}

func TestModelSigningConformance(t *testing.T) {
	t.Parallel()
	keys := conformance(t, "model-signing", "keys")
	key := policy.Identity{Name: "p384", PublicKey: readString(t, filepath.Join(keys, "signing-key-pub.pem"))}
	chain := policy.Identity{Name: "ca", CertificateChain: readString(t, filepath.Join(keys, "ca-cert.pem"))}
	ibm := policy.Identity{Name: "stefanb", Keyless: &policy.Keyless{
		Issuer: "https://sigstore.verify.ibm.com/oauth2", Subject: "stefanb@us.ibm.com",
		TrustedRoot: conformance(t, "sigstore", "trusted_root.public-good.json"),
	}}
	wrongIBM := *ibm.Keyless
	wrongIBM.Subject = "someone@us.ibm.com"
	other := trusttest.NewKey(t, protocommon.PublicKeyDetails_PKIX_ECDSA_P384_SHA_384)
	tests := []struct {
		dir   string
		id    policy.Identity
		wrong policy.Identity
	}{
		{"v1.1.0-sigstore", ibm, policy.Identity{Name: "x", Keyless: &wrongIBM}},
		{"v1.0.1-sigstore", ibm, policy.Identity{Name: "x", Keyless: &wrongIBM}},
		{"v0.3.1-sigstore", ibm, policy.Identity{Name: "x", Keyless: &wrongIBM}},
		{"v1.1.0-elliptic-key", key, policy.Identity{Name: "x", PublicKey: other.PublicKeyPEM(t)}},
		{"v1.0.1-elliptic-key", key, policy.Identity{Name: "x", PublicKey: other.PublicKeyPEM(t)}},
		{"v1.1.0-certificate", chain, key},
		{"v1.0.1-certificate", chain, key},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			t.Parallel()
			src := conformance(t, "model-signing", tc.dir)
			check := func(dir string, id policy.Identity) *evidence.Report {
				return run(t, provenance.Config{Artifact: dir, Signatures: []string{filepath.Join(dir, "model.sig")},
					Signers: []policy.Identity{id}, Ignore: []string{"ignore-me"}})
			}
			rep := check(src, tc.id)
			var d struct{ Signatures []provenance.SignatureResult }
			if err := jsonUnmarshal(rep.Data, &d); err != nil {
				t.Fatal(err)
			}
			if rep.Verdict != evidence.Pass || len(d.Signatures) != 1 || !d.Signatures[0].Verified || d.Signatures[0].Files != 2 {
				t.Fatalf("verify: %s %+v %+v", rep.Verdict, rep.Findings, d.Signatures)
			}
			if rep := check(src, tc.wrong); rep.Verdict != evidence.Fail || find(rep, provenance.ClassSignatureInvalid, "model.sig") == nil {
				t.Fatalf("wrong identity: %s %+v", rep.Verdict, rep.Findings)
			}
			changed := copyModel(t, src)
			flip(t, filepath.Join(changed, "signme-1"), 0)
			rep = check(changed, tc.id)
			if f := find(rep, provenance.ClassSignatureMismatch, "signme-1"); rep.Verdict != evidence.Fail || f == nil || f.Old == f.New {
				t.Fatalf("changed byte: %s %+v", rep.Verdict, rep.Findings)
			}
			added := copyModel(t, src)
			write(t, filepath.Join(added, "extra.bin"), "x")
			if rep := check(added, tc.id); rep.Verdict != evidence.Fail || find(rep, provenance.ClassSignatureMismatch, "extra.bin") == nil {
				t.Fatalf("added file: %s %+v", rep.Verdict, rep.Findings)
			}
			removed := copyModel(t, src)
			os.Remove(filepath.Join(removed, "signme-2"))
			if rep := check(removed, tc.id); rep.Verdict != evidence.Fail || find(rep, provenance.ClassSignatureMismatch, "signme-2") == nil {
				t.Fatalf("removed file: %s %+v", rep.Verdict, rep.Findings)
			}
			// ignore-me is not signed: changing it changes nothing.
			if _, err := os.Stat(filepath.Join(src, "ignore-me")); err == nil {
				ign := copyModel(t, src)
				write(t, filepath.Join(ign, "ignore-me"), "changed")
				if rep := check(ign, tc.id); rep.Verdict != evidence.Pass {
					t.Fatalf("ignored file: %s %+v", rep.Verdict, rep.Findings)
				}
			}
		})
	}
}

func TestSignatureNeedsTrustedSigner(t *testing.T) {
	t.Parallel()
	dir := conformance(t, "model-signing", "v1.1.0-elliptic-key")
	_, err := provenance.Run(context.Background(), provenance.Config{Artifact: dir, Signatures: []string{filepath.Join(dir, "model.sig")}})
	if err == nil || !strings.Contains(err.Error(), "no trusted signer") {
		t.Fatalf("got %v", err)
	}
	_, err = provenance.Run(context.Background(), provenance.Config{Artifact: dir, Signatures: []string{filepath.Join(dir, "nope.sig")},
		Signers: []policy.Identity{{Name: "k", PublicKey: "x"}}})
	if err == nil {
		t.Fatal("missing bundle file did not error")
	}
}

// model-signing v0.2 bundles are reported as unsupported: an error
// (verdict=error), never a pass.
func TestModelSigningV02Unsupported(t *testing.T) {
	t.Parallel()
	dir := conformance(t, "model-signing", "v0.2.0-certificate")
	chain := policy.Identity{Name: "ca", CertificateChain: readString(t, conformance(t, "model-signing", "keys", "ca-cert.pem"))}
	_, err := provenance.Run(context.Background(), provenance.Config{Artifact: dir, Signatures: []string{filepath.Join(dir, "model.sig")},
		Signers: []policy.Identity{chain}})
	if !errors.Is(err, provenance.ErrUnsupported) || !strings.Contains(err.Error(), "v0.2") {
		t.Fatalf("got %v", err)
	}
}

func digestOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// Other bundles (cosign sign-blob, in-toto attestations) must be about the
// artefact root or one of its files, and signed by a trusted signer.
func TestOtherBundles(t *testing.T) {
	t.Parallel()
	dir := release(t, pinned)
	key := trusttest.NewKey(t, protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256)
	ids := []policy.Identity{{Name: "release", PublicKey: key.PublicKeyPEM(t)}}
	m := mustHash(t, dir)
	stmt := func(d string) []byte {
		return []byte(fmt.Sprintf(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":%q}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{}}`, d))
	}
	sigs := t.TempDir()
	bundles := map[string][]byte{
		"blob.sigstore.json":  key.SignBlob(t, []byte("docs\n")), // README.md
		"root.sigstore.json":  key.SignStatement(t, stmt(strings.TrimPrefix(m.Root, "sha256:"))),
		"other.sigstore.json": key.SignStatement(t, stmt(digestOf("something else"))),
	}
	for n, b := range bundles {
		write(t, filepath.Join(sigs, n), string(b))
	}
	for n, want := range map[string]evidence.Verdict{"blob.sigstore.json": evidence.Pass, "root.sigstore.json": evidence.Pass, "other.sigstore.json": evidence.Fail} {
		rep := run(t, provenance.Config{Artifact: dir, Signatures: []string{filepath.Join(sigs, n)}, Signers: ids})
		if rep.Verdict != want {
			t.Fatalf("%s: %s %+v", n, rep.Verdict, rep.Findings)
		}
	}
	// Untrusted key: invalid.
	other := trusttest.NewKey(t, protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256)
	rep := run(t, provenance.Config{Artifact: dir, Signatures: []string{filepath.Join(sigs, "root.sigstore.json")},
		Signers: []policy.Identity{{Name: "other", PublicKey: other.PublicKeyPEM(t)}}})
	if rep.Verdict != evidence.Fail {
		t.Fatalf("untrusted key: %s", rep.Verdict)
	}
}

// Trusted signers come from the policy's modelSigners; a relative keyless
// trustedRoot is resolved against the policy's directory; the policy's
// rules decide what blocks.
func TestPolicyModelSigners(t *testing.T) {
	t.Parallel()
	dir := conformance(t, "model-signing", "v1.1.0-sigstore")
	p := &policy.ReleasePolicy{Spec: policy.Spec{ModelSigners: []policy.Identity{{Name: "stefanb", Keyless: &policy.Keyless{
		Issuer: "https://sigstore.verify.ibm.com/oauth2", Subject: "stefanb@us.ibm.com", TrustedRoot: "trusted_root.public-good.json",
	}}}}}
	cfg := provenance.Config{Artifact: dir, Signatures: []string{filepath.Join(dir, "model.sig")}, Ignore: []string{"ignore-me"},
		Policy: p, PolicyDir: conformance(t, "sigstore")}
	if rep := run(t, cfg); rep.Verdict != evidence.Pass {
		t.Fatalf("policy signer: %s %+v", rep.Verdict, rep.Findings)
	}
	cfg.PolicyDir = t.TempDir() // the trusted root is not there: fails, closed
	if rep := run(t, cfg); rep.Verdict != evidence.Fail || find(rep, provenance.ClassSignatureInvalid, "model.sig") == nil {
		t.Fatalf("missing trusted root: %s %+v", rep.Verdict, rep.Findings)
	}
	// A policy that only warns on signature findings lets the run pass
	// with the finding recorded, not blocking.
	cfg.Policy.Spec.Checks = map[string]policy.CheckRules{policy.CheckProvenance: {Block: []string{"provenance.file-modified"}, Warn: []string{"provenance.*"}}}
	rep := run(t, cfg)
	if f := find(rep, provenance.ClassSignatureInvalid, "model.sig"); rep.Verdict != evidence.Pass || f == nil || f.Blocking {
		t.Fatalf("warn-only policy: %s %+v", rep.Verdict, rep.Findings)
	}
}

// When the policy names model signers and no --signature is given, the
// bundle is model.sig at the artefact root by convention: a valid one
// passes, a missing one or one by another signer blocks.
func TestPolicyModelSignersConvention(t *testing.T) {
	t.Parallel()
	signer := policy.Identity{Name: "stefanb", Keyless: &policy.Keyless{
		Issuer: "https://sigstore.verify.ibm.com/oauth2", Subject: "stefanb@us.ibm.com", TrustedRoot: "trusted_root.public-good.json",
	}}
	wrong := signer
	wrong.Keyless = &policy.Keyless{Issuer: signer.Keyless.Issuer, Subject: "mallory@us.ibm.com", TrustedRoot: signer.Keyless.TrustedRoot}
	dir := conformance(t, "model-signing", "v1.1.0-sigstore")
	cfg := func(id policy.Identity, artefact string) provenance.Config {
		return provenance.Config{Artifact: artefact, Ignore: []string{"ignore-me"}, PolicyDir: conformance(t, "sigstore"),
			Policy: &policy.ReleasePolicy{Spec: policy.Spec{ModelSigners: []policy.Identity{id}}}}
	}
	if rep := run(t, cfg(signer, dir)); rep.Verdict != evidence.Pass || len(rep.Findings) != 0 {
		t.Fatalf("model.sig by the trusted signer: %s %+v", rep.Verdict, rep.Findings)
	}
	if rep := run(t, cfg(wrong, dir)); rep.Verdict != evidence.Fail || find(rep, provenance.ClassSignatureInvalid, "model.sig") == nil {
		t.Fatalf("model.sig by another signer: %s %+v", rep.Verdict, rep.Findings)
	}
	unsigned := copyModel(t, dir)
	if err := os.Remove(filepath.Join(unsigned, "model.sig")); err != nil {
		t.Fatal(err)
	}
	rep := run(t, cfg(signer, unsigned))
	if f := find(rep, provenance.ClassSignatureMissing, "model.sig"); rep.Verdict != evidence.Fail || f == nil || !f.Blocking {
		t.Fatalf("no model.sig: %s %+v", rep.Verdict, rep.Findings)
	}
	// without model signers in the policy, no signature is needed
	noSigners := cfg(signer, unsigned)
	noSigners.Policy.Spec.ModelSigners = nil
	if rep := run(t, noSigners); rep.Verdict != evidence.Pass {
		t.Fatalf("no model signers: %s %+v", rep.Verdict, rep.Findings)
	}
}
