package commands

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	rollouts "github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/tollgate-dev/tollgate/internal/testregistry"
)

// gitopsDir is the repository's examples/gitops.
const gitopsDir = "../../examples/gitops"

// strict decodes one YAML document into v, refusing unknown fields.
func strict(t *testing.T, doc []byte, v any) {
	t.Helper()
	if err := yaml.UnmarshalStrict(doc, v); err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
}

// containerArgs expands $(VAR) in c's args from its env, as the kubelet
// does, after overriding env values with set.
func containerArgs(t *testing.T, c corev1.Container, set map[string]string) []string {
	t.Helper()
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	for k, v := range set {
		env[k] = v
	}
	re := regexp.MustCompile(`\$\(([A-Z_]+)\)`)
	var out []string
	for _, a := range c.Args {
		out = append(out, re.ReplaceAllStringFunc(a, func(m string) string {
			v, ok := env[m[2:len(m)-1]]
			if !ok {
				t.Fatalf("arg %q names an unset variable", a)
			}
			return v
		}))
	}
	return out
}

// localArgs points the in-cluster key path at the test's key.
func localArgs(args []string, pub string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.HasPrefix(a, "--key=") {
			a = "--key=" + pub
		}
		out[i] = a
	}
	return out
}

// TestGitOpsExamples renders the Argo CD application (Deployment and
// PreSync hook Job, bound by kustomize replacements) and decodes the Kargo
// AnalysisTemplate with Argo Rollouts' types, then runs each verify
// container's arguments against a real registry: the attested digest being
// promoted passes; another digest promoted with the same manifests fails
// (TestAttestVerifyOCI covers a valid bundle copied onto another digest).
func TestGitOpsExamples(t *testing.T) {
	t.Parallel()
	rel := newRelease(t)
	reg := testregistry.Addr(t)
	push := func(repo string) string {
		t.Helper()
		img, _ := random.Image(64, 1)
		r, _ := name.ParseReference(repo + ":1")
		if err := remote.Write(r, img); err != nil {
			t.Fatal(err)
		}
		d, _ := img.Digest()
		return r.Context().Digest(d.String()).String()
	}
	repo := reg + "/agents/support-agent"
	attested, other := push(repo), push(repo)
	if code, out := runSignCmd(t, append(rel.attestArgs, "--attach", attested, "--allow-insecure-registry")...); code != 0 {
		t.Fatalf("attest: %d\n%s", code, out)
	}
	operator := map[string]string{"POLICY_DIGEST": rel.policyDigest}

	t.Run("argocd", func(t *testing.T) {
		t.Parallel()
		job := func(t *testing.T, promoted string) corev1.Container {
			t.Helper()
			// Set the image in the example's kustomization, as `kustomize
			// edit set image` and Kargo's kustomize-set-image step do.
			// (images and replacements must be in the same kustomization:
			// an overlay's images run after its base's replacements.)
			root := t.TempDir()
			ref, err := name.NewDigest(promoted)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"kustomization.yaml", "deployment.yaml", "argocd-presync-hook.yaml"} {
				b, err := os.ReadFile(filepath.Join(gitopsDir, f))
				if err != nil {
					t.Fatal(err)
				}
				if f == "kustomization.yaml" {
					set := regexp.MustCompile(`(?m)^    digest: sha256:[0-9a-f]{64}$`)
					if !set.Match(b) {
						t.Fatal("kustomization.yaml sets no image digest")
					}
					b = set.ReplaceAll(b, []byte("    newName: "+ref.Context().String()+"\n    digest: "+ref.DigestStr()))
				}
				if err := os.WriteFile(filepath.Join(root, f), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			rm, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), root)
			if err != nil {
				t.Fatal(err)
			}
			var found *batchv1.Job
			for _, r := range rm.Resources() {
				if r.GetKind() != "Job" {
					continue
				}
				b, err := r.AsYAML()
				if err != nil {
					t.Fatal(err)
				}
				found = &batchv1.Job{}
				strict(t, b, found)
			}
			if found == nil {
				t.Fatal("no Job rendered")
			}
			if got := found.Annotations["argocd.argoproj.io/hook"]; got != "PreSync" {
				t.Fatalf("hook annotation %q, want PreSync", got)
			}
			if found.Spec.BackoffLimit == nil || *found.Spec.BackoffLimit != 0 || found.Spec.ActiveDeadlineSeconds == nil {
				t.Fatal("the hook must not retry and must have a deadline")
			}
			c := found.Spec.Template.Spec.Containers[0]
			if !strings.Contains(c.Image, "@sha256:") {
				t.Fatalf("verify image %q not pinned by digest", c.Image)
			}
			return c
		}
		for _, tc := range []struct {
			name, promoted string
			code           int
			out            string
		}{
			{"the attested digest", attested, 0, "PASSED: release agent (" + attested + ")"},
			{"another digest", other, 1, "no release-gate attestation attached to " + other},
		} {
			args := containerArgs(t, job(t, tc.promoted), operator)
			if !strings.Contains(strings.Join(args, " "), "--oci="+tc.promoted) {
				t.Fatalf("%s: the hook does not verify the deployed image: %q", tc.name, args)
			}
			code, out := runSignCmd(t, localArgs(args, rel.pub)...)
			if code != tc.code || !strings.Contains(out, tc.out) {
				t.Fatalf("%s: exit %d, want %d with %q\n%s", tc.name, code, tc.code, tc.out, out)
			}
		}
	})

	t.Run("kargo", func(t *testing.T) {
		t.Parallel()
		b, err := os.ReadFile(filepath.Join(gitopsDir, "kargo-verification.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		docs := bytes.Split(b, []byte("\n---\n"))
		var at rollouts.AnalysisTemplate
		strict(t, docs[0], &at)
		if at.APIVersion != "argoproj.io/v1alpha1" || at.Kind != "AnalysisTemplate" {
			t.Fatalf("%s %s: Kargo verifies with Argo Rollouts' argoproj.io/v1alpha1 AnalysisTemplate", at.APIVersion, at.Kind)
		}
		if len(at.Spec.Args) != 1 || at.Spec.Args[0].Name != "promoted-image" {
			t.Fatalf("args %+v", at.Spec.Args)
		}
		// The Stage derives the argument from the Freight, by digest.
		var stage struct {
			Spec struct {
				Verification struct {
					AnalysisTemplates []struct{ Name string }
					Args              []struct{ Name, Value string }
				}
			}
		}
		if err := yaml.Unmarshal(docs[1], &stage); err != nil {
			t.Fatal(err)
		}
		v := stage.Spec.Verification
		if len(v.AnalysisTemplates) != 1 || v.AnalysisTemplates[0].Name != at.Name || len(v.Args) != 1 {
			t.Fatalf("stage verification %+v", v)
		}
		expr := regexp.MustCompile(`^([^@]+)@\$\{\{ imageFrom\("([^"]+)"\)\.Digest \}\}$`)
		m := expr.FindStringSubmatch(v.Args[0].Value)
		if m == nil || m[1] != m[2] {
			t.Fatalf("stage arg %q is not REF@${{ imageFrom(REF).Digest }}", v.Args[0].Value)
		}
		job := at.Spec.Metrics[0].Provider.Job
		if job == nil || job.Spec.BackoffLimit == nil || *job.Spec.BackoffLimit != 0 {
			t.Fatal("the metric must be a job that does not retry")
		}
		c := job.Spec.Template.Spec.Containers[0]
		for _, tc := range []struct {
			name, promoted string
			code           int
		}{{"the attested digest", attested, 0}, {"another digest", other, 1}} {
			// Rollouts substitutes {{args.promoted-image}} with what the
			// Stage evaluated for the Freight.
			cc := c
			cc.Env = append([]corev1.EnvVar(nil), c.Env...)
			for i, e := range cc.Env {
				cc.Env[i].Value = strings.ReplaceAll(e.Value, "{{args.promoted-image}}", tc.promoted)
			}
			args := containerArgs(t, cc, operator)
			if code, out := runSignCmd(t, localArgs(args, rel.pub)...); code != tc.code {
				t.Fatalf("%s: exit %d, want %d\n%s", tc.name, code, tc.code, out)
			}
		}
	})
}
