// Package intoto encodes and decodes in-toto Statements v1
// (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md):
// the DSSE payload of every bundle tollgate signs (approvals, the
// release-gate attestation, the SLSA verification summary) and reads.
//
// New writes a statement about one subject, deterministically (fields in
// struct order, predicate keys sorted, no HTML escaping, compact), so the
// same predicate gives the same signed bytes. Parse reads Statement v1 and
// the v0.1 that `cosign attest-blob` still writes, bounded, and checks what
// verifiers rely on; it verifies nothing: pass it the payload pkg/trust
// returned after verifying the bundle.
package intoto
