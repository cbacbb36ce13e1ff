package permissions

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/pkg/redact"
)

// looksLikeVSCodeServers reports whether a VS Code "servers" object holds
// MCP server definitions.
func looksLikeVSCodeServers(m map[string]any) bool {
	if len(m) == 0 {
		return false
	}
	for _, v := range m {
		s := obj(v)
		if s == nil || (s["command"] == nil && s["url"] == nil) {
			return false
		}
	}
	return true
}

// mcpServer is the reviewable content of an MCP server definition. Env
// and header values are not kept: they may be secrets; their names say
// which credentials the server receives.
type mcpServer struct {
	Transport string   `json:"transport"`
	Command   string   `json:"command,omitempty"`
	Args      []string `json:"args,omitempty"`
	Cwd       string   `json:"cwd,omitempty"`
	URL       string   `json:"url,omitempty"`
	Env       []string `json:"env,omitempty"`
	// EnvValues are the values of the env variables that configure
	// the server (GITHUB_READ_ONLY, ALLOWED_DIRECTORIES), masked like
	// args; variables named like credentials keep their name only.
	EnvValues map[string]string `json:"envValues,omitempty"`
	Headers   []string          `json:"headers,omitempty"`
	// AutoApprove lists tools the client calls without asking (Cline,
	// Roo: autoApprove / alwaysAllow).
	AutoApprove []string `json:"autoApprove,omitempty"`
	// Tools, when set, are the only tools the client exposes (Gemini
	// includeTools, Codex enabled_tools); nil means every tool.
	Tools []string `json:"tools,omitempty"`
	// Trust is Gemini CLI's "trust": every tool call runs without
	// confirmation.
	Trust bool `json:"trust,omitempty"`
}

// mcpServerList reads the servers of an MCP client configuration in every
// shape clients use: an object of named servers (Claude Desktop, Cursor,
// Windsurf, Claude Code, Gemini CLI: mcpServers; VS Code: servers), a list
// of named servers (Continue config.yaml and .continue/mcpServers), and
// Continue's legacy experimental.modelContextProtocolServers list. where
// names the key for errors.
func mcpServerList(m map[string]any) (servers map[string]map[string]any, where string, err error) {
	servers = map[string]map[string]any{}
	fromList := func(key string, list []any, transport bool) error {
		for i, raw := range list {
			d := obj(raw)
			if d == nil {
				return fmt.Errorf("%w: %s[%d] must be an object", ErrInvalid, key, i)
			}
			if t := obj(d["transport"]); transport && t != nil {
				merged := map[string]any{}
				for k, v := range t {
					merged[k] = v
				}
				if n := d["name"]; n != nil {
					merged["name"] = n
				}
				d = merged
			}
			name := str(d["name"])
			if name == "" {
				// Unnamed: named by what it runs, so that moving it in the
				// list is not a change.
				name = str(d["command"])
				if a := arr(d["args"]); len(a) > 0 {
					name += " " + str(a[len(a)-1])
				}
				if name == "" {
					name = str(d["url"])
				}
			}
			if _, dup := servers[name]; dup {
				return fmt.Errorf("%w: %s lists server %q twice", ErrInvalid, key, name)
			}
			servers[name] = d
		}
		return nil
	}
	switch v := m["mcpServers"].(type) {
	case map[string]any:
		for name, d := range v {
			o := obj(d)
			if o == nil {
				return nil, "", fmt.Errorf("%w: mcpServers.%s must be an object", ErrInvalid, name)
			}
			servers[name] = o
		}
		return servers, "mcpServers", nil
	case []any:
		return servers, "mcpServers", fromList("mcpServers", v, false)
	case nil:
	default:
		return nil, "", fmt.Errorf("%w: mcpServers must be an object or a list", ErrInvalid)
	}
	if list := arr(lookup(m, "experimental.modelContextProtocolServers")); list != nil {
		return servers, "experimental.modelContextProtocolServers", fromList("experimental.modelContextProtocolServers", list, true)
	}
	if v, ok := m["servers"]; ok {
		o := obj(v)
		if o == nil {
			return nil, "", fmt.Errorf("%w: servers must be an object", ErrInvalid)
		}
		for name, d := range o {
			servers[name] = obj(d)
		}
		return servers, "servers", nil
	}
	if v, ok := m["context_servers"]; ok { // Zed
		o := obj(v)
		if o == nil {
			return nil, "", fmt.Errorf("%w: context_servers must be an object", ErrInvalid)
		}
		for name, d := range o {
			srv := obj(d)
			if srv == nil {
				return nil, "", fmt.Errorf("%w: context_servers.%s must be an object", ErrInvalid, name)
			}
			servers[name] = zedServer(srv)
		}
		return servers, "context_servers", nil
	}
	if o := obj(m["extensions"]); looksLikeGooseExtensions(o) {
		for name, d := range o {
			servers[name] = gooseExtension(obj(d))
		}
		return servers, "extensions", nil
	}
	return nil, "", nil
}

// zedServer flattens a Zed context server, whose command may be an object
// {path, args, env}, into the common shape.
func zedServer(d map[string]any) map[string]any {
	c := obj(d["command"])
	if c == nil {
		return d
	}
	out := map[string]any{}
	for k, v := range d {
		out[k] = v
	}
	out["command"] = c["path"]
	if a, ok := c["args"]; ok {
		out["args"] = a
	}
	if e, ok := c["env"]; ok {
		out["env"] = e
	}
	return out
}

// gooseTypes are the extension types of Goose's config.yaml.
var gooseTypes = map[string]bool{"stdio": true, "sse": true, "streamable_http": true, "builtin": true, "platform": true, "frontend": true, "inline_python": true}

// looksLikeGooseExtensions reports whether an "extensions" object is
// Goose's: every entry has a known extension type.
func looksLikeGooseExtensions(m map[string]any) bool {
	if len(m) == 0 {
		return false
	}
	for _, v := range m {
		e := obj(v)
		if e == nil || !gooseTypes[str(e["type"])] {
			return false
		}
	}
	return true
}

// gooseExtension maps a Goose extension to the common shape: cmd and uri
// are the command and URL, envs the environment; a built-in extension
// (developer: a shell and file editing) is named as the command
// "builtin:NAME" so that adding one is a new server.
func gooseExtension(d map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range d {
		out[k] = v
	}
	if v, ok := d["cmd"]; ok {
		out["command"] = v
	}
	if v, ok := d["uri"]; ok {
		out["url"] = v
	}
	if v, ok := d["envs"]; ok {
		out["env"] = v
	}
	switch t := str(d["type"]); t {
	case "builtin", "platform", "frontend", "inline_python":
		n := str(d["name"])
		if n == "" {
			n = t
		}
		out["command"] = t + ":" + n
	}
	return out
}

// isMCPConfig recognises MCP client configuration by content.
func isMCPConfig(m map[string]any) bool {
	switch v := m["mcpServers"].(type) {
	case map[string]any:
		return true
	case []any:
		for _, e := range v {
			if o := obj(e); o == nil || (o["command"] == nil && o["url"] == nil) {
				return false
			}
		}
		return len(v) > 0
	}
	return arr(lookup(m, "experimental.modelContextProtocolServers")) != nil || looksLikeVSCodeServers(obj(m["servers"])) ||
		obj(m["context_servers"]) != nil || looksLikeGooseExtensions(obj(m["extensions"]))
}

// mcpConfig reads an MCP client configuration (see mcpServerList).
func (s *scanner) mcpConfig(rel string, m map[string]any) error {
	servers, key, err := mcpServerList(m)
	if err != nil {
		return err
	}
	for _, name := range sortedNames(servers) {
		if err := s.mcpServer(rel, key, name, servers[name]); err != nil {
			return err
		}
	}
	return nil
}

// mcpServer reads one server definition: command or URL (url, serverUrl,
// httpUrl), arguments, env and header names, auto-approved tools, Gemini's
// trust and tool filters, Codex's enabled and disabled tools.
func (s *scanner) mcpServer(rel, key, name string, d map[string]any) error {
	if d == nil {
		return fmt.Errorf("%w: %s.%s must be an object", ErrInvalid, key, name)
	}
	if disabled, _ := boolean(d["disabled"]); disabled {
		return nil
	}
	if enabled, ok := boolean(d["enabled"]); ok && !enabled {
		return nil // Codex
	}
	srv := mcpServer{Command: str(d["command"]), Cwd: str(d["cwd"]), URL: str(d["url"])}
	for _, k := range []string{"serverUrl", "httpUrl"} { // Windsurf, Gemini CLI
		if srv.URL == "" {
			srv.URL = str(d[k])
		}
	}
	var err error
	if srv.Args, err = strs(d["args"], key+"."+name+".args"); err != nil {
		return err
	}
	srv.Env = keys(obj(d["env"]))
	for _, k := range srv.Env {
		if credentialName(k) {
			continue
		}
		if srv.EnvValues == nil {
			srv.EnvValues = map[string]string{}
		}
		srv.EnvValues[k] = fmt.Sprint(obj(d["env"])[k])
	}
	srv.Headers = keys(obj(d["headers"]))
	for _, k := range []string{"http_headers", "env_http_headers"} { // Codex
		srv.Headers = append(srv.Headers, keys(obj(d[k]))...)
	}
	if v := str(d["bearer_token_env_var"]); v != "" { // Codex
		srv.Env = append(srv.Env, v)
	}
	if v := d["env_vars"]; v != nil { // Codex: names passed through
		names, err := strs(v, key+"."+name+".env_vars")
		if err != nil {
			return err
		}
		srv.Env = append(srv.Env, names...)
	}
	sort.Strings(srv.Env)
	sort.Strings(srv.Headers)
	for _, k := range []string{"autoApprove", "alwaysAllow"} {
		a, err := strs(d[k], key+"."+name+"."+k)
		if err != nil {
			return err
		}
		srv.AutoApprove = append(srv.AutoApprove, a...)
	}
	for _, k := range []string{"includeTools", "enabled_tools"} {
		if d[k] != nil {
			t, err := strs(d[k], key+"."+name+"."+k)
			if err != nil {
				return err
			}
			srv.Tools = append([]string{}, t...)
			sort.Strings(srv.Tools)
		}
	}
	if t, ok := boolean(d["trust"]); ok {
		srv.Trust = t
	}
	srv.Transport = str(d["type"])
	if srv.Transport == "" {
		srv.Transport = str(d["transport"])
	}
	if srv.Transport == "" {
		switch {
		case str(d["httpUrl"]) != "":
			srv.Transport = "http"
		case srv.URL != "":
			srv.Transport = "http"
		default:
			srv.Transport = "stdio"
		}
	}
	if srv.Command == "" && srv.URL == "" {
		return fmt.Errorf("%w: %s.%s has neither command nor url", ErrInvalid, key, name)
	}
	if err := s.add(Grant{Surface: SurfaceMCPServer, Subject: name, Action: "connect", Effect: Allow, Path: rel, Content: content(srv)}); err != nil {
		return err
	}
	for _, t := range srv.AutoApprove {
		if err := s.add(Grant{Surface: SurfaceMCPServer, Subject: name, Action: "call", Scope: t, Effect: Allow, Approval: ApprovalNever, Path: rel}); err != nil {
			return err
		}
	}
	if srv.Trust {
		if err := s.add(Grant{Surface: SurfaceMCPServer, Subject: name, Action: "call", Scope: "*", Effect: Allow, Approval: ApprovalNever, Path: rel}); err != nil {
			return err
		}
	}
	for _, k := range []string{"excludeTools", "disabled_tools"} {
		ex, err := strs(d[k], key+"."+name+"."+k)
		if err != nil {
			return err
		}
		for _, t := range ex {
			if err := s.add(Grant{Surface: SurfaceMCPServer, Subject: name, Action: "call", Scope: t, Effect: Deny, Path: rel}); err != nil {
				return err
			}
		}
	}
	// Egress: the server URL and any URL passed in args or env.
	via := "mcp server " + name
	urls := append([]string{srv.URL}, srv.Args...)
	for _, k := range keys(obj(d["env"])) {
		urls = append(urls, str(obj(d["env"])[k]))
	}
	for _, u := range urls {
		if h := hostOf(u); h != "" {
			if err := s.egress(rel, h, via); err != nil {
				return err
			}
		}
	}
	return nil
}

// containerRunners are the commands that start an MCP server in a
// container, whose flags can hand it the host.
var containerRunners = map[string]bool{"docker": true, "podman": true, "nerdctl": true, "finch": true}

// serverPrivileges returns the host privileges a server started with
// docker run (or podman, nerdctl) takes from its flags: --privileged,
// --cap-add, host namespaces, devices, the container socket, the host's
// root or sensitive directories.
func serverPrivileges(command string, args []string) []string {
	if !containerRunners[path.Base(command)] {
		return nil
	}
	for i, a := range args {
		if a == "run" || a == "create" {
			// the image ends the flags
			var flags []string
			for _, f := range args[i+1:] {
				if !strings.HasPrefix(f, "-") && (len(flags) == 0 || !flagTakesValue(flags[len(flags)-1])) {
					break
				}
				flags = append(flags, f)
			}
			return dockerPrivileges(strings.Join(flags, " "))
		}
	}
	return nil
}

// flagTakesValue reports whether a docker run flag written without "="
// takes the next argument as its value.
func flagTakesValue(f string) bool {
	if strings.Contains(f, "=") || !strings.HasPrefix(f, "-") {
		return false
	}
	switch f {
	case "--privileged", "-i", "-t", "-it", "-ti", "--rm", "-d", "--detach", "--init", "--interactive", "--tty", "--read-only", "-P", "--publish-all", "--no-healthcheck", "--oom-kill-disable", "--sig-proxy":
		return false
	}
	return true
}

// privilegeText words a container privilege for an MCP server.
func privilegeText(s string) string { return strings.ReplaceAll(s, "runner", "host") }

// credentialRE matches the names of variables and settings that hold a
// credential rather than configuration.
var credentialRE = regexp.MustCompile(`(?i)(key|token|secret|passw|pwd|passphrase|credential|auth|cookie|session|private|cert|signature|bearer|webhook|dsn|conn|salt|otp|_pat$|^pat_|_pin$)`)

// credentialName reports whether a variable's name says it holds a
// credential: its value is never kept, only its name.
func credentialName(name string) bool { return credentialRE.MatchString(name) }

// egress records a network destination.
func (s *scanner) egress(rel, host, via string) error {
	return s.add(Grant{Surface: SurfaceNetwork, Subject: host, Action: "egress", Effect: Allow, Path: rel,
		Content: content(map[string]string{"via": via})})
}

var urlRE = regexp.MustCompile(`(?i)\b(?:https?|wss?)://[^\s"'<>()\]\[]+`)

// hostOf returns the host (and non-default port) of the first URL in s.
func hostOf(s string) string {
	s, _ = redact.Userinfo(s) // the host only, never the userinfo
	s = strings.ReplaceAll(s, redact.Mark("userinfo")+"@", "")
	u := strings.TrimRight(urlRE.FindString(s), ".,;:!?")
	if u == "" {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		// Placeholders such as https://${HOST}/mcp do not parse: keep
		// the authority text as written.
		rest := u[strings.Index(u, "://")+3:]
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			rest = rest[:i]
		}
		if i := strings.LastIndexByte(rest, '@'); i >= 0 {
			rest = rest[i+1:] // never the userinfo
		}
		return strings.ToLower(rest)
	}
	return strings.ToLower(p.Host)
}

// mcpTool is the reviewable content of one tool from tools/list.
// Annotations are the effective values: the specification's worst-case
// defaults fill what the server leaves out.
type mcpTool struct {
	Title        string          `json:"title,omitempty"`
	Description  string          `json:"description"`
	InputSchema  any             `json:"inputSchema"`
	OutputSchema any             `json:"outputSchema,omitempty"`
	Annotations  toolAnnotations `json:"annotations"`
}

type toolAnnotations struct {
	ReadOnly    bool `json:"readOnlyHint"`
	Destructive bool `json:"destructiveHint"`
	Idempotent  bool `json:"idempotentHint"`
	OpenWorld   bool `json:"openWorldHint"`
}

// toolsList returns the tools array of a tools/list result (bare or in a
// JSON-RPC response), or nil when m is not one.
func toolsList(m map[string]any) []any {
	if r := obj(m["result"]); r != nil && m["jsonrpc"] != nil {
		m = r
	}
	tools := arr(m["tools"])
	schemas := 0
	for _, t := range tools {
		o := obj(t)
		if o == nil || str(o["name"]) == "" || o["type"] != nil {
			return nil
		}
		if o["inputSchema"] != nil {
			schemas++
		}
	}
	if schemas == 0 {
		return nil
	}
	return tools
}

// mcpTools reads a tools/list snapshot.
func (s *scanner) mcpTools(rel string, m map[string]any) error {
	if r := obj(m["result"]); r != nil && m["jsonrpc"] != nil {
		m = r
	}
	tools, ok := m["tools"].([]any)
	if !ok {
		return fmt.Errorf("%w: a tools/list snapshot needs a tools array", ErrInvalid)
	}
	seen := map[string]bool{}
	for i, t := range tools {
		o := obj(t)
		name := str(o["name"])
		if o == nil || name == "" {
			return fmt.Errorf("%w: tools[%d] needs a name", ErrInvalid, i)
		}
		if seen[name] {
			// A second definition under the same name is how a server
			// shows one tool to the reviewer and another to the model.
			return fmt.Errorf("%w: tool %q is listed twice", ErrInvalid, name)
		}
		seen[name] = true
		tool, err := readTool(name, o["description"], o["inputSchema"])
		if err != nil {
			return fmt.Errorf("tools[%d] (%s): %w", i, name, err)
		}
		tool.Title = str(o["title"])
		tool.OutputSchema = o["outputSchema"]
		a := obj(o["annotations"])
		tool.Annotations = toolAnnotations{ReadOnly: false, Destructive: true, Idempotent: false, OpenWorld: true}
		if v, ok := boolean(a["readOnlyHint"]); ok {
			tool.Annotations.ReadOnly = v
		}
		if v, ok := boolean(a["destructiveHint"]); ok {
			tool.Annotations.Destructive = v
		}
		if v, ok := boolean(a["idempotentHint"]); ok {
			tool.Annotations.Idempotent = v
		}
		if v, ok := boolean(a["openWorldHint"]); ok {
			tool.Annotations.OpenWorld = v
		}
		if tool.Title == "" {
			tool.Title = str(a["title"])
		}
		if err := s.add(Grant{Surface: SurfaceMCPTool, Subject: name, Action: "call", Effect: Allow, Path: rel, Content: content(tool)}); err != nil {
			return err
		}
	}
	return nil
}

// readTool checks the parts every tool-like definition shares.
func readTool(name string, desc, schema any) (mcpTool, error) {
	t := mcpTool{InputSchema: schema}
	if desc != nil {
		d, ok := desc.(string)
		if !ok {
			return t, fmt.Errorf("%w: description must be a string", ErrInvalid)
		}
		t.Description = d
	}
	if n := len(t.Description); n > MaxDescription {
		return t, fmt.Errorf("%w: description is %d bytes, more than the %d allowed; a description this long cannot be reviewed", ErrInvalid, n, MaxDescription)
	}
	if !utf8.ValidString(name) || len(name) > 256 {
		return t, fmt.Errorf("%w: tool name is not a short UTF-8 string", ErrInvalid)
	}
	if schema != nil && obj(schema) == nil {
		if b, ok := schema.(bool); !ok || !b {
			return t, fmt.Errorf("%w: inputSchema must be an object", ErrInvalid)
		}
	}
	return t, nil
}
