// Package inventory is the secret-inventory check: it scans an artefact
// with package secrets, compares the secret references it finds with the
// review record, applies the release policy and writes the check's
// report. `tollgate review` records the references with Snapshot.
//
// It is apart from package secrets so that the scanner alone (bin/scan-secrets,
// `tollgate scan-secrets`) links neither the review record's model nor the
// policy engine.
package inventory
