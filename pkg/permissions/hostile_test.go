package permissions

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestHostileInput: oversized, deeply nested, aliased and duplicated input
// gets a bounded, clear error naming the file, fast.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat(`{"type": "object", "properties": {"x": `, 200) + `{}` + strings.Repeat(`}}`, 200)
	bomb := "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	for i, prev := 'b', 'a'; i <= 'i'; i, prev = i+1, i {
		bomb += string(i) + ": &" + string(i) + " [" + strings.TrimSuffix(strings.Repeat("*"+string(prev)+",", 9), ",") + "]\n"
	}
	bomb = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: x}\n" + bomb
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"10 MB tool description", map[string]string{"tools/big.tools.json": `{"tools": [{"name": "t", "inputSchema": {}, "description": "` + strings.Repeat("A", 10<<20) + `"}]}`},
			[]string{"tools/big.tools.json", "more than the 4194304"}},
		{"long description under the file limit", map[string]string{"tools/long.tools.json": `{"tools": [{"name": "t", "inputSchema": {}, "description": "` + strings.Repeat("A", 1<<20) + `"}]}`},
			[]string{"tools/long.tools.json", "description is 1048576 bytes", "cannot be reviewed"}},
		{"deeply nested schema", map[string]string{"x.tools.json": `{"tools": [{"name": "t", "description": "", "inputSchema": ` + deep + `}]}`},
			[]string{"x.tools.json", "nested deeper than 48"}},
		{"YAML alias bomb", map[string]string{"deploy/role.yaml": bomb},
			[]string{"deploy/role.yaml", "invalid permission file", "aliasing"}},
		{"duplicate JSON keys", map[string]string{"mcp.json": `{"mcpServers": {"a": {"command": "a"}, "a": {"command": "evil"}}}`},
			[]string{"mcp.json", "duplicate field"}},
		{"duplicate YAML keys", map[string]string{".github/workflows/ci.yml": "on: push\npermissions: {contents: read}\npermissions: write-all\njobs: {}\n"},
			[]string{".github/workflows/ci.yml", "already set"}},
		{"duplicate tool", map[string]string{"a.tools.json": `{"tools": [{"name": "t", "inputSchema": {}}, {"name": "t", "inputSchema": {}, "description": "other"}]}`},
			[]string{"a.tools.json", `tool "t" is listed twice`}},
		{"unnamed broken permission file", map[string]string{"config/agent.json": `{"mcpServers": {"a": {"command": "a"}},}`},
			[]string{"config/agent.json", "invalid permission file"}},
		{"role defined twice", map[string]string{"a.yaml": role, "b.yaml": role},
			[]string{"defined twice"}},
		{"non-string rule", map[string]string{".claude/settings.json": `{"permissions": {"deny": [1]}}`},
			[]string{".claude/settings.json", "permissions.deny[0] must be a string"}},
		{"unknown token level", map[string]string{".github/workflows/a.yml": "on: push\njobs:\n  a:\n    permissions: {contents: admin}\n"},
			[]string{"jobs.a", "must be none, read or write"}},
		{"symlinked permission file leaving the root", map[string]string{"mcp.json": "->/etc/hostname"},
			[]string{"mcp.json", "leaves the artefact root"}},
		{"broken symlink", map[string]string{"mcp.json": "->missing.json"},
			[]string{"mcp.json", "broken symbolic link"}},
		{"invalid UTF-8", map[string]string{"mcp.json": "{\"mcpServers\": {\"\xff\": {}}}"},
			[]string{"mcp.json", "UTF-8"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			_, err := Scan(context.Background(), writeTree(t, tc.files))
			if err == nil {
				t.Fatal("scan succeeded, want an error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid: %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if len(err.Error()) > 1000 {
				t.Errorf("error is %d bytes long", len(err.Error()))
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// TestIgnoredFiles: broken or huge files that are not permission files
// do not stop the scan; huge ones are listed as skipped.
func TestIgnoredFiles(t *testing.T) {
	t.Parallel()
	s, err := Scan(context.Background(), writeTree(t, map[string]string{
		"model/tokenizer.json":      `{"model": {"vocab": {"a": 1}}}`,
		"data/broken.json":          `{"not": "closed"`,
		"data/big.json":             `{"x": "` + strings.Repeat("x", MaxFileSize) + `"}`,
		"notes.txt":                 "mcpServers",
		"node_modules/x/mcp.json":   `{broken`,
		"mcp.json":                  `{"mcpServers": {}}`,
		"chart/templates/role.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nrules:\n{{- toYaml .Values.rules | nindent 2 }}\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Skipped) != 2 || !strings.HasPrefix(s.Skipped[0], "chart/templates/role.yaml: a template") || !strings.HasPrefix(s.Skipped[1], "data/big.json") {
		t.Errorf("skipped %q, want the chart template and data/big.json", s.Skipped)
	}
	if len(s.Sources) != 1 || s.Sources[0].Path != "mcp.json" {
		t.Errorf("sources %+v, want mcp.json only", s.Sources)
	}
}
