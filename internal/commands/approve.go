package commands

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/tollgate-dev/tollgate/internal/check"
	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/pkg/approval"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/sign"
)

// signerFlags select how approve and attest sign: a key file, a KMS key or
// keyless with an OIDC token file.
type signerFlags struct {
	key, passwordEnv, kms, tokenFile, fulcioURL, rekorURL string
}

func (f *signerFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.key, "key", "", "private key file (cosign.key or PKCS#8 PEM)")
	cmd.Flags().StringVar(&f.passwordEnv, "key-password-env", defaultPasswordEnv, "environment variable holding the --key password")
	cmd.Flags().StringVar(&f.kms, "kms", "", "KMS key URI, served by a sigstore-kms-<scheme> plugin on PATH")
	cmd.Flags().StringVar(&f.tokenFile, "oidc-token-file", "", "OIDC token file for keyless signing (Fulcio certificate + Rekor entry)")
	cmd.Flags().StringVar(&f.fulcioURL, "fulcio-url", sign.DefaultFulcioURL, "Fulcio URL for keyless signing")
	cmd.Flags().StringVar(&f.rekorURL, "rekor-url", sign.DefaultRekorURL, "Rekor URL for keyless signing")
}

func (f *signerFlags) signer(ctx context.Context) (*sign.Signer, error) {
	n := 0
	for _, v := range []string{f.key, f.kms, f.tokenFile} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		return nil, cli.Usagef("pass exactly one of --key, --kms, --oidc-token-file")
	}
	switch {
	case f.key != "":
		var password []byte
		if v, ok := os.LookupEnv(f.passwordEnv); ok {
			password = []byte(v)
		}
		s, err := sign.LoadKey(f.key, password)
		if err != nil {
			return nil, cli.WithCode(cli.ExitInvalidInput, err)
		}
		return s, nil
	case f.kms != "":
		return sign.FromKMS(ctx, f.kms)
	}
	tok, err := sign.ReadToken(f.tokenFile)
	if err != nil {
		return nil, cli.WithCode(cli.ExitInvalidInput, err)
	}
	return sign.Keyless(ctx, tok, sign.WithFulcioURL(f.fulcioURL), sign.WithRekorURL(f.rekorURL))
}

func newApprove() *cobra.Command {
	var (
		sf  signerFlags
		out string
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
record being released.

The bundle goes to <dir of REVIEW>/approvals/<identity>.sigstore.json unless
-o names a file.`,
		Example: `  COSIGN_PASSWORD='…' tollgate approve release/review.yaml --key alice.key
  tollgate approve release/review.yaml --oidc-token-file /var/run/sigstore/token`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := sf.signer(ctx)
			if err != nil {
				return err
			}
			b, digest, err := approval.Sign(ctx, s, args[0], check.Clock()())
			if err != nil {
				return err
			}
			path := out
			if path == "" {
				path = filepath.Join(approval.DefaultDir(args[0]), approval.FileName(s.Identity()))
			}
			if err := evidence.WriteFileAtomic(path, b); err != nil {
				return err
			}
			cli.Logger(ctx).Info("approved review record", zap.String("review", args[0]), zap.String("digest", digest),
				zap.String("signer", s.Identity()), zap.String("bundle", path))
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s: approved %s (%s) as %s\n", path, args[0], digest, s.Identity())
			return err
		},
	}
	sf.register(cmd)
	cmd.Flags().StringVarP(&out, "output", "o", "", "bundle file (default <dir of REVIEW>/approvals/<identity>.sigstore.json)")
	return cmd
}
