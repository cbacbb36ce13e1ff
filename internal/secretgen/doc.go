// Package secretgen makes deterministic corpora of structurally valid fake
// credentials, one kind per detector of package secrets, and the decoys a
// scanner must not report.
//
// Every value comes from a seeded PCG generator, private keys included
// (EC and RSA keys are derived from the seed, not from crypto/rand), so a
// seed always yields the same bytes and no real secret is ever committed.
// The scanner's precision/recall test (pkg/secrets) and the end-to-end leak
// test (e2e) share it: the first needs many samples per detector, the
// second the exact strings it planted so it can prove none of them leaves
// the pipeline.
package secretgen
