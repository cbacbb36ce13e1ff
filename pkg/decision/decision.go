package decision

import (
	"time"

	"github.com/tollgate-dev/tollgate/pkg/audit"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/signer"
)

// Verdict is the release verdict, spelled as SLSA VSA's verificationResult.
type Verdict string

const (
	// Passed means the release may be promoted.
	Passed Verdict = "PASSED"
	// Failed means the release is blocked.
	Failed Verdict = "FAILED"
)

// Approval is a verified approval of the review record.
type Approval struct {
	// Identity is the policy identity name that matched.
	Identity string `json:"identity"`
	// Signer is the key or certificate that signed it (package signer).
	Signer signer.Identity `json:"signer"`
	// ReviewDigest is the digest of the review record it approves.
	ReviewDigest digest.Digest `json:"reviewDigest"`
	// PolicyDigest is the policy it was given under; it counts only when
	// that is the policy in force (Input.PolicyDigest).
	PolicyDigest digest.Digest `json:"policyDigest,omitzero"`
	// ChangesDigest is the digest of the changes document the approver
	// saw (review-changes.md), when the approval records one.
	ChangesDigest digest.Digest `json:"changesDigest,omitzero"`
	// SignedAt is the verified signing time, if any.
	SignedAt *time.Time `json:"signedAt,omitempty"`
}

// Input is everything a decision is made from. Reports must already be
// verified against the digests in Digests.
type Input struct {
	// ArtifactDigest is the provenance artifact-digest result; the zero
	// Digest (missing or malformed) blocks.
	ArtifactDigest digest.Digest
	// Reports by check name (policy.Checks); a missing report is an error.
	Reports map[string]*evidence.Report
	// Digests are the report-digest results by check name; a missing or
	// zero one blocks.
	Digests map[string]digest.Digest
	// Review and its digest; Approvals are verified approvals of it.
	Review       *review.ReleaseReview
	ReviewDigest digest.Digest
	Approvals    []Approval
	// Approval problems found while verifying (bad signature, unknown
	// signer); each becomes a reason.
	ApprovalErrors []string
	// Policy and its digest.
	Policy       *policy.ReleasePolicy
	PolicyDigest digest.Digest
	// Attestor is the identity that signs the attestation, for separation
	// of duties: trust.Result.Signer of the attestation bundle (or, before
	// signing, sign.Signer.Identity). An approval whose Signer equals it,
	// or whose policy identity name is its string form, does not count.
	// The zero Identity (unknown) fails a policy that requires separation
	// of duties.
	Attestor signer.Identity
	// Now is the decision time (exception expiry is judged against it).
	Now time.Time
}

// CheckResult is the decision for one check.
type CheckResult struct {
	Check        string           `json:"check"`
	Verdict      evidence.Verdict `json:"verdict"`
	ReportDigest digest.Digest    `json:"reportDigest"`
	Findings     int              `json:"findings"`
	Blocking     int              `json:"blocking"`
	Warnings     int              `json:"warnings"`
	Waived       int              `json:"waived"`
	// Exceptions are the IDs of the exceptions that waived its findings.
	Exceptions []string `json:"exceptions,omitempty"`
}

// AppliedException is an exception that waived at least one finding.
type AppliedException struct {
	ID           string    `json:"id"`
	Check        string    `json:"check,omitempty"`
	Fingerprints []string  `json:"fingerprints"`
	Reason       string    `json:"reason"`
	Owner        string    `json:"owner"`
	Approver     string    `json:"approver"`
	Expires      time.Time `json:"expires"`
}

// Reason is one cause of a FAILED verdict or one warning, with the audit
// controls it maps to.
type Reason struct {
	Check   string   `json:"check,omitempty"`
	Class   string   `json:"class,omitempty"`
	Message string   `json:"message"`
	Refs    []string `json:"refs,omitempty"`
	// Section is the section of the changes document (review-changes.md)
	// the finding concerns, "" when none does (see package sections).
	Section string `json:"section,omitempty"`
}

// Decision is the release decision.
type Decision struct {
	Verdict    Verdict            `json:"verdict"`
	Checks     []CheckResult      `json:"checks"`
	Approvals  []Approval         `json:"approvals"`
	Exceptions []AppliedException `json:"exceptions"`
	Reasons    []Reason           `json:"reasons"`
	Warnings   []Reason           `json:"warnings"`
	// Controls is the status of every audit control at decision time
	// (package audit); it is derived from the fields above.
	Controls []audit.Assessment `json:"controls"`
}
