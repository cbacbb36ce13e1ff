// Package verify is tollgate verify, the GitOps promotion check.
package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/options"
	"github.com/tollgate-dev/tollgate/internal/options/step"
	"github.com/tollgate-dev/tollgate/pkg/attest"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
	"github.com/tollgate-dev/tollgate/pkg/oci"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
	"github.com/tollgate-dev/tollgate/pkg/trust"
)

// DefaultRegistryTimeout bounds verify --oci: a promotion hook must not hang.
const DefaultRegistryTimeout = 2 * time.Minute

// Command is one verify run.
type Command struct {
	ArtifactDigest digest.Digest
	// Bundle is a bundle file; OCI an artefact the bundles are attached
	// to as referrers. Exactly one is set.
	Bundle, OCI   string
	Attestor      step.TrustedIdentity
	PolicyDigests []digest.Digest
	// PolicyFile is a trusted policy file whose digest is allowed.
	PolicyFile string
	MaxAge     string
	// RegistryTimeout bounds reading --oci (every request also has dial,
	// TLS and response-header deadlines).
	RegistryTimeout time.Duration
	Clock           cli.Clock
	Out             io.Writer
}

// New returns the verify command.
func New(clock cli.Clock) *cobra.Command {
	c := &Command{Clock: clock}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check that an artefact has a PASSED release-gate attestation before promoting it",
		Long: `verify is the GitOps promotion check (Argo CD PreSync hook, Kargo verification).
It exits 0 only when the release-gate attestation (from --bundle, or attached to
--oci as a referrer) is

  - signed by the trusted identity (--key, --certificate-chain, or a Fulcio
    certificate for --certificate-identity and --certificate-oidc-issuer under
    --trusted-root),
  - an https://tollgate.dev/release-gate/v1 statement about exactly
    --artifact-digest (a valid bundle for another release is refused) and,
    with --oci REF@sha256:…, naming that OCI artefact's digest (attest
    --attach names it; a bundle copied onto another artefact is refused),
  - a PASSED verdict,
  - under the pinned policy: one of the --policy-digest values, or the
    digest of the trusted --policy file (one of them is required: an
    attestation made under a policy the candidate wrote never promotes),
  - not older than --max-age, when given: the transparency-log time for
    keyless bundles, the signed attestation time for key-signed ones.

Everything is judged at the wall clock, never at SOURCE_DATE_EPOCH.
Otherwise it exits 1 and says why.`,
		Example: `  tollgate verify --artifact-digest sha256:… --bundle evidence/release-gate.sigstore.json \
    --key release-bot.pub --policy-digest sha256:… --max-age 24h
  tollgate verify --artifact-digest sha256:… --oci registry.example/agents/support@sha256:… \
    --policy platform/policy.yaml \
    --certificate-identity https://kubernetes.io/namespaces/ci/serviceaccounts/tollgate \
    --certificate-oidc-issuer https://kubernetes.default.svc`,
		Args: cli.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c.Out = cmd.OutOrStdout()
			return c.Exec(cmd.Context())
		},
	}
	f := cmd.Flags()
	options.DigestVar(f, &c.ArtifactDigest, "artifact-digest", "artefact root digest being promoted, sha256:<hex> (required with --bundle; with --oci, also checked when given)")
	f.StringVar(&c.Bundle, "bundle", "", "release-gate.sigstore.json bundle file")
	f.StringVar(&c.OCI, "oci", "", "the OCI artefact being promoted, REF@sha256:…, that attest --attach attached the bundles to; the attestation must name that digest")
	c.Attestor.AddFlags(f, "the attestation")
	options.DigestsVar(f, &c.PolicyDigests, "policy-digest", "allowed policy digest, sha256:<hex> (repeatable; this or --policy is required)")
	f.StringVar(&c.PolicyFile, "policy", "", "trusted ReleasePolicy file; its digest is allowed (this or --policy-digest is required)")
	f.StringVar(&c.MaxAge, "max-age", "", "refuse attestations older than this (24h, 7d)")
	f.DurationVar(&c.RegistryTimeout, "registry-timeout", DefaultRegistryTimeout, "deadline for reading --oci from the registry; a registry that does not answer in time refuses the release")
	return cmd
}

// Exec verifies and prints the accepted attestation, or returns a blocked
// error naming every refusal.
func (c *Command) Exec(ctx context.Context) error {
	if (c.Bundle == "") == (c.OCI == "") {
		return cli.Usagef("pass exactly one of --bundle and --oci")
	}
	policies := slices.Clone(c.PolicyDigests)
	if c.PolicyFile != "" {
		_, d, err := policy.Load(c.PolicyFile)
		if err != nil {
			return invalid.Wrap(fmt.Errorf("--policy: %w", err))
		}
		policies = append(policies, d)
	}
	if len(policies) == 0 {
		return cli.Usagef("pass --policy-digest sha256:<hex> (or --policy FILE): the platform-owned policy the attestation must have been made under")
	}
	req := attest.Requirements{ArtifactDigest: c.ArtifactDigest, PolicyDigests: policies, Now: c.Clock.Now()}
	if c.OCI != "" {
		ref, err := name.NewDigest(c.OCI, name.StrictValidation)
		if err != nil {
			return cli.Usagef("--oci %q: give the artefact being promoted by digest, REF@sha256:… (a tag can move): %v", c.OCI, err)
		}
		if req.OCIDigest, err = digest.Parse(ref.DigestStr()); err != nil {
			return cli.Usagef("--oci %q: %v", c.OCI, err)
		}
	} else if c.ArtifactDigest.IsZero() {
		return cli.Usagef("--artifact-digest is required with --bundle: the sha256:<hex> root digest of the artefact being promoted")
	}
	if c.MaxAge != "" {
		d, err := policy.ParseDuration(c.MaxAge)
		if err != nil || d <= 0 {
			return cli.Usagef("--max-age must be a positive duration like 24h or 7d, got %q", c.MaxAge)
		}
		req.MaxAge = d
	}
	ids, err := c.Attestor.Identities()
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return cli.Usagef("pass --key, --certificate-chain, or --certificate-identity and --certificate-oidc-issuer")
	}
	var opts []trust.Option
	if c.Attestor.TrustedRoot != "" {
		opts = append(opts, trust.WithTrustedRootFile(c.Attestor.TrustedRoot))
	}
	bundles, source, err := c.readBundles(ctx)
	if err != nil {
		return err
	}
	var refusals []error
	for i, b := range bundles {
		v, err := attest.Verify(ctx, b, ids, req, opts...)
		if err == nil {
			if c.Out == nil {
				return nil
			}
			what := c.ArtifactDigest.String()
			if c.ArtifactDigest.IsZero() {
				what = c.OCI
			}
			_, err = fmt.Fprintf(c.Out, "PASSED: release %s (%s) attested by %s at %s under policy %s\n",
				v.Predicate.Release, what, v.Signer, v.Time.UTC().Format(time.RFC3339), v.Predicate.PolicyDigest)
			return err
		}
		if len(bundles) > 1 {
			err = fmt.Errorf("%s referrer %d: %w", source, i+1, err)
		}
		refusals = append(refusals, err)
	}
	if len(refusals) == 0 {
		return cli.Blockedf("%v: no release-gate attestation attached to %s", attest.ErrRefused, source)
	}
	return cli.WithCode(cli.ExitBlocked, errors.Join(refusals...))
}

func (c *Command) readBundles(ctx context.Context) ([][]byte, string, error) {
	if c.Bundle != "" {
		b, err := safefile.Read(c.Bundle, trust.MaxBundleSize)
		if err != nil {
			return nil, "", invalid.Wrap(fmt.Errorf("--bundle: %w", err))
		}
		return [][]byte{b}, c.Bundle, nil
	}
	if c.RegistryTimeout <= 0 {
		return nil, "", cli.Usagef("--registry-timeout must be positive, got %s", c.RegistryTimeout)
	}
	ctx, cancel := context.WithTimeout(ctx, c.RegistryTimeout)
	defer cancel()
	rs, err := oci.FetchReferrers(ctx, c.OCI, attest.PredicateType, oci.WithDeadlines())
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, "", cli.Blockedf("%v: %s did not answer within --registry-timeout %s: %v", attest.ErrRefused, c.OCI, c.RegistryTimeout, err)
		}
		return nil, "", err
	}
	// One referrer nobody can read (anyone with push access can attach
	// one) must not stop every promotion: skip it, name it, verify the
	// others.
	var bs [][]byte
	for _, r := range rs {
		if r.Err != nil {
			cli.Logger(ctx).Warn("skipped an unreadable referrer", zap.String("referrer", r.Digest), zap.Error(r.Err))
			if c.Out != nil {
				fmt.Fprintf(c.Out, "skipped referrer %s: %v\n", r.Digest, r.Err)
			}
			continue
		}
		bs = append(bs, r.Bundle)
	}
	return bs, c.OCI, nil
}
