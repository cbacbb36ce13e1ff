// Package keygen is tollgate keygen: a cosign-compatible key pair.
package keygen

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/options/signing"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
	"github.com/tollgate-dev/tollgate/pkg/sign"
	"github.com/tollgate-dev/tollgate/pkg/signer"
)

// New returns `tollgate keygen`.
func New() *cobra.Command {
	var (
		prefix, passwordEnv string
		unencrypted         bool
	)
	cmd := &cobra.Command{
		Use:   "keygen",
		Short: "Write a cosign-compatible key pair (PREFIX.key, PREFIX.pub)",
		Long: `keygen writes an ECDSA P-256 key pair: PREFIX.key (mode 0600) and PREFIX.pub.

The private key is encrypted exactly as 'cosign generate-key-pair' encrypts it
(scrypt + secretbox, PEM "ENCRYPTED SIGSTORE PRIVATE KEY") with the password in
the environment variable named by --key-password-env (default COSIGN_PASSWORD;
an empty value is allowed, as with cosign). cosign signs and verifies with the
pair, and tollgate reads cosign.key files.

For demos and tests, --unencrypted writes a plain PKCS#8 "PRIVATE KEY" instead.
Existing files are never overwritten.`,
		Example: `  COSIGN_PASSWORD='…' tollgate keygen --output-prefix release-bot
  tollgate keygen --unencrypted --output-prefix demo`,
		Args: cli.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var password []byte
			if !unencrypted {
				v, ok := os.LookupEnv(passwordEnv)
				if !ok {
					return cli.Usagef("set the password in $%s (it may be empty) or pass --unencrypted", passwordEnv)
				}
				password = []byte(v)
			}
			priv, pub, err := sign.GenerateKey(password)
			if err != nil {
				return err
			}
			if err := sign.WriteKeyPair(prefix, priv, pub); err != nil {
				return invalid.Wrap(err)
			}
			k, err := sign.ParsePublicKey(pub)
			if err != nil {
				return err
			}
			id, err := signer.Key(k)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "wrote %s.key and %s.pub (%s)\n", prefix, prefix, id)
			return err
		},
	}
	cmd.Flags().StringVar(&prefix, "output-prefix", "cosign", "write PREFIX.key and PREFIX.pub")
	cmd.Flags().StringVar(&passwordEnv, "key-password-env", signing.DefaultPasswordEnv, "environment variable holding the private key password")
	cmd.Flags().BoolVar(&unencrypted, "unencrypted", false, "write an unencrypted PKCS#8 private key (demos and tests only)")
	return cmd
}
