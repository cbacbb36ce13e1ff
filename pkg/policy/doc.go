// Package policy defines the ReleasePolicy document: who may approve a
// release and how many approvals it needs, which model signers are trusted,
// who signs the pipeline's attestation, which finding classes block or warn
// per check, the rules exceptions must follow, and optional CEL rules over
// the combined evidence. Documents are YAML or JSON and decoded strictly;
// the policy digest (sha256 of the file's bytes) is recorded in every
// attestation.
package policy
