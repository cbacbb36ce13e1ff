package approval_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/pkg/approval"
	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/sign"
	"github.com/tollgate-dev/tollgate/pkg/sign/signtest"
	"github.com/tollgate-dev/tollgate/pkg/signer"
	"github.com/tollgate-dev/tollgate/pkg/trust"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// testPolicy is the policy digest the test approvals are given under.
var testPolicy = digest.FromBytes([]byte("policy"))

// writeReview writes a review record of a one-file artefact named name.
func writeReview(t *testing.T, dir, name, content string) string {
	t.Helper()
	art := filepath.Join(dir, "art-"+name)
	if err := os.MkdirAll(art, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(art, "prompt.txt"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := artifact.Hash(context.Background(), art)
	if err != nil {
		t.Fatal(err)
	}
	r := review.New(name)
	r.Spec.Artifact = *m
	b, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name, "review.yaml")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type keyID struct {
	signer *sign.Signer
	pub    string
}

func newKey(t *testing.T) keyID {
	t.Helper()
	s, pub := signtest.Key(t)
	return keyID{s, string(pub)}
}

func approve(t *testing.T, s *sign.Signer, reviewPath string) {
	t.Helper()
	b, _, err := approval.Sign(context.Background(), s, reviewPath, approval.Terms{PolicyDigest: testPolicy}, now)
	if err != nil {
		t.Fatal(err)
	}
	dir := approval.DefaultDir(reviewPath)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, approval.FileName(s.Identity())), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	alice, bob, mallory := newKey(t), newKey(t), newKey(t)
	v := signtest.New(t)
	carol, err := sign.Keyless(ctx, signtest.Token("carol@example.com", "https://accounts.example"), v.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	pol := &policy.ReleasePolicy{Spec: policy.Spec{Approvals: policy.Approvals{Required: 2, Approvers: []policy.Identity{
		{Name: "alice", PublicKey: alice.pub},
		{Name: "bob", PublicKey: bob.pub},
		{Name: "carol", Keyless: &policy.Keyless{Issuer: "https://accounts.example", Subject: "carol@example.com"}},
	}}}}
	topts := []trust.Option{trust.WithTrustedMaterial(v.TrustedMaterial())}

	rev := writeReview(t, dir, "agent", "v1")
	other := writeReview(t, dir, "other", "v2")
	_, reviewDigest, err := review.Load(rev)
	if err != nil {
		t.Fatal(err)
	}
	approve(t, alice.signer, rev)
	approve(t, carol, rev)
	approve(t, mallory.signer, rev) // not in the policy
	approve(t, bob.signer, other)   // approves another review
	// bob's approval of the other review, copied next to this one
	ob, _ := os.ReadFile(filepath.Join(approval.DefaultDir(other), approval.FileName(bob.signer.Identity())))
	if err := os.WriteFile(filepath.Join(approval.DefaultDir(rev), "bob-replayed.sigstore.json"), ob, 0o644); err != nil {
		t.Fatal(err)
	}
	// a tampered copy of alice's approval
	ab, _ := os.ReadFile(filepath.Join(approval.DefaultDir(rev), approval.FileName(alice.signer.Identity())))
	if err := os.WriteFile(filepath.Join(approval.DefaultDir(rev), "tampered.sigstore.json"), tamper(t, ab), 0o644); err != nil {
		t.Fatal(err)
	}
	// a duplicate of carol's: counted once, not a problem
	cb, _ := os.ReadFile(filepath.Join(approval.DefaultDir(rev), "carol@example.com.sigstore.json"))
	if err := os.WriteFile(filepath.Join(approval.DefaultDir(rev), "zz-carol-again.sigstore.json"), cb, 0o644); err != nil {
		t.Fatal(err)
	}

	got, problems := approval.Verify(ctx, approval.DefaultDir(rev), reviewDigest, pol, topts...)
	if len(got) != 2 || got[0].Identity != "alice" || got[1].Identity != "carol" {
		t.Fatalf("approvals = %+v, want alice and carol; problems: %q", got, problems)
	}
	if got[0].Signer != alice.signer.Identity() || got[1].Signer != carol.Identity() || got[0].ReviewDigest != reviewDigest {
		t.Fatalf("approval signers: %+v", got)
	}
	if got[1].SignedAt == nil || got[0].SignedAt != nil {
		t.Fatalf("signedAt: keyless has a tlog time, a key does not: %+v", got)
	}
	joined := strings.Join(problems, "\n")
	for _, want := range []string{
		"signer " + mallory.signer.Identity().String() + " is not an allowed approver",
		"bob-replayed.sigstore.json: bob (" + bob.signer.Identity().String() + ") approves another review record: \"other\"",
		"tampered.sigstore.json: signer " + alice.signer.Identity().String() + " is not an allowed approver, or its signature does not verify",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems do not mention %q:\n%s", want, joined)
		}
	}
	if len(problems) != 3 {
		t.Errorf("%d problems, want 3 (a duplicate approval is not one):\n%s", len(problems), joined)
	}
}

func TestVerifyFailsClosed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pol := &policy.ReleasePolicy{}
	for _, tc := range []struct {
		name string
		dir  string
		pol  *policy.ReleasePolicy
		want string
	}{
		{"missing directory", filepath.Join(t.TempDir(), "nope"), pol, "cannot read"},
		{"no policy", t.TempDir(), nil, "no policy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, problems := approval.Verify(ctx, tc.dir, digest.FromBytes([]byte("another review")), tc.pol)
			if len(got) != 0 || len(problems) != 1 || !strings.Contains(problems[0], tc.want) {
				t.Fatalf("got %v, problems %q; want one problem containing %q", got, problems, tc.want)
			}
		})
	}
}

func TestFileName(t *testing.T) {
	t.Parallel()
	key := "key:" + strings.Repeat("ab", 32)
	for in, want := range map[string]string{
		key: "key-" + strings.Repeat("ab", 32) + ".sigstore.json",
		"alice@example.com (issuer https://x.example)":                               "alice@example.com.sigstore.json",
		"https://kubernetes.io/namespaces/ci/serviceaccounts/bot (issuer https://k)": "https-kubernetes.io-namespaces-ci-serviceaccounts-bot.sigstore.json",
		"../../etc/passwd (issuer x)":                                                "etc-passwd.sigstore.json",
		"... (issuer x)":                                                             "approval.sigstore.json",
	} {
		id, err := signer.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := approval.FileName(id); got != want {
			t.Errorf("FileName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := approval.FileName(signer.Identity{}); got != "approval.sigstore.json" {
		t.Errorf("FileName of an unknown signer = %q", got)
	}
}

// tamper rewrites the signed statement inside a bundle, keeping the
// signature: the release name "agent" becomes "agenT".
func tamper(t *testing.T, b []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	env := m["dsseEnvelope"].(map[string]any)
	payload, err := base64.StdEncoding.DecodeString(env["payload"].(string))
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(payload), `"name":"agent"`, `"name":"agenT"`, 1)
	if changed == string(payload) {
		t.Fatal("tamper: nothing replaced")
	}
	env["payload"] = base64.StdEncoding.EncodeToString([]byte(changed))
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestChangesDigest: an approval records the changes document the
// approver saw; Verify reports it, and still accepts approvals without one.
func TestChangesDigest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	alice, bob := newKey(t), newKey(t)
	pol := &policy.ReleasePolicy{Spec: policy.Spec{Approvals: policy.Approvals{Required: 2, Approvers: []policy.Identity{
		{Name: "alice", PublicKey: alice.pub}, {Name: "bob", PublicKey: bob.pub},
	}}}}
	rev := writeReview(t, dir, "agent", "v1")
	_, reviewDigest, err := review.Load(rev)
	if err != nil {
		t.Fatal(err)
	}
	seen := digest.FromBytes([]byte("# Changes to agent\n"))
	b, _, err := approval.Sign(ctx, alice.signer, rev, approval.Terms{PolicyDigest: testPolicy, ChangesDigest: seen}, now)
	if err != nil {
		t.Fatal(err)
	}
	adir := approval.DefaultDir(rev)
	if err := os.MkdirAll(adir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(adir, "alice.sigstore.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	approve(t, bob.signer, rev) // no changes document
	got, problems := approval.Verify(ctx, adir, reviewDigest, pol)
	if len(problems) != 0 || len(got) != 2 {
		t.Fatalf("approvals %+v, problems %q", got, problems)
	}
	if got[0].Identity != "alice" || got[0].ChangesDigest != seen || !got[1].ChangesDigest.IsZero() {
		t.Fatalf("changes digests: %+v", got)
	}
	st, err := approval.Statement(review.New("agent"), reviewDigest, approval.Terms{PolicyDigest: testPolicy}, now)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(st), "changesDigest") {
		t.Fatalf("a statement without a changes document names one: %s", st)
	}
}
