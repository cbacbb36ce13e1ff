package attest

import "time"

// ResourceDescriptor is an in-toto v1 resource descriptor (the subset VSA
// uses).
type ResourceDescriptor struct {
	URI    string            `json:"uri,omitempty"`
	Digest map[string]string `json:"digest,omitempty"`
}

// Verifier names the tool that made a verification.
type Verifier struct {
	ID      string            `json:"id"`
	Version map[string]string `json:"version,omitempty"`
}

// VSA is the SLSA Verification Summary v1 predicate.
type VSA struct {
	Verifier           Verifier             `json:"verifier"`
	TimeVerified       time.Time            `json:"timeVerified"`
	ResourceURI        string               `json:"resourceUri"`
	Policy             ResourceDescriptor   `json:"policy"`
	InputAttestations  []ResourceDescriptor `json:"inputAttestations,omitempty"`
	VerificationResult string               `json:"verificationResult"`
	VerifiedLevels     []string             `json:"verifiedLevels"`
	SlsaVersion        string               `json:"slsaVersion,omitempty"`
}

// VerifierID identifies tollgate's attest step as a VSA verifier, and
// VerifiedLevel is the level a PASSED release gate reports.
const (
	VerifierID    = "https://tollgate.dev/attest"
	VerifiedLevel = "TOLLGATE_RELEASE_GATE_V1"
)
