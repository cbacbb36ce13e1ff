package gate

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/pkg/attest"
	"github.com/tollgate-dev/tollgate/pkg/audit"
	"github.com/tollgate-dev/tollgate/pkg/decision"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/intoto"
	"github.com/tollgate-dev/tollgate/pkg/signer"
)

// testDigest is the digest of s, a stand-in for a real file's.
func testDigest(s string) digest.Digest { return digest.FromBytes([]byte(s)) }

func outcome() *Outcome {
	d := &decision.Decision{Verdict: decision.Passed, Controls: audit.Assess(nil),
		Checks: []decision.CheckResult{{Check: "provenance", Verdict: evidence.Pass, ReportDigest: testDigest("report")},
			{Check: "secret-inventory", Verdict: evidence.Fail, Findings: 1, Waived: 1, Exceptions: []string{"EX|1"}}},
		Exceptions: []decision.AppliedException{{ID: "EX|1", Check: "secret-inventory", Fingerprints: []string{"f"}, Reason: "a <script>|b\nc",
			Owner: "o", Approver: "alice", Expires: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}},
		Approvals: []decision.Approval{{Identity: "alice", Signer: signer.MustParse("key:" + strings.Repeat("aa", 32))}},
		Warnings:  []decision.Reason{{Check: "permission-diff", Class: "permissions.narrowed", Message: "narrowed", Refs: []string{"LLM06"}}},
	}
	return &Outcome{Decision: d, Release: "agent", ArtifactDigest: testDigest("artefact"), Attestation: &Attestation{Digest: testDigest("attestation"), Identity: "bot", Signer: signer.MustParse("key:" + strings.Repeat("bb", 32)), Run: attest.Run{Engine: "tekton", Namespace: "ci", Name: "run-1"}}}
}

func TestMarkdown(t *testing.T) {
	t.Parallel()
	o := outcome()
	o.Decision.Reasons = []decision.Reason{
		{Check: "provenance", Class: "provenance.config-changed", Message: "prompts/system.md changed", Refs: []string{"LLM01"}, Section: "prompts"},
		{Check: "gate", Class: "gate.approval-missing", Message: "approvals: 0 of 1", Refs: []string{"-"}},
	}
	o.Decision.Warnings[0].Section = "permissions"
	o.Decision.Approvals[0].ChangesDigest = testDigest("changes")
	md := string(o.Markdown())
	for _, want := range []string{
		"# tollgate gate: PASSED",
		"| Run | tekton/ci/run-1 |",
		"| secret-inventory | fail | 1 | 0 | 0 | 1 | EX\\|1 | - |",
		"| EX\\|1 | secret-inventory | 1 | o | alice | 2026-12-01T00:00:00Z | a &lt;script&gt;\\|b c |",
		"| permission-diff | `permissions.narrowed` | narrowed | LLM06 | [Permissions](review-changes.md#changes-permissions) |",
		"| provenance | `provenance.config-changed` | prompts/system.md changed | LLM01 | [Prompts](review-changes.md#changes-prompts) |",
		"| gate | `gate.approval-missing` | approvals: 0 of 1 | - | - |",
		"<details><summary>Warnings (1)</summary>",
		"<details><summary>Audit controls at release time</summary>",
		"- alice (key:aaaa" + strings.Repeat("aa", 30) + "), having seen changes `" + testDigest("changes").String() + "`",
		"| ASI02 | OWASP Top 10 for Agentic Applications 2026 | Tool misuse and exploitation | held |  |",
		"- alice (key:aaaa",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q\n%s", want, md)
		}
	}
}

func TestJUnit(t *testing.T) {
	t.Parallel()
	o := outcome()
	o.Decision.Block(decision.Reason{Check: "attest", Class: ClassAttestationUntrusted, Message: "bad \x00 signature <x>"},
		decision.Reason{Class: decision.ClassApprovalMissing, Message: "approvals: 0 of 1"})
	b, err := o.JUnit(time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var s junitSuites
	if err := xml.Unmarshal(b, &s); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b)
	}
	if s.Tests != 8 || s.Failures != 2 {
		t.Fatalf("tests %d failures %d\n%s", s.Tests, s.Failures, b)
	}
	got := map[string]*junitFailure{}
	for _, c := range s.Suite[0].Cases {
		got[c.Name] = c.Failure
	}
	if f := got["attest"]; f == nil || f.Type != ClassAttestationUntrusted || !strings.Contains(f.Message, "bad") {
		t.Errorf("attest case: %+v", f)
	}
	if got["approvals"] == nil || got["provenance"] != nil {
		t.Errorf("cases: %+v", got)
	}
	if !strings.Contains(string(b), "warning: narrowed") {
		t.Errorf("warning not in system-out\n%s", b)
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	o := outcome()
	if got := o.Summary(); got != "PASSED: 2 checks, 1 approvals, 1 exceptions applied, 1 warnings" {
		t.Fatalf("summary %q", got)
	}
	o.Decision.Block(decision.Reason{Class: "x", Message: strings.Repeat("long ", 100)}, decision.Reason{Class: "y", Message: "second"})
	got := o.Summary()
	if len(got) > evidence.MaxSummary || !strings.HasPrefix(got, "FAILED: long") || !strings.HasSuffix(got, "(+1 more)") {
		t.Fatalf("summary %q (%d bytes)", got, len(got))
	}
	rep, err := o.Report()
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != evidence.Fail || len(rep.Findings) != 3 || !rep.Findings[0].Blocking || rep.Findings[2].Blocking {
		t.Fatalf("report %+v", rep)
	}
}

func FuzzDecodeStatement(f *testing.F) {
	subject := testDigest("artefact")
	good, err := intoto.New("agent", subject, attest.PredicateType, attest.Predicate{
		Verdict: decision.Passed, Release: "agent", PolicyDigest: testDigest("policy"), Time: time.Unix(1, 0).UTC()})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"00"}}],"predicateType":"x","predicate":{}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodeStatement(intoto.PayloadType, b, subject)
		if err == nil && p.Verdict != decision.Passed && p.Verdict != decision.Failed {
			t.Fatalf("accepted verdict %q", p.Verdict)
		}
	})
}
