// Package oci attaches Sigstore bundles to an OCI artefact as referrers
// and fetches them back, with go-containerregistry. Each bundle is an OCI
// image manifest with artifactType application/vnd.dev.sigstore.bundle.v0.3+json,
// an empty config, the bundle as its one layer, the predicate type in the
// dev.sigstore.bundle.predicateType annotation and the artefact as its
// subject: the layout cosign v3 writes for --new-bundle-format. Registries
// with the OCI 1.1 referrers API index it themselves; for registries
// without it (Debian's docker-registry 2.8, most older ones) the
// referrers tag schema is used: an image index tagged sha256-<hex of the
// subject digest> lists the referrers, which is also where cosign looks.
package oci
