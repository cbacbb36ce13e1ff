package review_test

import (
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/review"
)

func FuzzDecodeReview(f *testing.F) {
	f.Add([]byte(valid))
	f.Add([]byte("apiVersion: tollgate.dev/v1alpha1\nkind: ReleaseReview\nmetadata: {name: x}\nspec: {artifact: {root: sha256:00}}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := review.Decode(b)
		if err == nil && r.Spec.Artifact.Root == "" {
			t.Fatal("accepted a review without a root digest")
		}
	})
}
