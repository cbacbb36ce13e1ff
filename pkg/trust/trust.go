package trust

import (
	"context"
	"errors"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/tollgate-dev/tollgate/pkg/policy"
)

// ErrUntrusted is wrapped by every verification failure: bad signature,
// unknown signer, identity mismatch, expired key, digest mismatch.
var ErrUntrusted = errors.New("signature not trusted")

// Result describes a verified bundle.
type Result struct {
	// Identity is the Name of the policy identity that matched.
	Identity string
	// Signer describes the signer: "key:<sha256 of DER public key>" or
	// "<subject> (issuer <issuer>)" for certificates.
	Signer string
	// PayloadType and Payload are the DSSE envelope's, when the bundle
	// holds one (Payload is the raw in-toto Statement JSON).
	PayloadType string
	Payload     []byte
	// SignedAt is the verified signing time (tlog or timestamp authority),
	// or zero when the bundle carries none.
	SignedAt time.Time
}

type options struct {
	trusted     root.TrustedMaterial
	trustedFile string
	digest      string
	now         func() time.Time
}

// Option configures Verify.
type Option func(*options)

// WithTrustedMaterial uses tm (for example sigstore-go's virtual Sigstore
// in tests) for keyless identities.
func WithTrustedMaterial(tm root.TrustedMaterial) Option {
	return func(o *options) { o.trusted = tm }
}

// WithTrustedRootFile loads a trusted_root.json for keyless identities.
func WithTrustedRootFile(path string) Option { return func(o *options) { o.trustedFile = path } }

// WithArtifactDigest requires the bundle to be about "sha256:<hex>": a DSSE
// statement subject or the message-signature digest.
func WithArtifactDigest(d string) Option { return func(o *options) { o.digest = d } }

// WithNow sets the clock used for validity windows without a tlog time.
func WithNow(now func() time.Time) Option { return func(o *options) { o.now = now } }

// Verify verifies bundle against each identity in ids in turn and returns
// the first that verifies. It fails closed: no identities, a malformed
// bundle, or no match is an error wrapping ErrUntrusted.
func Verify(ctx context.Context, bundle []byte, ids []policy.Identity, opts ...Option) (*Result, error) {
	return verifyJSON(ctx, bundle, ids, opts...)
}
