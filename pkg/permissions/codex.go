package permissions

import (
	"fmt"
	"sort"
)

// SurfaceCodex holds OpenAI Codex CLI's approval, sandbox and model
// provider settings (config.toml).
const SurfaceCodex = "codex"

// Codex modes, narrowest first.
var (
	codexApproval = []string{"untrusted", "on-failure", "on-request", "never"}
	codexSandbox  = []string{"read-only", "workspace-write", "danger-full-access"}
)

// isCodexConfig recognises a Codex config.toml by content.
func isCodexConfig(m map[string]any) bool {
	if obj(m["mcp_servers"]) != nil || m["approval_policy"] != nil || m["sandbox_mode"] != nil || obj(m["sandbox_workspace_write"]) != nil {
		return true
	}
	for _, p := range obj(m["profiles"]) {
		if o := obj(p); o != nil && (o["approval_policy"] != nil || o["sandbox_mode"] != nil) {
			return true
		}
	}
	return false
}

// modeGrant is a setting that takes one of an ordered set of values;
// the last is the broadest, def applies when unset.
func modeGrant(surface, rel, subject, value string, order []string, def string) (Grant, error) {
	if value == "" {
		value = def
	}
	known := false
	for _, o := range order {
		known = known || o == value
	}
	if !known {
		return Grant{}, fmt.Errorf("%w: %s %q is not one of %v", ErrInvalid, subject, value, order)
	}
	return Grant{Surface: surface, Subject: subject, Action: "mode", Effect: Allow, Path: rel,
		Content: content(map[string]any{"mode": value, "order": order, "default": def})}, nil
}

// codex reads Codex CLI configuration: MCP servers (mcp_servers), the
// approval policy and sandbox mode (top level and per profile), network
// access and writable roots of the workspace-write sandbox, and model
// providers' base URLs, which decide where model traffic goes.
func (s *scanner) codex(rel string, m map[string]any) error {
	servers := obj(m["mcp_servers"])
	if m["mcp_servers"] != nil && servers == nil {
		return fmt.Errorf("%w: mcp_servers must be a table", ErrInvalid)
	}
	for _, name := range keys(servers) {
		if err := s.mcpServer(rel, "mcp_servers", name, obj(servers[name])); err != nil {
			return err
		}
	}
	scopes := []struct {
		prefix string
		t      map[string]any
	}{{"", m}}
	profiles := obj(m["profiles"])
	for _, p := range keys(profiles) {
		scopes = append(scopes, struct {
			prefix string
			t      map[string]any
		}{"profile " + p + " ", obj(profiles[p])})
	}
	for _, sc := range scopes {
		if sc.prefix != "" && sc.t["approval_policy"] == nil && sc.t["sandbox_mode"] == nil {
			continue
		}
		for _, md := range []struct {
			key   string
			order []string
			def   string
		}{{"approval_policy", codexApproval, "on-request"}, {"sandbox_mode", codexSandbox, "read-only"}} {
			g, err := modeGrant(SurfaceCodex, rel, sc.prefix+md.key, str(sc.t[md.key]), md.order, md.def)
			if err != nil {
				return err
			}
			if err := s.add(g); err != nil {
				return err
			}
		}
	}
	ww := obj(m["sandbox_workspace_write"])
	net := false
	if v, ok := boolean(ww["network_access"]); ok {
		net = v
	}
	if err := s.add(Grant{Surface: SurfaceNetwork, Subject: "sandbox_workspace_write.network_access", Action: "setting", Effect: Allow, Path: rel,
		Content: content(map[string]bool{"value": net, "broaderWhenTrue": true})}); err != nil {
		return err
	}
	roots, err := strs(ww["writable_roots"], "sandbox_workspace_write.writable_roots")
	if err != nil {
		return err
	}
	for _, r := range roots {
		if err := s.add(Grant{Surface: SurfaceFS, Subject: r, Action: "write", Effect: Allow, Path: rel,
			Content: content(map[string]string{"via": "sandbox_workspace_write.writable_roots"})}); err != nil {
			return err
		}
	}
	providers := obj(m["model_providers"])
	ids := keys(providers)
	sort.Strings(ids)
	for _, id := range ids {
		p := obj(providers[id])
		u := str(p["base_url"])
		if u == "" {
			continue
		}
		if err := s.add(Grant{Surface: SurfaceCodex, Subject: "model provider " + id, Action: "base-url", Scope: u, Effect: Allow, Path: rel,
			Content: content(map[string]string{"envKey": str(p["env_key"])})}); err != nil {
			return err
		}
		if h := hostOf(u); h != "" {
			if err := s.egress(rel, h, "codex model provider "+id); err != nil {
				return err
			}
		}
	}
	if mp := str(m["model_provider"]); mp != "" {
		if err := s.add(Grant{Surface: SurfaceCodex, Subject: "model_provider", Action: "select", Scope: mp, Effect: Allow, Path: rel}); err != nil {
			return err
		}
	}
	return nil
}
