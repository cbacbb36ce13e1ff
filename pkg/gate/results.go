package gate

import "github.com/tollgate-dev/tollgate/pkg/pipeline"

// attest's results, as the gate's flags spell them (docs/step-contract.md);
// the checks' are pipeline.ResultNames.
const (
	ResultAttestVerdict     = "attest-verdict"
	ResultAttestationDigest = "attestation-digest"
)

// ResultNames lists every result the gate requires, in flag order: the
// checks' (pipeline.ResultNames), then attest's.
func ResultNames() []string {
	return append(pipeline.ResultNames(), ResultAttestVerdict, ResultAttestationDigest)
}
