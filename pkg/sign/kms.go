package sign

import (
	"context"
	"crypto"
	"fmt"

	"github.com/sigstore/sigstore/pkg/signature/kms"
)

// FromKMS returns a Signer for a KMS key URI ("<scheme>://<key>"). tollgate
// links no cloud SDK: the URI is served by the KMS providers registered in
// this binary (none in release builds) or by sigstore's CLI plugin
// mechanism, which runs the program `sigstore-kms-<scheme>` found on PATH
// (the same plugins cosign uses).
func FromKMS(ctx context.Context, uri string) (*Signer, error) {
	sv, err := kms.Get(ctx, uri, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("kms %s: %w (install the sigstore-kms-<scheme> plugin for this URI on PATH)", uri, err)
	}
	var signErr error
	cs, _, err := sv.CryptoSigner(ctx, func(err error) { signErr = err })
	if err != nil {
		return nil, fmt.Errorf("kms %s: %w", uri, err)
	}
	if signErr != nil {
		return nil, fmt.Errorf("kms %s: %w", uri, signErr)
	}
	s, err := NewKeySigner(cs)
	if err != nil {
		return nil, fmt.Errorf("kms %s: %w", uri, err)
	}
	return s, nil
}
