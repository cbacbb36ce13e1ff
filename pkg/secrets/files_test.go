package secrets

import (
	"testing"

	"github.com/tollgate-dev/tollgate/internal/secretgen"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := secretgen.WriteTree(dir, files); err != nil {
		t.Fatal(err)
	}
	return dir
}
