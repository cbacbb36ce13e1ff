package provenance

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A Deployment whose only container runs a tag, in the shapes an attacker
// who controls the release checkout could give the file so that a scanner
// keyed on bytes or positions misses it, and decoys that are not objects.
func TestWorkloadImagesWherever(t *testing.T) {
	t.Parallel()
	const img = "evil.example.com/x:latest"
	deployment := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: " + img + "\n"
	padding := strings.Repeat("# a comment line that only pads the file past any header window\n", 1200)
	bigVocab := func(extra string) string {
		var b strings.Builder
		b.WriteString(`{"model":{"vocab":{`)
		for i := range 700000 {
			b.WriteString(`"tok` + strings.Repeat("x", 3) + string(rune('a'+i%26)) + `":1,`)
		}
		b.WriteString(`"apiVersion":1,"kind":2}},"kind":"data"` + extra + `}`)
		return b.String()
	}
	for _, tc := range []struct {
		name, file, body string
		want             []string
		wantErr          string
	}{
		{"plain", "app/d.yaml", deployment, []string{img}, ""},
		{"after 64 KiB of comments", "app/d.yaml", padding + deployment, []string{img}, ""},
		{"in a tools directory", "tools/d.yaml", deployment, []string{img}, ""},
		{"custom resource", "app/isvc.yaml", "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nspec:\n  predictor:\n    containers:\n    - image: " + img + "\n", []string{img}, ""},
		{"OpenShift DockerImage", "app/is.yaml", "apiVersion: image.openshift.io/v1\nkind: ImageStream\nspec:\n  tags:\n  - from: {kind: DockerImage, name: " + img + "}\n", []string{img}, ""},
		{"kustomization images", "kustomization.yaml", "images:\n- name: agent\n  newName: evil.example.com/x\n  newTag: latest\n- name: renamed-only\n  newName: other/y\n", []string{img}, ""},
		{"Kustomization kind", "overlays/prod/kustomization.yml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n- name: evil.example.com/x\n  digest: sha256:5760b81dff688b87693b03473bee12d35f407c32bf086ff8051246250b4cdce9\n", []string{"evil.example.com/x@sha256:5760b81dff688b87693b03473bee12d35f407c32bf086ff8051246250b4cdce9"}, ""},
		{"JSON escaped keys", "app/p.json", `{"api\u0056ersion":"v1","ki\u006ed":"Pod","spec":{"containers":[{"image":"` + img + `"}]}}`, []string{img}, ""},
		{"YAML escaped keys", "app/p.yaml", "\"api\\x56ersion\": v1\n\"ki\\x6ed\": Pod\nspec:\n  containers:\n  - image: " + img + "\n", []string{img}, ""},
		{"YAML in a .json file", "app/p.json", deployment, []string{img}, ""},
		{"flow document", "app/p.yaml", "--- {apiVersion: v1, kind: Pod, spec: {containers: [{image: " + img + "}]}}\n", nil, "separator"},
		{"large object refused", "app/big.json", `{"apiVersion":"v1","kind":"ConfigMap","data":{"k":"` + strings.Repeat("x", maxManifestSize) + `"}}`, nil, "larger than"},
		{"large tokenizer is data", "model/tokenizer.json", bigVocab(""), nil, ""},
		{"ConfigMap label is not an image", "app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\ndata:\n  image: not an image\n", nil, ""},
		{"settings without apiVersion", "app/settings.json", `{"image":"` + img + `"}`, nil, ""},
		{"other extension", "app/d.yaml.tmpl", deployment, nil, ""},
		{"malformed YAML is not an object", "app/bad.yaml", "apiVersion: v1\nkind: Pod\n  : : [\n", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			file := filepath.Join(dir, filepath.FromSlash(tc.file))
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := workloadImages(file, tc.file)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("images = %q, want %q", got, tc.want)
			}
		})
	}
}

// FuzzJSONTopLevel checks the streaming top-level scan against
// encoding/json: every valid document is recognised as JSON, and an object
// is said to have apiVersion exactly when its decoded keys have it.
func FuzzJSONTopLevel(f *testing.F) {
	for _, s := range []string{`{"apiVersion":"v1"}`, `{"api\u0056ersion":1}`, `{"a":[1,{"b":"}"}],"c":"\""}`, `[1,2]`, `{}`, `{"a":1}x`, "apiVersion: v1", `{"a":tru}`, ` {"x" : null , "apiVersion":[]} `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		isJSON, hasAPI := jsonTopLevel(bytes.NewReader(b))
		if !json.Valid(b) {
			return // the scan may be lenient on what kubectl reads as YAML
		}
		if first := bytes.TrimLeft(b, " \t\r\n"); !isJSON && (first[0] == '{' || first[0] == '[') {
			t.Fatalf("valid JSON %q not recognised", b)
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(b, &m) != nil {
			if hasAPI {
				t.Fatalf("%q: apiVersion in a non-object", b)
			}
			return
		}
		if _, want := m["apiVersion"]; want != hasAPI {
			t.Fatalf("%q: hasAPI = %v, want %v", b, hasAPI, want)
		}
	})
}

// The image a container runtime's argument list runs, past its options.
func TestRunImage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"}, "ghcr.io/github/github-mcp-server"},
		{[]string{"run", "-it", "--network=host", "-v", "/a:/b", "--name", "x", "img:1", "serve", "--port", "1"}, "img:1"},
		{[]string{"--context", "prod", "container", "run", "-eTOKEN", "-p8080:80", "img@sha256:5760b81dff688b87693b03473bee12d35f407c32bf086ff8051246250b4cdce9"}, "img@sha256:5760b81dff688b87693b03473bee12d35f407c32bf086ff8051246250b4cdce9"},
		{[]string{"run", "--privileged", "--", "img:2"}, "img:2"},
		{[]string{"create", "--mount", "type=bind,src=/a,dst=/b", "img:3"}, "img:3"},
		{[]string{"exec", "-it", "c", "sh"}, ""},
		{[]string{"ps"}, ""},
		{[]string{"run", "-e"}, ""},
	} {
		if got := runImage(tc.args); got != tc.want {
			t.Errorf("runImage(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}

// Servers launched with "docker run IMAGE" in every client's format.
func TestCommandFileImages(t *testing.T) {
	t.Parallel()
	const img = "ghcr.io/github/github-mcp-server:v0.13.0"
	for _, tc := range []struct {
		name, file, body string
		want             []string
	}{
		{"Claude mcp.json", ".mcp.json", `{"mcpServers":{"gh":{"command":"docker","args":["run","-i","--rm","-e","T","` + img + `"]}}}`, []string{img}},
		{"command line", ".vscode/mcp.json", `{"servers":{"gh":{"command":"/usr/bin/podman run -i --rm ` + img + `"}}}`, []string{img}},
		{"Codex TOML", ".codex/config.toml", "[mcp_servers.gh]\ncommand = \"docker\"\nargs = [\"run\", \"-i\", \"" + img + "\"]\n", []string{img}},
		{"Zed command object", ".zed/settings.json", `{"context_servers":{"gh":{"command":{"path":"docker","args":["run","-i","` + img + `"]}}}}`, []string{img}},
		{"Goose", "goose/config.yaml", "extensions:\n  gh:\n    type: stdio\n    cmd: nerdctl\n    args: [run, -i, " + img + "]\n", []string{img}},
		{"npx is not a container", ".mcp.json", `{"mcpServers":{"a":{"command":"npx","args":["-y","docker-mcp"]}}}`, nil},
		{"docker exec runs no image", ".mcp.json", `{"mcpServers":{"a":{"command":"docker","args":["exec","-i","c","mcp"]}}}`, nil},
		{"prose", "notes.yaml", "text: use docker run to start it\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join(t.TempDir(), "f"+filepath.Ext(tc.file))
			if err := os.WriteFile(file, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := commandFileImages(file, tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("images = %q, want %q", got, tc.want)
			}
		})
	}
}

// FuzzRunImage: any argument list, no panic, and the image is one of the
// arguments.
func FuzzRunImage(f *testing.F) {
	f.Add("run -i --rm -e T ghcr.io/x/y:1")
	f.Add("--context c container run -- img")
	f.Add("run -e")
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Fields(s)
		if img := runImage(args); img != "" && !slices.Contains(args, img) {
			t.Fatalf("runImage(%q) = %q, not an argument", args, img)
		}
	})
}
