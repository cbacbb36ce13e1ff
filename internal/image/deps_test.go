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

const mod = "github.com/tollgate-dev/tollgate/"

// steps lists, per step binary, what it must not link beyond forbidden:
// another step's code. A step image carries only its own step.
var steps = map[string][]string{
	"provenance": {mod + "pkg/secrets", mod + "pkg/gate", mod + "pkg/attest", mod + "pkg/approval",
		mod + "internal/commands/secretinventory", mod + "internal/commands/permissiondiff", mod + "internal/commands/gate", mod + "internal/commands/attest"},
	"secret-inventory": {mod + "pkg/provenance", mod + "pkg/gate", mod + "pkg/attest", mod + "pkg/oci",
		"github.com/google/go-containerregistry/pkg/v1/remote", "github.com/sigstore/sigstore-go/pkg/verify"},
	// permission-diff masks the values it keeps with the secret
	// scanner's detectors (issue #14): it links pkg/secrets.
	"permission-diff": {mod + "pkg/provenance", mod + "pkg/gate", mod + "pkg/attest", mod + "pkg/oci",
		"github.com/google/go-containerregistry/pkg/v1/remote", "github.com/sigstore/sigstore-go/pkg/verify"},
	"attest": {mod + "pkg/secrets", mod + "pkg/provenance", mod + "pkg/gate"},
	"gate":   {mod + "pkg/secrets", mod + "pkg/provenance", mod + "pkg/oci"},
	"hash": {mod + "pkg/secrets", mod + "pkg/provenance", mod + "pkg/permissions", mod + "pkg/gate", mod + "pkg/attest",
		mod + "pkg/trust", mod + "pkg/sign", mod + "pkg/oci", "github.com/sigstore/"},
	// scan-secrets is the lean sibling of `tollgate scan-secrets`: the
	// scanner alone, without the check, the review model or the policy
	// engine (it starts in a fraction of tollgate's time).
	"scan-secrets": {mod + "pkg/provenance", mod + "pkg/permissions", mod + "pkg/review", mod + "pkg/policy", mod + "pkg/secrets/inventory",
		mod + "pkg/gate", mod + "pkg/attest", mod + "pkg/trust", mod + "pkg/sign", mod + "pkg/oci", "github.com/sigstore/", "cel.dev/", "github.com/google/cel-go/",
		"sigs.k8s.io/kustomize/", mod + "internal/commands/secretinventory"},
	"fetch": {mod + "pkg/secrets", mod + "pkg/provenance", mod + "pkg/permissions", mod + "pkg/gate", mod + "pkg/attest",
		mod + "pkg/trust", mod + "pkg/sign", "github.com/sigstore/"},
}

// everyStep must not be linked by any step binary: the engines, the local
// runner and the tollgate root that assembles every command.
var everyStep = []string{mod + "internal/engines", mod + "internal/runner", mod + "internal/commands$"}

// notTollgate must not be linked by tollgate itself: Argo's validation
// (with HDFS and expr) is for tests and tools only; tollgate run needs
// Tekton's code alone.
var notTollgate = []string{"github.com/argoproj/", mod + "internal/engines/validate"}

// deps returns each package's dependencies (go list -deps).
func deps(t *testing.T, pkgs ...string) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`}, pkgs...)...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		m[fields[0]] = fields[1:]
	}
	if len(m) != len(pkgs) {
		t.Fatalf("go list reported %d packages, want %d", len(m), len(pkgs))
	}
	return m
}

// links reports the dependencies matching rule: a prefix ending in "/", a
// package ending in "$" alone, or a package and its subpackages.
func links(ds []string, rule string) []string {
	var out []string
	if exact, ok := strings.CutSuffix(rule, "$"); ok {
		for _, d := range ds {
			if d == exact {
				out = append(out, d)
			}
		}
		return out
	}
	for _, d := range ds {
		if strings.HasPrefix(d, rule) && (strings.HasSuffix(rule, "/") || len(d) == len(rule) || d[len(rule)] == '/') {
			out = append(out, d)
		}
	}
	return out
}

// TestStepBinariesLinkOnlyTheirStep checks every cmd/* with go list -deps:
// no engine, cloud SDK, runner or other step's code in a step binary, and
// no Argo in tollgate.
func TestStepBinariesLinkOnlyTheirStep(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob("../../cmd/*")
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []string
	for _, d := range dirs {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			pkgs = append(pkgs, "./cmd/"+filepath.Base(d))
		}
	}
	all := deps(t, pkgs...)
	for pkg, ds := range all {
		name := filepath.Base(pkg)
		var rules []string
		if name == "tollgate" {
			rules = notTollgate
		} else {
			if _, ok := steps[name]; !ok {
				t.Errorf("step binary %s has no entry in steps: say what it must not link", name)
			}
			rules = append(append(append([]string{}, forbidden...), everyStep...), steps[name]...)
		}
		for _, r := range rules {
			for _, d := range links(ds, r) {
				t.Errorf("%s links %s", pkg, d)
			}
		}
	}
}

// TestRulesCatchViolations shows the rules can fail: tollgate links Tekton
// (tollgate run) and every step, the Argo validation package links Argo.
func TestRulesCatchViolations(t *testing.T) {
	t.Parallel()
	all := deps(t, "./cmd/tollgate", "./internal/engines/validate")
	tg := all[mod+"cmd/tollgate"]
	for _, r := range []string{forbidden[0], mod + "internal/commands$", mod + "pkg/secrets", mod + "pkg/provenance"} {
		if len(links(tg, r)) == 0 {
			t.Errorf("tollgate does not link %s; the rule would not notice a step that did", r)
		}
	}
	if len(links(all[mod+"internal/engines/validate"], notTollgate[0])) == 0 {
		t.Errorf("internal/engines/validate does not link %s; the tollgate rule would not notice it", notTollgate[0])
	}
}
