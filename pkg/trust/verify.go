package trust

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"

	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/signer"
)

// MaxBundleSize bounds the bundle bytes Verify accepts.
const MaxBundleSize = 8 << 20

func verifyJSON(ctx context.Context, bundleJSON []byte, ids []policy.Identity, artifact Artifact, opts ...Option) (*Result, error) {
	if len(bundleJSON) > MaxBundleSize {
		return nil, fmt.Errorf("%w: bundle is %d bytes, larger than the %d-byte limit", ErrUntrusted, len(bundleJSON), MaxBundleSize)
	}
	b, extra, err := parseBundle(bundleJSON)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUntrusted, err)
	}
	return verifyBundle(ctx, &signed{Bundle: b, chain: extra}, ids, artifact, opts...)
}

// signed is a parsed bundle plus any certificates that followed the leaf
// in an x509CertificateChain (untrusted intermediates).
type signed struct {
	*bundle.Bundle
	chain []*x509.Certificate
}

func verifyBundle(ctx context.Context, b *signed, ids []policy.Identity, artifact Artifact, opts ...Option) (*Result, error) {
	o := options{now: time.Now}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUntrusted, err)
		}
	}
	if artifact.policy == nil {
		return nil, fmt.Errorf("%w: no artifact policy: pass trust.ArtifactDigest or, explicitly, trust.WithoutArtifactUnsafe", ErrUntrusted)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%w: no trusted identities configured (set them in the policy or pass --key, --certificate-chain or --certificate-identity)", ErrUntrusted)
	}
	var errs []error
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res, err := verifyIdentity(b, id, artifact.policy, &o)
		if err == nil {
			res.Identity = id.Name
			if err := fillPayload(b, res); err != nil {
				return nil, err
			}
			return res, nil
		}
		errs = append(errs, fmt.Errorf("identity %q: %w", id.Name, err))
	}
	return nil, fmt.Errorf("%w: no trusted identity verifies the bundle: %w", ErrUntrusted, errors.Join(errs...))
}

func verifyIdentity(b *signed, id policy.Identity, artifact verify.ArtifactPolicyOption, o *options) (*Result, error) {
	switch {
	case id.PublicKey != "":
		return verifyKey(b, id.PublicKey, artifact, o)
	case id.CertificateChain != "":
		return verifyChain(b, id.CertificateChain, artifact, o)
	case id.Keyless != nil:
		return verifyKeyless(b, id.Keyless, artifact, o)
	default:
		return nil, errors.New("identity has no publicKey, keyless or certificateChain")
	}
}

func verifyKey(b *signed, pemText string, artifact verify.ArtifactPolicyOption, o *options) (*Result, error) {
	if b.leaf() != nil {
		return nil, errors.New("bundle is signed with a certificate, not a public key")
	}
	k, err := parsePublicKey(pemText)
	if err != nil {
		return nil, err
	}
	if err := k.validAt(o.now()); err != nil {
		return nil, err
	}
	if err := verifyWithKey(b.Bundle, k, artifact); err != nil {
		return nil, err
	}
	return &Result{Signer: k.id}, nil
}

// verifyWithKey verifies a public-key bundle with sigstore-go, trying each
// of the key's verifiers (hash choices).
func verifyWithKey(b *bundle.Bundle, k *publicKey, artifact verify.ArtifactPolicyOption) error {
	var errs []error
	for _, sv := range k.verifiers {
		tm := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) {
			return root.NewExpiringKey(sv, k.notBefore, k.notAfter), nil
		})
		v, err := verify.NewVerifier(tm, verify.WithNoObserverTimestamps())
		if err != nil {
			return err
		}
		if _, err := v.Verify(b, verify.NewPolicy(artifact, verify.WithKey())); err != nil {
			errs = append(errs, err)
			continue
		}
		return nil
	}
	return errors.Join(errs...)
}

// verifyChain checks that the bundle's leaf certificate chains to the
// policy's private CA at now() (with the code-signing usage), then has
// sigstore-go verify the signature with the leaf's key. Private-CA leaves
// need not carry the Subject Alternative Name a Fulcio certificate has, so
// the bundle is verified as a key-signed bundle once the chain is trusted.
func verifyChain(b *signed, pemText string, artifact verify.ArtifactPolicyOption, o *options) (*Result, error) {
	leaf := b.leaf()
	if leaf == nil {
		return nil, errors.New("bundle is signed with a public key, not a certificate")
	}
	ca, err := newChainAuthority(pemText, b.chain)
	if err != nil {
		return nil, err
	}
	if err := ca.verify(leaf, o.now()); err != nil {
		return nil, err
	}
	k, err := leafKey(leaf)
	if err != nil {
		return nil, err
	}
	if err := verifyWithKey(b.asKeySigned(), k, artifact); err != nil {
		return nil, err
	}
	id, err := signer.Certificate(leaf.Subject.String(), leaf.Issuer.String())
	if err != nil {
		return nil, fmt.Errorf("private-CA certificate: %w", err)
	}
	return &Result{Signer: id}, nil
}

func verifyKeyless(b *signed, k *policy.Keyless, artifact verify.ArtifactPolicyOption, o *options) (*Result, error) {
	if b.leaf() == nil {
		return nil, errors.New("bundle is signed with a public key, not a Fulcio certificate")
	}
	tm, err := o.material(k.TrustedRoot)
	if err != nil {
		return nil, err
	}
	vopts := []verify.VerifierOption{verify.WithObserverTimestamps(1)}
	if len(tm.RekorLogs()) > 0 {
		vopts = append(vopts, verify.WithTransparencyLog(1))
	}
	if len(tm.CTLogs()) > 0 {
		vopts = append(vopts, verify.WithSignedCertificateTimestamps(1))
	}
	v, err := verify.NewVerifier(tm, vopts...)
	if err != nil {
		return nil, err
	}
	ci, err := verify.NewShortCertificateIdentity(k.Issuer, anchor(k.IssuerRegExp), k.Subject, anchor(k.SubjectRegExp))
	if err != nil {
		return nil, err
	}
	res, err := v.Verify(b, verify.NewPolicy(artifact, verify.WithCertificateIdentity(ci)))
	if err != nil {
		return nil, err
	}
	c := res.Signature.Certificate
	id, err := signer.Certificate(c.SubjectAlternativeName, c.Issuer)
	if err != nil {
		return nil, fmt.Errorf("keyless certificate: %w", err)
	}
	return &Result{Signer: id, SignedAt: signedAt(res)}, nil
}

// anchor makes a policy regular expression match the whole value: an
// unanchored "github.com/acme" would also match "evil.example/github.com/acme".
func anchor(re string) string {
	if re == "" {
		return ""
	}
	return "^(?:" + re + ")$"
}

// signedAt is the earliest verified observer time (tlog or TSA).
func signedAt(res *verify.VerificationResult) time.Time {
	var t time.Time
	for _, ts := range res.VerifiedTimestamps {
		if ts.Type == "CurrentTime" {
			continue
		}
		if t.IsZero() || ts.Timestamp.Before(t) {
			t = ts.Timestamp.UTC()
		}
	}
	return t
}

func fillPayload(b *signed, r *Result) error {
	env, err := b.Envelope()
	if err != nil {
		return nil // a message signature: no payload
	}
	raw := env.RawEnvelope()
	p, err := raw.DecodeB64Payload()
	if err != nil {
		return fmt.Errorf("%w: decode DSSE payload: %w", ErrUntrusted, err)
	}
	r.PayloadType, r.Payload = raw.PayloadType, p
	return nil
}
