package commands

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/tollgate-dev/tollgate/internal/check"
	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/results"
	"github.com/tollgate-dev/tollgate/pkg/attest"
	"github.com/tollgate-dev/tollgate/pkg/decision"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/oci"
	"github.com/tollgate-dev/tollgate/pkg/policy"
)

// NewAttest returns the attest command (also the cmd/attest step).
func NewAttest() *cobra.Command {
	var (
		sf                                       signerFlags
		artifactDigest, reviewPath, approvalsDir string
		policyPath, evidenceDir, resultsDir      string
		run                                      attest.Run
		ociRef                                   string
		verdicts, digests                        = map[string]*string{}, map[string]*string{}
	)
	cmd := &cobra.Command{
		Use:   "attest",
		Short: "Verify the checks' evidence and the approvals, decide, and sign the verdict",
		Long: `attest reads each check's verdict and report-digest results (the way Tekton and
Argo pass them), verifies every report in --evidence-dir against its digest and
every approval bundle against the policy's approvers, makes the release decision,
and signs two in-toto statements about the artefact root digest:

  release-gate.sigstore.json          predicate https://tollgate.dev/release-gate/v1
  verification-summary.sigstore.json  predicate https://slsa.dev/verification_summary/v1

A missing report, a digest mismatch, too few approvals or an approval from an
unknown signer makes the verdict FAILED with a reason; a FAILED verdict is
attested too and attest exits 0. Results: verdict (pass|fail|error),
attestation-digest (sha256 of release-gate.sigstore.json), summary.`,
		Example: `  tollgate attest --artifact-digest sha256:… \
    --provenance-verdict pass --provenance-report-digest sha256:… \
    --secret-inventory-verdict pass --secret-inventory-report-digest sha256:… \
    --permission-diff-verdict pass --permission-diff-report-digest sha256:… \
    --review release/review.yaml --policy release/policy.yaml \
    --evidence-dir evidence --results-dir results --key release-bot.key \
    --run-engine tekton --run-namespace ci --run-name release-x7k2 --run-uid 5f0c…`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			w := results.NewWriter(resultsDir)
			// Fail-closed results first (see check.Run): the gate blocks on
			// them if attest dies before writing its own.
			_ = w.Set(results.Verdict, string(evidence.Error))
			_ = w.Set(results.AttestationDigest, "")
			_ = w.Set(results.Summary, "attest: error: attest did not finish (it crashed or was stopped before writing its results)")
			if err := w.Flush(); err != nil {
				return err
			}
			fail := func(err error) error {
				_ = w.Set(results.Verdict, string(evidence.Error))
				_ = w.Set(results.Summary, results.OneLine("attest: error: "+err.Error(), results.MaxSummary))
				return errors.Join(err, w.Flush())
			}
			if run.Engine != "tekton" && run.Engine != "argo" && run.Engine != "local" {
				return fail(cli.Usagef("--run-engine must be tekton, argo or local, got %q", run.Engine))
			}
			if reviewPath == "" || policyPath == "" || evidenceDir == "" {
				return fail(cli.Usagef("--review, --policy and --evidence-dir are required"))
			}
			s, err := sf.signer(ctx)
			if err != nil {
				return fail(err)
			}
			in := attest.Input{
				ArtifactDigest: artifactDigest, Checks: map[string]attest.CheckResults{},
				EvidenceDir: evidenceDir, ReviewPath: reviewPath, ApprovalsDir: approvalsDir, PolicyPath: policyPath,
				ResourceURI: ociRef, Run: run, Now: check.Clock()(),
			}
			for _, c := range policy.Checks {
				if *verdicts[c] != "" || *digests[c] != "" {
					in.Checks[c] = attest.CheckResults{Verdict: *verdicts[c], ReportDigest: *digests[c]}
				}
			}
			out, err := attest.Attest(ctx, in, s)
			if err != nil {
				return fail(err)
			}
			if ociRef != "" {
				for _, b := range []struct {
					bundle []byte
					typ    string
				}{{out.Bundle, attest.PredicateType}, {out.VSABundle, attest.VSAPredicateType}} {
					if _, err := oci.Attach(ctx, ociRef, b.bundle, b.typ); err != nil {
						return fail(err)
					}
				}
			}
			verdict := evidence.Pass
			if out.Predicate.Verdict != decision.Passed {
				verdict = evidence.Fail
			}
			for _, kv := range [][2]string{
				{results.Verdict, string(verdict)},
				{results.AttestationDigest, out.Digest},
				{results.Summary, attest.Summary(out.Predicate)},
			} {
				if err := w.Set(kv[0], kv[1]); err != nil {
					return fail(err)
				}
			}
			if err := w.Flush(); err != nil {
				return err
			}
			log := cli.Logger(ctx)
			for _, r := range out.Predicate.Reasons {
				log.Warn("release blocked", zap.String("check", r.Check), zap.String("class", r.Class), zap.String("reason", r.Message))
			}
			log.Info("attested release", zap.String("verdict", string(out.Predicate.Verdict)), zap.String("signer", s.Identity()),
				zap.String("attestation-digest", out.Digest), zap.Int("approvals", len(out.Predicate.Approvals)))
			_, err = fmt.Fprintln(cmd.OutOrStdout(), attest.Summary(out.Predicate))
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&artifactDigest, "artifact-digest", "", "artefact root digest (the provenance artifact-digest result)")
	for _, c := range policy.Checks {
		verdicts[c], digests[c] = new(string), new(string)
		f.StringVar(verdicts[c], c+"-verdict", "", "the "+c+" verdict result")
		f.StringVar(digests[c], c+"-report-digest", "", "the "+c+" report-digest result")
	}
	f.StringVar(&reviewPath, "review", "", "ReleaseReview document (required)")
	f.StringVar(&approvalsDir, "approvals", "", "directory of approval bundles (default <dir of review>/approvals)")
	f.StringVar(&policyPath, "policy", "", "ReleasePolicy document (required)")
	f.StringVar(&evidenceDir, "evidence-dir", "", "evidence workspace: the checks' reports; the bundles are written here (required)")
	f.StringVar(&resultsDir, "results-dir", results.TektonDir, "directory for the task results (Tekton: /tekton/results)")
	f.StringVar(&run.Engine, "run-engine", "local", "pipeline engine: tekton, argo or local")
	f.StringVar(&run.Namespace, "run-namespace", "", "namespace of the pipeline run")
	f.StringVar(&run.Name, "run-name", "", "name of the pipeline run (Tekton: $(context.pipelineRun.name))")
	f.StringVar(&run.UID, "run-uid", "", "uid of the pipeline run (Tekton: $(context.pipelineRun.uid))")
	f.StringVar(&ociRef, "oci", "", "also attach both bundles to this OCI artefact as referrers")
	sf.register(cmd)
	return cmd
}
