package permissions

import "fmt"

// isOpenAITools recognises OpenAI Responses (or Chat Completions, or
// Agents SDK) tool configuration: a tools array of typed entries.
func isOpenAITools(m map[string]any) bool {
	tools := arr(m["tools"])
	if len(tools) == 0 {
		return false
	}
	for _, t := range tools {
		if str(obj(t)["type"]) == "" {
			return false
		}
	}
	return true
}

// openAIExecTools are hosted tools that run code or drive a computer:
// adding one is critical.
var openAIExecTools = map[string]bool{
	"code_interpreter": true, "computer_use_preview": true, "computer_use": true,
	"local_shell": true, "shell": true, "apply_patch": true,
}

// openAI reads OpenAI tool configuration. Hosted MCP tools become one
// grant per allowed tool ("*" when allowed_tools is absent: every tool the
// server offers) with its approval mode; require_approval defaults to
// "always", as in the Responses API. tool_filter.blocked_tool_names are
// deny rules.
func (s *scanner) openAI(rel string, m map[string]any) error {
	for i, t := range arr(m["tools"]) {
		o := obj(t)
		typ := str(o["type"])
		where := fmt.Sprintf("tools[%d] (%s)", i, typ)
		switch typ {
		case "mcp":
			if err := s.openAIMCP(rel, o); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
		case "function":
			f := o
			if fn := obj(o["function"]); fn != nil { // Chat Completions shape
				f = fn
			}
			name := str(f["name"])
			if name == "" {
				return fmt.Errorf("%s: %w: function tool needs a name", where, ErrInvalid)
			}
			tool, err := readTool(name, f["description"], f["parameters"])
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			tool.Annotations = toolAnnotations{Destructive: true, OpenWorld: true}
			if err := s.add(Grant{Surface: SurfaceOpenAI, Subject: "function " + name, Action: "call", Effect: Allow, Path: rel, Content: content(tool)}); err != nil {
				return err
			}
		default:
			if err := s.add(Grant{Surface: SurfaceOpenAI, Subject: "hosted " + typ, Action: "use", Effect: Allow, Path: rel, Content: content(o)}); err != nil {
				return err
			}
			if typ == "web_search" || typ == "web_search_preview" {
				domains, err := strs(lookup(o, "filters.allowed_domains"), where+".filters.allowed_domains")
				if err != nil {
					return err
				}
				if len(domains) == 0 {
					domains = []string{"*"}
				}
				for _, d := range domains {
					if err := s.egress(rel, d, "openai "+typ); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func (s *scanner) openAIMCP(rel string, o map[string]any) error {
	label := str(o["server_label"])
	if label == "" {
		return fmt.Errorf("%w: server_label is required", ErrInvalid)
	}
	target := str(o["server_url"])
	if target == "" {
		target = "connector " + str(o["connector_id"])
	}
	// allowed_tools: a list of names, or {"tool_names": [...], "read_only": bool}.
	var allowed []string
	switch a := o["allowed_tools"].(type) {
	case nil:
	case []any:
		names, err := strs(a, "allowed_tools")
		if err != nil {
			return err
		}
		allowed = append([]string{}, names...) // an empty list allows nothing
	case map[string]any:
		names, err := strs(a["tool_names"], "allowed_tools.tool_names")
		if err != nil {
			return err
		}
		allowed = append([]string{}, names...)
	default:
		return fmt.Errorf("%w: allowed_tools must be a list or an object", ErrInvalid)
	}
	if f := obj(o["tool_filter"]); f != nil { // Agents SDK static tool filter
		names, err := strs(f["allowed_tool_names"], "tool_filter.allowed_tool_names")
		if err != nil {
			return err
		}
		if names != nil {
			allowed = intersectOrSet(allowed, o["allowed_tools"] != nil, names)
		}
		blocked, err := strs(f["blocked_tool_names"], "tool_filter.blocked_tool_names")
		if err != nil {
			return err
		}
		for _, b := range blocked {
			if err := s.add(Grant{Surface: SurfaceOpenAI, Subject: "mcp " + label, Action: b, Scope: target, Effect: Deny, Path: rel}); err != nil {
				return err
			}
		}
	}
	if allowed == nil {
		allowed = []string{"*"}
	}
	// require_approval: "always" | "never" | {"always": {"tool_names": []}, "never": {"tool_names": []}}.
	def, never, always := ApprovalAlways, map[string]bool{}, map[string]bool{}
	switch r := o["require_approval"].(type) {
	case nil:
	case string:
		if r != ApprovalAlways && r != ApprovalNever {
			return fmt.Errorf("%w: require_approval must be always, never or an object, got %q", ErrInvalid, r)
		}
		def = r
	case map[string]any:
		for mode, set := range map[string]map[string]bool{ApprovalNever: never, ApprovalAlways: always} {
			names, err := strs(obj(r[mode])["tool_names"], "require_approval."+mode+".tool_names")
			if err != nil {
				return err
			}
			for _, n := range names {
				set[n] = true
			}
		}
	default:
		return fmt.Errorf("%w: require_approval must be always, never or an object", ErrInvalid)
	}
	headers := keys(obj(o["headers"]))
	for _, t := range allowed {
		mode := def
		if never[t] && !always[t] {
			mode = ApprovalNever
		}
		if always[t] {
			mode = ApprovalAlways
		}
		c := map[string]any{"server": target, "headers": headers}
		if err := s.add(Grant{Surface: SurfaceOpenAI, Subject: "mcp " + label, Action: t, Scope: target, Effect: Allow, Approval: mode, Path: rel, Content: content(c)}); err != nil {
			return err
		}
	}
	if h := hostOf(target); h != "" {
		return s.egress(rel, h, "openai mcp "+label)
	}
	return nil
}

func intersectOrSet(a []string, aSet bool, b []string) []string {
	if !aSet {
		return append([]string{}, b...)
	}
	var out []string
	for _, x := range a {
		if contains(b, x) {
			out = append(out, x)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
