package attest

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/internal/results"
	"github.com/tollgate-dev/tollgate/pkg/approval"
	"github.com/tollgate-dev/tollgate/pkg/decision"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/sign"
	"github.com/tollgate-dev/tollgate/pkg/trust"
	"github.com/tollgate-dev/tollgate/pkg/version"
)

// CheckResults are one check's task results, as the pipeline passes them.
type CheckResults struct {
	Verdict      string
	ReportDigest string
}

// Input is everything attest reads.
type Input struct {
	// ArtifactDigest is the provenance artifact-digest result: the subject
	// of both statements.
	ArtifactDigest string
	// Checks are the results of each check in policy.Checks, by name.
	Checks map[string]CheckResults
	// EvidenceDir holds the checks' reports; the bundles are written there.
	EvidenceDir string
	// ReviewPath, ApprovalsDir (default approval.DefaultDir) and PolicyPath.
	ReviewPath, ApprovalsDir, PolicyPath string
	// ResourceURI names the artefact in the VSA (an OCI reference when the
	// bundles are attached to one); default "urn:tollgate:release:<name>".
	ResourceURI string
	Run         Run
	Now         time.Time
	// Trust configures approval verification (keyless trusted material).
	Trust []trust.Option
}

// Output is what Attest produced.
type Output struct {
	Decision  *decision.Decision
	Predicate *Predicate
	// Bundle and VSABundle are the signed bundles as written; Digest is
	// the attestation-digest result (sha256 of Bundle).
	Bundle, VSABundle []byte
	Digest            string
}

// Attest verifies the checks' reports against their digests and the
// approvals against the policy, evaluates the decision with
// decision.Evaluate, and signs two statements about the artefact: the
// release-gate predicate and an SLSA VSA. Inputs that fail verification
// (a missing report, a digest mismatch, a verdict that disagrees with its
// report, an approval that does not verify) make the verdict FAILED with a
// reason; a FAILED verdict is signed too. Attest returns an error only when
// it cannot decide at all (unreadable review record or policy, signing
// failure).
func Attest(ctx context.Context, in Input, s *sign.Signer) (*Output, error) {
	r, reviewDigest, err := review.Load(in.ReviewPath)
	if err != nil {
		return nil, err
	}
	p, policyDigest, err := policy.Load(in.PolicyPath)
	if err != nil {
		return nil, err
	}
	if !results.ValidDigest(in.ArtifactDigest) {
		return nil, fmt.Errorf("artifact digest %q is not sha256:<64 hex>: pass the provenance artifact-digest result", in.ArtifactDigest)
	}
	reports, digests, blocks := readReports(in)
	dir := in.ApprovalsDir
	if dir == "" {
		dir = approval.DefaultDir(in.ReviewPath)
	}
	approvals, problems := approval.Verify(ctx, dir, reviewDigest, p, in.Trust...)
	dec, err := decision.Evaluate(decision.Input{
		ArtifactDigest: in.ArtifactDigest,
		Reports:        reports,
		Digests:        digests,
		Review:         r,
		ReviewDigest:   reviewDigest,
		Approvals:      approvals,
		ApprovalErrors: problems,
		Policy:         p,
		PolicyDigest:   policyDigest,
		Attestor:       s.Identity(),
		Now:            decision.Time(in.Now),
	})
	if err != nil {
		return nil, fmt.Errorf("decision: %w", err)
	}
	dec.Block(blocks...)

	pred := &Predicate{
		Verdict:      dec.Verdict,
		Release:      r.Metadata.Name,
		ReviewDigest: reviewDigest,
		PolicyDigest: policyDigest,
		Checks:       checks(in, dec),
		Approvals:    nonNil(dec.Approvals),
		Exceptions:   nonNil(dec.Exceptions),
		Reasons:      nonNil(dec.Reasons),
		Warnings:     nonNil(dec.Warnings),
		Controls:     dec.Controls,
		Run:          in.Run,
		Time:         in.Now.UTC().Truncate(time.Second),
		Tool:         "tollgate " + version.String(),
	}
	st, err := sign.NewStatement(r.Metadata.Name, in.ArtifactDigest, PredicateType, pred)
	if err != nil {
		return nil, err
	}
	bundle, err := s.SignStatement(ctx, st)
	if err != nil {
		return nil, err
	}
	vsa, err := sign.NewStatement(r.Metadata.Name, in.ArtifactDigest, VSAPredicateType, summary(in, r, p, policyDigest, pred))
	if err != nil {
		return nil, err
	}
	vsaBundle, err := s.SignStatement(ctx, vsa)
	if err != nil {
		return nil, err
	}
	if err := evidence.WriteFileAtomic(filepath.Join(in.EvidenceDir, BundleFile), bundle); err != nil {
		return nil, err
	}
	if err := evidence.WriteFileAtomic(filepath.Join(in.EvidenceDir, VSABundleFile), vsaBundle); err != nil {
		return nil, err
	}
	return &Output{Decision: dec, Predicate: pred, Bundle: bundle, VSABundle: vsaBundle, Digest: evidence.Digest(bundle)}, nil
}

// readReports reads each check's report and verifies it against the
// report-digest result; every problem becomes a blocking reason.
func readReports(in Input) (map[string]*evidence.Report, map[string]string, []decision.Reason) {
	reports := map[string]*evidence.Report{}
	digests := map[string]string{}
	var blocks []decision.Reason
	for _, name := range policy.Checks {
		c, ok := in.Checks[name]
		digests[name] = c.ReportDigest
		switch {
		case !ok || c.Verdict == "" || c.ReportDigest == "":
			blocks = append(blocks, decision.Reason{Check: name, Class: decision.ClassReportMissing,
				Message: fmt.Sprintf("%s: no verdict or report-digest result was passed to attest", name)})
			continue
		case !evidence.Verdict(c.Verdict).Valid():
			blocks = append(blocks, decision.Reason{Check: name, Class: decision.ClassCheckInconsistent,
				Message: fmt.Sprintf("%s: verdict result %q is not pass, fail or error", name, c.Verdict)})
			continue
		}
		rep, err := evidence.ReadVerified(filepath.Join(in.EvidenceDir, evidence.FileName(name)), c.ReportDigest)
		if err != nil {
			blocks = append(blocks, decision.Reason{Check: name, Class: decision.ClassReportMissing,
				Message: fmt.Sprintf("%s: evidence report not verified: %v", name, err)})
			continue
		}
		if string(rep.Verdict) != c.Verdict {
			blocks = append(blocks, decision.Reason{Check: name, Class: decision.ClassCheckInconsistent,
				Message: fmt.Sprintf("%s: verdict result %q disagrees with the report's %q", name, c.Verdict, rep.Verdict)})
		}
		reports[name] = rep
	}
	return reports, digests, blocks
}

// checks lists every required check with the verdict and digest the
// pipeline passed, and the decision's counts.
func checks(in Input, dec *decision.Decision) []Check {
	out := make([]Check, 0, len(policy.Checks))
	for _, name := range policy.Checks {
		c := Check{Name: name, Verdict: in.Checks[name].Verdict, ReportDigest: in.Checks[name].ReportDigest}
		for _, cr := range dec.Checks {
			if cr.Check == name {
				c.Verdict = string(cr.Verdict)
				c.Findings, c.Blocking, c.Waived = cr.Findings, cr.Blocking, cr.Waived
			}
		}
		out = append(out, c)
	}
	return out
}

func summary(in Input, r *review.ReleaseReview, p *policy.ReleasePolicy, policyDigest string, pred *Predicate) VSA {
	uri := in.ResourceURI
	if uri == "" {
		uri = "urn:tollgate:release:" + r.Metadata.Name
	}
	v := VSA{
		Verifier:           Verifier{ID: VerifierID, Version: map[string]string{"tollgate": version.String()}},
		TimeVerified:       pred.Time,
		ResourceURI:        uri,
		Policy:             ResourceDescriptor{URI: "urn:tollgate:policy:" + p.Metadata.Name, Digest: digestMap(policyDigest)},
		VerificationResult: string(pred.Verdict),
		VerifiedLevels:     []string{},
		SlsaVersion:        "1.0",
	}
	if pred.Verdict == decision.Passed {
		v.VerifiedLevels = []string{VerifiedLevel}
	}
	for _, c := range pred.Checks {
		if results.ValidDigest(c.ReportDigest) {
			v.InputAttestations = append(v.InputAttestations, ResourceDescriptor{URI: evidence.FileName(c.Name), Digest: digestMap(c.ReportDigest)})
		}
	}
	return v
}

func digestMap(d string) map[string]string {
	algo, h, _ := strings.Cut(d, ":")
	return map[string]string{algo: h}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Summary is the one-line summary result.
func Summary(p *Predicate) string {
	s := fmt.Sprintf("attest: %s %s, %d approval(s)", p.Release, p.Verdict, len(p.Approvals))
	if len(p.Exceptions) > 0 {
		s += fmt.Sprintf(", %d exception(s)", len(p.Exceptions))
	}
	if len(p.Reasons) > 0 {
		s += ": " + p.Reasons[0].Message
	}
	return results.OneLine(s, results.MaxSummary)
}
