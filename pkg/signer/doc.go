// Package signer names who signed a Sigstore bundle, the one way every
// package spells it:
//
//   - a public key: "key:" and the lowercase hex SHA-256 of its PKIX DER
//     encoding (cosign's and sigstore-go's key hint, hex instead of base64);
//   - a certificate: "<subject> (issuer <issuer>)", where a Fulcio
//     certificate's subject is its subject alternative name (email or URI)
//     and its issuer the OIDC issuer extension, and a private-CA
//     certificate's are its X.509 subject and issuer names.
//
// These strings are in signed attestations, approval file names and
// policies (an exception's approver), so they never change. An Identity is
// validated when it is made and compares with ==: separation of duties
// compares identities, not strings that happen to look alike. Its zero
// value is "unknown signer".
package signer
