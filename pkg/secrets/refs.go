package secrets

import (
	"bytes"
	"encoding/json"
	"path"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Reference kinds.
const (
	RefEnv              = "env"                   // ${VAR}
	RefGitHubSecret     = "github-actions-secret" // ${{ secrets.X }}
	RefKubernetesSecret = "kubernetes-secret"     // secretKeyRef, envFrom.secretRef, secret volumes, imagePullSecrets
	RefExternalSecret   = "external-secret"       // ExternalSecret remoteRef / dataFrom keys
	RefVault            = "vault"                 // vault.hashicorp.com/agent-inject-secret-* annotations
	RefMCPEnv           = "mcp-env"               // MCP server env entries that reference a secret
	RefMCPHeader        = "mcp-header"            // MCP server headers that reference a secret
	RefAWSSecrets       = "aws-secretsmanager"    // arn:aws:secretsmanager:...:secret:NAME
	RefAWSParameter     = "aws-ssm-parameter"     // arn:aws:ssm:...:parameter/NAME
	RefGCPSecret        = "gcp-secret-manager"    // projects/P/secrets/S
	RefAzureKeyVault    = "azure-key-vault"       // https://V.vault.azure.net/secrets/S
)

// Reference is a secret that the release refers to without containing it.
type Reference struct {
	Kind  string   `json:"kind"`
	Name  string   `json:"name"`
	Paths []string `json:"paths"`
}

// ID is the reference's identity: "kind:name".
func (r Reference) ID() string { return r.Kind + ":" + r.Name }

type refKey struct{ kind, name string }

func mergeRefs(m map[refKey]map[string]bool) []Reference {
	out := make([]Reference, 0, len(m))
	for k, paths := range m {
		out = append(out, Reference{Kind: k.kind, Name: k.name, Paths: sortedKeys(paths)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func (fs *fileScan) ref(kind, name string) {
	if name == "" || len(name) > 512 {
		return
	}
	fs.refs = append(fs.refs, refKey{kind, name})
}

var (
	envFirst = chars("A-Za-z_")
	envRest  = chars("A-Za-z0-9_")
	arnChars = chars("A-Za-z0-9:/_+=.@!-")
	gcpChars = chars("a-z0-9-")
	nameChar = chars("A-Za-z0-9_-")
)

// refPatterns find references written in text: ${VAR}, ${{ secrets.X }},
// cloud secret-manager ARNs and URIs.
var refPatterns = []struct {
	lit string
	fn  func(fs *fileScan, b []byte, pos int)
}{
	{"${", envRef},
	{"arn:aws:secretsmanager:", arnRef(RefAWSSecrets, ":secret:")},
	{"arn:aws:ssm:", arnRef(RefAWSParameter, ":parameter/")},
	{"/secrets/", pathRef},
}

func envRef(fs *fileScan, b []byte, pos int) {
	j := pos + 2
	if j < len(b) && b[j] == '{' {
		j++
		for j < len(b) && b[j] == ' ' {
			j++
		}
		if !bytes.HasPrefix(b[j:], []byte("secrets.")) {
			return
		}
		j += len("secrets.")
		s := j
		for j < len(b) && envRest[b[j]] && j-s < 256 {
			j++
		}
		fs.ref(RefGitHubSecret, string(b[s:j]))
		return
	}
	s := j
	if j >= len(b) || !envFirst[b[j]] {
		return
	}
	for j < len(b) && envRest[b[j]] && j-s < 256 {
		j++
	}
	if j < len(b) && (b[j] == '}' || b[j] == ':') {
		fs.ref(RefEnv, string(b[s:j]))
	}
}

func arnRef(kind, must string) func(*fileScan, []byte, int) {
	return func(fs *fileScan, b []byte, pos int) {
		j := pos
		for j < len(b) && arnChars[b[j]] && j-pos < 2048 {
			j++
		}
		if s := string(b[pos:j]); strings.Contains(s, must) {
			fs.ref(kind, strings.TrimRight(s, ".:"))
		}
	}
}

// pathRef handles ".../secrets/NAME": Azure Key Vault secret URIs and
// Google Secret Manager resource names.
func pathRef(fs *fileScan, b []byte, pos int) {
	j := pos + len("/secrets/")
	e := j
	for e < len(b) && nameChar[b[e]] && e-j < 256 {
		e++
	}
	if e == j {
		return
	}
	const azure = ".vault.azure.net"
	if bytes.HasSuffix(b[max(0, pos-len(azure)):pos], []byte(azure)) {
		s := pos - len(azure)
		for s > 0 && nameChar[b[s-1]] && pos-s < 128 {
			s--
		}
		fs.ref(RefAzureKeyVault, string(b[s:e]))
		return
	}
	s := pos
	for s > 0 && gcpChars[b[s-1]] && pos-s < 64 {
		s--
	}
	if s == pos || !bytes.HasSuffix(b[max(0, s-len("projects/")):s], []byte("projects/")) {
		return
	}
	fs.ref(RefGCPSecret, string(b[s-len("projects/"):e]))
}

var yamlMarkers = [][]byte{[]byte("secretKeyRef"), []byte("secretRef"), []byte("secretName"), []byte("ExternalSecret"),
	[]byte("vault.hashicorp.com/agent-inject-secret-"), []byte("imagePullSecrets"), []byte("secret:")}

// structRefs parses Kubernetes manifests and MCP configuration for the
// references they declare.
func (fs *fileScan) structRefs(b []byte, name string) {
	switch path.Ext(strings.ToLower(name)) {
	case ".yaml", ".yml":
		if !containsAnyBytes(b, yamlMarkers) {
			return
		}
		for _, doc := range splitYAML(b) {
			var v any
			if yaml.Unmarshal(doc, &v) != nil {
				continue
			}
			fs.k8sRefs(v)
		}
	case ".json":
		if !bytes.Contains(b, []byte(`"mcpServers"`)) && !bytes.Contains(b, []byte(`"servers"`)) {
			return
		}
		var v map[string]any
		if json.Unmarshal(b, &v) != nil {
			return
		}
		fs.mcpRefs(v)
	}
}

func containsAnyBytes(b []byte, ws [][]byte) bool {
	for _, w := range ws {
		if bytes.Contains(b, w) {
			return true
		}
	}
	return false
}

func splitYAML(b []byte) [][]byte {
	var docs [][]byte
	for _, d := range bytes.Split(b, []byte("\n---")) {
		if len(bytes.TrimSpace(d)) > 0 {
			docs = append(docs, d)
		}
	}
	return docs
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func (fs *fileScan) k8sRefs(v any) {
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 64 {
			return
		}
		switch t := v.(type) {
		case []any:
			for _, e := range t {
				walk(e, depth+1)
			}
		case map[string]any:
			if r, ok := t["secretKeyRef"].(map[string]any); ok {
				n := str(r, "name")
				if k := str(r, "key"); k != "" {
					n += "/" + k
				}
				fs.ref(RefKubernetesSecret, n)
			}
			if r, ok := t["secretRef"].(map[string]any); ok {
				fs.ref(RefKubernetesSecret, str(r, "name"))
			}
			if r, ok := t["secret"].(map[string]any); ok {
				n := str(r, "secretName")
				if n == "" {
					n = str(r, "name")
				}
				fs.ref(RefKubernetesSecret, n)
			}
			if ps, ok := t["imagePullSecrets"].([]any); ok {
				for _, p := range ps {
					if m, ok := p.(map[string]any); ok {
						fs.ref(RefKubernetesSecret, str(m, "name"))
					}
				}
			}
			if md, ok := t["metadata"].(map[string]any); ok {
				if an, ok := md["annotations"].(map[string]any); ok {
					for k, v := range an {
						if strings.HasPrefix(k, "vault.hashicorp.com/agent-inject-secret-") {
							if s, ok := v.(string); ok {
								fs.ref(RefVault, s)
							}
						}
					}
				}
			}
			if str(t, "kind") == "ExternalSecret" {
				fs.externalSecretRefs(t)
			}
			for _, k := range sortedKeys(t) {
				walk(t[k], depth+1)
			}
		}
	}
	walk(v, 0)
}

func (fs *fileScan) externalSecretRefs(doc map[string]any) {
	spec, _ := doc["spec"].(map[string]any)
	data, _ := spec["data"].([]any)
	for _, d := range data {
		m, _ := d.(map[string]any)
		rr, _ := m["remoteRef"].(map[string]any)
		if k := str(rr, "key"); k != "" {
			if p := str(rr, "property"); p != "" {
				k += "#" + p
			}
			fs.ref(RefExternalSecret, k)
		}
	}
	from, _ := spec["dataFrom"].([]any)
	for _, d := range from {
		m, _ := d.(map[string]any)
		for _, kind := range []string{"extract", "find"} {
			if e, ok := m[kind].(map[string]any); ok {
				if k := str(e, "key"); k != "" {
					fs.ref(RefExternalSecret, k)
				}
			}
		}
	}
}

// mcpRefs records the env entries and headers of MCP servers (Claude,
// Cursor and VS Code layouts) whose values reference a secret.
func (fs *fileScan) mcpRefs(doc map[string]any) {
	for _, top := range []string{"mcpServers", "servers"} {
		servers, _ := doc[top].(map[string]any)
		for _, name := range sortedKeys(servers) {
			srv, _ := servers[name].(map[string]any)
			for field, kind := range map[string]string{"env": RefMCPEnv, "headers": RefMCPHeader} {
				m, _ := srv[field].(map[string]any)
				for k, v := range m {
					if s, ok := v.(string); ok && isReference(strings.TrimPrefix(strings.TrimPrefix(s, "Bearer "), "Basic ")) {
						fs.ref(kind, name+"/"+k)
					}
				}
			}
		}
	}
}
