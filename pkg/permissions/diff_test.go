package permissions

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/policy"
)

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"--api-key=sk-live-0123456789abcdef":                "--api-key=[redacted]",
		"TOKEN:abc":                                         "TOKEN:[redacted]",
		"--token=${ORDERS_TOKEN}":                           "--token=${ORDERS_TOKEN}",
		"ghp_0123456789abcdefABCDEF0123456789":              "[redacted]",
		"@modelcontextprotocol/server-filesystem@2025.8.21": "@modelcontextprotocol/server-filesystem@2025.8.21",
		"-y": "-y",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
	// A changed server command line never puts the secret in the detail.
	base := map[string]string{"mcp.json": `{"mcpServers": {"a": {"command": "srv", "args": ["--api-key=sk-live-0123456789abcdef"]}}}`}
	changes, _ := diffFiles(t, base, replace(base, "mcp.json", `"srv"`, `"srv2"`))
	if len(changes) != 1 || !strings.Contains(changes[0].Detail, "command changed") {
		t.Fatalf("changes %+v", changes)
	}
	changes, _ = diffFiles(t, base, replace(base, "mcp.json", `0123456789`, `9876543210`))
	if len(changes) != 1 || strings.Contains(changes[0].Detail, "sk-live") {
		t.Errorf("detail leaks the argument: %q", changes[0].Detail)
	}
}

// TestPolicyRules: the policy decides what blocks, except that narrowing
// never does; fingerprints are stable and distinct.
func TestPolicyRules(t *testing.T) {
	base := map[string]string{"x.tools.json": toolsFixture}
	cand := replace(replace(base, "x.tools.json", "return its status.", "return its current status."), "x.tools.json", `"maxLength": 500`, `"maxLength": 100`)
	changes, _ := diffFiles(t, base, cand)
	if len(changes) != 2 {
		t.Fatalf("changes %+v", changes)
	}
	for _, tc := range []struct {
		name  string
		rules policy.CheckRules
		want  map[string]bool // class → blocking
	}{
		{"default", policy.DefaultRules(policy.CheckPermissions), map[string]bool{"permissions.changed": false, "permissions.narrowed": false}},
		{"block medium", policy.CheckRules{Block: []string{"severity>=medium"}}, map[string]bool{"permissions.changed": true, "permissions.narrowed": false}},
		{"block all permission classes", policy.CheckRules{Block: []string{"permissions.*"}}, map[string]bool{"permissions.changed": true, "permissions.narrowed": false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, c := range changes {
				f := c.Finding(tc.rules)
				if want, ok := tc.want[f.Class]; !ok || f.Blocking != want {
					t.Errorf("%s blocking=%v, want %v", f.Class, f.Blocking, want)
				}
				if f.Attributes["surface"] != SurfaceMCPTool || f.Subject == "" || !strings.HasPrefix(f.Fingerprint, "sha256:") {
					t.Errorf("finding %+v", f)
				}
			}
		})
	}
	if changes[0].Fingerprint == changes[1].Fingerprint {
		t.Error("two changes share a fingerprint")
	}
	again, _ := diffFiles(t, base, cand)
	if again[0].Fingerprint != changes[0].Fingerprint {
		t.Error("fingerprint differs between runs")
	}
}

func TestSARIF(t *testing.T) {
	c := Change{Surface: SurfaceMCPServer, Subject: "shell", Kind: KindAdded, Severity: evidence.High, Detail: "new MCP server", Path: "mcp.json", Fingerprint: "sha256:ab"}
	n := Change{Surface: SurfaceMCPServer, Subject: "old", Kind: KindRemoved, Severity: evidence.Info, Detail: "no longer granted", Path: "mcp.json", Fingerprint: "sha256:cd"}
	rules := policy.DefaultRules(policy.CheckPermissions)
	b, err := evidence.SARIF([]evidence.Finding{n.Finding(rules), c.Finding(rules)})
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, w := range []string{`"version": "2.1.0"`, `"$schema": "https://json.schemastore.org/sarif-2.1.0.json"`,
		`"ruleId": "permissions.added"`, `"ruleIndex": 0`, `"level": "error"`, `"level": "note"`, `"uri": "mcp.json"`,
		`"tollgate/v1": "sha256:ab"`} {
		if !strings.Contains(s, w) {
			t.Errorf("SARIF lacks %s:\n%s", w, s)
		}
	}
	if strings.Index(s, `"level": "error"`) > strings.Index(s, `"level": "note"`) {
		t.Error("blocking results are not listed first")
	}
}
