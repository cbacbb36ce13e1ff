// Package gate is the pipeline's last task: it takes the task results as
// the engine passed them (Tekton `$(tasks.x.results.y)`, Argo
// `{{tasks.x.outputs.parameters.y}}` or a local run), re-verifies every
// evidence report against its digest, verifies the attestation bundle
// against the trusted attestor identities and the provenance
// artifact-digest, recomputes the decision with package decision from the
// same inputs, and refuses any disagreement with what attest signed.
//
// It fails closed: a missing, empty, unsubstituted or unknown result, a
// report whose digest differs from its result, an attestation that does not
// verify, is about another artefact or disagrees with the results, a check
// that could not decide, or a policy that does not load each make the
// verdict FAILED with a reason that names it. The outcome is rendered as a
// table for the log, gate-summary.md and gate-junit.xml.
package gate
