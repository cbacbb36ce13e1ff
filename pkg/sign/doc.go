// Package sign signs in-toto Statements v1 into Sigstore bundles (v0.3,
// DSSE) with sigstore-go. A Signer comes from one of three places:
//
//   - a key file: cosign-compatible PEM, either encrypted
//     ("ENCRYPTED SIGSTORE PRIVATE KEY", scrypt + secretbox, as written by
//     `cosign generate-key-pair` and `tollgate keygen`) or an unencrypted
//     PKCS#8 "PRIVATE KEY" for demos and tests;
//   - a KMS URI, resolved by sigstore's KMS registry: tollgate links no
//     cloud SDK, so every URI is served by a `sigstore-kms-<scheme>` plugin
//     program on PATH (sigstore's CLI plugin protocol, the one cosign uses);
//   - keyless: an ephemeral key, a Fulcio certificate obtained with an OIDC
//     token (in a pod, the projected ServiceAccount token) and a Rekor entry.
//
// Every signer names its identity (Signer.Identity) as a signer.Identity,
// the type pkg/trust reports verified signers with ("key:<hex sha256 of
// the DER public key>" for keys, "<subject> (issuer <issuer>)" for
// certificates), so approvals and attestations compare for separation of
// duties.
package sign
