// Package scansecrets is tollgate scan-secrets, the secret scanner alone,
// and the root of the cmd/scan-secrets binary, its lean sibling: it links
// package secrets and the review record (for --review's fingerprint key),
// not the checks, the policy engine or the pipeline engines.
package scansecrets
