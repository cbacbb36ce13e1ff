package secrets

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	kyaml "k8s.io/apimachinery/pkg/util/yaml"
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

// ref records a reference, unless its name is a credential: a token
// pasted where a name belongs ("${ghp_...}", a Secret named after a key)
// is never inventoried, so it cannot travel into reports and records.
// The detectors report the credential itself.
func (fs *fileScan) ref(kind, name string) {
	if name == "" || len(name) > 512 || credentialName(name) {
		return
	}
	fs.refs = append(fs.refs, refKey{kind, name})
}

// credentialName reports whether a reference name holds a credential
// that an anchored detector recognises, or looks like a random token
// rather than a name.
func credentialName(name string) bool {
	if _, ok := anchoredMatch([]byte(name)); ok {
		return true
	}
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '/' || r == ':' || r == '#' || r == '.' }) {
		if randomToken(part) {
			return true
		}
	}
	return false
}

// randomToken reports whether s looks like a generated secret rather than
// a name: at least 16 characters of letters and digits (and "_" or "-")
// mixing upper case, lower case and digits, with few vowels and many
// changes of character class, unlike camelCase or SNAKE_CASE words.
func randomToken(s string) bool {
	if len(s) < 16 || len(s) > 256 {
		return false
	}
	var up, lo, dg, vowels, letters, changes int
	prev := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		class := 0
		switch {
		case c >= 'a' && c <= 'z':
			lo++
			class = 1
		case c >= 'A' && c <= 'Z':
			up++
			class = 2
		case c >= '0' && c <= '9':
			dg++
			class = 3
		case c == '_' || c == '-':
			class = 4
		default:
			return false
		}
		if class == 1 || class == 2 {
			letters++
			if strings.IndexByte("aeiouAEIOU", c) >= 0 {
				vowels++
			}
		}
		if prev >= 0 && class != prev {
			changes++
		}
		prev = class
	}
	return up > 0 && lo > 0 && dg >= 2 && vowels*100 < letters*35 && changes*3 >= len(s)
}

// anchoredMatch runs the anchored detectors over b and returns the rule
// of the first credential found.
func anchoredMatch(b []byte) (string, bool) {
	for i := 0; i+1 < len(b); i++ {
		v := uint16(b[i]) | uint16(b[i+1])<<8
		if bigramSet[v>>6]&(1<<(v&63)) == 0 {
			continue
		}
		for _, p := range bigramList[bigramIdx[v]] {
			if p.fold || p.ref != nil || !bytes.HasPrefix(b[i:], p.lit) {
				continue
			}
			for _, d := range p.dets {
				if _, _, _, r, ok := d.match(b, i); ok {
					if r == "" {
						r = d.rule
					}
					return r, true
				}
			}
		}
	}
	return "", false
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
		if _, anchored := anchoredMatch(b[s:j]); !anchored && randomToken(string(b[s:j])) {
			fs.refFound = append(fs.refFound, pending{off: s, end: j, pri: 1,
				f: Finding{Rule: RuleGenericSecret, Fingerprint: fs.s.Fingerprint(b[s:j])}})
		}
		fs.ref(RefGitHubSecret, string(b[s:j]))
		return
	}
	s := j
	if j >= len(b) || !envRest[b[j]] {
		return
	}
	// "${5f3A…}" names no variable (a digit first), but the token
	// pasted there still ships: reported below, never inventoried.
	variable := envFirst[b[j]]
	for j < len(b) && envRest[b[j]] && j-s < 256 {
		j++
	}
	if j < len(b) && (b[j] == '}' || b[j] == ':') {
		name := string(b[s:j])
		if _, anchored := anchoredMatch(b[s:j]); !anchored && randomToken(name) {
			// A generated secret pasted as a variable name: report it
			// as the literal it is (anchored tokens are reported by
			// their own detector).
			fs.refFound = append(fs.refFound, pending{off: s, end: j, pri: 1,
				f: Finding{Rule: RuleGenericSecret, Fingerprint: fs.s.Fingerprint(b[s:j])}})
		}
		if variable {
			fs.ref(RefEnv, name)
		}
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
		docs, err := splitYAML(b)
		if err != nil {
			fs.problem(name, "cannot split the YAML stream into documents: "+err.Error()+" (kubectl refuses it too); put each document after its own \"---\" line")
		}
		for _, doc := range docs {
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

// maxYAMLDocs bounds the documents read from one YAML stream.
const maxYAMLDocs = 10000

// splitYAML splits a YAML stream into documents with Kubernetes' own
// reader (k8s.io/apimachinery/pkg/util/yaml), as kubectl does: a separator
// line carrying content ("--- {kind: Secret}") is an error, not a
// document silently lost.
func splitYAML(b []byte) ([][]byte, error) {
	r := kyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	var docs [][]byte
	for len(docs) < maxYAMLDocs {
		d, err := r.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return docs, err
		}
		if len(bytes.TrimSpace(d)) > 0 {
			docs = append(docs, d)
		}
	}
	return docs, fmt.Errorf("more than %d documents", maxYAMLDocs)
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
