// Package approval signs and verifies approvals of a review record. An
// approval is an in-toto Statement v1 whose subject is the review record
// ({name: metadata.name, digest: sha256 of the review FILE bytes}) with
// predicate https://tollgate.dev/approval/v1 (review name and digest,
// artefact root digest, time), signed into a Sigstore bundle. The signer's
// identity is the approver identity; Verify accepts only signers listed in
// the policy's spec.approvals.approvers, and only approvals of exactly the
// review record being released.
package approval
