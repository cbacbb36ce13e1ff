package attest

import (
	"time"

	"github.com/tollgate-dev/tollgate/pkg/audit"
	"github.com/tollgate-dev/tollgate/pkg/decision"
	"github.com/tollgate-dev/tollgate/pkg/digest"
)

// Predicate types and file names.
const (
	PredicateType    = "https://tollgate.dev/release-gate/v1"
	VSAPredicateType = "https://slsa.dev/verification_summary/v1"

	// BundleFile and VSABundleFile are the bundles' names in the evidence
	// workspace. The attestation-digest result is the sha256 of BundleFile.
	BundleFile    = "release-gate.sigstore.json"
	VSABundleFile = "verification-summary.sigstore.json"
)

// Run identifies the pipeline run that made the decision.
type Run struct {
	Engine    string `json:"engine"` // tekton, argo or local
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
	UID       string `json:"uid,omitempty"`
}

// Check is one check's outcome as attested.
type Check struct {
	Name    string `json:"name"`
	Verdict string `json:"verdict"`
	// ReportDigest is the verified report's digest; "" when the pipeline
	// passed none that is valid.
	ReportDigest digest.Digest `json:"reportDigest"`
	Findings     int           `json:"findings"`
	Blocking     int           `json:"blocking"`
	Waived       int           `json:"waived"`
}

// Predicate is the https://tollgate.dev/release-gate/v1 predicate.
type Predicate struct {
	Verdict      decision.Verdict            `json:"verdict"`
	Release      string                      `json:"release"`
	ReviewDigest digest.Digest               `json:"reviewDigest"`
	PolicyDigest digest.Digest               `json:"policyDigest"`
	Checks       []Check                     `json:"checks"`
	Approvals    []decision.Approval         `json:"approvals"`
	Exceptions   []decision.AppliedException `json:"exceptions"`
	Reasons      []decision.Reason           `json:"reasons"`
	Warnings     []decision.Reason           `json:"warnings"`
	// Controls is the decision's audit-control status (package audit).
	Controls []audit.Assessment `json:"controls,omitempty"`
	Run      Run                `json:"run"`
	Time     time.Time          `json:"time"`
	Tool     string             `json:"tool"`
}
