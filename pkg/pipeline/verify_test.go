package pipeline_test

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
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
	"github.com/tollgate-dev/tollgate/pkg/gate"
	"github.com/tollgate-dev/tollgate/pkg/pipeline"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/sign"
	"github.com/tollgate-dev/tollgate/pkg/sign/signtest"
)

const artifactDigest = "sha256:9274511000000000000000000000000000000000000000000000000000c6dec4"

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// workspace is the evidence workspace after the three checks ran, with
// their results as the pipeline passes them.
type workspace struct {
	dir, evidence, review, policy string
	policyD                       digest.Digest
	results                       pipeline.Results
}

func newWorkspace(t *testing.T) *workspace {
	t.Helper()
	dir := t.TempDir()
	w := &workspace{dir: dir, evidence: filepath.Join(dir, "evidence"), review: filepath.Join(dir, "review.yaml"),
		policy: filepath.Join(dir, "policy.json"), results: pipeline.Results{pipeline.ResultArtifactDigest: artifactDigest}}
	for _, c := range policy.Checks {
		_, d, err := evidence.Write(w.evidence, &evidence.Report{Check: c, Verdict: evidence.Pass, Summary: c + ": nothing changed"})
		if err != nil {
			t.Fatal(err)
		}
		w.results[pipeline.VerdictResult(c)], w.results[pipeline.DigestResult(c)] = "pass", d.String()
	}
	return w
}

// TestVerify: each tampered input is one blocking reason naming it, and
// the check without a verified report has none.
func TestVerify(t *testing.T) {
	t.Parallel()
	for _, tc := range tamperings {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorkspace(t)
			tc.tamper(t, w)
			in := pipeline.Verify(w.evidence, w.results)
			if len(in.Problems) == 0 {
				t.Fatal("no problem found")
			}
			p := in.Problems[0]
			if p.Class != tc.class || p.Check != tc.check || !strings.Contains(p.Message, tc.want) || len(p.Refs) == 0 {
				t.Fatalf("problem %+v, want check %s, class %s, message containing %q", p, tc.check, tc.class, tc.want)
			}
			// a report counts only when a valid digest result pins it
			if pinned := in.Reports[tc.check] != nil; pinned != tc.pinned {
				t.Fatalf("%s: verified report %v, want %v, after %s", tc.check, pinned, tc.pinned, p.Message)
			}
		})
	}
	w := newWorkspace(t)
	in := pipeline.Verify(w.evidence, w.results)
	if len(in.Problems) != 0 || len(in.Reports) != len(policy.Checks) || in.ArtifactDigest.String() != artifactDigest {
		t.Fatalf("untampered inputs: %+v", in)
	}
}

var tamperings = []struct {
	name, check, class, want string
	// pinned: the check's report still verifies against its digest
	pinned bool
	tamper func(t *testing.T, w *workspace)
}{
	{"missing result", policy.CheckProvenance, pipeline.ClassResult, "result provenance-verdict is missing: pass --provenance-verdict", true,
		func(t *testing.T, w *workspace) { delete(w.results, "provenance-verdict") }},
	{"empty result", policy.CheckSecrets, pipeline.ClassResult, "result secret-inventory-report-digest is empty", false,
		func(t *testing.T, w *workspace) { w.results["secret-inventory-report-digest"] = "" }},
	{"unsubstituted Tekton result", policy.CheckPermissions, pipeline.ClassResult, "result permission-diff-report-digest was not substituted ($(tasks.permission-diff.results.report-digest)): the Tekton task", false,
		func(t *testing.T, w *workspace) {
			w.results["permission-diff-report-digest"] = "$(tasks.permission-diff.results.report-digest)"
		}},
	{"unsubstituted Argo result", policy.CheckProvenance, pipeline.ClassResult, "was not substituted ({{tasks.provenance.outputs.parameters.verdict}}): the Argo step", true,
		func(t *testing.T, w *workspace) {
			w.results["provenance-verdict"] = "{{tasks.provenance.outputs.parameters.verdict}}"
		}},
	{"unknown verdict", policy.CheckSecrets, pipeline.ClassResult, `result secret-inventory-verdict is "PASS", not one of pass, fail, error`, true,
		func(t *testing.T, w *workspace) { w.results["secret-inventory-verdict"] = "PASS" }},
	{"upper-case digest", policy.CheckPermissions, pipeline.ClassResult, `result permission-diff-report-digest: digest "SHA256:`, false,
		func(t *testing.T, w *workspace) {
			w.results["permission-diff-report-digest"] = strings.ToUpper(w.results["permission-diff-report-digest"])
		}},
	{"report changed after the check", policy.CheckProvenance, pipeline.ClassReportDigest, "provenance: report was changed after the check wrote it", false,
		func(t *testing.T, w *workspace) {
			p := filepath.Join(w.evidence, "provenance.json")
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(strings.Replace(string(b), "nothing changed", "nothing changed!", 1)), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	{"digest of another report", policy.CheckSecrets, pipeline.ClassReportDigest, "report digest mismatch", false,
		func(t *testing.T, w *workspace) {
			w.results["secret-inventory-report-digest"] = w.results["permission-diff-report-digest"]
		}},
	{"report missing", policy.CheckPermissions, pipeline.ClassReportUnreadable, "permission-diff.json: no such file or directory", false,
		func(t *testing.T, w *workspace) {
			if err := os.Remove(filepath.Join(w.evidence, "permission-diff.json")); err != nil {
				t.Fatal(err)
			}
		}},
	{"verdict result disagrees with its report", policy.CheckSecrets, pipeline.ClassResultDisagrees, "result secret-inventory-verdict is fail but the report ", true,
		func(t *testing.T, w *workspace) { w.results["secret-inventory-verdict"] = "fail" }},
}

// TestAttestAndGateRefuseAlike runs attest and then the gate on the same
// tampered pipeline inputs: attest signs a FAILED verdict whose reasons
// about the inputs are exactly the gate's (check, class and message), so
// the two never compare different things.
func TestAttestAndGateRefuseAlike(t *testing.T) {
	t.Parallel()
	bot, botPub := signtest.Key(t)
	alice, alicePub := signtest.Key(t)
	for _, tc := range tamperings {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorkspace(t)
			writeRelease(t, w, alice, alicePub, botPub)
			tc.tamper(t, w)

			out, err := attest.Attest(context.Background(), attest.Input{Results: maps.Clone(w.results), EvidenceDir: w.evidence,
				ReviewPath: w.review, PolicyPath: w.policy, PolicyDigest: w.policyD, Run: attest.Run{Engine: "local"}, Now: t0}, bot)
			if err != nil {
				t.Fatal(err)
			}
			if out.Predicate.Verdict != decision.Failed {
				t.Fatalf("attest signed %s for tampered inputs", out.Predicate.Verdict)
			}
			gateResults := maps.Clone(w.results)
			gateResults[gate.ResultAttestVerdict], gateResults[gate.ResultAttestationDigest] = "fail", out.Digest.String()
			g, err := gate.Run(context.Background(), gate.Config{Results: gateResults, Review: w.review, Policy: w.policy, PolicyDigest: w.policyD,
				EvidenceDir: w.evidence, Now: t0})
			if err != nil {
				t.Fatal(err)
			}
			if g.Passed() {
				t.Fatal("the gate passed tampered inputs")
			}
			attested, enforced := inputReasons(out.Predicate.Reasons), inputReasons(g.Decision.Reasons)
			if len(attested) == 0 || !slices.Equal(attested, enforced) {
				t.Fatalf("attest and gate disagree about the inputs:\nattest: %q\ngate:   %q", attested, enforced)
			}
			if !strings.Contains(strings.Join(attested, "\n"), tc.want) {
				t.Fatalf("reasons %q do not say %q", attested, tc.want)
			}
			// and the gate finds nothing else wrong with the attestation
			// itself: it verifies, and attest signed the same decision
			if g.Attestation == nil {
				t.Fatalf("attestation did not verify: %q", g.Decision.Reasons)
			}
		})
	}
	// Without a valid artifact digest attest cannot sign; its error is the
	// gate's reason.
	w := newWorkspace(t)
	writeRelease(t, w, alice, alicePub, botPub)
	w.results[pipeline.ResultArtifactDigest] = "sha256:nope"
	_, err := attest.Attest(context.Background(), attest.Input{Results: w.results, EvidenceDir: w.evidence,
		ReviewPath: w.review, PolicyPath: w.policy, PolicyDigest: w.policyD, Run: attest.Run{Engine: "local"}, Now: t0}, bot)
	in := pipeline.Verify(w.evidence, w.results)
	if err == nil || len(in.Problems) != 1 || !strings.Contains(err.Error(), in.Problems[0].Message) {
		t.Fatalf("attest error %v, gate reasons %+v", err, in.Problems)
	}
}

// inputReasons are the reasons about the checks' pipeline inputs.
func inputReasons(rs []decision.Reason) []string {
	var out []string
	for _, r := range rs {
		switch r.Class {
		case pipeline.ClassResult, pipeline.ClassResultDisagrees, pipeline.ClassReportDigest, pipeline.ClassReportUnreadable:
			out = append(out, r.Check+" "+r.Class+" "+r.Message)
		}
	}
	return out
}

// writeRelease writes the review record (approved by alice) and a policy
// that trusts bot as attestor.
func writeRelease(t *testing.T, w *workspace, alice *sign.Signer, alicePub, botPub []byte) {
	t.Helper()
	r := review.New("support-agent")
	r.Spec.Artifact = artifact.Manifest{Root: artifactDigest}
	b, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(w.review, b, 0o644); err != nil {
		t.Fatal(err)
	}
	pb, err := json.Marshal(policy.ReleasePolicy{
		TypeMeta: document.TypeMeta{APIVersion: document.APIVersion, Kind: policy.Kind},
		Metadata: document.ObjectMeta{Name: "release-policy"},
		Spec: policy.Spec{
			Approvals: policy.Approvals{Required: 1, Approvers: []policy.Identity{{Name: "alice", PublicKey: string(alicePub)}}},
			Attestors: []policy.Identity{{Name: "release-bot", PublicKey: string(botPub)}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	w.policyD = digest.FromBytes(pb)
	bundle, _, err := approval.Sign(context.Background(), alice, w.review, approval.Terms{PolicyDigest: w.policyD}, t0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(approval.DefaultDir(w.review), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(approval.DefaultDir(w.review), approval.FileName(alice.Identity())), bundle, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(w.policy, pb, 0o644); err != nil {
		t.Fatal(err)
	}
}
