package permissions

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

// FormatClaudeExtension is a Claude Code slash command
// (.claude/commands/**/*.md), subagent (.claude/agents/**/*.md) or skill
// (.claude/skills/NAME/SKILL.md): Markdown whose YAML front matter grants
// tools. A command's or skill's allowed-tools are used without asking
// while it runs (and the model may run commands itself); a subagent
// runs in its own permissionMode, with its own hooks and MCP servers.
const FormatClaudeExtension = "claude-code-extension"

// claudeExtension returns the kind ("command", "agent", "skill") and name
// of a Claude Code extension file, or "".
func claudeExtension(rel string) (kind, name string) {
	if !strings.HasSuffix(strings.ToLower(rel), ".md") {
		return "", ""
	}
	dirs := strings.Split(rel, "/")
	for i := len(dirs) - 2; i >= 0; i-- {
		if dirs[i] != ".claude" || i+2 >= len(dirs) {
			continue
		}
		rest := strings.Join(dirs[i+2:], "/")
		switch dirs[i+1] {
		case "commands":
			return "command", strings.TrimSuffix(rest, path.Ext(rest))
		case "agents":
			return "agent", strings.TrimSuffix(rest, path.Ext(rest))
		case "skills":
			if len(dirs) == i+4 && dirs[i+3] == "SKILL.md" {
				return "skill", dirs[i+2]
			}
		}
		return "", ""
	}
	return "", ""
}

// frontMatter returns the YAML front matter of a Markdown file (between
// a first line "---" and the next "---" line), or nil when it has none.
func frontMatter(b []byte) ([]byte, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !bytes.HasPrefix(b, []byte("---\n")) && !bytes.HasPrefix(b, []byte("---\r\n")) {
		return nil, nil
	}
	rest := b[bytes.IndexByte(b, '\n')+1:]
	for off := 0; off <= len(rest); {
		end := bytes.IndexByte(rest[off:], '\n')
		line := rest[off:]
		if end >= 0 {
			line = rest[off : off+end]
		}
		if string(bytes.TrimRight(line, "\r \t")) == "---" {
			return rest[:off], nil
		}
		if end < 0 {
			break
		}
		off += end + 1
	}
	return nil, fmt.Errorf("%w: front matter opened with --- is never closed", ErrInvalid)
}

// toolList reads a tool list written as a YAML list or as one string of
// rules separated by commas or spaces ("Bash(git add:*), Read").
func toolList(v any, what string) ([]string, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case string:
		var out []string
		depth, start := 0, 0
		flush := func(end int) {
			if r := strings.TrimSpace(t[start:end]); r != "" {
				out = append(out, r)
			}
		}
		for i, c := range t {
			switch {
			case c == '(':
				depth++
			case c == ')' && depth > 0:
				depth--
			case depth == 0 && (c == ',' || c == ' ' || c == '\t'):
				flush(i)
				start = i + 1
			}
		}
		flush(len(t))
		return out, nil
	}
	return strs(v, what)
}

// claudeExtensionFile reads the front matter of a command, subagent or
// skill: allowed-tools (pre-approved allow rules, as in settings),
// a subagent's permissionMode, hooks and inline mcpServers.
func (s *scanner) claudeExtensionFile(rel string, b []byte) error {
	kind, name := claudeExtension(rel)
	fm, err := frontMatter(b)
	if err != nil || fm == nil {
		return err
	}
	docs, err := decodeYAML(fm)
	if err != nil {
		return fmt.Errorf("front matter: %w", err)
	}
	if len(docs) != 1 {
		return fmt.Errorf("%w: front matter must be one YAML object", ErrInvalid)
	}
	m := obj(docs[0])
	if m == nil {
		if docs[0] == nil {
			return nil
		}
		return fmt.Errorf("%w: front matter must be a YAML object", ErrInvalid)
	}
	if n := str(m["name"]); n != "" && kind == "agent" {
		name = n
	}
	rules, err := toolList(m["allowed-tools"], "allowed-tools")
	if err != nil {
		return err
	}
	for _, r := range rules {
		if err := s.add(claudeGrant(rel, r, kind+" "+name+" allowed-tools", Allow)); err != nil {
			return err
		}
	}
	if kind != "agent" {
		return nil
	}
	if v := m["permissionMode"]; v != nil {
		mode := str(v)
		if _, ok := claudeModes[mode]; !ok {
			return fmt.Errorf("%w: permissionMode %q is not one of plan, default, acceptEdits, dontAsk, bypassPermissions", ErrInvalid, v)
		}
		if err := s.add(Grant{Surface: SurfaceClaude, Subject: "agent " + name + " permissionMode", Action: "mode", Effect: Allow, Path: rel,
			Content: content(map[string]string{"mode": mode})}); err != nil {
			return err
		}
	}
	if err := s.claudeHooks(rel, m["hooks"]); err != nil {
		return err
	}
	for i, raw := range arr(m["mcpServers"]) {
		inline := obj(raw)
		if inline == nil {
			continue // a server configured elsewhere, by name
		}
		for _, n := range sortedNames(inline) {
			if err := s.mcpServer(rel, fmt.Sprintf("mcpServers[%d]", i), n, obj(inline[n])); err != nil {
				return err
			}
		}
	}
	return nil
}

// claudeExtensionSource records the file as read.
func (s *scanner) claudeExtensionSource(rel string, b []byte) {
	s.snap.Sources = append(s.snap.Sources, Source{Path: rel, Format: FormatClaudeExtension, Digest: evidence.Digest(b)})
}
