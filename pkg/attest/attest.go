package attest

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/tollgate-dev/tollgate/pkg/approval"
	"github.com/tollgate-dev/tollgate/pkg/decision"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/intoto"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
	"github.com/tollgate-dev/tollgate/pkg/pipeline"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
	"github.com/tollgate-dev/tollgate/pkg/sign"
	"github.com/tollgate-dev/tollgate/pkg/signer"
	"github.com/tollgate-dev/tollgate/pkg/trust"
	"github.com/tollgate-dev/tollgate/pkg/version"
)

// Input is everything attest reads.
type Input struct {
	// Results are the checks' task results by flag name
	// (pipeline.ResultNames), as the engine passed them: the
	// artifact-digest result (the subject of both statements) and each
	// check's verdict and report digest. A missing key is a missing result.
	Results pipeline.Results
	// EvidenceDir holds the checks' reports; the bundles are written there.
	EvidenceDir string
	// ReviewPath, ApprovalsDir (default approval.DefaultDir) and PolicyPath.
	ReviewPath, ApprovalsDir, PolicyPath string
	// PolicyDigest is the digest the policy at PolicyPath must have (the
	// Pipeline owner's policy-digest); zero or another digest is refused
	// (policy.LoadPinned).
	PolicyDigest digest.Digest
	// ResourceURI names the artefact in the VSA (an OCI reference when the
	// bundles are attached to one); default "urn:tollgate:release:<name>".
	ResourceURI string
	// Attached, when set, is the OCI artefact the bundles are attached to
	// (its repository at its manifest digest): both statements name it as
	// a second subject, so that a bundle copied onto another artefact
	// does not verify for it (tollgate verify --oci REF@sha256:…).
	Attached *intoto.Subject
	Run      Run
	// Now is the decision time: exceptions are judged at it. Stamp is the
	// time written into the predicate (zero means Now).
	Now, Stamp time.Time
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
	Digest            digest.Digest
	// Signer is the signing identity (sign.Signer.Identity).
	Signer signer.Identity
}

// Attest verifies the checks' results and reports with pipeline.Verify
// (the function the gate verifies them with) and the approvals against the
// policy, evaluates the decision with decision.Evaluate, and signs two
// statements about the artefact: the release-gate predicate and an SLSA
// VSA. Inputs that fail verification (a missing or unsubstituted result, a
// missing report, a digest mismatch, a verdict that disagrees with its
// report, an approval that does not verify) make the verdict FAILED with a
// reason; a FAILED verdict is signed too. Attest returns an error only when
// it cannot decide at all (unreadable review record or policy, a policy
// that is not the pinned one, no valid
// artifact digest to sign about, signing failure).
func Attest(ctx context.Context, in Input, s *sign.Signer) (*Output, error) {
	r, reviewDigest, err := review.Load(in.ReviewPath)
	if err != nil {
		return nil, err
	}
	p, policyDigest, err := policy.LoadPinned(in.PolicyPath, in.PolicyDigest)
	if err != nil {
		return nil, err
	}
	inputs := pipeline.Verify(in.EvidenceDir, in.Results)
	artifactDigest := inputs.ArtifactDigest
	if artifactDigest.IsZero() {
		_, err := in.Results.Digest(pipeline.ResultArtifactDigest)
		return nil, invalid.Wrap(fmt.Errorf("%w: attest cannot sign without the artefact digest", err))
	}
	dir := in.ApprovalsDir
	if dir == "" {
		dir = approval.DefaultDir(in.ReviewPath)
	}
	approvals, problems := approval.Verify(ctx, dir, reviewDigest, p, in.Trust...)
	dec, err := decision.Evaluate(decision.Input{
		ArtifactDigest: artifactDigest,
		Reports:        inputs.Reports,
		Digests:        inputs.Digests,
		Review:         r,
		ReviewDigest:   reviewDigest,
		Approvals:      approvals,
		ApprovalErrors: problems,
		Policy:         p,
		PolicyDigest:   policyDigest,
		Attestor:       s.Identity(),
		Now:            in.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("decision: %w", err)
	}
	dec.Block(inputs.Problems...)

	pred := &Predicate{
		Verdict:      dec.Verdict,
		Release:      r.Metadata.Name,
		ReviewDigest: reviewDigest,
		PolicyDigest: policyDigest,
		Checks:       checks(dec),
		Approvals:    nonNil(dec.Approvals),
		Exceptions:   nonNil(dec.Exceptions),
		Reasons:      nonNil(dec.Reasons),
		Warnings:     nonNil(dec.Warnings),
		Controls:     dec.Controls,
		Run:          in.Run,
		Time:         stamp(in).UTC().Truncate(time.Second),
		Tool:         "tollgate " + version.String(),
	}
	var more []intoto.Subject
	if in.Attached != nil {
		more = append(more, *in.Attached)
	}
	st, err := intoto.New(r.Metadata.Name, artifactDigest, PredicateType, pred, more...)
	if err != nil {
		return nil, err
	}
	bundle, err := s.SignStatement(ctx, st)
	if err != nil {
		return nil, err
	}
	vsa, err := intoto.New(r.Metadata.Name, artifactDigest, VSAPredicateType, summary(in, r, p, policyDigest, pred), more...)
	if err != nil {
		return nil, err
	}
	vsaBundle, err := s.SignStatement(ctx, vsa)
	if err != nil {
		return nil, err
	}
	if err := safefile.WriteAtomic(filepath.Join(in.EvidenceDir, BundleFile), bundle); err != nil {
		return nil, err
	}
	if err := safefile.WriteAtomic(filepath.Join(in.EvidenceDir, VSABundleFile), vsaBundle); err != nil {
		return nil, err
	}
	return &Output{Decision: dec, Predicate: pred, Bundle: bundle, VSABundle: vsaBundle, Digest: digest.FromBytes(bundle), Signer: s.Identity()}, nil
}

func stamp(in Input) time.Time {
	if in.Stamp.IsZero() {
		return in.Now
	}
	return in.Stamp
}

// checks lists every required check with the decision's verdict, report
// digest and counts.
func checks(dec *decision.Decision) []Check {
	out := make([]Check, 0, len(dec.Checks))
	for _, cr := range dec.Checks {
		out = append(out, Check{Name: cr.Check, Verdict: string(cr.Verdict), ReportDigest: cr.ReportDigest,
			Findings: cr.Findings, Blocking: cr.Blocking, Waived: cr.Waived})
	}
	return out
}

func summary(in Input, r *review.ReleaseReview, p *policy.ReleasePolicy, policyDigest digest.Digest, pred *Predicate) VSA {
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
		if !c.ReportDigest.IsZero() {
			v.InputAttestations = append(v.InputAttestations, ResourceDescriptor{URI: evidence.FileName(c.Name), Digest: digestMap(c.ReportDigest)})
		}
	}
	return v
}

func digestMap(d digest.Digest) map[string]string {
	return map[string]string{string(d.Algorithm()): d.Hex()}
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
	return evidence.OneLine(s, evidence.MaxSummary)
}
