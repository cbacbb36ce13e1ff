package provenance

import (
	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/review"
)

// Compare diffs two review records the way the provenance check diffs an
// artefact against its review: files both ways, the model identity, and
// (when both records have a provenance section) pinned configuration,
// lock-file packages and images. Findings carry the check's classes,
// severities, fingerprints and messages; Blocking is left unset for the
// caller's policy. The root-digest finding is included.
func Compare(old, cur *review.ReleaseReview) []evidence.Finding {
	fileFindings := compareFiles(&old.Spec.Artifact, &cur.Spec.Artifact)
	out := append([]evidence.Finding(nil), fileFindings...)
	out = append(out, compareModel(old.Spec.Model, cur.Spec.Model)...)
	if old.Spec.Provenance != nil && cur.Spec.Provenance != nil {
		method := old.Spec.Artifact.Serialization.Method
		reported := map[string]bool{}
		for _, f := range fileFindings {
			reported[resourcePath(f.Path, method)] = true
		}
		out = append(out, compareSection(old.Spec.Provenance, cur.Spec.Provenance, reported)...)
	}
	sortFindings(out)
	return out
}

// ResourcePath is the file a finding's path names: the path itself, or
// without its ":start:end" suffix under shard serialization.
func ResourcePath(name string, method artifact.Method) string { return resourcePath(name, method) }
