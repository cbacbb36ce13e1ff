// Package trust verifies Sigstore bundles (v0.1–v0.3, DSSE or message
// signature) against the identities a ReleasePolicy trusts: a public key, a
// Fulcio keyless identity (issuer and subject, exact or regular expression)
// under a trusted root, or a private-CA certificate chain. Verification is
// sigstore-go's; this package turns policy identities into its verifier
// options, enforces key and certificate validity windows where no
// transparency-log time exists, and says which identity signed.
package trust
