package validate

import (
	"context"
	"github.com/tollgate-dev/tollgate/internal/engines"
	"os"
	"testing"
)

// FuzzParse feeds arbitrary bytes through the document splitter and every
// decoder: none may panic, and every error must wrap engines.ErrInvalid.
func FuzzParse(f *testing.F) {
	for _, p := range []string{
		"../../../tasks/tekton/tollgate-gate/0.1/tollgate-gate.yaml",
		"../../../tasks/argo/release-gate.yaml",
		"../../../examples/gitops/kargo-verification.yaml",
		"../../../examples/gitops/argocd-presync-hook.yaml",
	} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("---\n---\napiVersion: v1\nkind: X\n"))
	f.Add([]byte("apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: a, name: b}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := engines.Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		argo, kargo := NewArgoSet(), NewKargoSet()
		for _, d := range docs {
			switch d.APIVersion {
			case engines.TektonAPIVersion:
				_, _ = engines.DecodeTekton(context.Background(), d)
			case ArgoAPIVersion:
				_ = argo.Add(d)
			case KargoAPIVersion:
				_ = kargo.Add(d)
			case "batch/v1":
				_, _ = DecodeJob(d)
			}
		}
		_ = kargo.Validate()
	})
}
