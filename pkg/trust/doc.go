// Package trust verifies Sigstore bundles (v0.1–v0.3, DSSE or message
// signature) against the identities a ReleasePolicy trusts: a public key, a
// Fulcio keyless identity (issuer and subject, exact or regular expression)
// under a trusted root, or a private-CA certificate chain. Verification is
// sigstore-go's; this package turns policy identities into its verifier
// options, enforces key and certificate validity windows where no
// transparency-log time exists, and says which identity signed.
//
// Identities, and what each requires:
//
//   - publicKey: a PEM PUBLIC KEY (ECDSA P-256/P-384/P-521, RSA, Ed25519)
//     or a CERTIFICATE whose key is trusted and whose validity window is
//     checked at WithNow. The bundle's key hint is not trusted for anything.
//     ECDSA keys on P-384/P-521 are tried with their curve's hash
//     (model-signing) and then SHA-256 (cosign).
//   - keyless: the certificate must chain to the trusted root's Fulcio CA
//     at a verified observer time (Rekor integrated time or RFC 3161
//     timestamp), be in the transparency log when the root has Rekor logs,
//     carry SCTs when the root has CT logs, and match issuer and subject.
//     Regular expressions are anchored (they must match the whole value).
//     The trusted root is, in order: the identity's trustedRoot file,
//     WithTrustedMaterial, WithTrustedRootFile, or the public-good root
//     embedded in this package (trusted_root.public-good.json, from
//     sigstore-go's test data, Apache-2.0).
//   - certificateChain: the bundle's leaf must chain, with the code-signing
//     usage, to a self-signed certificate of the PEM chain (or its last
//     certificate), through the chain's other certificates or those the
//     bundle carries after its leaf, with every certificate valid at
//     WithNow. The signature is then verified with the leaf's key.
//
// model-signing writes v0.3 bundles with an x509CertificateChain, which the
// v0.3 specification forbids and sigstore-go refuses; Verify reads such a
// chain as its leaf certificate plus untrusted intermediates.
//
// Package trusttest makes real bundles for tests (keys and a virtual
// Sigstore) without network.
package trust
