package conformance_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/conformance"
)

// TestVendoredWithLicences checks that every upstream folder carries its
// licence and that the model-signing folders hold a bundle.
func TestVendoredWithLicences(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"model-signing", "sigstore"} {
		if b := conformance.ReadFile(t, dir, "LICENSE"); len(b) < 1000 {
			t.Errorf("%s/LICENSE is %d bytes", dir, len(b))
		}
	}
	sigs, err := filepath.Glob(filepath.Join(conformance.Dir(t, "model-signing"), "v*", "model.sig"))
	if err != nil || len(sigs) < 8 {
		t.Fatalf("model.sig bundles: %v, %v", sigs, err)
	}
	if _, err := os.Stat(conformance.Dir(t, "sigstore", "trusted_root.public-good.json")); err != nil {
		t.Fatal(err)
	}
}
