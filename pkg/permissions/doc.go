// Package permissions is the permission-diff check: the agent can do no
// more than what was reviewed.
//
// Scan reads an artefact tree (or one file) and normalises every permission
// surface it finds into Grants, one per (surface, subject, action, scope,
// effect, approval mode, source file), keeping the full reviewable content:
// tool descriptions and schemas, rule text, RBAC rules. Formats are found by
// name and by content:
//
//   - MCP client configuration (mcpServers in Claude Desktop, Cursor,
//     Windsurf, Claude Code .mcp.json; servers in VS Code): command, args,
//     env names, url, transport, header names;
//   - MCP tools/list snapshots: name, description, inputSchema, outputSchema
//     and annotations, read with the specification's worst-case defaults
//     (readOnlyHint false, destructiveHint true, openWorldHint true);
//   - Claude Code settings: permissions allow, ask and deny rules,
//     defaultMode, additionalDirectories, sandbox network and filesystem;
//   - OpenAI Responses and Agents SDK tool configuration (allowed_tools,
//     require_approval, tool_filter) and A2A AgentCards (skills, security);
//   - Kubernetes Role, ClusterRole and their bindings, expanded per subject,
//     verb, resource and resource name;
//   - GitHub Actions permissions per job (none < read < write);
//   - network egress hosts and filesystem paths from all of the above.
//
// Diff compares a reviewed Snapshot with a candidate one. A candidate grant
// that no reviewed grant covers is a change of kind "added" (new subject) or
// "broadened"; a restriction (deny or ask rule, required approval) that
// disappears is "broadened"; a reviewed capability that disappears is
// "removed" and a tightened one "narrowed", neither of which ever blocks.
// Content-only changes (a tool description) are "changed", medium unless
// the new text adds URLs, instructions aimed at the model, hidden
// characters or references to other tools (high).
//
// Every file is read through fixed bounds (size, nesting depth, number of
// grants); YAML goes through sigs.k8s.io/yaml, which refuses duplicate keys
// and alias bombs. A permission file that cannot be read is an error naming
// it, so the check fails closed.
package permissions
