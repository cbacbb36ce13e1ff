// Package attest builds and signs the release attestation: an in-toto
// Statement v1 about the artefact root digest with predicate
// https://tollgate.dev/release-gate/v1 (verdict, per-check verdicts and
// report digests, approvals, applied exceptions, policy digest, run
// identity, time), and a second statement carrying the SLSA Verification
// Summary v1 so other verifiers can read the verdict. Both are written as
// Sigstore bundles (v0.3, DSSE) to the evidence workspace. A FAILED verdict
// is attested too: it is audit evidence.
//
// Attest verifies its inputs first (each report against its digest result,
// each approval against the policy) and lets package decision judge them.
// Verify is the promotion check behind `tollgate verify`: trusted signer,
// exactly the artefact digest, PASSED, allowed policy, not too old.
package attest
