// Package signing is the signing flag group of approve and attest: a key
// file, a KMS key, or keyless with an OIDC token file. It is apart from
// package options so that the check steps, which never sign, do not link
// the signing clients.
package signing

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
	"github.com/tollgate-dev/tollgate/pkg/sign"
)

// DefaultPasswordEnv is cosign's variable, so one secret serves both tools.
const DefaultPasswordEnv = "COSIGN_PASSWORD"

// MaxPasswordFileSize bounds --key-password-file.
const MaxPasswordFileSize = 4 << 10

// Signing modes, the values of --signing-mode.
const (
	// ModeAuto picks the mode from the one of --key, --kms and
	// --oidc-token-file that is given.
	ModeAuto = ""
	// ModeKey signs with --key.
	ModeKey = "key"
	// ModeKMS signs with --kms.
	ModeKMS = "kms"
	// ModeKeyless signs with a Fulcio certificate for --oidc-token-file.
	ModeKeyless = "keyless"
)

// Modes are the values --signing-mode accepts.
var Modes = []string{ModeKey, ModeKMS, ModeKeyless}

// Options is the flag group that selects how approve and attest sign: a
// key file, a KMS key, or keyless with an OIDC token file.
type Options struct {
	// Mode is one of Modes, or ModeAuto. A Task passes every flag and
	// selects with Mode; the flags of the other modes are then ignored.
	Mode string
	// Key is a private key file; its password, when it is encrypted, is
	// read from PasswordFile when given, otherwise from the environment
	// variable PasswordEnv. A password is never a flag value.
	Key, PasswordFile, PasswordEnv string
	// KMS is a sigstore KMS key URI.
	KMS string
	// OIDCTokenFile, FulcioURL, RekorURL and TSAURL configure keyless
	// signing. An empty RekorURL writes no transparency log entry (then
	// TSAURL is required, so that the certificate's validity is proven).
	OIDCTokenFile, FulcioURL, RekorURL, TSAURL string
}

// AddFlags adds --signing-mode, --key, --key-password-file,
// --key-password-env, --kms, --oidc-token-file, --fulcio-url, --rekor-url
// and --tsa-url.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Mode, "signing-mode", ModeAuto, "key, kms or keyless; by default the one of --key, --kms, --oidc-token-file given")
	fs.StringVar(&o.Key, "key", "", "private key file (cosign.key, encrypted or not, or PKCS#8 PEM)")
	fs.StringVar(&o.PasswordFile, "key-password-file", "", "file holding the --key password (cosign.password of a cosign k8s:// Secret); read only when the key is encrypted")
	fs.StringVar(&o.PasswordEnv, "key-password-env", DefaultPasswordEnv, "environment variable holding the --key password, when --key-password-file is not given")
	fs.StringVar(&o.KMS, "kms", "", "KMS key URI, served by a sigstore-kms-<scheme> plugin on PATH")
	fs.StringVar(&o.OIDCTokenFile, "oidc-token-file", "", "OIDC token file for keyless signing (e.g. a projected ServiceAccount token, audience sigstore)")
	fs.StringVar(&o.FulcioURL, "fulcio-url", sign.DefaultFulcioURL, "Fulcio URL for keyless signing")
	fs.StringVar(&o.RekorURL, "rekor-url", sign.DefaultRekorURL, "Rekor URL for keyless signing; empty: no transparency log entry (needs --tsa-url)")
	fs.StringVar(&o.TSAURL, "tsa-url", "", "RFC 3161 timestamp authority URL for keyless signing (e.g. https://tsa.example/api/v1/timestamp)")
}

// mode returns the mode the flags select.
func (o *Options) mode() (string, error) {
	if o.Mode != ModeAuto {
		if !slices.Contains(Modes, o.Mode) {
			return "", cli.Usagef("--signing-mode must be one of %s, got %q", strings.Join(Modes, ", "), o.Mode)
		}
		need := map[string]struct{ flag, v string }{
			ModeKey: {"--key", o.Key}, ModeKMS: {"--kms", o.KMS}, ModeKeyless: {"--oidc-token-file", o.OIDCTokenFile},
		}[o.Mode]
		if need.v == "" {
			return "", cli.Usagef("--signing-mode %s needs %s", o.Mode, need.flag)
		}
		return o.Mode, nil
	}
	var given []string
	for _, f := range []struct{ mode, v string }{{ModeKey, o.Key}, {ModeKMS, o.KMS}, {ModeKeyless, o.OIDCTokenFile}} {
		if f.v != "" {
			given = append(given, f.mode)
		}
	}
	if len(given) != 1 {
		return "", cli.Usagef("pass exactly one of --key, --kms, --oidc-token-file (or select one with --signing-mode)")
	}
	return given[0], nil
}

// Signer returns the signer the flags select.
func (o *Options) Signer(ctx context.Context) (*sign.Signer, error) {
	mode, err := o.mode()
	if err != nil {
		return nil, err
	}
	switch mode {
	case ModeKey:
		return o.keySigner()
	case ModeKMS:
		return sign.FromKMS(ctx, o.KMS)
	}
	if o.RekorURL == "" && o.TSAURL == "" {
		return nil, cli.Usagef("keyless signing needs a transparency log (--rekor-url) or a timestamp authority (--tsa-url)")
	}
	tok, err := sign.ReadToken(o.OIDCTokenFile)
	if err != nil {
		return nil, invalid.Wrap(fmt.Errorf("--oidc-token-file: %w", err))
	}
	opts := []sign.KeylessOption{sign.WithFulcioURL(o.FulcioURL), sign.WithRekorURL(o.RekorURL)}
	if o.TSAURL != "" {
		opts = append(opts, sign.WithTSAURL(o.TSAURL))
	}
	return sign.Keyless(ctx, tok, opts...)
}

func (o *Options) keySigner() (*sign.Signer, error) {
	password, err := o.password()
	if err != nil {
		return nil, err
	}
	s, err := sign.LoadKey(o.Key, password)
	if err != nil {
		return nil, invalid.Wrap(fmt.Errorf("--key: %w", err))
	}
	return s, nil
}

// password returns the key password: nil when none is configured. A
// missing --key-password-file is not an error here (an unencrypted key
// needs none); sign.LoadKey refuses an encrypted key without a password
// and names the flags.
func (o *Options) password() ([]byte, error) {
	if o.PasswordFile != "" {
		b, err := safefile.Read(o.PasswordFile, MaxPasswordFileSize)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, nil
		case err != nil:
			return nil, invalid.Wrap(fmt.Errorf("--key-password-file: %w", err))
		}
		// A Secret made from a file or by hand often ends in a newline;
		// cosign's own Secret does not. Trailing CR/LF is never part of
		// a password.
		return []byte(strings.TrimRight(string(b), "\r\n")), nil
	}
	if v, ok := os.LookupEnv(o.PasswordEnv); ok {
		return []byte(v), nil
	}
	return nil, nil
}
