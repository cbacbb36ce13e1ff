package commands

import (
	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/check"
	"github.com/tollgate-dev/tollgate/internal/results"
)

// stepFlags are the flags every check task takes (DESIGN.md, "Results
// contract"): where the artefact, review record and policy are, and where
// the evidence report and results go.
type stepFlags struct {
	artifact    string
	review      string
	policy      string
	evidenceDir string
	resultsDir  string
}

func (f *stepFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.artifact, "artifact", "", "artefact root directory (required)")
	cmd.Flags().StringVar(&f.review, "review", "", "ReleaseReview document the artefact is compared with (required)")
	cmd.Flags().StringVar(&f.policy, "policy", "", "ReleasePolicy document (optional; built-in rules otherwise)")
	cmd.Flags().StringVar(&f.evidenceDir, "evidence-dir", "", "directory for the evidence report (required)")
	cmd.Flags().StringVar(&f.resultsDir, "results-dir", results.TektonDir, "directory for the task results (Tekton: /tekton/results)")
	_ = cmd.MarkFlagRequired("evidence-dir")
}

func (f *stepFlags) env() check.Env {
	return check.Env{EvidenceDir: f.evidenceDir, ResultsDir: f.resultsDir}
}
