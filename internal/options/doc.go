// Package options holds the flag groups tollgate's commands share, one
// struct per group with an AddFlags method, as cosign's options package
// does: Logging (every command), Step (a check's inputs and outputs),
// TrustedIdentity (the signer provenance, gate and verify trust: one
// definition, one size limit), Signing (how approve and attest sign) and
// Hash (how an artefact is hashed). Each group validates itself and
// returns usage errors (exit 2) and invalid-input errors (exit 3) the
// command layer maps to exit codes. Root turns a command into the root of
// a binary.
package options
