package decision

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/signer"
)

var (
	now      = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	artifact = digest.MustParse("sha256:" + strings.Repeat("a", 64))
	revDig   = digest.MustParse("sha256:" + strings.Repeat("b", 64))
	polDig   = digest.MustParse("sha256:" + strings.Repeat("c", 64))
)

const fp1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111"

func digestOf(check string) digest.Digest {
	return digest.MustParse("sha256:" + strings.Repeat(fmt.Sprintf("%x", len(check)%16), 64))
}

func testPolicy(t *testing.T, yaml string) *policy.ReleasePolicy {
	t.Helper()
	doc := `apiVersion: tollgate.dev/v1alpha1
kind: ReleasePolicy
metadata: {name: test}
spec:
  approvals:
    required: 1
    approvers:
    - {name: alice, publicKey: "PEM-A"}
    - {name: bob, publicKey: "PEM-B"}
` + yaml
	p, err := policy.Decode([]byte(doc))
	if err != nil {
		t.Fatalf("policy: %v\n%s", err, doc)
	}
	return p
}

func passReports() map[string]*evidence.Report {
	m := map[string]*evidence.Report{}
	for _, c := range policy.Checks {
		m[c] = &evidence.Report{Check: c, Verdict: evidence.Pass}
	}
	return m
}

func digests() map[string]digest.Digest {
	m := map[string]digest.Digest{}
	for _, c := range policy.Checks {
		m[c] = digestOf(c)
	}
	return m
}

func finding(class string, sev evidence.Severity, blocking bool) evidence.Finding {
	return evidence.Finding{Class: class, Severity: sev, Fingerprint: fp1, Path: "prompts/system.md", Message: class + " here", Blocking: blocking}
}

func exc(mod func(*review.Exception)) review.Exception {
	x := review.Exception{ID: "EX-1", Check: policy.CheckSecrets, Fingerprints: []string{fp1}, Reason: "rotating", Owner: "bob",
		Approver: "alice", Granted: now.Add(-24 * time.Hour), Expires: now.Add(20 * 24 * time.Hour)}
	if mod != nil {
		mod(&x)
	}
	return x
}

func baseInput(t *testing.T) Input {
	return Input{
		ArtifactDigest: artifact, Reports: passReports(), Digests: digests(),
		Review:       &review.ReleaseReview{Metadata: review.New("agent").Metadata},
		ReviewDigest: revDig,
		Approvals:    []Approval{{Identity: "alice", Signer: signer.MustParse("key:" + strings.Repeat("aa", 32)), ReviewDigest: revDig, PolicyDigest: polDig}},
		Policy:       testPolicy(t, ""), PolicyDigest: polDig, Attestor: signer.MustParse("key:" + strings.Repeat("ff", 32)), Now: now,
	}
}

func withFinding(in *Input, f evidence.Finding) {
	r := in.Reports[policy.CheckSecrets]
	r.Findings = append(r.Findings, f)
	if f.Blocking {
		r.Verdict = evidence.Fail
	}
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		mod      func(t *testing.T, in *Input)
		verdict  Verdict
		reason   string // substring of some reason
		warning  string // substring of some warning
		class    string // class of the first reason
		waived   int    // waived findings of secret-inventory
		applied  int
		controls map[string]string // control id -> status
	}{
		{name: "pass", verdict: Passed, controls: map[string]string{"ASI03": "held", "MANAGE 1.1": "held"}},
		{name: "missing report", verdict: Failed, class: ClassReportMissing, reason: "provenance: no verified evidence report",
			mod: func(t *testing.T, in *Input) { delete(in.Reports, policy.CheckProvenance) }},
		{name: "no report digest", verdict: Failed, class: ClassReportMissing, reason: "permission-diff: no valid report digest",
			mod: func(t *testing.T, in *Input) { in.Digests[policy.CheckPermissions] = digest.Digest{} }},
		{name: "report for another check", verdict: Failed, reason: `the report is for check "provenance"`,
			mod: func(t *testing.T, in *Input) { in.Reports[policy.CheckSecrets].Check = policy.CheckProvenance }},
		{name: "check error blocks", verdict: Failed, class: ClassCheckError, reason: "could not decide (verdict error): disk on fire",
			mod: func(t *testing.T, in *Input) {
				in.Reports[policy.CheckProvenance] = &evidence.Report{Check: policy.CheckProvenance, Verdict: evidence.Error, Error: "disk on fire"}
			}},
		{name: "unknown verdict", verdict: Failed, class: ClassCheckError, reason: `unknown verdict "maybe"`,
			mod: func(t *testing.T, in *Input) { in.Reports[policy.CheckProvenance].Verdict = "maybe" }},
		{name: "invalid artifact digest", verdict: Failed, class: ClassArtifact, reason: "artifact digest",
			mod: func(t *testing.T, in *Input) { in.ArtifactDigest = digest.Digest{} }},
		{name: "blocking finding", verdict: Failed, class: "secrets.literal.openai", reason: "prompts/system.md: secrets.literal.openai here (fingerprint " + fp1,
			controls: map[string]string{"ASI03": "violated", "MANAGE 1.1": "violated", "ASI02": "held"},
			mod:      func(t *testing.T, in *Input) { withFinding(in, finding("secrets.literal.openai", evidence.High, true)) }},
		{name: "policy block rule", verdict: Failed, class: "secrets.reference-added", reason: "secrets.reference-added here",
			mod: func(t *testing.T, in *Input) {
				in.Policy = testPolicy(t, "  checks:\n    secret-inventory: {block: [secrets.reference-added]}\n")
				withFinding(in, finding("secrets.reference-added", evidence.Low, false))
			}},
		{name: "severity warns", verdict: Passed, warning: "secrets.reference-added here",
			controls: map[string]string{"ASI03": "warned"},
			mod: func(t *testing.T, in *Input) {
				withFinding(in, finding("secrets.reference-added", evidence.Medium, false))
			}},
		{name: "unknown severity blocks", verdict: Failed, reason: "secrets.odd here",
			mod: func(t *testing.T, in *Input) { withFinding(in, finding("secrets.odd", "whatever", false)) }},
		{name: "fail without blocking finding is inconsistent", verdict: Failed, class: ClassCheckInconsistent, reason: "reported fail but none of its 0 findings blocks",
			mod: func(t *testing.T, in *Input) { in.Reports[policy.CheckSecrets].Verdict = evidence.Fail }},
		{name: "valid exception waives", verdict: Passed, waived: 1, applied: 1,
			controls: map[string]string{"ASI03": "waived", "MANAGE 1.3": "waived"},
			mod: func(t *testing.T, in *Input) {
				withFinding(in, finding("secrets.literal.openai", evidence.High, true))
				in.Review.Spec.Exceptions = []review.Exception{exc(nil)}
			}},
		{name: "exception for any check waives", verdict: Passed, waived: 1, applied: 1,
			mod: func(t *testing.T, in *Input) {
				withFinding(in, finding("secrets.literal.openai", evidence.High, true))
				in.Review.Spec.Exceptions = []review.Exception{exc(func(x *review.Exception) { x.Check = "" })}
			}},
		{name: "exception for another check does not waive", verdict: Failed, class: "secrets.literal.openai", warning: "exception EX-1 matches no finding",
			mod: func(t *testing.T, in *Input) {
				withFinding(in, finding("secrets.literal.openai", evidence.High, true))
				in.Review.Spec.Exceptions = []review.Exception{exc(func(x *review.Exception) { x.Check = policy.CheckProvenance })}
			}},
		{name: "expired exception blocks", verdict: Failed, reason: "exception EX-1 expired at 2026-11-25T11:00:00Z; it cannot waive secret-inventory secrets.literal.openai",
			mod: func(t *testing.T, in *Input) {
				withFinding(in, finding("secrets.literal.openai", evidence.High, true))
				in.Review.Spec.Exceptions = []review.Exception{exc(func(x *review.Exception) { x.Expires = now.Add(-time.Hour) })}
			}},
		{name: "expired exception blocks a mere warning too", verdict: Failed, class: ClassExceptionInvalid, reason: "expired at",
			mod: func(t *testing.T, in *Input) {
				withFinding(in, finding("secrets.reference-added", evidence.Medium, false))
				in.Review.Spec.Exceptions = []review.Exception{exc(func(x *review.Exception) { x.Expires = now })}
			}},
		{name: "unsigned exception blocks", verdict: Failed, reason: "is not signed: approver carol has no verified approval",
			mod: func(t *testing.T, in *Input) {
				withFinding(in, finding("secrets.literal.openai", evidence.High, true))
				in.Review.Spec.Exceptions = []review.Exception{exc(func(x *review.Exception) { x.Approver = "carol" })}
			}},
		{name: "exception approver by signer", verdict: Passed, applied: 1, waived: 1,
			mod: func(t *testing.T, in *Input) {
				withFinding(in, finding("secrets.literal.openai", evidence.High, true))
				in.Review.Spec.Exceptions = []review.Exception{exc(func(x *review.Exception) { x.Approver = signer.MustParse("key:" + strings.Repeat("aa", 32)).String() })}
			}},
		{name: "exception too long", verdict: Failed, reason: "lifetime 60d exceeds the policy's maximum 30d",
			mod: func(t *testing.T, in *Input) {
				withFinding(in, finding("secrets.literal.openai", evidence.High, true))
				in.Review.Spec.Exceptions = []review.Exception{exc(func(x *review.Exception) { x.Expires = x.Granted.Add(60 * 24 * time.Hour) })}
			}},
		{name: "policy max lifetime", verdict: Failed, reason: "lifetime 21d exceeds the policy's maximum 14d",
			mod: func(t *testing.T, in *Input) {
				in.Policy = testPolicy(t, "  exceptions: {maxLifetime: 14d}\n")
				withFinding(in, finding("secrets.literal.openai", evidence.High, true))
				in.Review.Spec.Exceptions = []review.Exception{exc(nil)}
			}},
		{name: "exception without granted", verdict: Failed, reason: "has no granted time",
			mod: func(t *testing.T, in *Input) {
				withFinding(in, finding("secrets.literal.openai", evidence.High, true))
				in.Review.Spec.Exceptions = []review.Exception{exc(func(x *review.Exception) { x.Granted = time.Time{} })}
			}},
		{name: "exception granted in the future", verdict: Failed, reason: "is granted in the future",
			mod: func(t *testing.T, in *Input) {
				withFinding(in, finding("secrets.literal.openai", evidence.High, true))
				in.Review.Spec.Exceptions = []review.Exception{exc(func(x *review.Exception) { x.Granted = now.Add(time.Hour) })}
			}},
		{name: "exception without reason and owner", verdict: Failed, reason: "exception EX-1 has no reason; has no owner",
			mod: func(t *testing.T, in *Input) {
				withFinding(in, finding("secrets.literal.openai", evidence.High, true))
				in.Review.Spec.Exceptions = []review.Exception{exc(func(x *review.Exception) { x.Reason, x.Owner = "", " " })}
			}},
		{name: "reason not required", verdict: Passed, applied: 1, waived: 1,
			mod: func(t *testing.T, in *Input) {
				in.Policy = testPolicy(t, "  exceptions: {requireReason: false, requireOwner: false}\n")
				withFinding(in, finding("secrets.literal.openai", evidence.High, true))
				in.Review.Spec.Exceptions = []review.Exception{exc(func(x *review.Exception) { x.Reason, x.Owner = "", "" })}
			}},
		{name: "exception for an unknown check waives nothing", verdict: Passed, applied: 1, waived: 1, warning: `exception EX-2 names unknown check "secrets" (it matches no finding)`,
			mod: func(t *testing.T, in *Input) {
				withFinding(in, finding("secrets.literal.openai", evidence.High, true))
				in.Review.Spec.Exceptions = []review.Exception{
					exc(func(x *review.Exception) { x.Check = "" }),
					exc(func(x *review.Exception) { x.ID, x.Check = "EX-2", "secrets" }),
				}
			}},
		{name: "invalid exception matching nothing warns", verdict: Passed, warning: "exception EX-1 expired at 2026-11-25T11:00:00Z (it matches no finding)",
			mod: func(t *testing.T, in *Input) {
				in.Review.Spec.Exceptions = []review.Exception{exc(func(x *review.Exception) { x.Expires = now.Add(-time.Hour) })}
			}},
		{name: "expiring exception warns", verdict: Passed, applied: 1, waived: 1, warning: "exception EX-1 (owner bob) expires in 2d, at 2026-11-27T12:00:00Z",
			mod: func(t *testing.T, in *Input) {
				withFinding(in, finding("secrets.literal.openai", evidence.High, true))
				in.Review.Spec.Exceptions = []review.Exception{exc(func(x *review.Exception) { x.Expires = now.Add(48 * time.Hour) })}
			}},
		{name: "partly unused exception warns", verdict: Passed, applied: 1, waived: 1, warning: "1 of its fingerprints match no finding",
			mod: func(t *testing.T, in *Input) {
				withFinding(in, finding("secrets.literal.openai", evidence.High, true))
				in.Review.Spec.Exceptions = []review.Exception{exc(func(x *review.Exception) { x.Fingerprints = append(x.Fingerprints, "sha256:other") })}
			}},
		{name: "too few approvals", verdict: Failed, class: ClassApprovalMissing, reason: "approvals: 0 of 1 required distinct approvers signed this review (have: none; may approve: alice, bob)",
			mod: func(t *testing.T, in *Input) { in.Approvals = nil }},
		{name: "two approvals by one identity count once", verdict: Failed, reason: "approvals: 1 of 2 required",
			mod: func(t *testing.T, in *Input) {
				in.Policy = testPolicy(t, "")
				in.Policy.Spec.Approvals.Required = 2
				in.Approvals = append(in.Approvals, Approval{Identity: "alice", Signer: signer.MustParse("key:" + strings.Repeat("a2", 32)), ReviewDigest: revDig, PolicyDigest: polDig})
			}},
		{name: "two approvers pass", verdict: Passed,
			mod: func(t *testing.T, in *Input) {
				in.Policy.Spec.Approvals.Required = 2
				in.Approvals = append(in.Approvals, Approval{Identity: "bob", Signer: signer.MustParse("key:" + strings.Repeat("bb", 32)), ReviewDigest: revDig, PolicyDigest: polDig})
			}},
		{name: "approval of another review", verdict: Failed, class: ClassApprovalInvalid, reason: "approves review sha256:aaaa",
			mod: func(t *testing.T, in *Input) { in.Approvals[0].ReviewDigest = artifact }},
		{name: "approval under another policy does not count", verdict: Failed, class: ClassApprovalInvalid,
			reason: "approval by alice does not count: it was given under policy sha256:aaaa",
			mod:    func(t *testing.T, in *Input) { in.Approvals[0].PolicyDigest = artifact }},
		{name: "approval naming no policy does not count", verdict: Failed, class: ClassApprovalInvalid,
			reason: "approval by alice does not count: it names no policy digest",
			mod:    func(t *testing.T, in *Input) { in.Approvals[0].PolicyDigest = digest.Digest{} }},
		{name: "approval by unknown identity", verdict: Failed, class: ClassApprovalInvalid, reason: `"mallory" is not an approver in the policy`,
			mod: func(t *testing.T, in *Input) { in.Approvals[0].Identity = "mallory" }},
		{name: "approval problems block", verdict: Failed, class: ClassApprovalInvalid, reason: "approval: approvals/x.sigstore.json: bad signature",
			mod: func(t *testing.T, in *Input) {
				in.ApprovalErrors = []string{"approvals/x.sigstore.json: bad signature"}
			}},
		{name: "separation of duties", verdict: Failed, class: ClassSeparation, reason: "approval by alice does not count: it is also the attestation signer (key:aaaa",
			mod: func(t *testing.T, in *Input) {
				in.Policy.Spec.Approvals.SeparationOfDuties = true
				in.Attestor = signer.MustParse("key:" + strings.Repeat("aa", 32))
			}},
		{name: "separation of duties, keyless attestor read back from an attestation", verdict: Failed, class: ClassSeparation,
			reason: "it is also the attestation signer (https://kubernetes.io/namespaces/ci/serviceaccounts/bot (issuer https://kubernetes.default.svc))",
			mod: func(t *testing.T, in *Input) {
				in.Policy.Spec.Approvals.SeparationOfDuties = true
				made, err := signer.Certificate("https://kubernetes.io/namespaces/ci/serviceaccounts/bot", "https://kubernetes.default.svc")
				if err != nil {
					t.Fatal(err)
				}
				in.Approvals[0].Signer = made
				// the gate reads the attestor back from a verified bundle;
				// the same signer compares equal however it was made
				if in.Attestor, err = signer.Parse(made.String()); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "separation of duties, same subject under another issuer", verdict: Passed,
			mod: func(t *testing.T, in *Input) {
				in.Policy.Spec.Approvals.SeparationOfDuties = true
				in.Approvals[0].Signer, _ = signer.Certificate("alice@example.com", "https://accounts.example.com")
				in.Attestor, _ = signer.Certificate("alice@example.com", "https://evil.example")
			}},
		{name: "separation of duties with unknown attestor", verdict: Failed, class: ClassSeparation, reason: "attestation signer is unknown",
			mod: func(t *testing.T, in *Input) {
				in.Policy.Spec.Approvals.SeparationOfDuties = true
				in.Attestor = signer.Identity{}
			}},
		{name: "separation of duties held", verdict: Passed,
			mod: func(t *testing.T, in *Input) { in.Policy.Spec.Approvals.SeparationOfDuties = true }},
		{name: "cel rule holds", verdict: Passed,
			mod: func(t *testing.T, in *Input) {
				in.Policy = testPolicy(t, `  rules:
  - name: all-pass
    expression: checks.all(c, checks[c].verdict == "pass") && artifact.digest == artifact.reviewedRoot || true
  - name: no-critical
    expression: findings.all(f, f.severity != "critical" || f.waived)
  - name: two-weeks
    expression: exceptions.all(x, x.expires - now < duration("336h"))
  - name: model
    expression: release.name == "agent" && approvals.exists(a, a.identity == "alice")
`)
			}},
		{name: "cel rule blocks", verdict: Failed, class: ClassRule, reason: "rule no-prompt-change: prompts need a second review",
			mod: func(t *testing.T, in *Input) {
				in.Policy = testPolicy(t, `  rules:
  - name: no-prompt-change
    expression: '!findings.exists(f, f.path.startsWith("prompts/"))'
    message: prompts need a second review
`)
				withFinding(in, finding("secrets.reference-added", evidence.Info, false))
			}},
		{name: "cel rule warns", verdict: Passed, warning: "rule few-findings: expression is false: size(findings) == 0",
			mod: func(t *testing.T, in *Input) {
				in.Policy = testPolicy(t, "  rules:\n  - {name: few-findings, expression: size(findings) == 0, action: warn}\n")
				withFinding(in, finding("secrets.reference-added", evidence.Info, false))
			}},
		{name: "cel runtime error blocks", verdict: Failed, class: ClassRuleError, reason: "rule no-such could not be evaluated, so it blocks: rule no-such: no such key: gate",
			mod: func(t *testing.T, in *Input) {
				in.Policy = testPolicy(t, "  rules:\n  - {name: no-such, expression: checks.gate.verdict == \"pass\", action: warn}\n")
			}},
		{name: "many findings are capped", verdict: Failed, class: "secrets.literal.x", reason: "secret-inventory: 5 more blocking findings; see secret-inventory.json",
			mod: func(t *testing.T, in *Input) {
				for i := range MaxFindingReasons + 5 {
					f := finding("secrets.literal.x", evidence.High, true)
					f.Fingerprint = fmt.Sprint(i)
					withFinding(in, f)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := baseInput(t)
			if tc.mod != nil {
				tc.mod(t, &in)
			}
			d, err := Evaluate(in)
			if err != nil {
				t.Fatal(err)
			}
			dump, _ := json.MarshalIndent(d, "", " ")
			if d.Verdict != tc.verdict {
				t.Fatalf("verdict %s, want %s\n%s", d.Verdict, tc.verdict, dump)
			}
			if (d.Verdict == Passed) != (len(d.Reasons) == 0) {
				t.Fatalf("verdict %s with %d reasons", d.Verdict, len(d.Reasons))
			}
			if tc.class != "" && d.Reasons[0].Class != tc.class {
				t.Errorf("first reason class %q, want %q\n%s", d.Reasons[0].Class, tc.class, dump)
			}
			if tc.reason != "" && !hasMessage(d.Reasons, tc.reason) {
				t.Errorf("no reason contains %q\n%s", tc.reason, dump)
			}
			if tc.warning != "" && !hasMessage(d.Warnings, tc.warning) {
				t.Errorf("no warning contains %q\n%s", tc.warning, dump)
			}
			for _, r := range d.Reasons {
				if len(r.Refs) == 0 {
					t.Errorf("reason without audit refs: %+v", r)
				}
			}
			if got := d.Checks[1].Waived; d.Checks[1].Check != policy.CheckSecrets || got != tc.waived {
				t.Errorf("%s waived %d, want %d", d.Checks[1].Check, got, tc.waived)
			}
			if len(d.Exceptions) != tc.applied {
				t.Errorf("%d exceptions applied, want %d\n%s", len(d.Exceptions), tc.applied, dump)
			}
			for id, want := range tc.controls {
				for _, c := range d.Controls {
					if c.ID == id && string(c.Status) != want {
						t.Errorf("control %s is %s, want %s", id, c.Status, want)
					}
				}
			}
		})
	}
}

func hasMessage(rs []Reason, sub string) bool {
	for _, r := range rs {
		if strings.Contains(r.Message, sub) {
			return true
		}
	}
	return false
}

func TestEvaluateAppliedException(t *testing.T) {
	t.Parallel()
	in := baseInput(t)
	withFinding(&in, finding("secrets.literal.openai", evidence.High, true))
	in.Review.Spec.Exceptions = []review.Exception{exc(nil)}
	d, err := Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	want := AppliedException{ID: "EX-1", Check: policy.CheckSecrets, Fingerprints: []string{fp1}, Reason: "rotating",
		Owner: "bob", Approver: "alice", Expires: now.Add(20 * 24 * time.Hour)}
	if len(d.Exceptions) != 1 || fmt.Sprint(d.Exceptions[0]) != fmt.Sprint(want) {
		t.Fatalf("applied %+v, want %+v", d.Exceptions, want)
	}
	if c := d.Checks[1]; c.Blocking != 0 || c.Waived != 1 || c.Findings != 1 || fmt.Sprint(c.Exceptions) != "[EX-1]" {
		t.Fatalf("check result %+v", c)
	}
}

// TestEvaluateDeterministic: the same input in any order gives the same
// bytes.
func TestEvaluateDeterministic(t *testing.T) {
	t.Parallel()
	mk := func(reverse bool) []byte {
		in := baseInput(t)
		in.Approvals = []Approval{{Identity: "bob", Signer: signer.MustParse("key:" + strings.Repeat("bb", 32)), ReviewDigest: revDig, PolicyDigest: polDig}, {Identity: "alice", Signer: signer.MustParse("key:" + strings.Repeat("aa", 32)), ReviewDigest: revDig, PolicyDigest: polDig}}
		if reverse {
			in.Approvals[0], in.Approvals[1] = in.Approvals[1], in.Approvals[0]
		}
		withFinding(&in, finding("secrets.literal.openai", evidence.High, true))
		d, err := Evaluate(in)
		if err != nil {
			t.Fatal(err)
		}
		b, err := evidence.Canonical(d)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if a, b := mk(false), mk(true); string(a) != string(b) {
		t.Fatalf("not deterministic:\n%s\n%s", a, b)
	}
}

func TestEvaluateNeedsPolicyAndReview(t *testing.T) {
	t.Parallel()
	in := baseInput(t)
	in.Policy = nil
	if _, err := Evaluate(in); err == nil {
		t.Fatal("nil policy accepted")
	}
	in = baseInput(t)
	in.Review = nil
	if _, err := Evaluate(in); err == nil {
		t.Fatal("nil review accepted")
	}
}

func TestBlock(t *testing.T) {
	t.Parallel()
	d, err := Evaluate(baseInput(t))
	if err != nil {
		t.Fatal(err)
	}
	d.Block(Reason{Class: "gate.report-digest-mismatch", Message: "changed"})
	if d.Verdict != Failed || d.Reasons[0].Message != "changed" || len(d.Reasons[0].Refs) == 0 {
		t.Fatalf("%+v", d)
	}
	for _, c := range d.Controls {
		if c.ID == "MANAGE 1.1" && c.Status != "violated" {
			t.Fatalf("MANAGE 1.1 is %s", c.Status)
		}
	}
}

func TestFindingReasonSection(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		f    evidence.Finding
		want string
	}{
		{evidence.Finding{Class: "provenance.config-changed", Path: "prompts/system.md", Attributes: map[string]string{"category": "prompt"}}, "prompts"},
		{evidence.Finding{Class: "permissions.broadened", Path: "mcp.json"}, "permissions"},
		{evidence.Finding{Class: "provenance.signature-invalid"}, ""},
	} {
		if got := findingReason("provenance", tt.f).Section; got != tt.want {
			t.Errorf("section of %s = %q, want %q", tt.f.Class, got, tt.want)
		}
	}
}
