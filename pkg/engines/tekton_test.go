package engines

import (
	"context"
	"path/filepath"
	"testing"
)

func TestTektonFilesProbe(t *testing.T) {
	files, _ := filepath.Glob("../../tasks/tekton/*/*/*.yaml")
	more, _ := filepath.Glob("../../examples/tekton/*.yaml")
	for _, f := range append(files, more...) {
		docs, err := ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			if _, err := DecodeTekton(context.Background(), d); err != nil {
				t.Error(err)
			}
		}
	}
}
