// Package gate is the gate command (tollgate gate, and the root of the
// cmd/gate step binary).
package gate

import (
	"context"
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/tollgate-dev/tollgate/internal/check"
	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/options"
	"github.com/tollgate-dev/tollgate/internal/options/step"
	"github.com/tollgate-dev/tollgate/internal/options/taskresults"
	"github.com/tollgate-dev/tollgate/internal/results"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	pkggate "github.com/tollgate-dev/tollgate/pkg/gate"
	"github.com/tollgate-dev/tollgate/pkg/pipeline"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
	"github.com/tollgate-dev/tollgate/pkg/trust"
	"github.com/tollgate-dev/tollgate/pkg/trustroot"
)

// Command is one gate run.
type Command struct {
	// Results are the task results by flag name (pkggate.ResultNames); a
	// missing key is a missing result.
	Results                 pipeline.Results
	Release                 options.Release
	Candidate               step.Candidate
	EvidenceDir, ResultsDir string
	// Attestor names the identity trusted to sign the attestation; none
	// means the policy's spec.attestors.
	Attestor step.TrustedIdentity
	Clock    cli.Clock
	Out      io.Writer
}

// New returns the gate command.
func New(clock cli.Clock) *cobra.Command {
	c := &Command{Clock: clock}
	var rf taskresults.Options
	cmd := &cobra.Command{
		Use:   "gate",
		Short: "Enforce the release decision: re-verify evidence and attestation, fail unless PASSED",
		Long: `gate is the pipeline's last task. It takes every check's results and attest's
results as flags (as Tekton and Argo substitute them), re-reads each evidence
report and checks it against its digest, verifies release-gate.sigstore.json
against the trusted attestor and the provenance artifact-digest, recomputes the
decision from the same reports, review record, approvals and policy, and refuses
any disagreement with what attest signed.

It fails closed: a missing, empty, unsubstituted or unknown result, a changed
report, an attestation that does not verify or disagrees, a check that could not
decide, an invalid policy, an expired or unsigned exception each block with a
message naming it. Exceptions, keys and certificates are judged at the wall
clock; SOURCE_DATE_EPOCH only stamps the reports.

Writes gate.json, gate-summary.md and gate-junit.xml to the evidence dir and the
results verdict and summary. Exits 0 only when PASSED, 1 when blocked.`,
		Example: `  tollgate gate --artifact-digest sha256:... \
    --provenance-verdict pass --provenance-report-digest sha256:... \
    --secret-inventory-verdict pass --secret-inventory-report-digest sha256:... \
    --permission-diff-verdict pass --permission-diff-report-digest sha256:... \
    --attest-verdict pass --attestation-digest sha256:... \
    --review review.yaml --policy /workspace/policy/policy.yaml --policy-digest sha256:... \
    --evidence-dir evidence --key cosign.pub`,
		Args: cli.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c.Results = rf.Values()
			c.Out = cmd.OutOrStdout()
			return c.Exec(cmd.Context())
		},
	}
	f := cmd.Flags()
	rf.AddFlags(f, pkggate.ResultNames())
	c.Release.AddFlags(f)
	c.Candidate.AddFlags(f)
	f.StringVar(&c.EvidenceDir, "evidence-dir", "", "evidence workspace with the reports and release-gate.sigstore.json (required)")
	f.StringVar(&c.ResultsDir, "results-dir", results.TektonDir, "directory for the task results (Tekton: /tekton/results)")
	c.Attestor.AddFlags(f, "the attestation (default: the policy's spec.attestors)")
	for _, name := range []string{"review", "policy", "evidence-dir"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

// Exec makes the gate's decision, writes gate.json, gate-summary.md,
// gate-junit.xml and the results, and returns a blocked error unless the
// release passes.
func (c *Command) Exec(ctx context.Context) error {
	attestors, err := c.Attestor.Identities()
	if err != nil {
		return err
	}
	var opts []trust.Option
	if c.Attestor.TrustedRoot != "" {
		opts = append(opts, trust.WithTrustedRootFile(c.Attestor.TrustedRoot))
	}
	cfg := pkggate.Config{
		Results: c.Results, Review: c.Release.Review, Approvals: c.Release.Approvals, Policy: c.Release.Policy, PolicyDigest: c.Release.PolicyDigest,
		CandidateDirs: c.Candidate.Dirs(c.Release.Review), TrustInputs: append([]trustroot.Input{{Flag: "--policy", Path: c.Release.Policy}}, c.Attestor.Inputs()...),
		EvidenceDir: c.EvidenceDir, Attestors: attestors, TrustOptions: opts, Now: c.Clock.Now(),
	}
	var out *pkggate.Outcome
	env := check.Env{EvidenceDir: c.EvidenceDir, ResultsDir: c.ResultsDir, Stamp: c.Clock.Stamp}
	_, err = check.Run(ctx, env, policy.CheckGate, func(ctx context.Context) (*evidence.Outcome, error) {
		var err error
		if out, err = pkggate.Run(ctx, cfg); err != nil {
			return nil, err
		}
		return writeGate(c.EvidenceDir, out, c.Clock.Stamp())
	})
	if err != nil {
		return err
	}
	if c.Out != nil {
		if err := out.Table(c.Out); err != nil {
			return err
		}
	}
	d := out.Decision
	cli.Logger(ctx).Info("gate decision", zap.String("verdict", string(d.Verdict)), zap.Stringer("artifact", out.ArtifactDigest),
		zap.Int("reasons", len(d.Reasons)), zap.Int("warnings", len(d.Warnings)), zap.Int("exceptions", len(d.Exceptions)))
	if !out.Passed() {
		return cli.Blockedf("release blocked: %s", out.Summary())
	}
	return nil
}

// writeGate writes gate-summary.md and gate-junit.xml and returns the
// report check.Run writes as gate.json.
func writeGate(dir string, out *pkggate.Outcome, stamp time.Time) (*evidence.Outcome, error) {
	junit, err := out.JUnit(stamp)
	if err != nil {
		return nil, err
	}
	if err := safefile.WriteAtomic(filepath.Join(dir, pkggate.SummaryFile), out.Markdown()); err != nil {
		return nil, err
	}
	if err := safefile.WriteAtomic(filepath.Join(dir, pkggate.JUnitFile), junit); err != nil {
		return nil, err
	}
	rep, err := out.Report()
	if err != nil {
		return nil, err
	}
	return &evidence.Outcome{Report: rep}, nil
}
