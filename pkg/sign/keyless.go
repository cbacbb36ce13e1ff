package sign

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	sgsign "github.com/sigstore/sigstore-go/pkg/sign"

	"github.com/tollgate-dev/tollgate/pkg/safefile"
	"github.com/tollgate-dev/tollgate/pkg/signer"
)

// Public-good Sigstore instance, used when no URL is given.
const (
	DefaultFulcioURL = "https://fulcio.sigstore.dev"
	DefaultRekorURL  = "https://rekor.sigstore.dev"
)

// TSATimeout bounds one timestamp request.
const TSATimeout = 30 * time.Second

// MaxTokenSize bounds an OIDC token file.
const MaxTokenSize = 64 << 10

type keylessOptions struct {
	fulcioURL, rekorURL, tsaURL string
	cp                          sgsign.CertificateProvider
	tlogs                       []sgsign.Transparency
}

// KeylessOption configures Keyless.
type KeylessOption func(*keylessOptions)

// WithFulcioURL sets the Fulcio instance (default DefaultFulcioURL).
func WithFulcioURL(u string) KeylessOption { return func(o *keylessOptions) { o.fulcioURL = u } }

// WithRekorURL sets the Rekor instance (default DefaultRekorURL). An empty
// URL writes no transparency log entry: then WithTSAURL must be given, so
// that a verifier can prove the certificate was valid when it signed.
func WithRekorURL(u string) KeylessOption { return func(o *keylessOptions) { o.rekorURL = u } }

// WithTSAURL adds an RFC 3161 timestamp authority (sigstore's
// timestamp-authority, POST .../api/v1/timestamp) whose signed timestamp
// goes into every bundle.
func WithTSAURL(u string) KeylessOption { return func(o *keylessOptions) { o.tsaURL = u } }

// WithCertificateProvider replaces Fulcio (tests use an in-process CA).
func WithCertificateProvider(cp sgsign.CertificateProvider) KeylessOption {
	return func(o *keylessOptions) { o.cp = cp }
}

// WithTransparency replaces Rekor (tests use sigstore-go's virtual
// Sigstore).
func WithTransparency(t sgsign.Transparency) KeylessOption {
	return func(o *keylessOptions) { o.tlogs = []sgsign.Transparency{t} }
}

// ReadToken reads an OIDC token file (a projected ServiceAccount token, a
// CI identity token), bounded and trimmed.
func ReadToken(path string) (string, error) {
	b, err := safefile.Read(path, MaxTokenSize)
	if err != nil {
		return "", fmt.Errorf("oidc token: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if strings.Count(tok, ".") != 2 {
		return "", fmt.Errorf("oidc token %s is not a JWT (header.payload.signature)", path)
	}
	return tok, nil
}

// Keyless creates an ephemeral key, obtains a Fulcio certificate for it
// with the OIDC token, and returns a Signer whose bundles carry that
// certificate and a Rekor entry. The certificate is obtained once, so the
// signer's Identity is known before anything is signed.
func Keyless(ctx context.Context, token string, opts ...KeylessOption) (*Signer, error) {
	o := keylessOptions{fulcioURL: DefaultFulcioURL, rekorURL: DefaultRekorURL}
	for _, opt := range opts {
		opt(&o)
	}
	if o.cp == nil {
		o.cp = sgsign.NewFulcio(&sgsign.FulcioOptions{BaseURL: o.fulcioURL, Retries: 2})
	}
	if o.tlogs == nil && o.rekorURL != "" {
		o.tlogs = []sgsign.Transparency{sgsign.NewRekor(&sgsign.RekorOptions{BaseURL: o.rekorURL, Retries: 2})}
	}
	var tsas []*sgsign.TimestampAuthority
	if o.tsaURL != "" {
		tsas = []*sgsign.TimestampAuthority{sgsign.NewTimestampAuthority(&sgsign.TimestampAuthorityOptions{URL: o.tsaURL, Timeout: TSATimeout, Retries: 2})}
	}
	if o.tlogs == nil && tsas == nil {
		return nil, errors.New("keyless: no transparency log and no timestamp authority: a verifier could not prove when the short-lived certificate signed")
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("keyless: generate ephemeral key: %w", err)
	}
	kp, err := newKeypair(k)
	if err != nil {
		return nil, err
	}
	der, err := o.cp.GetCertificate(ctx, kp, &sgsign.CertificateProviderOptions{IDToken: token})
	if err != nil {
		return nil, fmt.Errorf("keyless: get signing certificate from %s: %w", o.fulcioURL, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("keyless: parse signing certificate: %w", err)
	}
	id, err := CertificateIdentity(cert)
	if err != nil {
		return nil, fmt.Errorf("keyless: %w", err)
	}
	return &Signer{kp: kp, identity: id, cert: der, tlogs: o.tlogs, tsas: tsas}, nil
}

// CertificateIdentity names a Fulcio certificate's signer: its subject
// alternative name and its OIDC issuer extension.
func CertificateIdentity(cert *x509.Certificate) (signer.Identity, error) {
	s, err := certificate.SummarizeCertificate(cert)
	if err != nil {
		return signer.Identity{}, fmt.Errorf("read certificate identity: %w", err)
	}
	if s.SubjectAlternativeName == "" || s.Issuer == "" {
		return signer.Identity{}, errors.New("certificate has no subject alternative name or OIDC issuer extension")
	}
	return signer.Certificate(s.SubjectAlternativeName, s.Issuer)
}
