package permissions

import (
	"fmt"
	"strings"
)

// isClaudeSettings recognises a Claude Code settings file by content.
func isClaudeSettings(m map[string]any) bool {
	if m["apiKeyHelper"] != nil || m["awsAuthRefresh"] != nil || m["awsCredentialExport"] != nil || m["otelHeadersHelper"] != nil {
		return true
	}
	for k := range obj(m["env"]) {
		if claudeRoutingEnv[k] {
			return true
		}
	}
	p := obj(m["permissions"])
	if p == nil {
		return false
	}
	for _, k := range []string{"allow", "ask", "deny", "defaultMode", "additionalDirectories"} {
		if p[k] != nil {
			return true
		}
	}
	return false
}

// claudeModes ranks defaultMode values: higher asks less.
var claudeModes = map[string]int{"plan": 0, "default": 1, "acceptEdits": 2, "dontAsk": 3, "bypassPermissions": 4}

// claudeBooleans are settings whose true value broadens ("sandbox.enabled"
// is the exception: false broadens). Missing values take these defaults.
var claudeBooleans = []struct {
	path         string
	def          bool
	broaderTrue  bool
	aboutNetwork bool
}{
	{"sandbox.enabled", false, false, false},
	{"sandbox.autoAllowBashIfSandboxed", false, true, false},
	{"sandbox.allowUnsandboxedCommands", false, true, false},
	{"sandbox.enableWeakerNestedSandbox", false, true, false},
	{"sandbox.network.allowAllUnixSockets", false, true, true},
	{"sandbox.network.allowLocalBinding", false, true, true},
	{"enableAllProjectMcpServers", false, true, false},
}

// claudeRule is the content of one permission rule.
type claudeRule struct {
	Rule string `json:"rule"`
	List string `json:"list"`
}

// claude reads Claude Code settings (permissions and sandbox). Rules are
// applied deny, then ask, then allow, so a rule's effect is the strictest
// list it appears in.
func (s *scanner) claude(rel string, m map[string]any) error {
	p := obj(m["permissions"])
	if m["permissions"] != nil && p == nil {
		return fmt.Errorf("%w: permissions must be an object", ErrInvalid)
	}
	for _, list := range []struct {
		key    string
		effect Effect
	}{{"allow", Allow}, {"ask", Ask}, {"deny", Deny}} {
		rules, err := strs(p[list.key], "permissions."+list.key)
		if err != nil {
			return err
		}
		for _, r := range rules {
			if err := s.add(claudeGrant(rel, r, list.key, list.effect)); err != nil {
				return err
			}
		}
	}
	mode := "default"
	if v := p["defaultMode"]; v != nil {
		mode = str(v)
		if _, ok := claudeModes[mode]; !ok {
			return fmt.Errorf("%w: permissions.defaultMode %q is not one of plan, default, acceptEdits, dontAsk, bypassPermissions", ErrInvalid, v)
		}
	}
	if err := s.add(Grant{Surface: SurfaceClaude, Subject: "defaultMode", Action: "mode", Effect: Allow, Path: rel,
		Content: content(map[string]string{"mode": mode})}); err != nil {
		return err
	}
	if d := str(p["disableBypassPermissionsMode"]); d == "disable" {
		if err := s.add(Grant{Surface: SurfaceClaude, Subject: "bypassPermissions", Action: "mode", Effect: Deny, Path: rel}); err != nil {
			return err
		}
	}
	dirs, err := strs(p["additionalDirectories"], "permissions.additionalDirectories")
	if err != nil {
		return err
	}
	for _, d := range dirs {
		if err := s.add(Grant{Surface: SurfaceFS, Subject: d, Action: "access", Effect: Allow, Path: rel,
			Content: content(map[string]string{"via": "permissions.additionalDirectories"})}); err != nil {
			return err
		}
	}
	sb := obj(m["sandbox"])
	for _, b := range claudeBooleans {
		v := b.def
		if raw := lookup(m, b.path); raw != nil {
			bv, ok := boolean(raw)
			if !ok {
				return fmt.Errorf("%w: %s must be true or false", ErrInvalid, b.path)
			}
			v = bv
		}
		surface := SurfaceClaude
		if b.aboutNetwork {
			surface = SurfaceNetwork
		}
		if err := s.add(Grant{Surface: surface, Subject: b.path, Action: "setting", Effect: Allow, Path: rel,
			Content: content(map[string]bool{"value": v, "broaderWhenTrue": b.broaderTrue})}); err != nil {
			return err
		}
	}
	lists := []struct {
		path, surface, action string
		effect                Effect
	}{
		{"network.allowedDomains", SurfaceNetwork, "egress", Allow},
		{"network.allowUnixSockets", SurfaceFS, "unix-socket", Allow},
		{"filesystem.allowWrite", SurfaceFS, "write", Allow},
		{"filesystem.denyWrite", SurfaceFS, "write", Deny},
		{"filesystem.denyRead", SurfaceFS, "read", Deny},
		{"excludedCommands", SurfaceClaude, "run-unsandboxed", Allow},
	}
	for _, l := range lists {
		items, err := strs(lookup(sb, l.path), "sandbox."+l.path)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := s.add(Grant{Surface: l.surface, Subject: it, Action: l.action, Effect: l.effect, Path: rel,
				Content: content(map[string]string{"via": "sandbox." + l.path})}); err != nil {
				return err
			}
		}
	}
	if err := s.claudeHooks(rel, m["hooks"]); err != nil {
		return err
	}
	if err := s.claudeHelpers(rel, m); err != nil {
		return err
	}
	servers, err := strs(m["enabledMcpjsonServers"], "enabledMcpjsonServers")
	if err != nil {
		return err
	}
	for _, sv := range servers {
		if err := s.add(Grant{Surface: SurfaceClaude, Subject: "mcp server " + sv, Action: "enable", Effect: Allow, Path: rel}); err != nil {
			return err
		}
	}
	return nil
}

// lookup follows a dotted path through nested objects.
func lookup(m map[string]any, dotted string) any {
	var v any = m
	for _, k := range strings.Split(dotted, ".") {
		o := obj(v)
		if o == nil {
			return nil
		}
		v = o[k]
	}
	return v
}

// claudeGrant turns one rule ("Bash(npm run test:*)", "WebFetch(domain:x)",
// "Read(./src/**)", "mcp__server__tool") into a grant. WebFetch domains
// are network egress; Read, Edit and Write paths are filesystem grants.
func claudeGrant(rel, rule, list string, effect Effect) Grant {
	rule = strings.TrimSpace(rule)
	tool, spec := rule, ""
	if i := strings.IndexByte(rule, '('); i > 0 && strings.HasSuffix(rule, ")") {
		tool, spec = rule[:i], rule[i+1:len(rule)-1]
	}
	surface := SurfaceClaude
	switch {
	case tool == "WebFetch" && strings.HasPrefix(spec, "domain:"):
		surface = SurfaceNetwork
	case (tool == "Read" || tool == "Edit" || tool == "Write" || tool == "MultiEdit" || tool == "NotebookEdit") && spec != "":
		surface = SurfaceFS
	}
	return Grant{Surface: surface, Subject: rule, Action: tool, Scope: spec, Effect: effect, Path: rel,
		Content: content(claudeRule{Rule: rule, List: list})}
}

// claudeCovers reports whether rule broad matches at least everything
// rule narrow matches (both as grants from claudeGrant).
func claudeCovers(broad, narrow *Grant) bool {
	if broad.Action == narrow.Action {
		if broad.Scope == "" || broad.Scope == narrow.Scope || broad.Scope == "*" {
			return true
		}
		return globCovers(broad.Scope, narrow.Scope)
	}
	// "mcp__orders" and "mcp__orders__*" cover "mcp__orders__get_order".
	if strings.HasPrefix(broad.Action, "mcp__") && broad.Scope == "" {
		prefix := strings.TrimSuffix(broad.Action, "*")
		prefix = strings.TrimSuffix(prefix, "__")
		return strings.HasPrefix(narrow.Action, prefix+"__")
	}
	return false
}

// globCovers reports whether pattern broad matches the text of narrow:
// "npm run:*" covers "npm run test:*", "./src/**" covers "./src/a/b.go",
// "domain:*.example.com" covers "domain:api.example.com". Wildcards in
// narrow are matched as text, which is conservative.
func globCovers(broad, narrow string) bool {
	if strings.HasSuffix(broad, ":*") {
		return strings.HasPrefix(narrow, strings.TrimSuffix(broad, ":*"))
	}
	return globMatch(broad, narrow)
}

// globMatch matches "**" (anything), "*" (anything but "/") and literal
// text, iteratively with bounded backtracking over the two inputs.
func globMatch(pattern, s string) bool {
	if len(pattern) > 4096 || len(s) > 4096 {
		return pattern == s
	}
	// dp[i][j]: pattern[:i] matches s[:j].
	prev := make([]bool, len(s)+1)
	prev[0] = true
	for i := 0; i < len(pattern); {
		star, step := 0, 1
		if pattern[i] == '*' {
			star = 1
			if i+1 < len(pattern) && pattern[i+1] == '*' {
				star, step = 2, 2
			}
		}
		cur := make([]bool, len(s)+1)
		for j := 0; j <= len(s); j++ {
			switch star {
			case 0:
				cur[j] = j > 0 && prev[j-1] && pattern[i] == s[j-1]
			case 1:
				cur[j] = prev[j] || (j > 0 && cur[j-1] && s[j-1] != '/')
			case 2:
				cur[j] = prev[j] || (j > 0 && cur[j-1])
			}
		}
		prev = cur
		i += step
	}
	return prev[len(s)]
}

// claudeHooks records hook commands: each runs a shell command on an
// event, with the agent's privileges.
func (s *scanner) claudeHooks(rel string, v any) error {
	if v == nil {
		return nil
	}
	events := obj(v)
	if events == nil {
		return fmt.Errorf("%w: hooks must be an object", ErrInvalid)
	}
	for _, ev := range keys(events) {
		for i, raw := range arr(events[ev]) {
			matcher := str(obj(raw)["matcher"])
			for j, h := range arr(obj(raw)["hooks"]) {
				cmd := str(obj(h)["command"])
				if cmd == "" {
					return fmt.Errorf("%w: hooks.%s[%d].hooks[%d] has no command", ErrInvalid, ev, i, j)
				}
				if err := s.add(Grant{Surface: SurfaceClaude, Subject: "hook " + ev + " " + matcher, Action: "run", Scope: cmd, Effect: Allow, Path: rel}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// claudeHelperKeys are settings that name a command Claude Code runs:
// to mint API keys or cloud credentials, or headers for telemetry.
var claudeHelperKeys = []string{"apiKeyHelper", "awsAuthRefresh", "awsCredentialExport", "otelHeadersHelper"}

// claudeRoutingEnv are environment variables that decide where model
// traffic goes, which identity it uses or how it is verified: changing
// one sends every prompt elsewhere.
var claudeRoutingEnv = map[string]bool{
	"ANTHROPIC_BASE_URL": true, "ANTHROPIC_BEDROCK_BASE_URL": true, "ANTHROPIC_VERTEX_BASE_URL": true,
	"ANTHROPIC_FOUNDRY_BASE_URL": true, "ANTHROPIC_CUSTOM_HEADERS": true, "ANTHROPIC_MODEL": true,
	"ANTHROPIC_SMALL_FAST_MODEL": true, "ANTHROPIC_DEFAULT_SONNET_MODEL": true, "ANTHROPIC_DEFAULT_OPUS_MODEL": true,
	"ANTHROPIC_DEFAULT_HAIKU_MODEL": true, "CLAUDE_CODE_USE_BEDROCK": true, "CLAUDE_CODE_USE_VERTEX": true,
	"CLAUDE_CODE_USE_FOUNDRY": true, "CLAUDE_CODE_SKIP_BEDROCK_AUTH": true, "CLAUDE_CODE_SKIP_VERTEX_AUTH": true,
	"CLAUDE_CODE_SKIP_FOUNDRY_AUTH": true, "HTTP_PROXY": true, "HTTPS_PROXY": true, "ALL_PROXY": true, "NO_PROXY": true,
	"http_proxy": true, "https_proxy": true, "all_proxy": true, "no_proxy": true, "NODE_EXTRA_CA_CERTS": true,
	"NODE_TLS_REJECT_UNAUTHORIZED": true, "CLAUDE_CODE_CLIENT_CERT": true, "OTEL_EXPORTER_OTLP_ENDPOINT": true,
	"ANTHROPIC_API_KEY": true, "ANTHROPIC_AUTH_TOKEN": true, "AWS_PROFILE": true, "AWS_REGION": true,
	"CLOUD_ML_REGION": true, "ANTHROPIC_VERTEX_PROJECT_ID": true,
}

// claudeSecretEnv are variables whose value is a credential: only that
// they are set is recorded.
func claudeSecretEnv(name string) bool {
	for _, s := range []string{"KEY", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL"} {
		if strings.Contains(strings.ToUpper(name), s) && !strings.HasSuffix(strings.ToUpper(name), "_FILE") {
			return true
		}
	}
	return false
}

// claudeHelpers records the commands Claude Code runs for credentials
// (apiKeyHelper and friends), its status line command, and the
// environment it sets (env): base URLs, proxies and models decide where
// model traffic goes.
func (s *scanner) claudeHelpers(rel string, m map[string]any) error {
	for _, k := range claudeHelperKeys {
		v := m[k]
		if v == nil {
			continue
		}
		cmd, ok := v.(string)
		if !ok {
			return fmt.Errorf("%w: %s must be a command string", ErrInvalid, k)
		}
		if err := s.add(Grant{Surface: SurfaceClaude, Subject: k, Action: "run", Scope: cmd, Effect: Allow, Path: rel}); err != nil {
			return err
		}
	}
	if sl := obj(m["statusLine"]); sl != nil && str(sl["command"]) != "" {
		if err := s.add(Grant{Surface: SurfaceClaude, Subject: "statusLine", Action: "run", Scope: str(sl["command"]), Effect: Allow, Path: rel}); err != nil {
			return err
		}
	}
	env := obj(m["env"])
	if m["env"] != nil && env == nil {
		return fmt.Errorf("%w: env must be an object", ErrInvalid)
	}
	for _, name := range keys(env) {
		value := fmt.Sprint(env[name])
		if claudeSecretEnv(name) {
			value = "(set)" // the value is a credential: secret-inventory reports it
		}
		if err := s.add(Grant{Surface: SurfaceClaude, Subject: "env " + name, Action: "env", Effect: Allow, Path: rel,
			Content: content(map[string]any{"value": value, "routing": claudeRoutingEnv[name]})}); err != nil {
			return err
		}
		if claudeRoutingEnv[name] {
			if h := hostOf(value); h != "" {
				if err := s.egress(rel, h, "claude code env "+name); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
