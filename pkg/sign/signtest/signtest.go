package signtest

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/root"
	sgsign "github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"github.com/sigstore/sigstore/pkg/cryptoutils"

	"github.com/tollgate-dev/tollgate/pkg/sign"
)

// Virtual is an in-process Sigstore: a Fulcio CA that issues a certificate
// for whatever identity the (unverified) token names, and the virtual Rekor
// of sigstore-go's testing/ca.
type Virtual struct {
	vs        *ca.VirtualSigstore
	fulcio    *root.FulcioCertificateAuthority
	interKey  any
	interCert *x509.Certificate
}

// New starts a virtual Sigstore for a test.
func New(t testing.TB) *Virtual {
	t.Helper()
	v, err := NewVirtual()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// NewVirtual starts a virtual Sigstore.
func NewVirtual() (*Virtual, error) {
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		return nil, err
	}
	rootCert, rootKey, err := ca.GenerateRootCa()
	if err != nil {
		return nil, err
	}
	inter, interKey, err := ca.GenerateFulcioIntermediate(rootCert, rootKey)
	if err != nil {
		return nil, err
	}
	return &Virtual{
		vs: vs,
		fulcio: &root.FulcioCertificateAuthority{
			Root: rootCert, Intermediates: []*x509.Certificate{inter},
			ValidityPeriodStart: time.Now().Add(-time.Hour), ValidityPeriodEnd: time.Now().Add(time.Hour),
			URI: "https://fulcio.virtual.test",
		},
		interKey:  interKey,
		interCert: inter,
	}, nil
}

// TrustedRoot returns this instance as a trusted_root.json document (for
// `tollgate verify --trusted-root` and `cosign --trusted-root`): the CA and
// the log, no CT logs.
func (v *Virtual) TrustedRoot() (*root.TrustedRoot, error) {
	logs := map[string]*root.TransparencyLog{}
	for id, l := range v.vs.RekorLogs() {
		raw, err := hex.DecodeString(id)
		if err != nil {
			return nil, err
		}
		c := *l
		c.ID = raw
		c.BaseURL = "https://rekor.localhost"
		logs[id] = &c
	}
	return root.NewTrustedRoot(root.TrustedRootMediaType01, []root.CertificateAuthority{v.fulcio}, nil, nil, logs)
}

// Options are the sign.Keyless options that use this virtual Sigstore.
func (v *Virtual) Options() []sign.KeylessOption {
	return []sign.KeylessOption{sign.WithCertificateProvider(fulcio{v}), sign.WithTransparency(rekor{v})}
}

// TrustedMaterial trusts this instance's CA and log.
func (v *Virtual) TrustedMaterial() root.TrustedMaterial { return trusted{v.vs, v} }

type trusted struct {
	*ca.VirtualSigstore
	v *Virtual
}

func (t trusted) FulcioCertificateAuthorities() []root.CertificateAuthority {
	return []root.CertificateAuthority{t.v.fulcio}
}

// Token returns an unsigned JWT naming subject (an email address or a
// URI) and issuer; only this virtual Fulcio accepts it.
func Token(subject, issuer string) string {
	claims := map[string]any{"iss": issuer, "sub": subject, "aud": "sigstore", "exp": time.Now().Add(time.Hour).Unix()}
	if strings.Contains(subject, "@") {
		claims["email"], claims["email_verified"] = subject, true
	}
	b, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none"}`)) + "." + enc(b) + ".c2ln"
}

// fulcio issues certificates like Fulcio: SAN from the token's email or
// subject, the issuer in the OIDC issuer extensions.
type fulcio struct{ v *Virtual }

func (f fulcio) GetCertificate(_ context.Context, kp sgsign.Keypair, opts *sgsign.CertificateProviderOptions) ([]byte, error) {
	parts := strings.Split(opts.IDToken, ".")
	if len(parts) != 3 {
		return nil, errors.New("virtual fulcio: token is not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("virtual fulcio: %w", err)
	}
	var c struct {
		Iss, Sub, Email string
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("virtual fulcio: %w", err)
	}
	issuerV2, err := asn1.MarshalWithParams(c.Iss, "utf8")
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(10 * time.Minute),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		ExtraExtensions: []pkix.Extension{
			{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}, Value: []byte(c.Iss)},
			{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 8}, Value: issuerV2},
		},
	}
	switch {
	case c.Email != "":
		tmpl.EmailAddresses = []string{c.Email}
	default:
		u, err := url.Parse(c.Sub)
		if err != nil || u.Scheme == "" {
			return nil, fmt.Errorf("virtual fulcio: subject %q is neither an email nor a URI", c.Sub)
		}
		tmpl.URIs = []*url.URL{u}
	}
	return x509.CreateCertificate(rand.Reader, tmpl, f.v.interCert, kp.GetPublicKey(), f.v.interKey)
}

// rekor adds an entry signed by the virtual log: SET and inclusion proof.
type rekor struct{ v *Virtual }

func (r rekor) GetTransparencyLogEntry(_ context.Context, certPEM []byte, b *protobundle.Bundle) error {
	env := b.GetDsseEnvelope()
	if env == nil || len(env.Signatures) != 1 {
		return errors.New("virtual rekor: bundle has no DSSE envelope with one signature")
	}
	certs, err := cryptoutils.UnmarshalCertificatesFromPEM(certPEM)
	if err != nil || len(certs) == 0 {
		return fmt.Errorf("virtual rekor: certificate: %w", err)
	}
	denv := &dsse.Envelope{
		PayloadType: env.PayloadType,
		Payload:     base64.StdEncoding.EncodeToString(env.Payload),
		Signatures:  []dsse.Signature{{Sig: base64.StdEncoding.EncodeToString(env.Signatures[0].Sig)}},
	}
	now := time.Now().Unix()
	entry, err := r.v.vs.GenerateTlogEntry(certs[0], denv, env.Signatures[0].Sig, now, true)
	if err != nil {
		return fmt.Errorf("virtual rekor: %w", err)
	}
	tle := entry.TransparencyLogEntry()
	logID, err := r.v.vs.RekorLogID()
	if err != nil {
		return err
	}
	set, err := r.v.vs.RekorSignPayload(tlog.RekorPayload{
		Body: base64.StdEncoding.EncodeToString(tle.CanonicalizedBody), IntegratedTime: now,
		LogIndex: tle.LogIndex, LogID: logID,
	})
	if err != nil {
		return err
	}
	var kv struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal(tle.CanonicalizedBody, &kv); err != nil {
		return err
	}
	id, _ := hex.DecodeString(logID)
	tle.LogId = &protocommon.LogId{KeyId: id}
	tle.KindVersion = &protorekor.KindVersion{Kind: kv.Kind, Version: kv.APIVersion}
	tle.InclusionPromise = &protorekor.InclusionPromise{SignedEntryTimestamp: set}
	b.VerificationMaterial.TlogEntries = append(b.VerificationMaterial.TlogEntries, tle)
	return nil
}

// CTLogs is empty: the virtual CA embeds no SCTs, so none are required.
func (t trusted) CTLogs() map[string]*root.TransparencyLog { return nil }

// Key generates an unencrypted key pair and returns its signer and PEM
// public key, failing the test on any error.
func Key(t testing.TB) (*sign.Signer, []byte) {
	t.Helper()
	priv, pub, err := sign.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	k, err := sign.ParsePrivateKey(priv, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sign.NewKeySigner(k)
	if err != nil {
		t.Fatal(err)
	}
	return s, pub
}
