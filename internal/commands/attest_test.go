package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/testregistry"
	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/attest"
	"github.com/tollgate-dev/tollgate/pkg/decision"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/document"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/intoto"
	"github.com/tollgate-dev/tollgate/pkg/oci"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/sign"
	"github.com/tollgate-dev/tollgate/pkg/sign/signtest"
)

// testClock judges at the wall clock and stamps reports at a fixed time, as
// main does under SOURCE_DATE_EPOCH=1795000000.
var testClock = cli.Clock{Now: func() time.Time { return time.Now().UTC() }, Stamp: func() time.Time { return time.Unix(1795000000, 0).UTC() }}

func runSignCmd(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	root := NewRoot(testClock)
	root.SetOut(&out)
	root.SetErr(&errb)
	code := cli.Execute(context.Background(), root, append(args, "--log-level", "error"), &errb)
	return code, out.String() + errb.String()
}

// release is a reviewed and approved release ready to attest: attestArgs
// attests it with bot.key (append --attach to attach).
type release struct {
	dir, root, pub string
	policyDigest   string
	attestArgs     []string
	evidence       string
}

func newRelease(t *testing.T) release {
	t.Helper()
	dir := t.TempDir()
	keys := map[string]string{}
	for _, k := range []string{"alice", "bot"} {
		priv, pub, err := sign.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := sign.WriteKeyPair(filepath.Join(dir, k), priv, pub); err != nil {
			t.Fatal(err)
		}
		keys[k] = string(pub)
	}
	art := filepath.Join(dir, "art")
	if err := os.MkdirAll(art, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(art, "mcp.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := artifact.Hash(context.Background(), art)
	if err != nil {
		t.Fatal(err)
	}
	pb, _ := json.Marshal(policy.ReleasePolicy{
		TypeMeta: document.TypeMeta{APIVersion: document.APIVersion, Kind: policy.Kind},
		Metadata: document.ObjectMeta{Name: "p"},
		Spec:     policy.Spec{Approvals: policy.Approvals{Required: 1, Approvers: []policy.Identity{{Name: "alice", PublicKey: keys["alice"]}}}},
	})
	pol := filepath.Join(dir, "policy.json")
	if err := os.WriteFile(pol, pb, 0o644); err != nil {
		t.Fatal(err)
	}
	ev := filepath.Join(dir, "ev")
	args := []string{"attest", "--artifact-digest", m.Root, "--review", filepath.Join(dir, "rel", "review.yaml"), "--policy", pol, "--policy-digest", digest.FromBytes(pb).String(),
		"--evidence-dir", ev, "--results-dir", filepath.Join(dir, "res"), "--key", filepath.Join(dir, "bot.key")}
	for _, c := range policy.Checks {
		_, d, err := evidence.Write(ev, &evidence.Report{Check: c, Verdict: evidence.Pass})
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, "--"+c+"-verdict", "pass", "--"+c+"-report-digest", d.String())
	}
	if code, out := runSignCmd(t, "review", art, "-o", filepath.Join(dir, "rel", "review.yaml"), "--name", "agent"); code != 0 {
		t.Fatal(out)
	}
	if code, out := runSignCmd(t, "approve", "--yes", filepath.Join(dir, "rel", "review.yaml"), "--policy", pol, "--key", filepath.Join(dir, "alice.key")); code != 0 {
		t.Fatal(out)
	}

	return release{dir: dir, root: m.Root, pub: filepath.Join(dir, "bot.pub"), policyDigest: digest.FromBytes(pb).String(), attestArgs: args, evidence: ev}
}

// TestAttestVerifyOCI attaches both bundles to an image, by digest, in a real registry
// without the referrers API and verifies the promotion from the registry.
func TestAttestVerifyOCI(t *testing.T) {
	t.Parallel()
	rel := newRelease(t)
	dir, m, args, ev := rel.dir, struct{ Root string }{rel.root}, rel.attestArgs, rel.evidence
	reg := testregistry.Addr(t)
	tagged := reg + "/agents/support:1.0"
	img, _ := random.Image(32, 1)
	push := func(ref string) string {
		t.Helper()
		r, _ := name.ParseReference(ref)
		if err := remote.Write(r, img); err != nil {
			t.Fatal(err)
		}
		d, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		return r.Context().Digest(d.String()).String()
	}
	ref := push(tagged)
	if code, out := runSignCmd(t, append(args, "--attach", tagged)...); code != cli.ExitUsage || !strings.Contains(out, "by digest") {
		t.Fatalf("attest --attach a tag: exit %d\n%s", code, out)
	}
	if code, out := runSignCmd(t, append(args, "--attach", ref, "--allow-insecure-registry")...); code != 0 || !strings.Contains(out, "PASSED") {
		t.Fatalf("attest --attach: exit %d\n%s", code, out)
	}
	verify := []string{"verify", "--artifact-digest", m.Root, "--oci", ref, "--key", filepath.Join(dir, "bot.pub"), "--policy-digest", rel.policyDigest}
	if code, out := runSignCmd(t, verify...); code != 0 || !strings.Contains(out, "PASSED: release agent") {
		t.Fatalf("verify --oci: exit %d\n%s", code, out)
	}
	// A referrer nobody can read (anyone with push access can attach one)
	// is skipped and named; the valid attestation still verifies.
	bad := testregistry.AttachGarbage(t, ref, attest.PredicateType)
	if code, out := runSignCmd(t, verify...); code != 0 || !strings.Contains(out, "PASSED: release agent") || !strings.Contains(out, "skipped referrer "+bad) {
		t.Fatalf("verify --oci beside a garbage referrer: exit %d\n%s", code, out)
	}
	// The promotion stage knows only the OCI digest it deploys: enough.
	if code, out := runSignCmd(t, "verify", "--oci", ref, "--key", filepath.Join(dir, "bot.pub"), "--policy-digest", rel.policyDigest); code != 0 || !strings.Contains(out, "PASSED: release agent ("+ref+")") {
		t.Fatalf("verify --oci without --artifact-digest: exit %d\n%s", code, out)
	}
	// A tag is refused: it can move between verification and deployment.
	if code, out := runSignCmd(t, "verify", "--oci", tagged, "--key", filepath.Join(dir, "bot.pub"), "--policy-digest", rel.policyDigest); code != cli.ExitUsage || !strings.Contains(out, "by digest") {
		t.Fatalf("verify --oci a tag: exit %d\n%s", code, out)
	}
	// Refusals from the registry too: another digest, and an image with no
	// attestation attached.
	verify[2] = "sha256:" + strings.Repeat("3", 64)
	if code, out := runSignCmd(t, verify...); code != 1 || !strings.Contains(out, "a bundle for another release") {
		t.Fatalf("verify --oci of another digest: exit %d\n%s", code, out)
	}
	img, _ = random.Image(32, 1)
	bare := push(reg + "/agents/bare:1.0")
	verify[2], verify[4] = m.Root, bare
	if code, out := runSignCmd(t, verify...); code != 1 || !strings.Contains(out, "no release-gate attestation attached") {
		t.Fatalf("verify --oci without attestation: exit %d\n%s", code, out)
	}
	// Anyone with push access copies the valid bundle onto the artefact
	// they want deployed: the statement does not name it, so it is refused.
	b, err := os.ReadFile(filepath.Join(ev, attest.BundleFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oci.Attach(context.Background(), bare, b, attest.PredicateType); err != nil {
		t.Fatal(err)
	}
	if code, out := runSignCmd(t, verify...); code != 1 || !strings.Contains(out, "does not name the OCI artefact") {
		t.Fatalf("verify --oci of a copied bundle: exit %d\n%s", code, out)
	}
}

// TestVerifyKeylessTrustedRoot signs keyless through a virtual Sigstore
// and verifies with the CLI against its trusted_root.json, as a promotion
// stage would with the cluster's Sigstore.
func TestVerifyKeylessTrustedRoot(t *testing.T) {
	t.Parallel()
	const sa, iss = "https://kubernetes.io/namespaces/ci/serviceaccounts/tollgate", "https://kubernetes.default.svc"
	ctx := context.Background()
	dir := t.TempDir()
	v := signtest.New(t)
	s, err := sign.Keyless(ctx, signtest.Token(sa, iss), v.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	subject := digest.FromBytes([]byte("artefact"))
	pred := attest.Predicate{Verdict: decision.Passed, Release: "agent", PolicyDigest: digest.FromBytes([]byte("policy")), Time: time.Now().UTC()}
	st, err := intoto.New("agent", subject, attest.PredicateType, pred)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.SignStatement(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := v.TrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	trj, _ := tr.MarshalJSON()
	if err := os.WriteFile(filepath.Join(dir, "trusted_root.json"), trj, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "b.sigstore.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"verify", "--artifact-digest", subject.String(), "--bundle", filepath.Join(dir, "b.sigstore.json"), "--policy-digest", pred.PolicyDigest.String(),
		"--trusted-root", filepath.Join(dir, "trusted_root.json"), "--certificate-oidc-issuer", iss}
	if code, out := runSignCmd(t, append(args, "--certificate-identity", sa, "--max-age", "1h")...); code != 0 || !strings.Contains(out, "attested by "+sa+" (issuer "+iss+")") {
		t.Fatalf("verify keyless: exit %d\n%s", code, out)
	}
	if code, out := runSignCmd(t, append(args, "--certificate-identity-regexp", `https://kubernetes\.io/namespaces/ci/serviceaccounts/.*`)...); code != 0 {
		t.Fatalf("verify keyless by regexp: exit %d\n%s", code, out)
	}
	if code, out := runSignCmd(t, append(args, "--certificate-identity", "https://kubernetes.io/namespaces/ci/serviceaccounts/other")...); code != 1 || !strings.Contains(out, "release refused: signature") {
		t.Fatalf("verify keyless, wrong identity: exit %d\n%s", code, out)
	}
	// Without the instance's trusted root (public-good by default) the
	// certificate does not chain: refused.
	if code, out := runSignCmd(t, "verify", "--artifact-digest", subject.String(), "--bundle", filepath.Join(dir, "b.sigstore.json"), "--policy-digest", pred.PolicyDigest.String(), "--certificate-oidc-issuer", iss, "--certificate-identity", sa); code != 1 {
		t.Fatalf("verify keyless without trusted root: exit %d\n%s", code, out)
	}
}

// TestVerifyRegistryBlackHole: a registry that accepts connections and
// never answers refuses the promotion within --registry-timeout, never
// hangs.
func TestVerifyRegistryBlackHole(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c) // read nothing, answer nothing
		}
	}()
	dir := t.TempDir()
	pub := filepath.Join(dir, "bot.pub")
	_, pb, err := sign.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pub, pb, 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	code, out := runSignCmd(t, "verify", "--artifact-digest", "sha256:"+strings.Repeat("a", 64),
		"--oci", l.Addr().String()+"/agents/support@sha256:"+strings.Repeat("c", 64), "--key", pub,
		"--policy-digest", "sha256:"+strings.Repeat("b", 64), "--registry-timeout", "2s")
	if took := time.Since(start); took > 20*time.Second {
		t.Fatalf("verify took %s against a black-hole registry", took)
	}
	if code != cli.ExitBlocked || !strings.Contains(out, "did not answer within --registry-timeout 2s") {
		t.Fatalf("verify against a black-hole registry: exit %d\n%s", code, out)
	}
}
