package permissions

import (
	"bytes"
	"encoding/json"
	"testing"
)

// Zed settings (JSON with comments and trailing commas, as Zed reads it):
// context servers whose command is a string or {path, args, env}.
const zedSettings = `// Zed settings
{
  "theme": "One Dark", /* the rest is the agent's */
  "context_servers": {
    "orders": {
      "command": {"path": "npx", "args": ["-y", "orders-mcp@1.2.0"], "env": {"ORDERS_TOKEN": "${ORDERS_TOKEN}"}},
    },
    "docs": {"url": "https://mcp.docs.example.com/mcp"},
  },
}
`

func TestZedContextServers(t *testing.T) {
	t.Parallel()
	const p = ".zed/settings.json"
	base := map[string]string{p: zedSettings}
	runDiffCases(t, base, []diffCase{
		{"unchanged", base, nil},
		{"new server (added)", replace(base, p, `"docs": {`, `"shell": {"command": "shell-mcp"},
    "docs": {`), []want{{SurfaceMCPServer, "shell", KindAdded, H}}},
		{"command changed (broadened)", replace(base, p, `"orders-mcp@1.2.0"`, `"orders-mcp@1.2.0", "--allow-writes"`),
			[]want{{SurfaceMCPServer, "orders", KindChanged, H}}},
		{"server removed", replace(base, p, `"docs": {"url": "https://mcp.docs.example.com/mcp"},`, ``),
			[]want{{SurfaceMCPServer, "docs", KindRemoved, I}, {SurfaceNetwork, "mcp.docs.example.com", KindRemoved, I}}},
	})
}

// Goose config.yaml: extensions of every type; a built-in extension
// (developer: shell and file editing) is a server too.
const gooseConfig = `GOOSE_PROVIDER: anthropic
extensions:
  orders:
    type: stdio
    cmd: npx
    args: ["-y", "orders-mcp@1.2.0"]
    envs: {ORDERS_TOKEN: "${ORDERS_TOKEN}"}
    enabled: true
  docs:
    type: streamable_http
    uri: https://mcp.docs.example.com/mcp
    enabled: true
  developer:
    type: builtin
    name: developer
    enabled: false
`

func TestGooseExtensions(t *testing.T) {
	t.Parallel()
	const p = ".config/goose/config.yaml"
	base := map[string]string{p: gooseConfig}
	runDiffCases(t, base, []diffCase{
		{"unchanged", base, nil},
		{"built-in developer enabled (added)", replace(base, p, "    name: developer\n    enabled: false", "    name: developer\n    enabled: true"),
			[]want{{SurfaceMCPServer, "developer", KindAdded, H}}},
		{"new stdio extension (added)", replace(base, p, "  developer:", "  shell:\n    type: stdio\n    cmd: shell-mcp\n  developer:"),
			[]want{{SurfaceMCPServer, "shell", KindAdded, H}}},
		{"extension disabled (removed)", replace(base, p, "    uri: https://mcp.docs.example.com/mcp\n    enabled: true", "    uri: https://mcp.docs.example.com/mcp\n    enabled: false"),
			[]want{{SurfaceMCPServer, "docs", KindRemoved, I}, {SurfaceNetwork, "mcp.docs.example.com", KindRemoved, I}}},
	})
}

// FuzzStripJSONC: the blanked text keeps its length, valid JSON is left
// alone, and whatever decodes after stripping decodes strictly.
func FuzzStripJSONC(f *testing.F) {
	for _, s := range []string{zedSettings, `{"a": "//not a comment", "b": [1,2,],}`, `/* x */ {}`, `{"a": "\"/*"}`, `{ /* open`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		out, changed := stripJSONC(b)
		if out == nil {
			return
		}
		if len(out) != len(b) {
			t.Fatalf("length %d, want %d", len(out), len(b))
		}
		if json.Valid(b) && changed && !bytes.Equal(out, b) {
			t.Fatalf("valid JSON %q changed to %q", b, out)
		}
	})
}
