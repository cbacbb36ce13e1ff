// Package attest is the attest command (tollgate attest, and the root of
// the cmd/attest step binary).
package attest

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/tollgate-dev/tollgate/internal/check"
	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/options"
	"github.com/tollgate-dev/tollgate/internal/options/registry"
	"github.com/tollgate-dev/tollgate/internal/options/signing"
	"github.com/tollgate-dev/tollgate/internal/options/step"
	"github.com/tollgate-dev/tollgate/internal/options/taskresults"
	"github.com/tollgate-dev/tollgate/internal/results"
	pkgattest "github.com/tollgate-dev/tollgate/pkg/attest"
	"github.com/tollgate-dev/tollgate/pkg/decision"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/intoto"
	"github.com/tollgate-dev/tollgate/pkg/oci"
	"github.com/tollgate-dev/tollgate/pkg/pipeline"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/trustroot"
)

// Engines are the --run-engine values.
var Engines = []string{"tekton", "argo", "local"}

// Command is one attest run.
type Command struct {
	// Results are the checks' task results by flag name
	// (pipeline.ResultNames); a missing key is a missing result.
	Results                 pipeline.Results
	Release                 options.Release
	Candidate               step.Candidate
	EvidenceDir, ResultsDir string
	Run                     pkgattest.Run
	// Attach is the OCI artefact of the release, REF@sha256:…, that
	// both bundles are attached to as referrers; empty: none.
	Attach   string
	Registry registry.Options
	Signing  signing.Options
	Clock    cli.Clock
	Out      io.Writer
}

// New returns the attest command.
func New(clock cli.Clock) *cobra.Command {
	c := &Command{Clock: clock}
	var rf taskresults.Options
	cmd := &cobra.Command{
		Use:   "attest",
		Short: "Verify the checks' evidence and the approvals, decide, and sign the verdict",
		Long: `attest reads each check's verdict and report-digest results (the way Tekton and
Argo pass them), verifies every report in --evidence-dir against its digest and
every approval bundle against the policy's approvers, makes the release decision,
and signs two in-toto statements about the artefact root digest:

  release-gate.sigstore.json          predicate https://tollgate.dev/release-gate/v1
  verification-summary.sigstore.json  predicate https://slsa.dev/verification_summary/v1

The results and reports are verified exactly as the gate verifies them: a
missing, empty, unsubstituted or malformed result, a missing or changed report,
too few approvals or an approval from an unknown signer makes the verdict FAILED
with the reason the gate would give; a FAILED verdict is attested too and attest
exits 0 (without a valid --artifact-digest there is nothing to sign about:
verdict=error). Writes attest.json to the evidence dir and the
results verdict (pass|fail|error), report-digest, attestation-digest (sha256 of
release-gate.sigstore.json) and summary.`,
		Example: `  tollgate attest --artifact-digest sha256:… \
    --provenance-verdict pass --provenance-report-digest sha256:… \
    --secret-inventory-verdict pass --secret-inventory-report-digest sha256:… \
    --permission-diff-verdict pass --permission-diff-report-digest sha256:… \
    --review release/review.yaml --policy /workspace/policy/policy.yaml --policy-digest sha256:… \
    --evidence-dir evidence --results-dir results --key release-bot.key \
    --run-engine tekton --run-namespace ci --run-name release-x7k2 --run-uid 5f0c…`,
		Args: cli.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c.Results = rf.Values()
			c.Out = cmd.OutOrStdout()
			return c.Exec(cmd.Context())
		},
	}
	f := cmd.Flags()
	rf.AddFlags(f, pipeline.ResultNames())
	c.Release.AddFlags(f)
	c.Candidate.AddFlags(f)
	f.StringVar(&c.EvidenceDir, "evidence-dir", "", "evidence workspace: the checks' reports; the bundles are written here (required)")
	f.StringVar(&c.ResultsDir, "results-dir", results.TektonDir, "directory for the task results (Tekton: /tekton/results)")
	f.StringVar(&c.Run.Engine, "run-engine", "local", "pipeline engine: tekton, argo or local")
	f.StringVar(&c.Run.Namespace, "run-namespace", "", "namespace of the pipeline run")
	f.StringVar(&c.Run.Name, "run-name", "", "name of the pipeline run (Tekton: $(context.pipelineRun.name))")
	f.StringVar(&c.Run.UID, "run-uid", "", "uid of the pipeline run (Tekton: $(context.pipelineRun.uid))")
	f.StringVar(&c.Attach, "attach", "", "also attach both bundles as referrers to the release's OCI artefact, REF@sha256:… (never a tag)")
	f.StringVar(&c.Attach, "oci", "", "deprecated name of --attach")
	_ = f.MarkDeprecated("oci", "use --attach")
	c.Registry.AddFlags(f)
	c.Signing.AddFlags(f)
	return cmd
}

// Exec decides, signs, writes the bundles, attest.json and the results.
// Results are written through check.Run, as every check writes them: on an
// error, verdict=error.
func (c *Command) Exec(ctx context.Context) error {
	if c.EvidenceDir == "" {
		return cli.Usagef("--evidence-dir is required")
	}
	var out *pkgattest.Output
	env := check.Env{EvidenceDir: c.EvidenceDir, ResultsDir: c.ResultsDir, Stamp: c.Clock.Stamp, Seed: []string{results.AttestationDigest}}
	_, err := check.Run(ctx, env, policy.CheckAttest, func(ctx context.Context) (*evidence.Outcome, error) {
		var err error
		out, err = c.attest(ctx)
		if err != nil {
			return nil, err
		}
		verdict := evidence.Pass
		if out.Predicate.Verdict != decision.Passed {
			verdict = evidence.Fail
		}
		rep := &evidence.Report{Verdict: verdict, Summary: pkgattest.Summary(out.Predicate),
			Inputs: map[string]string{"review": out.Predicate.ReviewDigest.String(), "policy": out.Predicate.PolicyDigest.String()}}
		return &evidence.Outcome{Report: rep, Results: map[string]string{results.AttestationDigest: out.Digest.String()}}, nil
	})
	if err != nil {
		return err
	}
	log := cli.Logger(ctx)
	for _, r := range out.Predicate.Reasons {
		log.Warn("release blocked", zap.String("check", r.Check), zap.String("class", r.Class), zap.String("reason", r.Message))
	}
	log.Info("attested release", zap.String("verdict", string(out.Predicate.Verdict)), zap.Stringer("signer", out.Signer),
		zap.Stringer("attestation-digest", out.Digest), zap.Int("approvals", len(out.Predicate.Approvals)))
	if c.Out != nil {
		_, err = fmt.Fprintln(c.Out, pkgattest.Summary(out.Predicate))
	}
	return err
}

func (c *Command) attest(ctx context.Context) (*pkgattest.Output, error) {
	if !slices.Contains(Engines, c.Run.Engine) {
		return nil, cli.Usagef("--run-engine must be tekton, argo or local, got %q", c.Run.Engine)
	}
	if c.Release.Review == "" || c.Release.Policy == "" {
		return nil, cli.Usagef("--review and --policy are required")
	}
	if c.Release.PolicyDigest.IsZero() {
		return nil, cli.Usagef("--policy-digest is required: the sha256 of the platform-owned policy, fixed by the pipeline owner")
	}
	if err := c.Candidate.Refuse(c.Release.Review, nil, trustroot.Input{Flag: "--policy", Path: c.Release.Policy},
		trustroot.Input{Flag: "--key", Path: c.Signing.Key}, trustroot.Input{Flag: "--key-password-file", Path: c.Signing.PasswordFile},
		trustroot.Input{Flag: "--oidc-token-file", Path: c.Signing.OIDCTokenFile}); err != nil {
		return nil, err
	}
	var subject name.Digest
	if c.Attach != "" {
		var err error
		if subject, err = name.NewDigest(c.Attach, name.StrictValidation); err != nil {
			return nil, cli.Usagef("--attach %q: give the release's OCI artefact by digest, REF@sha256:… (a tag can move after the gate): %v", c.Attach, err)
		}
		if err := c.Registry.Validate(); err != nil {
			return nil, err
		}
	}
	s, err := c.Signing.Signer(ctx)
	if err != nil {
		return nil, err
	}
	var attached *intoto.Subject
	if c.Attach != "" {
		d, err := digest.Parse(subject.DigestStr())
		if err != nil {
			return nil, cli.Usagef("--attach %q: %v", c.Attach, err)
		}
		s := intoto.NewSubject(subject.Context().String(), d)
		attached = &s
	}
	in := pkgattest.Input{
		Attached:    attached,
		Results:     c.Results,
		EvidenceDir: c.EvidenceDir, ReviewPath: c.Release.Review, ApprovalsDir: c.Release.Approvals, PolicyPath: c.Release.Policy, PolicyDigest: c.Release.PolicyDigest,
		ResourceURI: c.Attach, Run: c.Run, Now: c.Clock.Now(), Stamp: c.Clock.Stamp(),
	}
	out, err := pkgattest.Attest(ctx, in, s)
	if err != nil {
		return nil, err
	}
	if c.Attach != "" {
		if err := c.attach(ctx, subject, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// attach pushes both bundles as referrers of subject, within the
// --registry-timeout deadline.
func (c *Command) attach(ctx context.Context, subject name.Digest, out *pkgattest.Output) error {
	ctx, cancel := context.WithTimeout(ctx, c.Registry.Timeout)
	defer cancel()
	log := cli.Logger(ctx)
	for _, b := range []struct {
		bundle []byte
		typ    string
	}{{out.Bundle, pkgattest.PredicateType}, {out.VSABundle, pkgattest.VSAPredicateType}} {
		ref, err := oci.Attach(ctx, subject.String(), b.bundle, b.typ, c.Registry.OCIOptions()...)
		if err != nil {
			return fmt.Errorf("attach to %s: %w", subject, err)
		}
		log.Info("attached bundle", zap.String("subject", subject.String()), zap.String("predicate-type", b.typ), zap.String("referrer", ref.String()))
	}
	return nil
}
