package step

import (
	"encoding/pem"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
)

// TrustedIdentity is the flag group naming one trusted signer, as cosign
// and model-signing name it: a public key, a private-CA certificate chain,
// or a keyless (Fulcio) identity with its issuer under a trusted root.
// provenance (--signature), gate and verify (the attestation) share it.
type TrustedIdentity struct {
	Key, CertificateChain    string
	Identity, IdentityRegexp string
	Issuer, IssuerRegexp     string
	TrustedRoot              string
}

// MaxFile bounds a --key or --certificate-chain file (sign.MaxKeyFileSize,
// the bound of every key file tollgate reads).
const MaxFile = 64 << 10

// AddFlags adds the flags; what names what the signer signs ("the
// attestation", "--signature").
func (o *TrustedIdentity) AddFlags(fs *pflag.FlagSet, what string) {
	fs.StringVar(&o.Key, "key", "", "PEM public key (or certificate) that signs "+what)
	fs.StringVar(&o.CertificateChain, "certificate-chain", "", "PEM certificate chain (private CA; root last or self-signed) that issues the signer of "+what)
	fs.StringVar(&o.Identity, "certificate-identity", "", "keyless signer of "+what+": certificate subject (email or URI)")
	fs.StringVar(&o.IdentityRegexp, "certificate-identity-regexp", "", "keyless signer subject, as a regular expression matching the whole subject")
	fs.StringVar(&o.Issuer, "certificate-oidc-issuer", "", "keyless signer OIDC issuer")
	fs.StringVar(&o.IssuerRegexp, "certificate-oidc-issuer-regexp", "", "keyless signer OIDC issuer, as a regular expression matching the whole issuer")
	fs.StringVar(&o.TrustedRoot, "trusted-root", "", "Sigstore trusted_root.json for keyless signers (default: the public-good instance)")
}

func (o *TrustedIdentity) keyless() bool {
	return o.Identity != "" || o.IdentityRegexp != "" || o.Issuer != "" || o.IssuerRegexp != ""
}

// Identities returns the one signer the flags name, or none when no
// --key, --certificate-chain or --certificate-* flag is given. Two kinds
// at once, or half a keyless identity, is a usage error; an unreadable or
// non-PEM key file is invalid input.
func (o *TrustedIdentity) Identities() ([]policy.Identity, error) {
	n := 0
	for _, set := range []bool{o.Key != "", o.CertificateChain != "", o.keyless()} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return nil, cli.Usagef("give one of --key, --certificate-chain and --certificate-identity with --certificate-oidc-issuer")
	case o.Key != "":
		b, err := readPEM("--key", o.Key, "PUBLIC KEY", "CERTIFICATE")
		if err != nil {
			return nil, err
		}
		return []policy.Identity{{Name: "key " + filepath.Base(o.Key), PublicKey: string(b)}}, nil
	case o.CertificateChain != "":
		b, err := readPEM("--certificate-chain", o.CertificateChain, "CERTIFICATE")
		if err != nil {
			return nil, err
		}
		return []policy.Identity{{Name: "chain " + filepath.Base(o.CertificateChain), CertificateChain: string(b)}}, nil
	case o.keyless():
		id := policy.Identity{Name: "keyless " + o.Identity + o.IdentityRegexp, Keyless: &policy.Keyless{
			Subject: o.Identity, SubjectRegExp: o.IdentityRegexp, Issuer: o.Issuer, IssuerRegExp: o.IssuerRegexp, TrustedRoot: o.TrustedRoot,
		}}
		if err := id.Validate(); err != nil {
			return nil, cli.Usagef("--certificate-identity (or -regexp) and --certificate-oidc-issuer (or -regexp) go together, one of each: %v", err)
		}
		return []policy.Identity{id}, nil
	}
	return nil, nil
}

// readPEM reads a bounded PEM file holding at least one block of the given
// types.
func readPEM(flag, path string, types ...string) ([]byte, error) {
	b, err := safefile.Read(path, MaxFile)
	if err != nil {
		return nil, invalid.Wrap(fmt.Errorf("%s: %w", flag, err))
	}
	for rest := b; ; {
		var blk *pem.Block
		if blk, rest = pem.Decode(rest); blk == nil {
			break
		}
		if slices.Contains(types, blk.Type) {
			return b, nil
		}
	}
	return nil, invalid.Wrap(fmt.Errorf("%s %s: no PEM %s block", flag, path, strings.Join(types, " or ")))
}
