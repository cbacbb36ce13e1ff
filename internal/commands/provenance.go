package commands

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/tollgate-dev/tollgate/internal/check"
	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/results"
	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/document"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/provenance"
	"github.com/tollgate-dev/tollgate/pkg/review"
)

// sigVerifyFlags are the one-off trusted-signer flags of --signature, named
// as cosign and model-signing name them.
type sigVerifyFlags struct {
	key, chain                  string
	identity, identityRegexp    string
	issuer, issuerRegexp, troot string
}

func (s *sigVerifyFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&s.key, "key", "", "PEM public key (or certificate) file that signed --signature")
	f.StringVar(&s.chain, "certificate-chain", "", "PEM certificate chain file (private CA; root last or self-signed) for --signature")
	f.StringVar(&s.identity, "certificate-identity", "", "keyless signer subject (email or URI) for --signature")
	f.StringVar(&s.identityRegexp, "certificate-identity-regexp", "", "keyless signer subject, as an anchored regular expression")
	f.StringVar(&s.issuer, "certificate-oidc-issuer", "", "keyless signer OIDC issuer")
	f.StringVar(&s.issuerRegexp, "certificate-oidc-issuer-regexp", "", "keyless signer OIDC issuer, as an anchored regular expression")
	f.StringVar(&s.troot, "trusted-root", "", "Sigstore trusted_root.json for keyless signers (default: the public-good root)")
}

// identities returns the one-off signer the flags name, or none.
func (s *sigVerifyFlags) identities() ([]policy.Identity, error) {
	var ids []policy.Identity
	if s.key != "" {
		b, err := evidence.ReadBounded(s.key, 1<<20)
		if err != nil {
			return nil, cli.WithCode(cli.ExitInvalidInput, fmt.Errorf("--key: %w", err))
		}
		ids = append(ids, policy.Identity{Name: "key " + filepath.Base(s.key), PublicKey: string(b)})
	}
	if s.chain != "" {
		b, err := evidence.ReadBounded(s.chain, 1<<20)
		if err != nil {
			return nil, cli.WithCode(cli.ExitInvalidInput, fmt.Errorf("--certificate-chain: %w", err))
		}
		ids = append(ids, policy.Identity{Name: "chain " + filepath.Base(s.chain), CertificateChain: string(b)})
	}
	if s.identity != "" || s.identityRegexp != "" || s.issuer != "" || s.issuerRegexp != "" {
		id := policy.Identity{Name: "keyless " + s.identity + s.identityRegexp, Keyless: &policy.Keyless{
			Subject: s.identity, SubjectRegExp: s.identityRegexp, Issuer: s.issuer, IssuerRegExp: s.issuerRegexp, TrustedRoot: s.troot,
		}}
		if err := id.Validate(); err != nil {
			return nil, cli.Usagef("--certificate-identity(-regexp) and --certificate-oidc-issuer(-regexp) are both needed: %v", err)
		}
		ids = append(ids, id)
	} else if s.troot != "" {
		return nil, cli.Usagef("--trusted-root needs --certificate-identity and --certificate-oidc-issuer")
	}
	if len(ids) > 1 {
		return nil, cli.Usagef("give one of --key, --certificate-chain, --certificate-identity")
	}
	return ids, nil
}

// NewProvenance returns the provenance check (also the cmd/provenance step
// binary).
func NewProvenance() *cobra.Command {
	var (
		f           stepFlags
		sf          sigVerifyFlags
		signatures  []string
		ignore      []string
		artifactURI string
	)
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
ARTIFACT_URI and ARTIFACT_DIGEST so Chains can sign the artefact too. Exits 0 on pass and fail; non-zero only when
it cannot decide, after writing verdict=error.`,
		Example: `  tollgate provenance --artifact ./release --review review.yaml --policy policy.yaml \
    --evidence-dir evidence --results-dir results
  tollgate provenance --artifact ./model --signature ./model/model.sig \
    --key signing-key-pub.pem --ignore ignore-me --evidence-dir evidence --results-dir results`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			env := f.env()
			env.Seed = []string{results.ArtifactDigest}
			rep, err := check.Run(ctx, env, policy.CheckProvenance, func(ctx context.Context) (*check.Outcome, error) {
				if f.artifact == "" {
					return nil, cli.Usagef("--artifact is required")
				}
				if f.review == "" && len(signatures) == 0 {
					return nil, cli.Usagef("--review is required (or --signature, to verify signatures alone)")
				}
				signers, err := sf.identities()
				if err != nil {
					return nil, err
				}
				cfg := provenance.Config{
					Artifact: f.artifact, ArtifactURI: artifactURI, Signatures: signatures, Signers: signers, Ignore: ignore,
					Inputs: map[string]string{"artifact": f.artifact},
				}
				if f.review != "" {
					r, d, err := review.Load(f.review)
					if err != nil {
						return nil, provenanceInputError(err)
					}
					cfg.Review, cfg.Inputs["review"] = r, d
				}
				if f.policy != "" {
					p, d, err := policy.Load(f.policy)
					if err != nil {
						return nil, provenanceInputError(err)
					}
					cfg.Policy, cfg.PolicyDir, cfg.Inputs["policy"] = p, filepath.Dir(f.policy), d
				}
				if p := cli.NewProgress(cmd.ErrOrStderr(), "hashing"); p != nil {
					cfg.HashOptions = append(cfg.HashOptions, artifact.WithProgress(p))
				}
				out, err := provenance.Run(ctx, cfg)
				if errors.Is(err, provenance.ErrUnsupported) || errors.Is(err, os.ErrNotExist) {
					err = cli.WithCode(cli.ExitInvalidInput, err)
				}
				return out, err
			})
			if rep != nil {
				cli.Logger(ctx).Info("provenance", zap.String("verdict", string(rep.Verdict)), zap.Int("findings", len(rep.Findings)))
				fmt.Fprintln(cmd.OutOrStdout(), rep.Summary)
				for _, fd := range rep.Findings {
					if fd.Blocking {
						fmt.Fprintln(cmd.OutOrStdout(), "  "+fd.Message)
					}
				}
			}
			return err
		},
	}
	f.register(cmd)
	sf.register(cmd)
	cmd.Flags().StringArrayVar(&signatures, "signature", nil, "Sigstore bundle to verify (repeatable): model-signing model.sig, cosign or SLSA bundle")
	cmd.Flags().StringArrayVar(&ignore, "ignore", nil, "root-relative path the signer left out (repeatable), as model-signing's --ignore-paths")
	cmd.Flags().StringVar(&artifactURI, "artifact-uri", "", "name of the artefact in the Tekton Chains type hint ARTIFACT_URI (default: the review's release name)")
	return cmd
}

func provenanceInputError(err error) error {
	if errors.Is(err, document.ErrInvalid) || errors.Is(err, os.ErrNotExist) {
		return cli.WithCode(cli.ExitInvalidInput, err)
	}
	return err
}

// provenanceSnapshotter fills the review's provenance section: pinned
// configuration, lock-file packages, and images resolved to digests.
func provenanceSnapshotter() snapshotter {
	return snapshotter{section: "provenance", fill: func(ctx context.Context, dir string, r *review.ReleaseReview) error {
		p, err := provenance.Snapshot(ctx, dir, &r.Spec.Artifact, provenance.Registry{})
		if err != nil {
			return err
		}
		r.Spec.Provenance = p
		return nil
	}}
}
