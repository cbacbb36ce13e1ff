// Package review defines the ReleaseReview document: the reviewed state of
// an artefact, snapshotted by `tollgate review` and signed by approvers with
// `tollgate approve`. Each check owns one section (artifact and model from
// the foundation, provenance, secrets, permissions) and compares the
// candidate artefact against it; exceptions granted at review time live
// here too, so an approval covers them.
//
// Documents are YAML or JSON and decoded strictly (see package document).
package review
