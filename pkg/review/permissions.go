package review

import "github.com/tollgate-dev/tollgate/pkg/permissions"

// Permissions is the reviewed, normalised permission snapshot with full
// content: every grant (MCP servers and tools with their descriptions and
// schemas, Claude Code rules, OpenAI and A2A tool configuration,
// Kubernetes RBAC, GitHub Actions token scopes, egress and filesystem
// access) and the files it was read from. Owned by the permission-diff
// check; see package permissions.
type Permissions = permissions.Snapshot
