package permissions

import (
	"encoding/json"
	"strings"
	"testing"
)

// fuzzFormats are the names a fuzzed file is scanned under: by name
// (each format) and by content only.
var fuzzFormats = []struct {
	name   string
	named  string
	syntax string
}{
	{"mcp.json", FormatMCPConfig, syntaxJSON},
	{"x.tools.json", FormatMCPTools, syntaxJSON},
	{".claude/settings.json", FormatClaude, syntaxJSON},
	{".well-known/agent-card.json", FormatA2A, syntaxJSON},
	{".github/workflows/a.yml", FormatActions, syntaxYAML},
	{".gemini/settings.json", FormatGemini, syntaxJSON},
	{".codex/config.toml", FormatCodex, syntaxTOML},
	{".continue/config.yaml", FormatMCPConfig, syntaxYAML},
	{"any.json", "", syntaxJSON},
	{"any.yaml", "", syntaxYAML},
	{"any.toml", "", syntaxTOML},
}

// FuzzParse feeds arbitrary bytes to every parser. It must not panic, and
// whatever it accepts must survive the review record's round trip:
// a snapshot compared with its own JSON re-encoding has no changes.
func FuzzParse(f *testing.F) {
	for _, s := range []string{mcpConfig, toolsFixture, claudeSettings, openAIConfig, agentCard, role, workflow, codexConfig, geminiSettings, continueConfig, deployment, netpolBase, ciliumBase, calicoBase, istioBase, exposureServices, exposureIngress, exposureGateway, exposureRoute, exposureIstio} {
		for i := range fuzzFormats {
			f.Add([]byte(s), uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte, which uint8) {
		ff := fuzzFormats[int(which)%len(fuzzFormats)]
		s := &scanner{o: options{masker: basicMasker{}}}
		if err := s.bytes(ff.name, ff.named, ff.syntax, b); err != nil {
			return
		}
		if err := s.finish(); err != nil {
			return
		}
		roundTrip(t, &s.snap)
		empty := &Snapshot{}
		for _, c := range Diff(empty, &s.snap) {
			if c.Kind == KindRemoved {
				t.Fatalf("diff from nothing removes %+v", c)
			}
		}
	})
}

// FuzzGlob checks that pattern coverage is reflexive and bounded.
func FuzzGlob(f *testing.F) {
	for _, s := range [][2]string{{"./src/**", "./src/a/b.go"}, {"npm run:*", "npm run test"}, {"*.example.com", "a.example.com"}, {"**/*", "a/b"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if !globMatch(pattern, pattern) && !containsStar(pattern) {
			t.Fatalf("%q does not match itself", pattern)
		}
		_ = globCovers(pattern, s)
	})
}

func containsStar(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '*' {
			return true
		}
	}
	return false
}

// FuzzPackageIndex feeds arbitrary bytes to the registry configuration
// reader: it must not panic, and what it records is only hosts.
func FuzzPackageIndex(f *testing.F) {
	for _, s := range []string{"registry=https://npm.example.net/\n@a:registry=https://b.example/\n//b.example/:_authToken=x\n",
		"[global]\nextra-index-url =\n    https://a.example/simple\ntrusted-host = a.example\n",
		"[[index]]\nurl = \"https://u.example/simple\"\nextra-index-url = [\n \"https://v.example\",\n]\n",
		"npmRegistryServer: \"https://y.example\"\n", "registry \"https://r.example\"\n"} {
		f.Add([]byte(s), uint8(0))
	}
	names := []string{".npmrc", "pip.conf", "uv.toml", ".yarnrc.yml", ".yarnrc", "pip.ini"}
	f.Fuzz(func(t *testing.T, b []byte, which uint8) {
		s := &scanner{o: options{masker: basicMasker{}}}
		if err := s.packageIndex(names[int(which)%len(names)], b); err != nil {
			return
		}
		for _, g := range s.snap.Grants {
			if g.Surface != SurfaceNetwork || g.Action != "egress" || strings.ContainsAny(g.Subject, "@ \n") {
				t.Fatalf("unexpected grant %+v", g)
			}
		}
	})
}

// FuzzClaudeExtension feeds arbitrary bytes to the front matter reader of
// Claude Code commands, subagents and skills: it must not panic, and
// what it accepts survives the review record's round trip.
func FuzzClaudeExtension(f *testing.F) {
	for _, s := range []string{commandMD, agentMD, skillMD, "---\r\nallowed-tools: \"Bash(a, b) Read\"\r\n---\r\n", "---\n---\n", "---\nhooks: {Stop: [{hooks: [{command: x}]}]}\nmcpServers: [{s: {url: 'https://u:p@h/x'}}]\n---\n"} {
		for i := uint8(0); i < 3; i++ {
			f.Add([]byte(s), i)
		}
	}
	names := []string{".claude/commands/c.md", ".claude/agents/a.md", ".claude/skills/s/SKILL.md"}
	f.Fuzz(func(t *testing.T, b []byte, which uint8) {
		s := &scanner{o: options{masker: basicMasker{}}}
		if err := s.claudeExtensionFile(names[int(which)%len(names)], b); err != nil {
			return
		}
		if err := s.finish(); err != nil {
			return
		}
		roundTrip(t, &s.snap)
	})
}

// roundTrip fails t unless snap survives JSON encoding unchanged (a review
// record stores it so).
func roundTrip(t *testing.T, snap *Snapshot) {
	t.Helper()
	js, err := json.Marshal(snap)
	if err != nil {
		t.Fatalf("encode snapshot: %v", err)
	}
	var back Snapshot
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatalf("decode snapshot: %v", err)
	}
	if c := Diff(snap, &back); len(c) != 0 {
		t.Fatalf("snapshot differs from its round trip: %+v", c)
	}
}
