// Package signtest runs keyless signing without a network: a Fulcio-like
// certificate authority in the test process and sigstore-go's virtual
// Sigstore as the transparency log. Tests pass Options to sign.Keyless and
// TrustedMaterial to pkg/trust.
package signtest
