package gate

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/tollgate-dev/tollgate/pkg/approval"
	"github.com/tollgate-dev/tollgate/pkg/audit"
	"github.com/tollgate-dev/tollgate/pkg/decision"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/pipeline"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/signer"
	"github.com/tollgate-dev/tollgate/pkg/trust"
	"github.com/tollgate-dev/tollgate/pkg/trustroot"
)

// Reason classes the gate raises about its inputs (package audit maps
// them; pipeline.Verify and decision raise the others).
const (
	ClassPolicy               = "gate.policy-invalid"
	ClassTrustRoot            = "gate.trust-root-in-candidate"
	ClassReview               = "gate.review-invalid"
	ClassAttestationMissing   = "gate.attestation-missing"
	ClassAttestationDigest    = "gate.attestation-digest-mismatch"
	ClassAttestationUntrusted = "gate.attestation-untrusted"
	ClassAttestationSubject   = "gate.attestation-subject"
	ClassAttestationInvalid   = "gate.attestation-invalid"
	ClassAttestationDisagrees = "gate.attestation-disagrees"
	ClassDecision             = "gate.decision-error"
)

// Config is what the gate decides from.
type Config struct {
	// Results are the task results by flag name (ResultNames), as the
	// engine passed them; a missing key is a missing result.
	Results pipeline.Results
	// Review, Policy: document paths. Approvals is the approval bundle
	// directory ("" means <dir of Review>/approvals).
	Review, Approvals, Policy string
	// PolicyDigest is the digest the policy must have (the Pipeline
	// owner's policy-digest); zero or another digest blocks.
	PolicyDigest digest.Digest
	// CandidateDirs are the candidate's directories (the source
	// workspace); a TrustInputs path inside one blocks (package trustroot).
	CandidateDirs []string
	TrustInputs   []trustroot.Input
	// EvidenceDir holds the reports and the attestation bundle.
	EvidenceDir string
	// Attestors are the identities trusted to sign the attestation; nil
	// means the policy's spec.attestors.
	Attestors []policy.Identity
	// TrustOptions are passed to every trust.Verify (for example a
	// trusted root for keyless identities).
	TrustOptions []trust.Option
	// Now is the decision time.
	Now time.Time
}

// Outcome is the gate's decision and what it was made from.
type Outcome struct {
	// Decision is the enforced decision: the recomputed one with the
	// gate's own reasons ahead of its reasons.
	Decision       *decision.Decision `json:"decision"`
	Release        string             `json:"release,omitempty"`
	ArtifactDigest digest.Digest      `json:"artifactDigest,omitzero"`
	ReviewDigest   digest.Digest      `json:"reviewDigest,omitzero"`
	PolicyDigest   digest.Digest      `json:"policyDigest,omitzero"`
	// Attestation describes the verified attestation, when it verified.
	Attestation *Attestation `json:"attestation,omitempty"`
}

// Passed reports whether the release may be promoted.
func (o *Outcome) Passed() bool { return o.Decision.Verdict == decision.Passed }

type run struct {
	cfg      Config
	problems []decision.Reason
}

func (r *run) fail(check, class string, err error) {
	r.problems = append(r.problems, decision.Reason{Check: check, Class: class, Message: err.Error(), Refs: audit.Refs(class)})
}

// Run makes the gate's decision. It returns an error only when ctx is
// cancelled; every other failure is a reason in a FAILED decision.
func Run(ctx context.Context, cfg Config) (*Outcome, error) {
	r := &run{cfg: cfg}
	out := &Outcome{}
	rs := cfg.Results

	// The checks' results and reports, verified exactly as attest
	// verified them.
	in := pipeline.Verify(cfg.EvidenceDir, rs)
	r.problems = append(r.problems, in.Problems...)
	out.ArtifactDigest = in.ArtifactDigest
	attestVerdict, err := rs.Verdict(ResultAttestVerdict)
	if err != nil {
		r.fail(policy.CheckAttest, pipeline.ClassResult, err)
	}
	attestationDigest, err := rs.Digest(ResultAttestationDigest)
	if err != nil {
		r.fail(policy.CheckAttest, pipeline.ClassResult, err)
	}

	var (
		pol       *policy.ReleasePolicy
		polDigest digest.Digest
	)
	if err := trustroot.Outside(cfg.CandidateDirs, cfg.TrustInputs...); err != nil {
		r.fail("", ClassTrustRoot, err)
		r.cfg.Attestors, r.cfg.TrustOptions = nil, nil
	} else if pol, polDigest, err = policy.LoadPinned(cfg.Policy, cfg.PolicyDigest); err != nil {
		r.fail("", ClassPolicy, err)
	}
	rev, revDigest, err := review.Load(cfg.Review)
	if err != nil {
		r.fail("", ClassReview, err)
	}
	out.PolicyDigest, out.ReviewDigest = polDigest, revDigest
	if rev != nil {
		out.Release = rev.Metadata.Name
	}

	var approvals []decision.Approval
	var approvalErrors []string
	if pol != nil && rev != nil {
		dir := cfg.Approvals
		if dir == "" {
			dir = approval.DefaultDir(cfg.Review)
		}
		approvals, approvalErrors = approval.Verify(ctx, dir, revDigest, pol, cfg.TrustOptions...)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	pred, att := r.attestation(ctx, pol, in.ArtifactDigest, attestationDigest)
	out.Attestation = att
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	var d *decision.Decision
	if pol != nil && rev != nil {
		var attestor signer.Identity
		if att != nil {
			attestor = att.Signer
		}
		d, err = decision.Evaluate(decision.Input{
			ArtifactDigest: in.ArtifactDigest, Reports: in.Reports, Digests: in.Digests,
			Review: rev, ReviewDigest: revDigest, Approvals: approvals, ApprovalErrors: approvalErrors,
			Policy: pol, PolicyDigest: polDigest, Attestor: attestor, Now: cfg.Now,
		})
		if err != nil {
			r.fail("", ClassDecision, fmt.Errorf("decision: %w", err))
		}
	}
	if d == nil {
		d = undecided(in.Verdicts, in.Digests)
	} else if pred != nil {
		r.compare(pred, d, attestVerdict, revDigest, polDigest)
	}
	d.Block(r.problems...)
	// A disagreement with the attestation is a consequence; list it after
	// the causes.
	sort.SliceStable(d.Reasons, func(i, j int) bool {
		return d.Reasons[i].Class != ClassAttestationDisagrees && d.Reasons[j].Class == ClassAttestationDisagrees
	})
	out.Decision = d
	return out, nil
}

// undecided is the decision when the policy or review could not be loaded:
// FAILED, with what the results said about each check.
func undecided(verdicts map[string]evidence.Verdict, digests map[string]digest.Digest) *decision.Decision {
	d := &decision.Decision{Verdict: decision.Failed, Approvals: []decision.Approval{},
		Exceptions: []decision.AppliedException{}, Reasons: []decision.Reason{}, Warnings: []decision.Reason{},
		Controls: audit.Assess(nil)}
	for _, c := range policy.Checks {
		v := verdicts[c]
		if v == "" {
			v = evidence.Error
		}
		d.Checks = append(d.Checks, decision.CheckResult{Check: c, Verdict: v, ReportDigest: digests[c]})
	}
	return d
}
