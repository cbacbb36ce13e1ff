// Package signing is the signing flag group of approve and attest: a key
// file, a KMS key, or keyless with an OIDC token file. It is apart from
// package options so that the check steps, which never sign, do not link
// the signing clients.
package signing

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
	"github.com/tollgate-dev/tollgate/pkg/sign"
)

// DefaultPasswordEnv is cosign's variable, so one secret serves both tools.
const DefaultPasswordEnv = "COSIGN_PASSWORD"

// Options is the flag group that selects how approve and attest sign: a
// key file, a KMS key, or keyless with an OIDC token file.
type Options struct {
	Key, PasswordEnv, KMS, OIDCTokenFile, FulcioURL, RekorURL string
}

// AddFlags adds --key, --key-password-env, --kms, --oidc-token-file,
// --fulcio-url and --rekor-url.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Key, "key", "", "private key file (cosign.key or PKCS#8 PEM)")
	fs.StringVar(&o.PasswordEnv, "key-password-env", DefaultPasswordEnv, "environment variable holding the --key password")
	fs.StringVar(&o.KMS, "kms", "", "KMS key URI, served by a sigstore-kms-<scheme> plugin on PATH")
	fs.StringVar(&o.OIDCTokenFile, "oidc-token-file", "", "OIDC token file for keyless signing (Fulcio certificate + Rekor entry)")
	fs.StringVar(&o.FulcioURL, "fulcio-url", sign.DefaultFulcioURL, "Fulcio URL for keyless signing")
	fs.StringVar(&o.RekorURL, "rekor-url", sign.DefaultRekorURL, "Rekor URL for keyless signing")
}

// Signer returns the signer the flags select; exactly one of --key, --kms
// and --oidc-token-file must be given.
func (o *Options) Signer(ctx context.Context) (*sign.Signer, error) {
	n := 0
	for _, v := range []string{o.Key, o.KMS, o.OIDCTokenFile} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		return nil, cli.Usagef("pass exactly one of --key, --kms, --oidc-token-file")
	}
	switch {
	case o.Key != "":
		var password []byte
		if v, ok := os.LookupEnv(o.PasswordEnv); ok {
			password = []byte(v)
		}
		s, err := sign.LoadKey(o.Key, password)
		if err != nil {
			return nil, invalid.Wrap(fmt.Errorf("--key: %w", err))
		}
		return s, nil
	case o.KMS != "":
		return sign.FromKMS(ctx, o.KMS)
	}
	tok, err := sign.ReadToken(o.OIDCTokenFile)
	if err != nil {
		return nil, invalid.Wrap(fmt.Errorf("--oidc-token-file: %w", err))
	}
	return sign.Keyless(ctx, tok, sign.WithFulcioURL(o.FulcioURL), sign.WithRekorURL(o.RekorURL))
}
