package validate

import (
	"context"
	"errors"
	"github.com/tollgate-dev/tollgate/internal/engines"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateRejects shows each validator can fail: one broken variant of
// a shipped document per case, validated next to the real files.
func TestValidateRejects(t *testing.T) {
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join("../../..", p))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tests := []struct {
		name, file, old, new, want string
	}{
		{"tekton undeclared param", "tasks/tekton/tollgate-gate/0.1/tollgate-gate.yaml", "$(params.public-key)", "$(params.nope)", "non-existent variable"},
		{"tekton unknown field", "tasks/tekton/tollgate-gate/0.1/tollgate-gate.yaml", "      command: [\"gate\"]", "      command: [\"gate\"]\n      bogus: 1", `unknown field "bogus"`},
		{"tekton duplicate key", "tasks/tekton/tollgate-gate/0.1/tollgate-gate.yaml", "      command: [\"gate\"]", "      command: [\"gate\"]\n      command: [\"x\"]", "already set"},
		{"tekton alpha feature", "tasks/tekton/tollgate-gate/0.1/tollgate-gate.yaml", "      command: [\"gate\"]", "      command: [\"gate\"]\n      stdoutConfig:\n        path: /tmp/x", `requires "enable-api-fields" feature gate`},
		{"pipeline unknown result", "examples/tekton/pipeline.yaml", "$(tasks.attest.results.verdict)", "$(tasks.attest.results.verdikt)", `declares no result "verdikt"`},
		{"pipeline missing param", "examples/tekton/pipeline.yaml", "        - name: attestation-digest\n          value: $(tasks.attest.results.attestation-digest)\n        - name: review", "        - name: review", `required param "attestation-digest" is not given`},
		{"pipeline matrix over a string", "examples/tekton/pipeline.yaml", "value: $(tasks.fetch.results.hash-part-indices[*])", "value: $(params.hash-parts)", `matrix param "index" is "$(params.hash-parts)", not an array`},
		{"pipeline scan matrix over a string", "examples/tekton/pipeline.yaml", "value: $(tasks.fetch.results.scan-part-indices[*])", "value: $(params.scan-parts)", `matrix param "index" is "$(params.scan-parts)", not an array`},
		{"pipeline scan-part missing param", "examples/tekton/pipeline.yaml", "        - name: count\n          value: $(params.scan-parts)\n", "", `required param "count" is not given`},
		{"argo unknown scan-parts templateRef", "tasks/argo/release-gate.yaml", "name: tollgate-secret-scan-parts", "name: tollgate-secret-scan-partz", "tollgate-secret-scan-partz"},
		{"argo scan part unknown input", "tasks/argo/secret-scan-parts.yaml", "{{inputs.parameters.index}}", "{{inputs.parameters.indexx}}", "failed to resolve {{inputs.parameters.indexx}}"},
		{"pipeline matrix unknown param", "examples/tekton/pipeline.yaml", "          - name: index\n", "          - name: indx\n", `param "indx" is not declared`},
		{"argo unknown input", "tasks/argo/gate.yaml", "{{inputs.parameters.public-key}}", "{{inputs.parameters.nope}}", "failed to resolve {{inputs.parameters.nope}}"},
		{"argo unknown templateRef", "tasks/argo/release-gate.yaml", "name: tollgate-gate", "name: tollgate-gait", "tollgate-gait"},
		{"argo unknown task output", "tasks/argo/release-gate.yaml", "{{tasks.attest.outputs.parameters.verdict}}", "{{tasks.attest.outputs.parameters.verdikt}}", "verdikt"},
		{"job restart policy", "examples/gitops/argocd-presync-hook.yaml", "restartPolicy: Never", "restartPolicy: Always", "restartPolicy must be Never or OnFailure"},
		{"kargo unknown arg", "examples/gitops/kargo-verification.yaml", "      - name: promoted-image\n        value:", "      - name: promoted-imagee\n        value:", `arg "promoted-image" is not given`},
		{"kargo analysis template kind", "examples/gitops/kargo-verification.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate", "apiVersion: kargo.akuity.io/v1alpha1\nkind: AnalysisTemplate", "Kargo verifies with Argo Rollouts' AnalysisTemplate"},
		{"kustomization unknown field", "examples/gitops/kustomization.yaml", "replacements:", "replacement: []\nreplacements:", `unknown field "replacement"`},
		{"kargo unknown field", "examples/gitops/kargo-verification.yaml", "  promotionTemplate:", "  promotionTemplates: {}\n  promotionTemplate:", `unknown field "promotionTemplates"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := read(tt.file)
			if !strings.Contains(orig, tt.old) {
				t.Fatalf("%s does not contain %q", tt.file, tt.old)
			}
			dir := t.TempDir()
			// Validate the broken file next to its siblings so references resolve.
			src := filepath.Join("../../..", filepath.Dir(tt.file))
			entries, err := os.ReadDir(src)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.IsDir() {
					continue
				}
				b := read(filepath.Join(filepath.Dir(tt.file), e.Name()))
				if e.Name() == filepath.Base(tt.file) {
					b = strings.Replace(orig, tt.old, tt.new, 1)
				}
				if err := os.WriteFile(filepath.Join(dir, e.Name()), []byte(b), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			dirs := []string{dir}
			if strings.HasPrefix(tt.file, "examples/tekton") {
				dirs = append(dirs, "../../../tasks/tekton")
			}
			_, errs := Validate(context.Background(), dirs...)
			if len(errs) == 0 {
				t.Fatal("validated without error")
			}
			joined := errors.Join(errs...).Error()
			if !strings.Contains(joined, tt.want) {
				t.Errorf("errors do not mention %q:\n%s", tt.want, joined)
			}
			if !errors.Is(errs[0], engines.ErrInvalid) {
				t.Errorf("error does not wrap engines.ErrInvalid: %v", errs[0])
			}
		})
	}
}

// TestArgoClusterTemplatesMatch keeps tasks/argo/cluster/ generated from
// tasks/argo/ (hack/gen-argo-cluster.sh).
func TestArgoClusterTemplatesMatch(t *testing.T) {
	files, err := filepath.Glob("../../../tasks/argo/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no WorkflowTemplates: %v", err)
	}
	for _, f := range files {
		ns, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cl, err := os.ReadFile(filepath.Join(filepath.Dir(f), "cluster", filepath.Base(f)))
		if err != nil {
			t.Fatalf("%v; run hack/gen-argo-cluster.sh", err)
		}
		want := strings.Replace(string(ns), "\nkind: WorkflowTemplate\n", "\nkind: ClusterWorkflowTemplate\n", 1)
		got := string(cl)
		got = got[strings.Index(got, "\n")+1:] // the generated-file comment
		got = strings.ReplaceAll(got, "\n              clusterScope: true", "")
		if got != want {
			t.Errorf("%s differs from its ClusterWorkflowTemplate; run hack/gen-argo-cluster.sh", f)
		}
	}
}
