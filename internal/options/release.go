package options

import (
	"github.com/spf13/pflag"

	"github.com/tollgate-dev/tollgate/pkg/digest"
)

// Release is the flag group attest and gate share: the reviewed release
// (its review record and approvals) and the platform-owned policy it is
// judged under, pinned by digest.
type Release struct {
	Review, Approvals string
	Policy            string
	PolicyDigest      digest.Digest
}

// AddFlags adds --review, --approvals, --policy and --policy-digest.
func (o *Release) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Review, "review", "", "ReleaseReview document (required)")
	fs.StringVar(&o.Approvals, "approvals", "", "directory of approval bundles (default: <dir of --review>/approvals)")
	fs.StringVar(&o.Policy, "policy", "", "ReleasePolicy document, from the platform-owned policy workspace, never the candidate (required)")
	DigestVar(fs, &o.PolicyDigest, "policy-digest", "sha256:<hex> the --policy file must have, fixed by the pipeline owner (required; a missing or other digest blocks)")
}
