package commands

import (
	"context"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/tollgate-dev/tollgate/internal/check"
	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/results"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/gate"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/trust"
)

// maxKeyFile bounds a public key file read for --key.
const maxKeyFile = 64 << 10

// NewGate returns the gate command (also the cmd/gate step binary).
func NewGate() *cobra.Command {
	var (
		values                                     = map[string]*string{}
		reviewPath, approvals, policyPath          string
		evidenceDir, resultsDir                    string
		key, certIdentity, certIssuer, trustedRoot string
	)
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
message naming it. Exceptions are judged at the later of the wall clock and
SOURCE_DATE_EPOCH, so a reproducible-build epoch cannot revive an expired one.

Writes gate.json, gate-summary.md and gate-junit.xml to the evidence dir and the
results verdict and summary. Exits 0 only when PASSED, 1 when blocked.`,
		Example: `  tollgate gate --artifact-digest sha256:... \
    --provenance-verdict pass --provenance-report-digest sha256:... \
    --secret-inventory-verdict pass --secret-inventory-report-digest sha256:... \
    --permission-diff-verdict pass --permission-diff-report-digest sha256:... \
    --attest-verdict pass --attestation-digest sha256:... \
    --review review.yaml --policy policy.yaml --evidence-dir evidence --key cosign.pub`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			attestors, opts, err := attestorFlags(key, certIdentity, certIssuer, trustedRoot)
			if err != nil {
				return err
			}
			rs := map[string]string{}
			for name, v := range values {
				if cmd.Flags().Changed(name) {
					rs[name] = *v
				}
			}
			cfg := gate.Config{
				Results: rs, Review: reviewPath, Approvals: approvals, Policy: policyPath,
				EvidenceDir: evidenceDir, Attestors: attestors, TrustOptions: opts,
			}
			var out *gate.Outcome
			now := check.Clock()
			_, err = check.Run(ctx, check.Env{EvidenceDir: evidenceDir, ResultsDir: resultsDir, Now: now}, policy.CheckGate,
				func(ctx context.Context) (*check.Outcome, error) {
					stamp := now()
					cfg.Now = gate.DecisionTime(stamp)
					out, err = gate.Run(ctx, cfg)
					if err != nil {
						return nil, err
					}
					return writeGate(evidenceDir, out, stamp)
				})
			if err != nil {
				return err
			}
			if err := out.Table(cmd.OutOrStdout()); err != nil {
				return err
			}
			d := out.Decision
			cli.Logger(ctx).Info("gate decision", zap.String("verdict", string(d.Verdict)), zap.String("artifact", out.ArtifactDigest),
				zap.Int("reasons", len(d.Reasons)), zap.Int("warnings", len(d.Warnings)), zap.Int("exceptions", len(d.Exceptions)))
			if !out.Passed() {
				return cli.Blockedf("release blocked: %s", out.Summary())
			}
			return nil
		},
	}
	f := cmd.Flags()
	for _, name := range gate.ResultNames() {
		values[name] = f.String(name, "", "task result "+name+" (pass $(tasks.x.results.y) or {{tasks.x.outputs.parameters.y}})")
	}
	f.StringVar(&reviewPath, "review", "", "ReleaseReview document (required)")
	f.StringVar(&approvals, "approvals", "", "directory of approval bundles (default: <dir of --review>/approvals)")
	f.StringVar(&policyPath, "policy", "", "ReleasePolicy document (required)")
	f.StringVar(&evidenceDir, "evidence-dir", "", "evidence workspace with the reports and release-gate.sigstore.json (required)")
	f.StringVar(&resultsDir, "results-dir", results.TektonDir, "directory for the task results (Tekton: /tekton/results)")
	f.StringVar(&key, "key", "", "public key (PEM) that signs the attestation; default: the policy's spec.attestors")
	f.StringVar(&certIdentity, "certificate-identity", "", "keyless attestor: certificate subject (SAN)")
	f.StringVar(&certIssuer, "certificate-oidc-issuer", "", "keyless attestor: OIDC issuer")
	f.StringVar(&trustedRoot, "trusted-root", "", "Sigstore trusted_root.json for keyless identities (default: public-good)")
	for _, name := range []string{"review", "policy", "evidence-dir"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

// attestorFlags turns --key or --certificate-identity/--certificate-oidc-issuer
// into the identities trusted to sign the attestation (nil: the policy's).
func attestorFlags(key, identity, issuer, trustedRoot string) ([]policy.Identity, []trust.Option, error) {
	var opts []trust.Option
	if trustedRoot != "" {
		opts = append(opts, trust.WithTrustedRootFile(trustedRoot))
	}
	switch {
	case key != "" && (identity != "" || issuer != ""):
		return nil, nil, cli.Usagef("pass either --key or --certificate-identity with --certificate-oidc-issuer, not both")
	case key != "":
		b, err := evidence.ReadBounded(key, maxKeyFile)
		if err != nil {
			return nil, nil, cli.WithCode(cli.ExitInvalidInput, err)
		}
		return []policy.Identity{{Name: "--key " + filepath.Base(key), PublicKey: string(b)}}, opts, nil
	case identity != "" || issuer != "":
		if identity == "" || issuer == "" {
			return nil, nil, cli.Usagef("--certificate-identity and --certificate-oidc-issuer go together")
		}
		return []policy.Identity{{Name: identity, Keyless: &policy.Keyless{Subject: identity, Issuer: issuer, TrustedRoot: trustedRoot}}}, opts, nil
	}
	return nil, opts, nil
}

// writeGate writes gate-summary.md and gate-junit.xml and returns the
// report check.Run writes as gate.json.
func writeGate(dir string, out *gate.Outcome, now time.Time) (*check.Outcome, error) {
	junit, err := out.JUnit(now)
	if err != nil {
		return nil, err
	}
	if err := evidence.WriteFileAtomic(filepath.Join(dir, gate.SummaryFile), out.Markdown()); err != nil {
		return nil, err
	}
	if err := evidence.WriteFileAtomic(filepath.Join(dir, gate.JUnitFile), junit); err != nil {
		return nil, err
	}
	rep, err := out.Report()
	if err != nil {
		return nil, err
	}
	return &check.Outcome{Report: rep}, nil
}
