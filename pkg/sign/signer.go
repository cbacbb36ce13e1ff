package sign

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	sgsign "github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/tollgate-dev/tollgate/pkg/intoto"
	"github.com/tollgate-dev/tollgate/pkg/signer"
)

// Signer signs in-toto statements into Sigstore bundles.
type Signer struct {
	kp       *keypair
	identity signer.Identity
	// keyless only
	cert  []byte // DER leaf certificate
	tlogs []sgsign.Transparency
	tsas  []*sgsign.TimestampAuthority
}

// NewKeySigner returns a Signer for a private key (ECDSA, RSA or Ed25519)
// or any crypto.Signer, such as a KMS key.
func NewKeySigner(k crypto.Signer) (*Signer, error) {
	kp, err := newKeypair(k)
	if err != nil {
		return nil, err
	}
	id, err := signer.Key(k.Public())
	if err != nil {
		return nil, err
	}
	return &Signer{kp: kp, identity: id}, nil
}

// Identity is the signer identity as pkg/trust reports it: "key:<hex>" or
// "<subject> (issuer <issuer>)".
func (s *Signer) Identity() signer.Identity { return s.identity }

// PublicKey returns the signing key's public key.
func (s *Signer) PublicKey() crypto.PublicKey { return s.kp.signer.Public() }

// Certificate returns the DER Fulcio certificate of a keyless signer, or
// nil.
func (s *Signer) Certificate() []byte { return s.cert }

// SignStatement signs an in-toto statement (the DSSE payload) and returns
// the Sigstore bundle v0.3 as JSON.
func (s *Signer) SignStatement(ctx context.Context, statement []byte) ([]byte, error) {
	opts := sgsign.BundleOptions{Context: ctx, TransparencyLogs: s.tlogs, TimestampAuthorities: s.tsas}
	if s.cert != nil {
		opts.CertificateProvider = fixedCertificate(s.cert)
	}
	b, err := sgsign.Bundle(&sgsign.DSSEData{Data: statement, PayloadType: intoto.PayloadType}, s.kp, opts)
	if err != nil {
		return nil, fmt.Errorf("sign statement as %s: %w", s.identity, err)
	}
	return MarshalBundle(b)
}

// MarshalBundle encodes a bundle as the JSON Sigstore clients read.
func MarshalBundle(b *protobundle.Bundle) ([]byte, error) {
	out, err := protojson.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("encode bundle: %w", err)
	}
	return out, nil
}

// fixedCertificate hands sigstore-go the certificate obtained once when the
// keyless signer was created, so every bundle it signs carries the same one.
type fixedCertificate []byte

func (c fixedCertificate) GetCertificate(context.Context, sgsign.Keypair, *sgsign.CertificateProviderOptions) ([]byte, error) {
	return c, nil
}

// keypair adapts a crypto.Signer to sigstore-go's Keypair.
type keypair struct {
	signer  crypto.Signer
	details signature.AlgorithmDetails
	hint    []byte
}

var _ sgsign.Keypair = (*keypair)(nil)

func newKeypair(k crypto.Signer) (*keypair, error) {
	d, err := signature.GetDefaultAlgorithmDetails(k.Public())
	if err != nil {
		return nil, fmt.Errorf("unsupported signing key: %w", err)
	}
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	h := sha256.Sum256(der)
	return &keypair{signer: k, details: d, hint: []byte(base64.StdEncoding.EncodeToString(h[:]))}, nil
}

func (k *keypair) GetHashAlgorithm() protocommon.HashAlgorithm { return k.details.GetProtoHashType() }
func (k *keypair) GetSigningAlgorithm() protocommon.PublicKeyDetails {
	return k.details.GetSignatureAlgorithm()
}
func (k *keypair) GetHint() []byte                { return k.hint }
func (k *keypair) GetPublicKey() crypto.PublicKey { return k.signer.Public() }

func (k *keypair) GetKeyAlgorithm() string {
	switch k.details.GetKeyType() {
	case signature.ECDSA:
		return "ECDSA"
	case signature.RSA:
		return "RSA"
	case signature.ED25519:
		return "ED25519"
	}
	return ""
}

func (k *keypair) GetPublicKeyPem() (string, error) {
	b, err := cryptoutils.MarshalPublicKeyToPEM(k.signer.Public())
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// SignData hashes data (except for pure Ed25519) and signs it.
func (k *keypair) SignData(_ context.Context, data []byte) ([]byte, []byte, error) {
	hf := k.details.GetHashType()
	msg := data
	if hf != crypto.Hash(0) {
		h := hf.New()
		h.Write(data)
		msg = h.Sum(nil)
	}
	sig, err := k.signer.Sign(rand.Reader, msg, hf)
	if err != nil {
		return nil, nil, fmt.Errorf("sign: %w", err)
	}
	return sig, msg, nil
}
