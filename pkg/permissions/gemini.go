package permissions

import "fmt"

// SurfaceGemini holds Gemini CLI's tool and server settings.
const SurfaceGemini = "gemini-cli"

// geminiKeys are top-level keys only Gemini CLI settings use.
var geminiKeys = []string{"coreTools", "excludeTools", "allowMCPServers", "excludeMCPServers", "autoAccept"}

// isGeminiSettings recognises Gemini CLI settings (.gemini/settings.json)
// by name or by its tool and server settings.
func isGeminiSettings(m map[string]any, named string) bool {
	if named == FormatGemini {
		return true
	}
	for _, k := range geminiKeys {
		if m[k] != nil {
			return true
		}
	}
	t, mc := obj(m["tools"]), obj(m["mcp"])
	return (t != nil && (t["core"] != nil || t["exclude"] != nil || t["allowed"] != nil || t["autoAccept"] != nil)) ||
		(mc != nil && (mc["allowed"] != nil || mc["excluded"] != nil))
}

// first returns the first of the (dotted) keys that is set in m.
func first(m map[string]any, ks ...string) (any, string) {
	for _, k := range ks {
		if v := lookup(m, k); v != nil {
			return v, k
		}
	}
	return nil, ks[0]
}

// gemini reads Gemini CLI settings besides mcpServers: the core tools
// allowed ("tool *" when unset: every built-in tool, the shell included),
// tools excluded, tools allowed without confirmation, MCP servers allowed
// and excluded, auto-accept and the sandbox. Both the flat (v1) and the
// nested (tools.*, mcp.*) layouts are read.
func (s *scanner) gemini(rel string, m map[string]any) error {
	add := func(g Grant) error {
		g.Surface, g.Path = SurfaceGemini, rel
		return s.add(g)
	}
	lists := []struct {
		keys            []string
		subject, action string
		effect          Effect
		approval        string
		all             bool // unset means every one
	}{
		{[]string{"tools.core", "coreTools"}, "tool ", "use", Allow, "", true},
		{[]string{"tools.exclude", "excludeTools"}, "tool ", "use", Deny, "", false},
		{[]string{"tools.allowed"}, "tool ", "auto-approve", Allow, ApprovalNever, false},
		{[]string{"mcp.allowed", "allowMCPServers"}, "mcp server ", "allow", Allow, "", true},
		{[]string{"mcp.excluded", "excludeMCPServers"}, "mcp server ", "allow", Deny, "", false},
	}
	for _, l := range lists {
		v, key := first(m, l.keys...)
		items, err := strs(v, key)
		if err != nil {
			return err
		}
		if v == nil && l.all {
			items = []string{"*"}
		}
		for _, it := range items {
			if err := add(Grant{Subject: l.subject + it, Action: l.action, Effect: l.effect, Approval: l.approval,
				Content: content(map[string]string{"via": key})}); err != nil {
				return err
			}
		}
	}
	for _, b := range []struct {
		keys        []string
		broaderTrue bool
	}{{[]string{"tools.autoAccept", "autoAccept"}, true}, {[]string{"tools.sandbox", "sandbox"}, false}} {
		v, key := first(m, b.keys...)
		on := false
		switch t := v.(type) {
		case nil:
		case bool:
			on = t
		case string:
			on = t != "" && t != "false"
		default:
			return fmt.Errorf("%w: %s must be true, false or a sandbox command", ErrInvalid, key)
		}
		if err := add(Grant{Subject: b.keys[len(b.keys)-1], Action: "setting", Effect: Allow,
			Content: content(map[string]bool{"value": on, "broaderWhenTrue": b.broaderTrue})}); err != nil {
			return err
		}
	}
	return nil
}
