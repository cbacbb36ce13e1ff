// Package trustroot keeps the trust root out of the candidate's hands.
//
// A release candidate (its artefact, review record and approvals) is
// written by the release author. What decides whether it ships (the
// ReleasePolicy with its approvers, attestors, model signers and blocking
// rules, and the keys and trusted roots that verify signatures) belongs to
// the platform owner and must come from elsewhere: a read-only workspace
// (a ConfigMap, a git checkout pinned by commit, an OCI artefact pulled by
// digest), pinned by a digest the Pipeline owner fixes. Outside refuses a
// trust input that resolves inside the candidate's directories.
package trustroot
