// Package provenance is the provenance check command (tollgate provenance,
// and the root of the cmd/provenance step binary).
package provenance

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/tollgate-dev/tollgate/internal/check"
	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/options"
	"github.com/tollgate-dev/tollgate/internal/options/step"
	"github.com/tollgate-dev/tollgate/internal/results"
	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	pkgprovenance "github.com/tollgate-dev/tollgate/pkg/provenance"
	"github.com/tollgate-dev/tollgate/pkg/redact"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/trust"
)

// Command is one provenance run.
type Command struct {
	Step        step.Step
	Signer      step.TrustedIdentity
	Manifest    options.Manifest
	Signatures  []string
	Ignore      []string
	ArtifactURI string
	// ModelSignature is the root-relative model-signing bundle used when
	// the policy names model signers and no --signature is given.
	ModelSignature string
	// RegistryTimeout bounds each image tag resolution.
	RegistryTimeout time.Duration
	Clock           cli.Clock
	// Out receives the summary; Progress the hashing progress bar (shown
	// only on a terminal).
	Out, Progress io.Writer
}

// New returns the provenance command.
func New(clock cli.Clock) *cobra.Command {
	c := &Command{Clock: clock}
	cmd := &cobra.Command{
		Use:   "provenance --artifact DIR --review FILE [--policy FILE] [--signature FILE]... --evidence-dir DIR --results-dir DIR",
		Short: "Check that the artefact is exactly what was reviewed and that upstream signatures verify",
		Long: `provenance compares the artefact with the review record both ways: files added,
removed or modified (both digests), the root digest, the model identity, pinned
configuration (prompts, tool and agent config, deploy manifests, lock files, with
the packages each lock file adds, removes or changes) and container images, which
are resolved to digests in their registry (a tag that cannot be resolved blocks).

Each --signature is a Sigstore bundle: an OpenSSF model-signing model.sig, whose
signed file list must equal the artefact's exactly, or any other bundle (cosign
sign-blob / attest-blob, SLSA provenance) about the artefact root or one of its
files. Signers come from the policy's spec.modelSigners, or for a one-off check
from --key, --certificate-chain or --certificate-identity with
--certificate-oidc-issuer [--trusted-root]. Without --review only the signatures
are checked.

Writes the evidence report and the results verdict, report-digest, summary,
artifact-digest and model-version, plus the Tekton Chains type hints
release_ARTIFACT_INPUTS, a Tekton Chains input type hint ({"uri", "digest"}).

--manifest takes the per-file digests from a manifest written by 'tollgate hash
--format json' (single pass or merged from parts, in the same run) instead of
hashing the tree: the tree's file names and sizes must match it exactly, and a
manifest of another serialization than the review's (or a signature's) is not
used for that comparison. Files provenance reads for other reasons (pinned
configuration, lock files, deploy manifests, config.json) are still digested
from the bytes it reads. Exits 0 on
pass and fail; non-zero only when it cannot decide, after writing verdict=error.`,
		Example: `  tollgate provenance --artifact ./release --review review.yaml --policy policy.yaml \
    --evidence-dir evidence --results-dir results
  tollgate provenance --artifact ./model --signature ./model/model.sig \
    --key signing-key-pub.pem --ignore ignore-me --evidence-dir evidence --results-dir results`,
		Args: cli.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c.Out, c.Progress = cmd.OutOrStdout(), cmd.ErrOrStderr()
			return c.Exec(cmd.Context())
		},
	}
	f := cmd.Flags()
	c.Step.AddFlags(f)
	c.Signer.AddFlags(f, "--signature")
	c.Manifest.AddFlags(f)
	f.StringArrayVar(&c.Signatures, "signature", nil, "Sigstore bundle to verify (repeatable): model-signing model.sig, cosign or SLSA bundle")
	f.StringArrayVar(&c.Ignore, "ignore", nil, "root-relative path the signer left out (repeatable), as model-signing's --ignore-paths")
	f.StringVar(&c.ArtifactURI, "artifact-uri", "", "uri of the artefact in the Tekton Chains input type hint release_ARTIFACT_INPUTS (default: the review's release name)")
	f.StringVar(&c.ModelSignature, "model-signature", pkgprovenance.DefaultModelSignature, "when the policy names model signers and no --signature is given: the model-signing bundle, relative to --artifact; missing blocks")
	f.DurationVar(&c.RegistryTimeout, "registry-timeout", pkgprovenance.DefaultResolveTimeout, "deadline for resolving one image tag in its registry; a registry that does not answer in time leaves the image unresolved, which blocks")
	_ = cmd.MarkFlagRequired("evidence-dir")
	return cmd
}

// Exec runs the check and writes its report and results.
func (c *Command) Exec(ctx context.Context) error {
	if err := c.Step.Require("evidence-dir"); err != nil {
		return err
	}
	env := c.Step.Env(c.Clock)
	env.Seed = []string{results.ArtifactDigest}
	rep, err := check.Run(ctx, env, policy.CheckProvenance, c.run)
	if rep != nil && c.Out != nil {
		cli.Logger(ctx).Info("provenance", zap.String("verdict", string(rep.Verdict)), zap.Int("findings", len(rep.Findings)))
		fmt.Fprintln(c.Out, rep.Summary)
		for _, fd := range rep.Findings {
			if fd.Blocking {
				fmt.Fprintln(c.Out, "  "+redact.Escape(fd.Message))
			}
		}
	}
	return err
}

func (c *Command) run(ctx context.Context) (*evidence.Outcome, error) {
	s := c.Step
	if err := s.Require("artifact"); err != nil {
		return nil, err
	}
	if s.Review == "" && len(c.Signatures) == 0 {
		return nil, cli.Usagef("--review is required (or --signature, to verify signatures alone)")
	}
	if err := s.RefuseTrustInputs(c.Signer.Inputs()...); err != nil {
		return nil, err
	}
	signers, err := c.Signer.Identities()
	if err != nil {
		return nil, err
	}
	topts := []trust.Option{trust.WithNow(c.Clock.Now)}
	if c.Signer.TrustedRoot != "" {
		topts = append(topts, trust.WithTrustedRootFile(c.Signer.TrustedRoot))
	}
	cfg := pkgprovenance.Config{
		Artifact: s.Artifact, ArtifactURI: c.ArtifactURI, Signatures: c.Signatures, Signers: signers, Ignore: c.Ignore,
		Inputs:         map[string]string{"artifact": s.Artifact},
		TrustOptions:   topts,
		Resolver:       pkgprovenance.Registry{Timeout: c.RegistryTimeout},
		ModelSignature: c.ModelSignature,
	}
	if s.Review != "" {
		r, d, err := review.Load(s.Review)
		if err != nil {
			return nil, err
		}
		cfg.Review, cfg.Inputs["review"] = r, d.String()
	}
	if s.Policy != "" {
		p, d, err := policy.Load(s.Policy)
		if err != nil {
			return nil, err
		}
		cfg.Policy, cfg.PolicyDir, cfg.Inputs["policy"] = p, filepath.Dir(s.Policy), d.String()
	}
	if p := cli.NewProgress(c.Progress, "hashing"); p != nil {
		cfg.HashOptions = append(cfg.HashOptions, artifact.WithProgress(p))
	}
	m, d, err := c.Manifest.Load()
	if err != nil {
		return nil, err
	}
	if m != nil {
		cfg.HashOptions, cfg.Inputs["manifest"] = append(cfg.HashOptions, artifact.WithManifest(m)), d.String()
	}
	return pkgprovenance.Run(ctx, cfg)
}
