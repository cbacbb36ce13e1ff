package step

import (
	"github.com/spf13/pflag"

	"github.com/tollgate-dev/tollgate/internal/check"
	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/results"
	"github.com/tollgate-dev/tollgate/pkg/trustroot"
)

// Step is the input and output flag group of a check task (docs/design.md,
// "Results contract"): the artefact, review record and policy it reads,
// and where its evidence report and results go.
type Step struct {
	Candidate   Candidate
	Artifact    string
	Review      string
	Policy      string
	EvidenceDir string
	ResultsDir  string
}

// AddFlags adds --artifact, --review, --policy, --evidence-dir and
// --results-dir.
func (o *Step) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Artifact, "artifact", "", "artefact root directory (required)")
	o.Candidate.AddFlags(fs)
	fs.StringVar(&o.Review, "review", "", "ReleaseReview document the artefact is compared with (required)")
	fs.StringVar(&o.Policy, "policy", "", "ReleasePolicy document (optional; built-in rules otherwise)")
	fs.StringVar(&o.EvidenceDir, "evidence-dir", "", "directory for the evidence report (required)")
	fs.StringVar(&o.ResultsDir, "results-dir", results.TektonDir, "directory for the task results (Tekton: /tekton/results)")
}

// Require returns a usage error naming the first of --artifact, --review
// and --evidence-dir that is empty, in the order given.
func (o *Step) Require(names ...string) error {
	values := map[string]string{"artifact": o.Artifact, "review": o.Review, "policy": o.Policy, "evidence-dir": o.EvidenceDir}
	for _, n := range names {
		if values[n] == "" {
			return cli.Usagef("--%s is required", n)
		}
	}
	return nil
}

// RefuseTrustInputs returns an invalid-input error when --policy or one of
// inputs (keys, trusted roots) resolves inside the candidate: --source (or
// the directory of --review) or --artifact.
func (o *Step) RefuseTrustInputs(inputs ...trustroot.Input) error {
	inputs = append([]trustroot.Input{{Flag: "--policy", Path: o.Policy}}, inputs...)
	var extra []string
	if o.Artifact != "" {
		extra = append(extra, o.Artifact)
	}
	return o.Candidate.Refuse(o.Review, extra, inputs...)
}

// Env is where the check writes (report, SARIF log, results), stamped by
// clock.
func (o *Step) Env(clock cli.Clock) check.Env {
	return check.Env{EvidenceDir: o.EvidenceDir, ResultsDir: o.ResultsDir, Stamp: clock.Stamp, SARIF: true}
}
