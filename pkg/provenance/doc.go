// Package provenance is the provenance check: is the artefact about to be
// promoted exactly what was reviewed, and was it made by whom the policy
// trusts?
//
// It compares the candidate artefact with the review record both ways
// (files added, removed, modified, the root digest), the model identity,
// the pinned configuration by category (prompts, tool and agent config,
// deploy manifests, lock files) and, for lock files, the packages added,
// removed or changed. Container images named by deploy manifests are
// resolved to digests (a digest in the reference is used as is; a tag is
// resolved in the registry with go-containerregistry, and a tag that cannot
// be resolved blocks). Upstream Sigstore bundles are verified with package
// trust: OpenSSF model-signing bundles (v1.0 predicate, and the v0.2
// Digests form) must list exactly the artefact's files with the
// predicate's own serialization; other bundles must be about the artefact
// root or one of its files.
//
// Every difference is a finding naming the path and both values, with a
// fingerprint of sha256(class|path|old|new), so an exception can waive it.
package provenance
