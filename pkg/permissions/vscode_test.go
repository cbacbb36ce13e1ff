package permissions

import (
	"context"
	"testing"
)

// VS Code settings (JSON with comments): agent-mode approvals and MCP
// servers under "mcp".
const vscodeSettingsBase = `{
  // agent mode
  "editor.formatOnSave": true,
  "chat.tools.terminal.autoApprove": {"npm test": true, "rm": false},
  "chat.tools.edits.autoApprove": {"docs/**": true},
  "mcp": {"servers": {"orders": {"command": "orders-mcp"}}},
}
`

func TestVSCodeSettings(t *testing.T) {
	t.Parallel()
	const p = ".vscode/settings.json"
	base := map[string]string{p: vscodeSettingsBase}
	runDiffCases(t, base, []diffCase{
		{"unchanged", base, nil},
		{"every tool auto-approved (broadened, critical)", replace(base, p, `"editor.formatOnSave": true,`, `"chat.tools.global.autoApprove": true,`),
			[]want{{SurfaceVSCode, "tool *", KindBroadened, C}}},
		{"legacy name too", replace(base, p, `"editor.formatOnSave": true,`, `"chat.tools.autoApprove": true,`),
			[]want{{SurfaceVSCode, "tool *", KindBroadened, C}}},
		{"explicit false is no change", replace(base, p, `"editor.formatOnSave": true,`, `"chat.tools.global.autoApprove": false,`), nil},
		{"terminal command approved (added)", replace(base, p, `"npm test": true,`, `"npm test": true, "git push": true,`),
			[]want{{SurfaceVSCode, "terminal git push", KindAdded, H}}},
		{"every command approved (added, critical)", replace(base, p, `"npm test": true,`, `"npm test": true, "/.*/": {"approve": true, "matchCommandLine": true},`),
			[]want{{SurfaceVSCode, "terminal /.*/", KindAdded, C}}},
		{"every file edit approved (broadened to critical)", replace(base, p, `"docs/**": true`, `"**/*": true`),
			[]want{{SurfaceVSCode, "edit **/*", KindAdded, C}, {SurfaceVSCode, "edit docs/**", KindRemoved, I}}},
		{"deny turned into approve (broadened)", replace(base, p, `"rm": false`, `"rm": true`),
			[]want{{SurfaceVSCode, "terminal rm", KindBroadened, H}}},
		{"deny removed (broadened)", replace(base, p, `, "rm": false`, ``),
			[]want{{SurfaceVSCode, "terminal rm", KindBroadened, H}}},
		{"approval removed (narrowed)", replace(base, p, `"npm test": true, `, ``),
			[]want{{SurfaceVSCode, "terminal npm test", KindRemoved, I}}},
		{"MCP server in settings (added)", replace(base, p, `"orders": {"command": "orders-mcp"}`, `"orders": {"command": "orders-mcp"}, "shell": {"command": "shell-mcp"}`),
			[]want{{SurfaceMCPServer, "shell", KindAdded, H}}},
	})
	ws := map[string]string{"agent.code-workspace": `{"folders": [{"path": "."}], "settings": {"chat.tools.global.autoApprove": false}}`}
	runDiffCases(t, ws, []diffCase{
		{"workspace: every tool auto-approved", replace(ws, "agent.code-workspace", `"chat.tools.global.autoApprove": false`, `"chat.tools.global.autoApprove": true`),
			[]want{{SurfaceVSCode, "tool *", KindBroadened, C}}},
	})
}

func TestVSCodeSettingsInvalid(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"chat.tools.autoApprove": "yes"}`,
		`{"chat.tools.terminal.autoApprove": ["npm test"]}`,
		`{"chat.tools.terminal.autoApprove": {"npm test": "sometimes"}}`,
	} {
		if _, err := Scan(context.Background(), writeTree(t, map[string]string{".vscode/settings.json": body})); err == nil {
			t.Errorf("%s: want an error", body)
		}
	}
}
