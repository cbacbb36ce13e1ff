package commands

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/check"
	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/results"
	"github.com/tollgate-dev/tollgate/pkg/attest"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/oci"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/sign"
)

// maxBundleFile bounds a --bundle file.
const maxBundleFile = 8 << 20

// NewVerify returns the verify command: the GitOps promotion check.
func NewVerify() *cobra.Command {
	var (
		digest, bundlePath, ociRef, keyPath              string
		identity, identityRE, issuer, issuerRE, rootPath string
		policyDigests                                    []string
		maxAge                                           string
	)
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check that an artefact has a PASSED release-gate attestation before promoting it",
		Long: `verify is the GitOps promotion check (Argo CD PreSync hook, Kargo verification).
It exits 0 only when the release-gate attestation (from --bundle, or attached to
--oci as a referrer) is

  - signed by the trusted identity (--key, or a Fulcio certificate for
    --certificate-identity and --certificate-oidc-issuer under --trusted-root),
  - an https://tollgate.dev/release-gate/v1 statement about exactly
    --artifact-digest (a valid bundle for another release is refused),
  - a PASSED verdict,
  - under one of the --policy-digest values, when any are given,
  - not older than --max-age, when given: the transparency-log time for
    keyless bundles, the signed attestation time for key-signed ones.

Otherwise it exits 1 and says why.`,
		Example: `  tollgate verify --artifact-digest sha256:… --bundle evidence/release-gate.sigstore.json \
    --key release-bot.pub --policy-digest sha256:… --max-age 24h
  tollgate verify --artifact-digest sha256:… --oci registry.example/agents/support@sha256:… \
    --certificate-identity https://kubernetes.io/namespaces/ci/serviceaccounts/tollgate \
    --certificate-oidc-issuer https://kubernetes.default.svc`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if !results.ValidDigest(digest) {
				return cli.Usagef("--artifact-digest must be sha256:<64 hex>, got %q", digest)
			}
			if (bundlePath == "") == (ociRef == "") {
				return cli.Usagef("pass exactly one of --bundle and --oci")
			}
			for _, d := range policyDigests {
				if !results.ValidDigest(d) {
					return cli.Usagef("--policy-digest must be sha256:<64 hex>, got %q", d)
				}
			}
			req := attest.Requirements{ArtifactDigest: digest, PolicyDigests: policyDigests, Now: check.Clock()()}
			if maxAge != "" {
				d, err := policy.ParseDuration(maxAge)
				if err != nil || d <= 0 {
					return cli.Usagef("--max-age must be a positive duration like 24h or 7d, got %q", maxAge)
				}
				req.MaxAge = d
			}
			id := policy.Identity{Name: "attestor"}
			keyless := identity != "" || identityRE != "" || issuer != "" || issuerRE != ""
			switch {
			case keyPath != "" && keyless:
				return cli.Usagef("pass --key or the --certificate-* flags, not both")
			case keyPath != "":
				b, err := evidence.ReadBounded(keyPath, sign.MaxKeyFileSize)
				if err != nil {
					return cli.WithCode(cli.ExitInvalidInput, err)
				}
				if _, err := sign.ParsePublicKey(b); err != nil {
					return cli.WithCode(cli.ExitInvalidInput, fmt.Errorf("--key %s: %w", keyPath, err))
				}
				id.PublicKey = string(b)
			case keyless:
				id.Keyless = &policy.Keyless{Subject: identity, SubjectRegExp: identityRE, Issuer: issuer, IssuerRegExp: issuerRE, TrustedRoot: rootPath}
			default:
				return cli.Usagef("pass --key or --certificate-identity and --certificate-oidc-issuer")
			}
			if err := id.Validate(); err != nil {
				return cli.Usagef("%v", err)
			}
			bundles, source, err := readBundles(cmd, bundlePath, ociRef)
			if err != nil {
				return err
			}
			var refusals []error
			for i, b := range bundles {
				v, err := attest.Verify(ctx, b, []policy.Identity{id}, req)
				if err == nil {
					_, err = fmt.Fprintf(cmd.OutOrStdout(), "PASSED: release %s (%s) attested by %s at %s under policy %s\n",
						v.Predicate.Release, digest, v.Signer, v.Time.UTC().Format(time.RFC3339), v.Predicate.PolicyDigest)
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
		},
	}
	f := cmd.Flags()
	f.StringVar(&digest, "artifact-digest", "", "artefact root digest being promoted (required)")
	f.StringVar(&bundlePath, "bundle", "", "release-gate.sigstore.json bundle file")
	f.StringVar(&ociRef, "oci", "", "OCI artefact the bundles are attached to as referrers")
	f.StringVar(&keyPath, "key", "", "attestor public key (cosign.pub)")
	f.StringVar(&identity, "certificate-identity", "", "keyless attestor: certificate subject (email or URI)")
	f.StringVar(&identityRE, "certificate-identity-regexp", "", "keyless attestor: certificate subject, as a regular expression matching the whole subject")
	f.StringVar(&issuer, "certificate-oidc-issuer", "", "keyless attestor: OIDC issuer")
	f.StringVar(&issuerRE, "certificate-oidc-issuer-regexp", "", "keyless attestor: OIDC issuer, as a regular expression")
	f.StringVar(&rootPath, "trusted-root", "", "Sigstore trusted_root.json for keyless (default: the public-good instance)")
	f.StringArrayVar(&policyDigests, "policy-digest", nil, "allowed policy digest (repeatable; default: any)")
	f.StringVar(&maxAge, "max-age", "", "refuse attestations older than this (24h, 7d)")
	return cmd
}

func readBundles(cmd *cobra.Command, path, ref string) ([][]byte, string, error) {
	if path != "" {
		b, err := evidence.ReadBounded(path, maxBundleFile)
		if err != nil {
			return nil, "", cli.WithCode(cli.ExitInvalidInput, err)
		}
		return [][]byte{b}, path, nil
	}
	bs, err := oci.Fetch(cmd.Context(), ref, attest.PredicateType)
	if err != nil {
		return nil, "", err
	}
	return bs, ref, nil
}
