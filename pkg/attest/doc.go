// Package attest builds and signs the release attestation: an in-toto
// Statement v1 about the artefact root digest with predicate
// https://tollgate.dev/release-gate/v1 (verdict, per-check verdicts and
// report digests, approvals, applied exceptions, policy digest, run
// identity, time), and a second statement carrying the SLSA Verification
// Summary v1 so other verifiers can read the verdict. Both are written as
// Sigstore bundles (v0.3, DSSE) to the evidence workspace. A FAILED verdict
// is attested too: it is audit evidence.
package attest
