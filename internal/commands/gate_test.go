package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/cli"
	gatecmd "github.com/tollgate-dev/tollgate/internal/commands/gate"
	"github.com/tollgate-dev/tollgate/internal/options"
	"github.com/tollgate-dev/tollgate/internal/results"
	"github.com/tollgate-dev/tollgate/pkg/approval"
	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/attest"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/gate"
	"github.com/tollgate-dev/tollgate/pkg/pipeline"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/sign"
	"github.com/tollgate-dev/tollgate/pkg/sign/signtest"
)

// gateEpoch (2100-01-01) is the attest time; the gate runs at the same
// time unless a case moves its clock. Both are given their clock (Exec's
// cli.Clock), as every command is.
const gateEpoch = 4102444800

var gateT0 = time.Unix(gateEpoch, 0).UTC()

const (
	gateArtifact = "sha256:9274511000000000000000000000000000000000000000000000000000c6dec4"
	secretFP     = "sha256:5ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2"
)

type gateKey struct {
	signer *sign.Signer
	pub    []byte
}

func newGateKey(t *testing.T) gateKey {
	t.Helper()
	s, pub := signtest.Key(t)
	return gateKey{signer: s, pub: pub}
}

// gateKeys are shared by every case: key generation is the slow part.
type gateKeys struct{ attestor, alice, other gateKey }

// gateSetup describes one release the checks and attest have processed.
type gateSetup struct {
	reports    map[string]*evidence.Report
	exceptions []review.Exception
	noApproval bool
	policySpec map[string]any // merged into spec
	t0         time.Time      // attest time; zero means gateT0
	clock      *cli.Clock     // attest's clock; nil means cli.FixedClock(t0)
	attestor   *sign.Signer   // nil means the attestor key
}

// gateFixture is the evidence workspace after attest, and the gate's flags.
type gateFixture struct {
	dir, evidence, results, review, policy string
	policyDigest                           digest.Digest
	attestorPub, otherPub                  string
	flags                                  map[string]string
}

func (f *gateFixture) args(extra ...string) []string {
	var args []string
	for _, name := range gate.ResultNames() {
		if v, ok := f.flags[name]; ok {
			args = append(args, "--"+name+"="+v)
		}
	}
	if !f.policyDigest.IsZero() {
		args = append(args, "--policy-digest", f.policyDigest.String())
	}
	args = append(args, "--review", f.review, "--policy", f.policy, "--evidence-dir", f.evidence, "--results-dir", f.results, "--log-format", "json")
	return append(args, extra...)
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func newGateFixture(t *testing.T, keys gateKeys, s gateSetup) *gateFixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	t0 := s.t0
	if t0.IsZero() {
		t0 = gateT0
	}
	f := &gateFixture{dir: dir, evidence: filepath.Join(dir, "evidence"), results: filepath.Join(dir, "results"),
		review: filepath.Join(dir, "source", "review.yaml"), policy: filepath.Join(dir, "platform", "policy.json"),
		attestorPub: filepath.Join(dir, "attestor.pub"), otherPub: filepath.Join(dir, "other.pub"),
		flags: map[string]string{pipeline.ResultArtifactDigest: gateArtifact}}
	for _, d := range []string{filepath.Dir(f.review), filepath.Dir(f.policy)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range [][2]string{{f.attestorPub, string(keys.attestor.pub)}, {f.otherPub, string(keys.other.pub)}} {
		if err := os.WriteFile(p[0], []byte(p[1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The checks' reports and results.
	for _, c := range policy.Checks {
		rep := s.reports[c]
		if rep == nil {
			rep = &evidence.Report{Verdict: evidence.Pass, Summary: c + ": nothing changed"}
		}
		rep.Check = c
		_, d, err := evidence.Write(f.evidence, rep)
		if err != nil {
			t.Fatal(err)
		}
		f.flags[pipeline.VerdictResult(c)], f.flags[pipeline.DigestResult(c)] = string(rep.Verdict), d.String()
	}
	// The review record, approved by alice.
	r := review.New("support-agent")
	r.Spec.Artifact = artifact.Manifest{Root: gateArtifact}
	r.Spec.Exceptions = s.exceptions
	b, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.review, b, 0o644); err != nil {
		t.Fatal(err)
	}
	spec := map[string]any{
		"approvals": map[string]any{"required": 1, "separationOfDuties": true,
			"approvers": []any{map[string]any{"name": "alice", "publicKey": string(keys.alice.pub)}}},
		"attestors": []any{map[string]any{"name": "release-bot", "publicKey": string(keys.attestor.pub)}},
	}
	for k, v := range s.policySpec {
		spec[k] = v
	}
	writeJSON(t, f.policy, map[string]any{"apiVersion": "tollgate.dev/v1alpha1", "kind": "ReleasePolicy",
		"metadata": map[string]any{"name": "release-policy"}, "spec": spec})
	pb, err := os.ReadFile(f.policy)
	if err != nil {
		t.Fatal(err)
	}
	f.policyDigest = digest.FromBytes(pb)
	if !s.noApproval {
		bundle, _, err := approval.Sign(ctx, keys.alice.signer, f.review, approval.Terms{PolicyDigest: f.policyDigest}, t0.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		dir := approval.DefaultDir(f.review)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, approval.FileName(keys.alice.signer.Identity())), bundle, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// attest signs the decision.
	signer := s.attestor
	if signer == nil {
		signer = keys.attestor.signer
	}
	clock := cli.FixedClock(t0)
	if s.clock != nil {
		clock = *s.clock
	}
	out, err := attest.Attest(ctx, attest.Input{Results: maps.Clone(f.flags), EvidenceDir: f.evidence,
		ReviewPath: f.review, PolicyPath: f.policy, PolicyDigest: f.policyDigest, Run: attest.Run{Engine: "local", Name: "test"}, Now: clock.Now(), Stamp: clock.Stamp()}, signer)
	if err != nil {
		t.Fatal(err)
	}
	f.flags[gate.ResultAttestVerdict] = map[bool]string{true: "pass", false: "fail"}[out.Decision.Verdict == "PASSED"]
	f.flags[gate.ResultAttestationDigest] = out.Digest.String()
	return f
}

// runGate runs the gate step with its clock at now.
func runGate(t *testing.T, now time.Time, args []string) (int, string) {
	t.Helper()
	return runGateClock(t, cli.FixedClock(now), args)
}

func runGateClock(t *testing.T, clock cli.Clock, args []string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	root := options.Root(gatecmd.New(clock))
	root.SetOut(&stdout)
	root.SetErr(&stderr)
	code := cli.Execute(context.Background(), root, args, &stderr)
	return code, stdout.String() + stderr.String()
}

func blockingSecret() map[string]*evidence.Report {
	return map[string]*evidence.Report{policy.CheckSecrets: {Verdict: evidence.Fail, Summary: "1 literal secret",
		Findings: []evidence.Finding{{Class: "secrets.literal.openai", Severity: evidence.Critical, Fingerprint: secretFP,
			Path: "mcp.json", Line: 7, Message: "OpenAI API key (sk-p…)", Blocking: true}}}}
}

func secretException(mod func(*review.Exception)) []review.Exception {
	x := review.Exception{ID: "EX-7", Check: policy.CheckSecrets, Fingerprints: []string{secretFP}, Reason: "test key, revoked",
		Owner: "platform-team", Approver: "alice", Granted: gateT0.Add(-24 * time.Hour), Expires: gateT0.Add(14 * 24 * time.Hour)}
	if mod != nil {
		mod(&x)
	}
	return []review.Exception{x}
}

// TestGate drives the gate through every fail-closed case and through
// pass, warn and block, asserting the exit code and the message.
func TestGate(t *testing.T) {
	t.Parallel()
	keys := gateKeys{attestor: newGateKey(t), alice: newGateKey(t), other: newGateKey(t)}
	tests := []struct {
		name  string
		setup gateSetup
		// mutate changes the workspace or flags after attest signed.
		mutate  func(t *testing.T, f *gateFixture)
		extra   func(f *gateFixture) []string
		later   time.Duration // gate clock after attest
		code    int
		want    []string
		verdict string // gate's verdict result
	}{
		{name: "pass", code: cli.ExitOK, verdict: "pass",
			want: []string{"gate: PASSED " + gateArtifact, "provenance        pass"}},
		{name: "pass with --key", code: cli.ExitOK, verdict: "pass",
			extra: func(f *gateFixture) []string { return []string{"--key", f.attestorPub} }, want: []string{"gate: PASSED"}},
		{name: "warn", code: cli.ExitOK, verdict: "pass",
			setup: gateSetup{reports: map[string]*evidence.Report{policy.CheckPermissions: {Verdict: evidence.Pass,
				Findings: []evidence.Finding{{Class: "permissions.description-changed", Severity: evidence.Medium, Fingerprint: "sha256:d", Subject: "orders/get_order", Message: "description changed"}}}}},
			want: []string{"warning: permission-diff: orders/get_order: description changed", "gate: PASSED"}},
		{name: "block on finding", code: cli.ExitBlocked, verdict: "fail", setup: gateSetup{reports: blockingSecret()},
			want: []string{"blocked: secret-inventory: mcp.json: OpenAI API key (sk-p…) (fingerprint " + secretFP + ") [ASI03, MANAGE 1.1, MAESTRO L4]", "release blocked: FAILED"}},
		{name: "exception applied", code: cli.ExitOK, verdict: "pass",
			setup: gateSetup{reports: blockingSecret(), exceptions: secretException(nil)},
			want:  []string{"exception applied: EX-7 (secret-inventory) waives 1 findings until 2100-01-15T00:00:00Z; owner platform-team, approver alice: test key, revoked", "secret-inventory  fail     1         0         0         1       EX-7"}},
		{name: "exception expiring warns", code: cli.ExitOK, verdict: "pass",
			setup: gateSetup{reports: blockingSecret(), exceptions: secretException(func(x *review.Exception) { x.Expires = gateT0.Add(72 * time.Hour) })},
			want:  []string{"warning: exception EX-7 (owner platform-team) expires in 3d"}},
		{name: "exception expired at gate time", code: cli.ExitBlocked, verdict: "fail", later: 15 * 24 * time.Hour,
			setup: gateSetup{reports: blockingSecret(), exceptions: secretException(nil)},
			want:  []string{"exception EX-7 expired at 2100-01-15T00:00:00Z; it cannot waive secret-inventory secrets.literal.openai", "attestation disagrees with the gate: attested verdict PASSED, recomputed FAILED"}},
		{name: "exception not signed by an approver", code: cli.ExitBlocked, verdict: "fail",
			setup: gateSetup{reports: blockingSecret(), exceptions: secretException(func(x *review.Exception) { x.Approver = "mallory" })},
			want:  []string{"exception EX-7 is not signed: approver mallory has no verified approval of this review"}},
		{name: "exception beyond maximum lifetime", code: cli.ExitBlocked, verdict: "fail",
			setup: gateSetup{reports: blockingSecret(), exceptions: secretException(nil), policySpec: map[string]any{"exceptions": map[string]any{"maxLifetime": "7d"}}},
			want:  []string{"lifetime 15d exceeds the policy's maximum 7d"}},
		{name: "no approval", code: cli.ExitBlocked, verdict: "fail", setup: gateSetup{noApproval: true},
			want: []string{"approvals: 0 of 1 required distinct approvers"}},
		{name: "check verdict error", code: cli.ExitBlocked, verdict: "fail",
			setup: gateSetup{reports: map[string]*evidence.Report{policy.CheckProvenance: {Verdict: evidence.Error, Error: "cannot read model/model.safetensors"}}},
			want:  []string{"provenance: the check could not decide (verdict error): cannot read model/model.safetensors"}},
		{name: "CEL rule blocks", code: cli.ExitBlocked, verdict: "fail",
			setup: gateSetup{policySpec: map[string]any{"rules": []any{map[string]any{"name": "two-approvers", "expression": "size(approvals) >= 2", "message": "releases need two approvers"}}}},
			want:  []string{"rule two-approvers: releases need two approvers"}},
		{name: "missing result", code: cli.ExitBlocked, verdict: "fail",
			mutate: func(t *testing.T, f *gateFixture) { delete(f.flags, pipeline.VerdictResult(policy.CheckProvenance)) },
			want:   []string{"result provenance-verdict is missing: pass --provenance-verdict"}},
		{name: "empty result", code: cli.ExitBlocked, verdict: "fail",
			mutate: func(t *testing.T, f *gateFixture) { f.flags[pipeline.DigestResult(policy.CheckSecrets)] = "" },
			want:   []string{"result secret-inventory-report-digest is empty"}},
		{name: "unsubstituted Tekton result", code: cli.ExitBlocked, verdict: "fail",
			mutate: func(t *testing.T, f *gateFixture) {
				f.flags[pipeline.VerdictResult(policy.CheckPermissions)] = "$(tasks.permission-diff.results.verdict)"
			},
			want: []string{"result permission-diff-verdict was not substituted ($(tasks.permission-diff.results.verdict)): the Tekton task"}},
		{name: "unsubstituted Argo result", code: cli.ExitBlocked, verdict: "fail",
			mutate: func(t *testing.T, f *gateFixture) {
				f.flags[gate.ResultAttestationDigest] = "{{tasks.attest.outputs.parameters.attestation-digest}}"
			},
			want: []string{"result attestation-digest was not substituted ({{tasks.attest.outputs.parameters.attestation-digest}}): the Argo step"}},
		{name: "unknown verdict", code: cli.ExitBlocked, verdict: "fail",
			mutate: func(t *testing.T, f *gateFixture) { f.flags[pipeline.VerdictResult(policy.CheckProvenance)] = "ok" },
			want:   []string{`result provenance-verdict is "ok", not one of pass, fail, error`}},
		{name: "verdict result disagrees with report", code: cli.ExitBlocked, verdict: "fail", setup: gateSetup{reports: blockingSecret()},
			mutate: func(t *testing.T, f *gateFixture) { f.flags[pipeline.VerdictResult(policy.CheckSecrets)] = "pass" },
			want:   []string{"result secret-inventory-verdict is pass but the report"}},
		{name: "report changed after the check", code: cli.ExitBlocked, verdict: "fail",
			mutate: func(t *testing.T, f *gateFixture) {
				p := filepath.Join(f.evidence, "provenance.json")
				b, _ := os.ReadFile(p)
				if err := os.WriteFile(p, bytes.Replace(b, []byte("nothing changed"), []byte("nothing changed!"), 1), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"provenance: report was changed after the check wrote it", "report digest mismatch"}},
		{name: "report re-run after attest", code: cli.ExitBlocked, verdict: "fail",
			mutate: func(t *testing.T, f *gateFixture) {
				_, d, err := evidence.Write(f.evidence, &evidence.Report{Check: policy.CheckSecrets, Verdict: evidence.Pass, Summary: "re-run"})
				if err != nil {
					t.Fatal(err)
				}
				f.flags[pipeline.DigestResult(policy.CheckSecrets)] = d.String()
			},
			want: []string{"attestation disagrees with the gate: check secret-inventory report digest attested"}},
		{name: "attestation by an untrusted key", code: cli.ExitBlocked, verdict: "fail",
			extra: func(f *gateFixture) []string { return []string{"--key", f.otherPub} },
			want:  []string{"attestation ", "does not verify for artefact " + gateArtifact}},
		{name: "attestation about another artefact", code: cli.ExitBlocked, verdict: "fail",
			mutate: func(t *testing.T, f *gateFixture) {
				f.flags[pipeline.ResultArtifactDigest] = "sha256:" + strings.Repeat("e", 64)
			},
			want: []string{"does not verify for artefact sha256:eeee"}},
		{name: "attestation replaced", code: cli.ExitBlocked, verdict: "fail",
			mutate: func(t *testing.T, f *gateFixture) {
				f.flags[gate.ResultAttestationDigest] = "sha256:" + strings.Repeat("0", 64)
			},
			want: []string{"but the attestation-digest result says sha256:0000"}},
		{name: "attestation of another predicate type", code: cli.ExitBlocked, verdict: "fail",
			mutate: func(t *testing.T, f *gateFixture) {
				b, err := os.ReadFile(filepath.Join(f.evidence, attest.VSABundleFile))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(f.evidence, attest.BundleFile), b, 0o644); err != nil {
					t.Fatal(err)
				}
				f.flags[gate.ResultAttestationDigest] = evidence.Digest(b)
			},
			want: []string{"predicate type is \"https://slsa.dev/verification_summary/v1\", want https://tollgate.dev/release-gate/v1"}},
		{name: "attestation missing", code: cli.ExitBlocked, verdict: "fail",
			mutate: func(t *testing.T, f *gateFixture) { os.Remove(filepath.Join(f.evidence, attest.BundleFile)) },
			want:   []string{"release-gate.sigstore.json does not exist"}},
		{name: "attest verdict result disagrees", code: cli.ExitBlocked, verdict: "fail",
			mutate: func(t *testing.T, f *gateFixture) { f.flags[gate.ResultAttestVerdict] = "fail" },
			want:   []string{"result attest-verdict is fail but the attestation says PASSED"}},
		{name: "unknown policy field", code: cli.ExitBlocked, verdict: "fail",
			mutate: func(t *testing.T, f *gateFixture) {
				b, _ := os.ReadFile(f.policy)
				if err := os.WriteFile(f.policy, bytes.Replace(b, []byte(`"attestors"`), []byte(`"allowAll": true, "attestors"`), 1), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"policy", "allowAll"}},
		{name: "policy swapped after attest", code: cli.ExitBlocked, verdict: "fail",
			mutate: func(t *testing.T, f *gateFixture) {
				b, _ := os.ReadFile(f.policy)
				if err := os.WriteFile(f.policy, append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"is not the pinned policy", "the pinned policy-digest is "}},
		{name: "policy in the candidate", code: cli.ExitBlocked, verdict: "fail",
			mutate: func(t *testing.T, f *gateFixture) {
				b, _ := os.ReadFile(f.policy)
				f.policy = filepath.Join(filepath.Dir(f.review), "policy.json")
				if err := os.WriteFile(f.policy, b, 0o644); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"trust input inside the candidate: --policy", "never from the release being checked"}},
		{name: "attestor key in the candidate", code: cli.ExitBlocked, verdict: "fail",
			extra: func(f *gateFixture) []string {
				k := filepath.Join(filepath.Dir(f.review), "bot.pub")
				b, _ := os.ReadFile(f.attestorPub)
				_ = os.WriteFile(k, b, 0o644)
				return []string{"--key", k}
			},
			want: []string{"trust input inside the candidate: --key"}},
		{name: "no policy digest", code: cli.ExitBlocked, verdict: "fail",
			mutate: func(t *testing.T, f *gateFixture) { f.policyDigest = digest.Digest{} },
			want:   []string{"no expected policy digest"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newGateFixture(t, keys, tc.setup)
			if tc.mutate != nil {
				tc.mutate(t, f)
			}
			var extra []string
			if tc.extra != nil {
				extra = tc.extra(f)
			}
			code, out := runGate(t, gateT0.Add(tc.later), f.args(extra...))
			t.Log(out)
			if code != tc.code {
				t.Fatalf("exit code %d, want %d\n%s", code, tc.code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q\n%s", w, out)
				}
			}
			rs, err := results.Read(f.results, results.Verdict, results.Summary)
			if err != nil {
				t.Fatal(err)
			}
			if rs[results.Verdict] != tc.verdict {
				t.Errorf("verdict result %q, want %q", rs[results.Verdict], tc.verdict)
			}
			for _, name := range []string{gate.ReportFile, gate.SummaryFile, gate.JUnitFile} {
				if _, err := os.Stat(filepath.Join(f.evidence, name)); err != nil {
					t.Errorf("%s not written: %v", name, err)
				}
			}
		})
	}
}

// TestGateSameDecisionEveryEngine: Tekton passes results verbatim, Argo
// and local runs read result files that may end in a newline; the gate's
// evidence is byte-identical either way.
func TestGateSameDecisionEveryEngine(t *testing.T) {
	t.Parallel()
	keys := gateKeys{attestor: newGateKey(t), alice: newGateKey(t), other: newGateKey(t)}
	f := newGateFixture(t, keys, gateSetup{reports: blockingSecret(), exceptions: secretException(nil)})
	run := func(suffix string) []byte {
		flags := map[string]string{}
		for k, v := range f.flags {
			flags[k] = v + suffix
		}
		g := *f
		g.flags = flags
		if code, out := runGate(t, gateT0, g.args()); code != cli.ExitOK {
			t.Fatalf("exit %d\n%s", code, out)
		}
		var all []byte
		for _, name := range []string{gate.ReportFile, gate.SummaryFile, gate.JUnitFile} {
			b, err := os.ReadFile(filepath.Join(f.evidence, name))
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		return all
	}
	tekton, argo := run(""), run("\n")
	if !bytes.Equal(tekton, argo) {
		t.Fatalf("gate evidence differs between engines:\n%s\n---\n%s", tekton, argo)
	}
}

// TestEpochNeverJudges: attest and the gate run with SOURCE_DATE_EPOCH set,
// in the past (2020, when the exception was valid) or in the future (2100,
// when it has expired). The system clock (cli.SystemClock, what main uses)
// stamps reports with the epoch but judges at the wall clock, where the
// exception expired in 2020: attest signs FAILED and the gate blocks,
// naming the expired exception, whatever the epoch. On main the gate
// judged at the later of the two, so a future epoch made a valid exception
// look expired and a key look outside its validity window.
func TestEpochNeverJudges(t *testing.T) {
	keys := gateKeys{attestor: newGateKey(t), alice: newGateKey(t), other: newGateKey(t)}
	t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	xs := secretException(func(x *review.Exception) { x.Granted, x.Expires = t0.Add(-time.Hour), t0.Add(24*time.Hour) })
	for _, epoch := range []time.Time{t0, gateT0} {
		t.Run(epoch.Format("2006"), func(t *testing.T) {
			t.Setenv("SOURCE_DATE_EPOCH", strconv.FormatInt(epoch.Unix(), 10))
			clock, err := cli.SystemClock()
			if err != nil {
				t.Fatal(err)
			}
			f := newGateFixture(t, keys, gateSetup{reports: blockingSecret(), exceptions: xs, t0: t0, clock: &clock})
			if f.flags[gate.ResultAttestVerdict] != "fail" {
				t.Fatalf("attest with SOURCE_DATE_EPOCH=%d revived the exception", epoch.Unix())
			}
			code, out := runGateClock(t, clock, f.args())
			if code != cli.ExitBlocked || !strings.Contains(out, "exception EX-7 expired at 2020-01-02T00:00:00Z") {
				t.Fatalf("exit %d\n%s", code, out)
			}
			rep, err := os.ReadFile(filepath.Join(f.evidence, gate.ReportFile))
			if err != nil {
				t.Fatal(err)
			}
			if want := `"finishedAt": "` + epoch.Format(time.RFC3339) + `"`; !strings.Contains(string(rep), want) {
				t.Fatalf("gate.json is not stamped with the epoch (%s):\n%s", want, rep)
			}
		})
	}
}

// TestGateKeyless: attest signs keylessly (virtual Fulcio and Rekor); the
// gate trusts the identity given by flags under a trusted_root.json.
func TestGateKeyless(t *testing.T) {
	t.Parallel()
	keys := gateKeys{attestor: newGateKey(t), alice: newGateKey(t), other: newGateKey(t)}
	v := signtest.New(t)
	const subject, issuer = "release-bot@example.com", "https://issuer.example"
	s, err := sign.Keyless(context.Background(), signtest.Token(subject, issuer), v.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	f := newGateFixture(t, keys, gateSetup{attestor: s})
	tr, err := v.TrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(f.dir, "trusted_root.json")
	writeJSON(t, root, tr)
	tests := []struct {
		subject string
		code    int
		want    string
	}{
		{subject, cli.ExitOK, "gate: PASSED"},
		{"mallory@example.com", cli.ExitBlocked, "does not verify for artefact"},
	}
	for _, tc := range tests {
		code, out := runGate(t, gateT0, f.args("--certificate-identity", tc.subject, "--certificate-oidc-issuer", issuer, "--trusted-root", root))
		if code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("%s: exit %d, want %d with %q\n%s", tc.subject, code, tc.code, tc.want, out)
		}
	}
}

// TestGateKeylessPolicyAttestor: the policy names a keyless attestor whose
// trustedRoot is relative: it is read next to the policy file (the
// platform-owned policy workspace), never from the working directory; a
// trusted root that resolves into the candidate, or one that is missing,
// blocks.
func TestGateKeylessPolicyAttestor(t *testing.T) {
	t.Parallel()
	keys := gateKeys{attestor: newGateKey(t), alice: newGateKey(t), other: newGateKey(t)}
	v := signtest.New(t)
	const subject, issuer = "https://kubernetes.io/namespaces/ci/serviceaccounts/tollgate", "https://kubernetes.default.svc"
	s, err := sign.Keyless(context.Background(), signtest.Token(subject, issuer), v.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := v.TrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, trustedRoot, writeTo string // writeTo: where trusted_root.json is written, relative to the fixture
		code                       int
		want                       string
	}{
		{"next to the policy", "trusted_root.json", "platform/trusted_root.json", cli.ExitOK, "gate: PASSED"},
		{"inside the candidate", "../source/trusted_root.json", "source/trusted_root.json", cli.ExitBlocked, "inside the candidate"},
		{"missing", "absent.json", "platform/trusted_root.json", cli.ExitBlocked, "does not verify for artefact"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			attestors := []any{map[string]any{"name": "release-bot",
				"keyless": map[string]any{"subject": subject, "issuer": issuer, "trustedRoot": tc.trustedRoot}}}
			f := newGateFixture(t, keys, gateSetup{attestor: s, policySpec: map[string]any{"attestors": attestors}})
			writeJSON(t, filepath.Join(f.dir, tc.writeTo), tr)
			code, out := runGate(t, gateT0, f.args())
			if code != tc.code || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, want %d with %q\n%s", code, tc.code, tc.want, out)
			}
		})
	}
}

func TestGateUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--review", "r", "--policy", "p"}, `required flag(s) "evidence-dir" not set`},
		{[]string{"--review", "r", "--policy", "p", "--evidence-dir", "e", "--key", "k", "--certificate-identity", "i"}, "give one of --key, --certificate-chain and --certificate-identity"},
		{[]string{"--review", "r", "--policy", "p", "--evidence-dir", "e", "--certificate-identity", "i"}, "go together"},
		{[]string{"--review", "r", "--policy", "p", "--evidence-dir", "e", "extra"}, `unknown command "extra"`},
		{[]string{"--review", "r", "--policy", "p", "--evidence-dir", "e", "--no-such-flag"}, "unknown flag: --no-such-flag"},
	}
	for _, tc := range tests {
		code, out := runGate(t, gateT0, tc.args)
		if code != cli.ExitUsage || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d, want %d with %q\n%s", tc.args, code, cli.ExitUsage, tc.want, out)
		}
	}
}
