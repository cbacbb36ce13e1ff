package attest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/pkg/approval"
	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/attest"
	"github.com/tollgate-dev/tollgate/pkg/decision"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/document"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/intoto"
	"github.com/tollgate-dev/tollgate/pkg/pipeline"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/sign"
	"github.com/tollgate-dev/tollgate/pkg/sign/signtest"
	"github.com/tollgate-dev/tollgate/pkg/trust"
)

const (
	botSubject = "https://kubernetes.io/namespaces/ci/serviceaccounts/tollgate"
	botIssuer  = "https://kubernetes.default.svc"
)

type fixture struct {
	in       attest.Input
	vs       *signtest.Virtual
	bot      *sign.Signer
	attestor policy.Identity
	policyD  digest.Digest
}

func keySigner(t testing.TB) (*sign.Signer, string) {
	t.Helper()
	s, pub := signtest.Key(t)
	return s, string(pub)
}

// newFixture builds a release with three passing reports, a policy that
// needs two approvals and trusts a keyless attestor, and approvals by
// alice and bob; the attestor signs keyless through a virtual Sigstore.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	art := filepath.Join(dir, "art")
	if err := os.MkdirAll(art, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(art, "prompt.txt"), []byte("be helpful"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := artifact.Hash(ctx, art)
	if err != nil {
		t.Fatal(err)
	}
	r := review.New("support-agent")
	r.Spec.Artifact = *m
	rb, _ := r.Encode()
	reviewPath := filepath.Join(dir, "rel", "review.yaml")
	if err := os.MkdirAll(filepath.Dir(reviewPath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(reviewPath, rb, 0o644); err != nil {
		t.Fatal(err)
	}

	alice, alicePub := keySigner(t)
	bob, bobPub := keySigner(t)
	attestor := policy.Identity{Name: "release-bot", Keyless: &policy.Keyless{Issuer: botIssuer, Subject: botSubject}}
	p := policy.ReleasePolicy{
		TypeMeta: document.TypeMeta{APIVersion: document.APIVersion, Kind: policy.Kind},
		Metadata: document.ObjectMeta{Name: "support-agent"},
		Spec: policy.Spec{
			Approvals: policy.Approvals{Required: 2, SeparationOfDuties: true, Approvers: []policy.Identity{
				{Name: "alice", PublicKey: alicePub}, {Name: "bob", PublicKey: bobPub},
			}},
			Attestors: []policy.Identity{attestor},
		},
	}
	pb, _ := json.Marshal(p)
	policyPath := filepath.Join(dir, "policy.json")
	if err := os.WriteFile(policyPath, pb, 0o644); err != nil {
		t.Fatal(err)
	}

	ev := filepath.Join(dir, "evidence")
	results := pipeline.Results{pipeline.ResultArtifactDigest: m.Root}
	for _, c := range policy.Checks {
		_, d, err := evidence.Write(ev, &evidence.Report{Check: c, Verdict: evidence.Pass, Summary: c + ": pass"})
		if err != nil {
			t.Fatal(err)
		}
		results[pipeline.VerdictResult(c)], results[pipeline.DigestResult(c)] = "pass", d.String()
	}
	for i, s := range []*sign.Signer{alice, bob} {
		terms := approval.Terms{PolicyDigest: digest.FromBytes(pb)} // bob approves without a changes document
		if i == 0 {
			terms.ChangesDigest = digest.FromBytes([]byte("review-changes.md"))
		}
		b, _, err := approval.Sign(ctx, s, reviewPath, terms, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(approval.DefaultDir(reviewPath), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(approval.DefaultDir(reviewPath), approval.FileName(s.Identity())), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	vs := signtest.New(t)
	bot, err := sign.Keyless(ctx, signtest.Token(botSubject, botIssuer), vs.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{
		in: attest.Input{
			Results: results, EvidenceDir: ev, ReviewPath: reviewPath, PolicyPath: policyPath, PolicyDigest: digest.FromBytes(pb),
			Run: attest.Run{Engine: "tekton", Namespace: "ci", Name: "release-x7k2", UID: "5f0c"}, Now: time.Now().UTC(),
		},
		vs: vs, bot: bot, attestor: attestor, policyD: digest.FromBytes(pb),
	}
}

// artifact is the fixture's artefact digest.
func (f *fixture) artifact(t testing.TB) digest.Digest {
	t.Helper()
	d, err := digest.ParseSHA256(f.in.Results[pipeline.ResultArtifactDigest])
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (f *fixture) verify(t testing.TB, b []byte, req attest.Requirements) (*attest.Verified, error) {
	t.Helper()
	if req.ArtifactDigest.IsZero() {
		req.ArtifactDigest = f.artifact(t)
	}
	if req.Now.IsZero() {
		req.Now = time.Now()
	}
	return attest.Verify(context.Background(), b, []policy.Identity{f.attestor}, req, trust.WithTrustedMaterial(f.vs.TrustedMaterial()))
}

func TestAttestKeylessPassed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	out, err := attest.Attest(context.Background(), f.in, f.bot)
	if err != nil {
		t.Fatal(err)
	}
	p := out.Predicate
	if p.Verdict != decision.Passed {
		t.Fatalf("verdict %s, reasons %+v", p.Verdict, p.Reasons)
	}
	if len(p.Approvals) != 2 || p.Approvals[0].Identity != "alice" || p.Approvals[1].Identity != "bob" {
		t.Fatalf("approvals %+v", p.Approvals)
	}
	if p.Approvals[0].ChangesDigest != digest.FromBytes([]byte("review-changes.md")) || !p.Approvals[1].ChangesDigest.IsZero() {
		t.Fatalf("the attestation does not list each approval's changes digest: %+v", p.Approvals)
	}
	if p.Run.Name != "release-x7k2" || p.PolicyDigest != f.policyD || len(p.Checks) != 3 || p.Checks[0].Name != "provenance" {
		t.Fatalf("predicate %+v", p)
	}
	onDisk, err := os.ReadFile(filepath.Join(f.in.EvidenceDir, attest.BundleFile))
	if err != nil || digest.FromBytes(onDisk) != out.Digest {
		t.Fatalf("attestation digest %s does not match %s: %v", out.Digest, attest.BundleFile, err)
	}

	v, err := f.verify(t, out.Bundle, attest.Requirements{PolicyDigests: []digest.Digest{f.policyD}, MaxAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if v.Identity != "release-bot" || v.Signer.Name() != botSubject || time.Since(v.Time) > time.Minute {
		t.Fatalf("verified %+v", v)
	}

	// The VSA says the same, in SLSA's words.
	res, err := trust.Verify(context.Background(), out.VSABundle, []policy.Identity{f.attestor}, func() trust.Artifact {
		a, err := trust.ArtifactDigest(f.artifact(t))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}(), trust.WithTrustedMaterial(f.vs.TrustedMaterial()))
	if err != nil {
		t.Fatal(err)
	}
	st, _ := intoto.Parse(res.Payload)
	var vsa attest.VSA
	if err := json.Unmarshal(st.Predicate, &vsa); err != nil {
		t.Fatal(err)
	}
	if st.PredicateType != attest.VSAPredicateType || vsa.VerificationResult != "PASSED" || vsa.Policy.Digest["sha256"] != f.policyD.Hex() || len(vsa.InputAttestations) != 3 {
		t.Fatalf("VSA %s %+v", st.PredicateType, vsa)
	}
}

func TestVerifyRefuses(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	out, err := attest.Attest(context.Background(), f.in, f.bot)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := keySigner(t)
	otherOut, err := attest.Attest(context.Background(), f.in, other) // same content, untrusted signer
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		bundle []byte
		req    attest.Requirements
		want   string
	}{
		{"another digest", out.Bundle, attest.Requirements{ArtifactDigest: digest.FromBytes([]byte("another release"))}, "a bundle for another release"},
		{"modified payload", tamper(t, out.Bundle), attest.Requirements{}, "signature"},
		{"untrusted signer", otherOut.Bundle, attest.Requirements{}, "signature"},
		{"unlisted policy", out.Bundle, attest.Requirements{PolicyDigests: []digest.Digest{digest.FromBytes([]byte("another policy"))}}, "is not an allowed policy"},
		{"older than max-age", out.Bundle, attest.Requirements{MaxAge: 24 * time.Hour, Now: time.Now().Add(30 * time.Hour)}, "older than --max-age 24h"},
		{"VSA instead of release gate", out.VSABundle, attest.Requirements{}, "not a release-gate attestation"},
		{"not a bundle", []byte(`{"mediaType":"x"}`), attest.Requirements{}, "signature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := f.verify(t, tc.bundle, tc.req)
			if !errors.Is(err, attest.ErrRefused) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrRefused containing %q", err, tc.want)
			}
		})
	}
}

func TestAttestFailedInputs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		mutate func(f *fixture)
		want   []string
	}{
		{"missing report", func(f *fixture) { os.Remove(filepath.Join(f.in.EvidenceDir, "secret-inventory.json")) },
			[]string{"secret-inventory: read ", "secret-inventory.json: no such file or directory"}},
		{"digest mismatch", func(f *fixture) {
			f.in.Results["provenance-report-digest"] = f.in.Results["permission-diff-report-digest"]
		}, []string{"provenance: report was changed after the check wrote it", "report digest mismatch"}},
		{"verdict disagrees with report", func(f *fixture) { f.in.Results["permission-diff-verdict"] = "fail" },
			[]string{"result permission-diff-verdict is fail but the report "}},
		{"no results passed", func(f *fixture) {
			delete(f.in.Results, "provenance-verdict")
			delete(f.in.Results, "provenance-report-digest")
		}, []string{"result provenance-verdict is missing: pass --provenance-verdict", "result provenance-report-digest is missing"}},
		{"too few approvals", func(f *fixture) {
			ents, _ := os.ReadDir(approval.DefaultDir(f.in.ReviewPath))
			os.Remove(filepath.Join(approval.DefaultDir(f.in.ReviewPath), ents[0].Name()))
		}, []string{"approvals: 1 of 2 required"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			tc.mutate(f)
			out, err := attest.Attest(context.Background(), f.in, f.bot)
			if err != nil {
				t.Fatal(err)
			}
			if out.Predicate.Verdict != decision.Failed {
				t.Fatalf("verdict %s, want FAILED", out.Predicate.Verdict)
			}
			var msgs []string
			for _, r := range out.Predicate.Reasons {
				msgs = append(msgs, r.Message)
			}
			joined := strings.Join(msgs, "\n")
			for _, w := range tc.want {
				if !strings.Contains(joined, w) {
					t.Errorf("reasons do not mention %q:\n%s", w, joined)
				}
			}
			// FAILED is attested, and verify refuses it.
			if _, err := f.verify(t, out.Bundle, attest.Requirements{}); err == nil || !strings.Contains(err.Error(), "verdict is FAILED") {
				t.Fatalf("verify of a FAILED attestation: %v", err)
			}
		})
	}
}

func TestAttestCannotDecide(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.in.PolicyPath = filepath.Join(t.TempDir(), "missing.yaml")
	if _, err := attest.Attest(context.Background(), f.in, f.bot); err == nil {
		t.Fatal("attest without a policy succeeded")
	}
	f = newFixture(t)
	f.in.Results[pipeline.ResultArtifactDigest] = "sha256:nope"
	if _, err := attest.Attest(context.Background(), f.in, f.bot); err == nil || !strings.Contains(err.Error(), `result artifact-digest: digest "sha256:nope" is not sha256:`) {
		t.Fatalf("attest with an invalid artifact digest: %v", err)
	}
}

// tamper adds a field to the signed statement, keeping the signature.
func tamper(t *testing.T, b []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	env := m["dsseEnvelope"].(map[string]any)
	payload, _ := base64.StdEncoding.DecodeString(env["payload"].(string))
	changed := strings.Replace(string(payload), `"verdict":"PASSED"`, `"verdict":"PASSED","x":1`, 1)
	if changed == string(payload) {
		t.Fatal("tamper: nothing replaced")
	}
	env["payload"] = base64.StdEncoding.EncodeToString([]byte(changed))
	out, _ := json.Marshal(m)
	return out
}
