// Package conformance is signed test data that other tools made: OpenSSF
// model-signing bundles with the tiny models they sign, and sigstore-go's
// public-good trusted root and a real SLSA provenance bundle. It is
// vendored under testdata/ with each upstream's licence (Apache-2.0; see
// testdata/README.md for what each file is and how it verifies) and
// embedded, so a clone of the repository runs its tests with nothing beside
// it. Only tests import this package.
package conformance
