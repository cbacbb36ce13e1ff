package permissions

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/policy"
)

// TestMasking: values that look like credentials are masked before they
// are stored, whatever the masker, and a changed server command line never
// puts a secret in the change's detail.
func TestMasking(t *testing.T) {
	t.Parallel()
	mcp := func(args string) map[string]string {
		return map[string]string{"mcp.json": `{"mcpServers": {"a": {"command": "srv", "args": [` + args + `], "url": ""}}}`}
	}
	for _, tc := range []struct{ args, want string }{
		{`"--api-key=sk-live-0123456789abcdef"`, `"--api-key=[REDACTED:credential-argument]"`},
		{`"TOKEN:abc123XYZ9"`, `"TOKEN:[REDACTED:credential-argument]"`},
		{`"--author=JaneDoe"`, `"--author=JaneDoe"`},
		{`"--token-env=GITHUB_TOKEN"`, `"--token-env=GITHUB_TOKEN"`},
		{`"--token", "GITHUB_TOKEN"`, `"--token","GITHUB_TOKEN"`},
		{`"-p", "8080:8080"`, `"-p","8080:8080"`},
		{`"--author", "Jane Doe"`, `"--author","Jane Doe"`},
		{`"--header", "Authorization: Bearer Zq8vR2mK4pL9xW3nQ"`, `"--header","Authorization: Bearer [REDACTED:credential-argument]"`},
		{`"--token=${ORDERS_TOKEN}"`, `"--token=${ORDERS_TOKEN}"`},
		{`"ghp0123456789abcdefABCDEF0123456789"`, `"[REDACTED:random-token]"`},
		{`"--token", "Zq8vR2mK4pL9xW3n"`, `"--token","[REDACTED:credential-argument]"`},
		{`"--token-file", "/run/secrets/t"`, `"--token-file","/run/secrets/t"`},
		{`"postgresql://app:hunter2@db/x"`, `"postgresql://[REDACTED:userinfo]@db/x"`},
		{`"@modelcontextprotocol/server-filesystem@2025.8.21"`, `"@modelcontextprotocol/server-filesystem@2025.8.21"`},
		{`"-y"`, `"-y"`},
	} {
		s := scanFiles(t, mcp(tc.args))
		if got := string(s.Grants[0].Content); !strings.Contains(got, `"args":[`+tc.want+`]`) {
			t.Errorf("args %s: content %s, want args [%s]", tc.args, got, tc.want)
		}
	}
	// A password glued to a MySQL or MariaDB client's -p flag: the
	// command (or an argument before) names the client.
	for _, tc := range []struct{ command, args, want string }{
		{"mysql", `"-uroot", "-phunter2hunter2", "-hdb"`, `"-uroot","-p[REDACTED:cli-password]","-hdb"`},
		{"/usr/bin/mariadb", `"-p=S3cret"`, `"-p[REDACTED:cli-password]"`},
		{"docker", `"exec", "db", "mysql", "-uroot", "-pRootPw1"`, `"exec","db","mysql","-uroot","-p[REDACTED:cli-password]"`},
		{"mysql", `"-p${DB_PASSWORD}", "-p"`, `"-p${DB_PASSWORD}","-p"`},
		{"gcc", `"-pthread", "-phunter2hunter2"`, `"-pthread","-phunter2hunter2"`},
		{"sh", `"-c", "mysql -uroot -phunter2hunter2 app"`, `"-c","mysql -uroot -p[REDACTED:cli-password] app"`},
	} {
		files := map[string]string{"mcp.json": `{"mcpServers": {"a": {"command": "` + tc.command + `", "args": [` + tc.args + `]}}}`}
		if got := string(scanFiles(t, files).Grants[0].Content); !strings.Contains(got, `"args":[`+tc.want+`]`) {
			t.Errorf("%s %s: content %s, want args [%s]", tc.command, tc.args, got, tc.want)
		}
	}
	base := map[string]string{"mcp.json": `{"mcpServers": {"a": {"command": "srv", "args": ["--api-key=sk-live-0123456789abcdef"]}}}`}
	changes, _ := diffFiles(t, base, replace(base, "mcp.json", `"srv"`, `"srv2"`))
	if len(changes) != 1 || !strings.Contains(changes[0].Detail, "command changed") {
		t.Fatalf("changes %+v", changes)
	}
	if s := scanFiles(t, base); len(s.Redactions) != 1 || s.Redactions[0].Path != "mcp.json" || s.Redactions[0].Rule != "credential-argument" {
		t.Errorf("redactions %+v", s.Redactions)
	}
}

// TestPolicyRules: the policy decides what blocks, except that narrowing
// never does; fingerprints are stable and distinct.
func TestPolicyRules(t *testing.T) {
	t.Parallel()
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
			t.Parallel()
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
	t.Parallel()
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
