// Package approve is tollgate approve: an approver signs a review record.
package approve

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/options"
	"github.com/tollgate-dev/tollgate/internal/options/signing"
	"github.com/tollgate-dev/tollgate/pkg/approval"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
)

// New returns `tollgate approve`; approvals are stamped with clock.Stamp.
func New(clock cli.Clock) *cobra.Command {
	var (
		sf           signing.Options
		co           confirmOptions
		out          string
		policyFile   string
		policyDigest digest.Digest
	)
	cmd := &cobra.Command{
		Use:   "approve REVIEW",
		Short: "Sign an approval of a review record",
		Long: `approve signs an in-toto statement about the review record REVIEW (subject: its
metadata.name and the sha256 of the file's bytes; predicate type
https://tollgate.dev/approval/v1) into a Sigstore bundle. The signer is the
approver: a key id for --key and --kms, the certificate subject and issuer for
--oidc-token-file. attest and gate count an approval only when its signer is
one of the policy's spec.approvals.approvers and it approves exactly the review
record being released, under the policy in force: the statement names the
policy (--policy FILE, or its --policy-digest) as well as the review, so an
approval never carries over to another policy, such as one a release author
wrote to list a key of their own.

Before signing, approve shows the changes document 'tollgate review --against'
wrote (review-changes.md next to REVIEW, or --changes): what changed since the
release approved last, what would block first. It refuses a document that
describes another review record, and records the digest of the one shown in
the approval (changesDigest). On a terminal it asks for confirmation; --yes
approves without asking and is required when stdin is not a terminal.

The bundle goes to <dir of REVIEW>/approvals/<identity>.sigstore.json unless
-o names a file.`,
		Example: `  COSIGN_PASSWORD='…' tollgate approve release/review.yaml --policy platform/policy.yaml --key alice.key
  tollgate approve release/review.yaml --changes release/review-changes.md --policy platform/policy.yaml --key alice.key
  tollgate approve release/review.yaml --policy-digest sha256:… --oidc-token-file /var/run/sigstore/token --yes`,
		Args: cli.Args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if (policyFile == "") == policyDigest.IsZero() {
				return cli.Usagef("pass exactly one of --policy and --policy-digest: the policy the approval is given under")
			}
			if policyFile != "" {
				var err error
				if _, policyDigest, err = policy.Load(policyFile); err != nil {
					return err
				}
			}
			s, err := sf.Signer(ctx)
			if err != nil {
				return err
			}
			_, reviewDigest, err := review.Load(args[0])
			if err != nil {
				return err
			}
			shown, err := co.load(args[0], reviewDigest)
			if err != nil {
				return err
			}
			ok, err := co.confirm(cmd.InOrStdin(), cmd.OutOrStdout(), shown, fmt.Sprintf("%s (%s) as %s", args[0], reviewDigest, s.Identity()))
			if err != nil {
				return err
			}
			if !ok {
				return cli.WithCode(cli.ExitBlocked, fmt.Errorf("not approved: %s", args[0]))
			}
			b, signed, err := approval.Sign(ctx, s, args[0], approval.Terms{PolicyDigest: policyDigest, ChangesDigest: shown.digest}, clock.Stamp())
			if err != nil {
				return err
			}
			path := out
			if path == "" {
				path = filepath.Join(approval.DefaultDir(args[0]), approval.FileName(s.Identity()))
			}
			if err := safefile.WriteAtomic(path, b); err != nil {
				return err
			}
			cli.Logger(ctx).Info("approved review record", zap.String("review", args[0]), zap.Stringer("digest", signed), zap.Stringer("policy", policyDigest),
				zap.Stringer("signer", s.Identity()), zap.String("bundle", path), zap.Stringer("changes", shown.digest))
			seen := ""
			if !shown.digest.IsZero() {
				seen = ", having seen changes " + shown.digest.String()
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s: approved %s (%s) under policy %s as %s%s\n", path, args[0], signed, policyDigest, s.Identity(), seen)
			return err
		},
	}
	sf.AddFlags(cmd.Flags())
	co.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&policyFile, "policy", "", "the ReleasePolicy the approval is given under (or --policy-digest)")
	options.DigestVar(cmd.Flags(), &policyDigest, "policy-digest", "sha256:<hex> of the ReleasePolicy the approval is given under (or --policy)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "bundle file (default <dir of REVIEW>/approvals/<identity>.sigstore.json)")
	return cmd
}
