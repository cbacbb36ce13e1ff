package trust

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore/pkg/signature"
	"golang.org/x/mod/semver"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/tollgate-dev/tollgate/pkg/safefile"
	"github.com/tollgate-dev/tollgate/pkg/signer"
)

// publicGoodRoot is the public-good Sigstore trusted root (from
// sigstore-go's test data, Apache-2.0), used for keyless identities that
// name no trustedRoot.
//
//go:embed trusted_root.public-good.json
var publicGoodRoot []byte

// maxTrustedRootSize bounds a trusted_root.json read from disk.
const maxTrustedRootSize = 4 << 20

// parseBundle decodes a Sigstore bundle. model-signing (and other Python
// signers) write v0.3 bundles whose verification material is an
// x509CertificateChain, which the v0.3 spec forbids and sigstore-go
// refuses; such a chain is turned into its leaf certificate, and the
// certificates after the leaf are returned as untrusted intermediates for
// certificate-chain identities. Nothing else is rewritten: the signature
// still has to verify against the leaf.
func parseBundle(b []byte) (*bundle.Bundle, []*x509.Certificate, error) {
	var pb protobundle.Bundle
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(b, &pb); err != nil {
		return nil, nil, fmt.Errorf("parse Sigstore bundle: %w", err)
	}
	var extra []*x509.Certificate
	vm := pb.GetVerificationMaterial()
	if chain := vm.GetX509CertificateChain(); chain != nil && len(chain.GetCertificates()) > 0 {
		v, err := (&bundle.Bundle{Bundle: &pb}).Version()
		if err != nil {
			return nil, nil, fmt.Errorf("parse Sigstore bundle: %w", err)
		}
		certs := chain.GetCertificates()
		for i, c := range certs[1:] {
			cert, err := x509.ParseCertificate(c.GetRawBytes())
			if err != nil {
				return nil, nil, fmt.Errorf("parse Sigstore bundle: certificate %d of the chain: %w", i+1, err)
			}
			extra = append(extra, cert)
		}
		if semver.Compare(v, "v0.3") >= 0 {
			vm.Content = &protobundle.VerificationMaterial_Certificate{Certificate: certs[0]}
		}
	}
	out, err := bundle.NewBundle(&pb)
	if err != nil {
		return nil, nil, fmt.Errorf("invalid Sigstore bundle: %w", err)
	}
	if out.GetDsseEnvelope() == nil && out.GetMessageSignature() == nil {
		return nil, nil, errors.New("invalid Sigstore bundle: neither a DSSE envelope nor a message signature")
	}
	return out, extra, nil
}

// leaf returns the bundle's signing certificate, or nil.
func (b *signed) leaf() *x509.Certificate {
	vc, err := b.VerificationContent()
	if err != nil {
		return nil
	}
	return vc.Certificate()
}

// publicKey is a policy public key with the verifiers to try (the curve's
// default hash first, then SHA-256 as cosign uses for every curve) and an
// optional validity window (when the key was given as a certificate).
type publicKey struct {
	id                  signer.Identity
	verifiers           []signature.Verifier
	notBefore, notAfter time.Time
}

func (k *publicKey) validAt(t time.Time) error {
	if !k.notBefore.IsZero() && t.Before(k.notBefore) {
		return fmt.Errorf("key is not valid before %s", k.notBefore.UTC().Format(time.RFC3339))
	}
	if !k.notAfter.IsZero() && t.After(k.notAfter) {
		return fmt.Errorf("key expired at %s", k.notAfter.UTC().Format(time.RFC3339))
	}
	return nil
}

// parsePublicKey reads the first PUBLIC KEY or CERTIFICATE PEM block;
// text around it (certtool and openssl -text output) is ignored.
func parsePublicKey(text string) (*publicKey, error) {
	rest := []byte(text)
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			return nil, errors.New("publicKey holds no PEM PUBLIC KEY or CERTIFICATE block")
		}
		var (
			pub crypto.PublicKey
			k   publicKey
			err error
		)
		switch blk.Type {
		case "PUBLIC KEY":
			pub, err = x509.ParsePKIXPublicKey(blk.Bytes)
			k.id = signer.KeyFromDER(blk.Bytes)
		case "CERTIFICATE":
			var c *x509.Certificate
			c, err = x509.ParseCertificate(blk.Bytes)
			if err == nil {
				pub, k.notBefore, k.notAfter = c.PublicKey, c.NotBefore, c.NotAfter
				k.id = signer.KeyFromDER(c.RawSubjectPublicKeyInfo)
			}
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("parse public key: %w", err)
		}
		pk, err := newPublicKey(pub, k.id)
		if err != nil {
			return nil, err
		}
		pk.notBefore, pk.notAfter = k.notBefore, k.notAfter
		return pk, nil
	}
}

// newPublicKey loads the verifiers for a public key: the key type's default
// hash (SHA-384 for P-384, as model-signing signs), then SHA-256 for other
// curves (as cosign signs with every curve).
func newPublicKey(pub crypto.PublicKey, id signer.Identity) (*publicKey, error) {
	def, err := signature.LoadDefaultVerifier(pub)
	if err != nil {
		return nil, fmt.Errorf("load public key: %w", err)
	}
	k := &publicKey{id: id, verifiers: []signature.Verifier{def}}
	if ec, ok := pub.(*ecdsa.PublicKey); ok && ec.Curve != elliptic.P256() {
		sv, err := signature.LoadECDSAVerifier(ec, crypto.SHA256)
		if err != nil {
			return nil, fmt.Errorf("load public key: %w", err)
		}
		k.verifiers = append(k.verifiers, sv)
	}
	return k, nil
}

// parseCertificates reads every CERTIFICATE block of a PEM text.
func parseCertificates(text string) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	rest := []byte(text)
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse certificate chain: %w", err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("certificateChain holds no PEM CERTIFICATE block")
	}
	return certs, nil
}

// chainAuthority trusts leaves issued under a private CA chain. Its roots
// are the chain's self-signed certificates (or its last certificate when
// none is self-signed); the rest, and the bundle's own certificates after
// the leaf, are intermediates. Private-CA certificates are long-lived and
// carry no transparency-log time, so every certificate's validity window
// is checked at the caller's clock, never at a time the bundle claims.
type chainAuthority struct {
	roots, intermediates *x509.CertPool
}

func newChainAuthority(text string, bundleChain []*x509.Certificate) (*chainAuthority, error) {
	certs, err := parseCertificates(text)
	if err != nil {
		return nil, err
	}
	ca := &chainAuthority{roots: x509.NewCertPool(), intermediates: x509.NewCertPool()}
	var roots int
	for _, c := range certs {
		if bytes.Equal(c.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(c) == nil {
			ca.roots.AddCert(c)
			roots++
			continue
		}
		ca.intermediates.AddCert(c)
	}
	if roots == 0 {
		ca.roots.AddCert(certs[len(certs)-1])
	}
	for _, c := range bundleChain {
		ca.intermediates.AddCert(c)
	}
	return ca, nil
}

func (ca *chainAuthority) verify(leaf *x509.Certificate, at time.Time) error {
	_, err := leaf.Verify(x509.VerifyOptions{
		CurrentTime:   at,
		Roots:         ca.roots,
		Intermediates: ca.intermediates,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	})
	if err != nil {
		return fmt.Errorf("certificate %q does not chain to the trusted certificate chain at %s: %w",
			leaf.Subject.String(), at.UTC().Format(time.RFC3339), err)
	}
	return nil
}

// leafKey is a chain-verified leaf's public key.
func leafKey(leaf *x509.Certificate) (*publicKey, error) {
	return newPublicKey(leaf.PublicKey, signer.KeyFromDER(leaf.RawSubjectPublicKeyInfo))
}

// asKeySigned returns a copy of the bundle whose verification material is
// a public-key hint instead of the certificate, for verification with the
// certificate's (already trusted) key.
func (b *signed) asKeySigned() *bundle.Bundle {
	pb := proto.Clone(b.Bundle.Bundle).(*protobundle.Bundle)
	pb.VerificationMaterial = &protobundle.VerificationMaterial{
		Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{}},
	}
	return &bundle.Bundle{Bundle: pb}
}

// material returns the trusted material for a keyless identity: the
// identity's own trusted root file, else WithTrustedMaterial or
// WithTrustedRootFile (the last given), else the embedded public-good root.
func (o *options) material(path string) (root.TrustedMaterial, error) {
	switch {
	case path != "":
		return loadTrustedRoot(path)
	case o.trusted != nil:
		return o.trusted, nil
	default:
		tr, err := root.NewTrustedRootFromJSON(publicGoodRoot)
		if err != nil {
			return nil, fmt.Errorf("embedded public-good trusted root: %w", err)
		}
		return tr, nil
	}
}

func loadTrustedRoot(path string) (root.TrustedMaterial, error) {
	b, err := safefile.Read(path, maxTrustedRootSize)
	if err != nil {
		return nil, fmt.Errorf("trusted root: %w", err)
	}
	tr, err := root.NewTrustedRootFromJSON(b)
	if err != nil {
		return nil, fmt.Errorf("trusted root %s: %w (want a Sigstore trusted_root.json)", path, err)
	}
	return tr, nil
}
