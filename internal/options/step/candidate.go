package step

import (
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/tollgate-dev/tollgate/pkg/trustroot"
)

// Candidate is the flag group naming the release candidate's directory
// (the source workspace: artefact, review record, approvals). The policy
// and every key or trusted root that verifies the release must come from
// elsewhere (the platform-owned policy workspace); a command refuses one
// that resolves inside the candidate (package trustroot).
type Candidate struct {
	// Source is the candidate's directory; empty means the directory of
	// the review record.
	Source string
}

// AddFlags adds --source.
func (o *Candidate) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Source, "source", "", "the release candidate's directory (the source workspace); a policy, key or trusted root inside it is refused (default: the directory of --review)")
}

// Dirs are the candidate's directories: --source (or the directory of
// review, when given) and each extra directory (the artefact).
func (o *Candidate) Dirs(review string, extra ...string) []string {
	dirs := append([]string{}, extra...)
	switch {
	case o.Source != "":
		dirs = append(dirs, o.Source)
	case review != "":
		dirs = append(dirs, filepath.Dir(review))
	}
	return dirs
}

// Refuse returns an invalid-input error for the first trust input inside
// the candidate's directories (Dirs).
func (o *Candidate) Refuse(review string, extra []string, inputs ...trustroot.Input) error {
	return trustroot.Outside(o.Dirs(review, extra...), inputs...)
}

// Inputs are the trust inputs the identity flags name: --key,
// --certificate-chain and --trusted-root.
func (o *TrustedIdentity) Inputs() []trustroot.Input {
	return []trustroot.Input{{Flag: "--key", Path: o.Key}, {Flag: "--certificate-chain", Path: o.CertificateChain}, {Flag: "--trusted-root", Path: o.TrustedRoot}}
}
