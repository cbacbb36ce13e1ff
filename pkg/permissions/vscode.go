package permissions

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

// SurfaceVSCode holds the settings of VS Code's agent mode (GitHub Copilot
// chat) that let tools run without confirmation.
const SurfaceVSCode = "vscode"

// FormatVSCode is a VS Code settings file (.vscode/settings.json, the
// "settings" of a .code-workspace file).
const FormatVSCode = "vscode-settings"

// vscodeGlobal are the settings that approve every tool at once, newest
// name first.
var vscodeGlobal = []string{"chat.tools.global.autoApprove", "chat.tools.autoApprove"}

// vscodeLists are the settings that approve some tool calls without
// confirmation: a map from a pattern to true (approve) or false (always
// ask, a restriction).
var vscodeLists = []struct {
	keys    []string
	subject string
}{
	{[]string{"chat.tools.terminal.autoApprove", "chat.agent.terminal.autoApprove", "github.copilot.chat.agent.terminal.allowList"}, "terminal "},
	{[]string{"chat.tools.edits.autoApprove"}, "edit "},
	{[]string{"chat.tools.urls.autoApprove"}, "url "},
}

// vscodeSettings returns the settings object of a VS Code settings file or
// workspace, or nil when m is neither.
func vscodeSettings(m map[string]any, rel string) map[string]any {
	if strings.HasSuffix(rel, ".code-workspace") {
		return obj(m["settings"])
	}
	return m
}

// isVSCodeSettings recognises VS Code settings by name or by an agent
// approval setting.
func isVSCodeSettings(m map[string]any, named string) bool {
	if named == FormatVSCode {
		return true
	}
	for k := range m {
		if strings.HasPrefix(k, "chat.tools.") || strings.HasPrefix(k, "chat.agent.") || strings.HasPrefix(k, "github.copilot.chat.agent.") {
			return true
		}
	}
	return false
}

// vscode reads VS Code's agent approvals: the global auto-approve (every
// tool, the terminal included, runs without asking) and the per-pattern
// auto-approvals of terminal commands, file edits and URLs. MCP servers
// in the same file ("mcp": {"servers": …}) are read as an MCP
// configuration.
func (s *scanner) vscode(rel string, m map[string]any) error {
	set := vscodeSettings(m, rel)
	if set == nil {
		return nil
	}
	on, key := false, vscodeGlobal[0]
	for _, k := range vscodeGlobal {
		v, ok := set[k]
		if !ok {
			continue
		}
		b, isBool := boolean(v)
		if !isBool {
			return fmt.Errorf("%w: %s must be true or false", ErrInvalid, k)
		}
		on, key = on || b, k
	}
	if err := s.add(Grant{Surface: SurfaceVSCode, Subject: "tool *", Action: "setting", Effect: Allow, Path: rel,
		Content: content(map[string]any{"value": on, "broaderWhenTrue": true, "critical": true, "via": key})}); err != nil {
		return err
	}
	for _, l := range vscodeLists {
		for _, k := range l.keys {
			raw, ok := set[k]
			if !ok {
				continue
			}
			entries := obj(raw)
			if entries == nil {
				return fmt.Errorf("%w: %s must be an object of pattern: true or false", ErrInvalid, k)
			}
			patterns := make([]string, 0, len(entries))
			for p := range entries {
				patterns = append(patterns, p)
			}
			sort.Strings(patterns)
			for _, p := range patterns {
				approve, ok := boolean(entries[p])
				if !ok {
					// {"approve": true, "matchCommandLine": true}
					if o := obj(entries[p]); o != nil {
						approve, ok = boolean(o["approve"])
					}
				}
				if !ok {
					return fmt.Errorf("%w: %s[%q] must be true, false or {\"approve\": …}", ErrInvalid, k, p)
				}
				effect := Allow
				if !approve {
					effect = Deny
				}
				if err := s.add(Grant{Surface: SurfaceVSCode, Subject: l.subject + p, Action: "auto-approve", Effect: effect,
					Approval: ApprovalNever, Path: rel, Content: content(map[string]string{"via": k})}); err != nil {
					return err
				}
			}
		}
	}
	if mc := obj(set["mcp"]); mc != nil && obj(mc["servers"]) != nil {
		return s.mcpConfig(rel, map[string]any{"servers": mc["servers"]})
	}
	return nil
}

// vscodeAddedSeverity rates a new VS Code auto-approval: every command,
// every file or every URL is critical (an agent that edits any file
// without asking can rewrite its own settings).
func vscodeAddedSeverity(g *Grant) (evidence.Severity, string) {
	kind, pattern, _ := strings.Cut(g.Subject, " ")
	kind = map[string]string{"terminal": "terminal command", "edit": "file edit", "url": "URL fetch"}[kind]
	if matchesEverything(pattern) {
		return evidence.Critical, fmt.Sprintf("every %s now runs without confirmation (%s)", kind, pattern)
	}
	return evidence.High, fmt.Sprintf("%s %s now runs without confirmation", kind, pattern)
}

// matchesEverything reports whether an approval pattern (a glob, a
// prefix or a /regular expression/) matches anything.
func matchesEverything(p string) bool {
	switch strings.TrimSpace(p) {
	case "*", "**", "**/*", "/.*/", "/.*/i", "/^.*$/", "/^.*/", "/.+/", "/./", "", "*://*", "https://*", "http*://*":
		return true
	}
	return false
}
