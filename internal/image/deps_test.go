package image

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// forbidden are import path prefixes a step binary must not link: the
// engines and cloud SDKs (least privilege, small images, fast start).
var forbidden = []string{
	"github.com/tektoncd/",
	"github.com/argoproj/",
	"k8s.io/client-go/",
	"knative.dev/",
	"github.com/aws/",
	"cloud.google.com/",
	"google.golang.org/api/",
	"github.com/Azure/",
	"github.com/hashicorp/vault/",
	"github.com/sigstore/sigstore/pkg/signature/kms/aws",
	"github.com/sigstore/sigstore/pkg/signature/kms/azure",
	"github.com/sigstore/sigstore/pkg/signature/kms/gcp",
	"github.com/sigstore/sigstore/pkg/signature/kms/hashivault",
}

// TestStepBinariesImportNoEngineOrCloudSDK checks every cmd/* except
// tollgate with `go list -deps`.
func TestStepBinariesImportNoEngineOrCloudSDK(t *testing.T) {
	dirs, err := filepath.Glob("../../cmd/*")
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []string
	for _, d := range dirs {
		if st, err := os.Stat(d); err != nil || !st.IsDir() || filepath.Base(d) == "tollgate" {
			continue
		}
		pkgs = append(pkgs, "./cmd/"+filepath.Base(d))
	}
	if len(pkgs) == 0 {
		t.Fatal("no step binaries under cmd/")
	}
	cmd := exec.Command("go", append([]string{"list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`}, pkgs...)...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		checked++
		for _, dep := range fields[1:] {
			for _, f := range forbidden {
				if strings.HasPrefix(dep, f) {
					t.Errorf("%s imports %s", fields[0], dep)
				}
			}
		}
	}
	if checked != len(pkgs) {
		t.Fatalf("go list reported %d packages, want %d", checked, len(pkgs))
	}
}

// TestForbiddenCatchesTollgate shows the check can fail: tollgate itself
// links Tekton (for tollgate run).
func TestForbiddenCatchesTollgate(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "./cmd/tollgate")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	if !strings.Contains(string(out), forbidden[0]) {
		t.Fatalf("tollgate does not import %s; the dependency check would not notice it", forbidden[0])
	}
}
