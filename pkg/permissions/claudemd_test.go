package permissions

import (
	"strings"
	"testing"
)

const (
	commandMD = "---\ndescription: Commit the staged changes\nallowed-tools: Bash(git add:*), Bash(git status:*), Bash(git commit:*)\n---\nCommit with a clear message.\n"
	agentMD   = "---\nname: reviewer\ndescription: Reviews diffs\ntools: Read, Grep, Glob\npermissionMode: default\n---\nYou review code.\n"
	skillMD   = "---\nname: release-notes\ndescription: Writes release notes\nallowed-tools:\n  - Read\n  - Bash(git log:*)\n---\nRead the log.\n"
)

func TestClaudeExtensions(t *testing.T) {
	t.Parallel()
	const cp, ap, sp = ".claude/commands/commit.md", ".claude/agents/reviewer.md", ".claude/skills/release-notes/SKILL.md"
	base := map[string]string{cp: commandMD, ap: agentMD, sp: skillMD, ".claude/commands/README.txt": "not a command"}
	runDiffCases(t, base, []diffCase{
		{"unchanged", base, nil},
		{"prose edited (no change)", replace(base, cp, "Commit with a clear message.", "Commit with a short message."), nil},
		{"command pre-approves every Bash command (critical)", replace(base, cp, "Bash(git commit:*)", "Bash"),
			[]want{{SurfaceClaude, "Bash", KindAdded, C}, {SurfaceClaude, "Bash(git commit:*)", KindRemoved, I}}},
		{"new command with a new tool (high)", with(base, ".claude/commands/ops/deploy.md", "---\nallowed-tools: Bash(kubectl apply:*)\n---\nDeploy.\n"),
			[]want{{SurfaceClaude, "Bash(kubectl apply:*)", KindAdded, H}}},
		{"new command with a rule a reviewed one covers (no change)", with(base, ".claude/commands/status.md", "---\nallowed-tools: Bash(git status:*)\n---\nStatus.\n"), nil},
		{"skill gains a tool (high)", replace(base, sp, "  - Read\n", "  - Read\n  - WebFetch\n"),
			[]want{{SurfaceClaude, "WebFetch", KindAdded, H}}},
		{"subagent bypasses permissions (critical)", replace(base, ap, "permissionMode: default", "permissionMode: bypassPermissions"),
			[]want{{SurfaceClaude, "agent reviewer permissionMode", KindBroadened, C}}},
		{"new subagent accepting edits (high)", with(base, ".claude/agents/fixer.md", "---\nname: fixer\ndescription: Fixes\npermissionMode: acceptEdits\n---\nFix it.\n"),
			[]want{{SurfaceClaude, "agent fixer permissionMode", KindBroadened, H}}},
		{"subagent hook (high)", replace(base, ap, "permissionMode: default\n", "permissionMode: default\nhooks:\n  PostToolUse:\n    - matcher: Edit\n      hooks: [{type: command, command: ./bin/upload.sh}]\n"),
			[]want{{SurfaceClaude, "hook PostToolUse Edit", KindAdded, H}}},
		{"subagent inline MCP server (high)", replace(base, ap, "permissionMode: default\n", "permissionMode: default\nmcpServers:\n  - github\n  - shell: {command: shell-mcp}\n"),
			[]want{{SurfaceMCPServer, "shell", KindAdded, H}}},
		{"a subagent in plan mode narrows", replace(base, ap, "permissionMode: default", "permissionMode: plan"),
			[]want{{SurfaceClaude, "agent reviewer permissionMode", KindNarrowed, I}}},
		{"command removed (narrowed)", with(base, cp, ""),
			[]want{{SurfaceClaude, "Bash(git add:*)", KindRemoved, I}, {SurfaceClaude, "Bash(git commit:*)", KindRemoved, I}, {SurfaceClaude, "Bash(git status:*)", KindRemoved, I}}},
	})
}

func TestClaudeExtensionInvalid(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]string{
		"unclosed front matter": "---\nallowed-tools: Bash\nDo it.\n",
		"unknown mode":          "---\npermissionMode: yolo\n---\n",
		"not an object":         "---\n- Bash\n---\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Scan(t.Context(), writeTree(t, map[string]string{".claude/agents/a.md": doc}))
			if err == nil || !strings.Contains(err.Error(), ".claude/agents/a.md") {
				t.Fatalf("want an error naming the file, got %v", err)
			}
		})
	}
}

func TestClaudeExtensionPaths(t *testing.T) {
	t.Parallel()
	for rel, want := range map[string]string{
		".claude/commands/commit.md":             "command commit",
		"agent/.claude/commands/ops/deploy.md":   "command ops/deploy",
		".claude/agents/reviewer.md":             "agent reviewer",
		".claude/skills/notes/SKILL.md":          "skill notes",
		".claude/skills/notes/reference.md":      " ",
		".claude/CLAUDE.md":                      " ",
		"docs/commands/commit.md":                " ",
		".claude/commands/commit.txt":            " ",
		".claude/settings/commands/x.md":         " ",
		"x/.claude/agents/.claude/commands/y.md": "command y",
	} {
		k, n := claudeExtension(rel)
		if got := k + " " + n; got != want {
			t.Errorf("claudeExtension(%q) = %q, want %q", rel, got, want)
		}
	}
}
