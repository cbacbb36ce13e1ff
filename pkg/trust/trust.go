package trust

import (
	"context"
	"errors"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"

	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/signer"
)

// ErrUntrusted is wrapped by every verification failure: bad signature,
// unknown signer, identity mismatch, expired key, digest mismatch.
var ErrUntrusted = errors.New("signature not trusted")

// Result describes a verified bundle.
type Result struct {
	// Identity is the Name of the policy identity that matched.
	Identity string
	// Signer is who signed: the key, or the certificate's subject and
	// issuer (package signer).
	Signer signer.Identity
	// PayloadType and Payload are the DSSE envelope's, when the bundle
	// holds one (Payload is the raw in-toto Statement JSON).
	PayloadType string
	Payload     []byte
	// SignedAt is the verified signing time (tlog or timestamp authority),
	// or zero when the bundle carries none.
	SignedAt time.Time
}

type options struct {
	trusted root.TrustedMaterial
	now     func() time.Time
}

// Option configures Verify. Options are validated when Verify applies
// them: a bad one is an error before anything is verified.
type Option func(*options) error

// WithTrustedMaterial uses tm (for example sigstore-go's virtual Sigstore
// in tests) for keyless identities that name no trustedRoot.
func WithTrustedMaterial(tm root.TrustedMaterial) Option {
	return func(o *options) error {
		if tm == nil {
			return errors.New("WithTrustedMaterial: nil trusted material")
		}
		o.trusted = tm
		return nil
	}
}

// WithTrustedRootFile loads a trusted_root.json for keyless identities
// that name no trustedRoot. The file is read and parsed when Verify
// applies the option.
func WithTrustedRootFile(path string) Option {
	return func(o *options) error {
		if path == "" {
			return errors.New("WithTrustedRootFile: empty path")
		}
		tm, err := loadTrustedRoot(path)
		if err != nil {
			return err
		}
		o.trusted = tm
		return nil
	}
}

// WithNow sets the clock at which key and certificate validity windows are
// judged when a bundle carries no transparency-log time (default: the wall
// clock).
func WithNow(now func() time.Time) Option {
	return func(o *options) error {
		if now == nil {
			return errors.New("WithNow: nil clock")
		}
		o.now = now
		return nil
	}
}

// Artifact is what a bundle must be about: a digest, or explicitly
// nothing (WithoutArtifactUnsafe). Verify takes it as a required argument,
// so that no caller skips the binding by forgetting an option; its zero
// value is refused.
type Artifact struct {
	policy verify.ArtifactPolicyOption
}

// ArtifactDigest requires the bundle to be about d: a DSSE statement
// subject or the message-signature digest. d was validated when it was
// parsed; the zero Digest is an error here, not later.
func ArtifactDigest(d digest.Digest) (Artifact, error) {
	if d.IsZero() {
		return Artifact{}, errors.New("artifact digest is empty: pass the digest the bundle must be about")
	}
	return Artifact{policy: verify.WithArtifactDigest(string(d.Algorithm()), d.Raw())}, nil
}

// WithoutArtifactUnsafe verifies the signature and signer without binding
// the bundle to any artefact. The caller must then check what the verified
// payload is about itself (attest.Verify and approval.Verify compare the
// statement subject, to say which release or review it names).
func WithoutArtifactUnsafe() Artifact {
	return Artifact{policy: verify.WithoutArtifactUnsafe()}
}

// Verify verifies bundle against each identity in ids in turn and returns
// the first that verifies, requiring the bundle to be about artifact. It
// fails closed: no identities, a zero Artifact, a bad option, a malformed
// bundle, or no match is an error wrapping ErrUntrusted.
func Verify(ctx context.Context, bundle []byte, ids []policy.Identity, artifact Artifact, opts ...Option) (*Result, error) {
	return verifyJSON(ctx, bundle, ids, artifact, opts...)
}
