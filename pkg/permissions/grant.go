package permissions

import (
	"bytes"
	"encoding/json"
	"sort"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

// Surfaces: where a grant comes from. They are the "surface" of a change.
const (
	SurfaceMCPServer = "mcp-server"
	SurfaceMCPTool   = "mcp-tool"
	SurfaceClaude    = "claude-code"
	SurfaceOpenAI    = "openai"
	SurfaceA2A       = "a2a"
	SurfaceRBAC      = "kubernetes-rbac"
	SurfaceActions   = "github-actions"
	SurfaceNetwork   = "network"
	SurfaceFS        = "filesystem"
)

// Effect says whether a grant allows, asks first, or denies.
type Effect string

// Effects, broadest first.
const (
	Allow Effect = "allow"
	Ask   Effect = "ask"
	Deny  Effect = "deny"
)

// rank orders effects: allow is broadest.
func (e Effect) rank() int {
	switch e {
	case Allow:
		return 2
	case Ask:
		return 1
	}
	return 0
}

// restriction reports whether the grant limits what the agent may do, so
// that removing it broadens.
func (g *Grant) restriction() bool { return g.Effect == Deny || g.Effect == Ask }

// Approval modes: whether a human approves each use.
const (
	ApprovalAlways = "always"
	ApprovalNever  = "never"
)

func approvalRank(a string) int {
	if a == ApprovalAlways {
		return 0
	}
	return 1
}

// Grant is one normalised permission.
type Grant struct {
	// Surface is one of the Surface constants.
	Surface string `json:"surface"`
	// Subject is who or what holds the grant: an MCP server or tool, a
	// Claude Code rule, a Kubernetes ServiceAccount, a workflow job.
	Subject string `json:"subject"`
	// Action is the verb (call, get, contents, egress...).
	Action string `json:"action,omitempty"`
	// Scope narrows the action (a resource, a domain, a path).
	Scope string `json:"scope,omitempty"`
	// Effect is allow, ask or deny.
	Effect Effect `json:"effect" jsonschema:"enum=allow,enum=ask,enum=deny"`
	// Approval is "always" when a human approves each use, "never" when
	// not, empty when the format has no such notion.
	Approval string `json:"approval,omitempty" jsonschema:"enum=always,enum=never"`
	// Path is the source file, relative to the artefact root, with
	// forward slashes.
	Path string `json:"path"`
	// Content is the full reviewable content (descriptions, schemas,
	// rules) as canonical JSON (sorted keys, no insignificant space).
	Content json.RawMessage `json:"content,omitempty"`
}

// slot identifies a grant for comparison: the same slot in two snapshots
// is the same permission, possibly with different effect or content.
type slot struct{ surface, path, subject, action, scope string }

func (g *Grant) slot() slot { return slot{g.Surface, g.Path, g.Subject, g.Action, g.Scope} }

// digest is the sha256 of the grant's canonical content.
func (g *Grant) digest() string { return evidence.Digest(canonicalJSON(g.Content)) }

// Source is a file the scan read, with the format it was read as.
type Source struct {
	Path   string `json:"path"`
	Format string `json:"format"`
	Digest string `json:"digest"`
}

// Snapshot is the normalised permission set of an artefact. It is what
// `tollgate review` records under spec.permissions.
type Snapshot struct {
	// Sources are the permission files read, sorted by path.
	Sources []Source `json:"sources"`
	// Grants are sorted by surface, path, subject, action, scope, effect.
	Grants []Grant `json:"grants"`
	// Skipped lists files that look like configuration but were not
	// inspected (too large for content detection), with the reason.
	Skipped []string `json:"skipped,omitempty"`
	// Redactions list the values masked before they were stored: a
	// literal credential in a permission file (never the value).
	Redactions []Redaction `json:"redactions,omitempty"`
}

// normalise sorts the snapshot and merges grants that share a slot,
// keeping the most restrictive effect and approval (a rule that is both
// allowed and denied is denied).
func (s *Snapshot) normalise() {
	sort.Slice(s.Sources, func(i, j int) bool { return s.Sources[i].Path < s.Sources[j].Path })
	byslot := map[slot]int{}
	out := s.Grants[:0]
	for _, g := range s.Grants {
		if i, ok := byslot[g.slot()]; ok {
			o := &out[i]
			if g.Effect.rank() < o.Effect.rank() {
				o.Effect = g.Effect
			}
			if g.Approval != "" && (o.Approval == "" || approvalRank(g.Approval) < approvalRank(o.Approval)) {
				o.Approval = g.Approval
			}
			continue
		}
		byslot[g.slot()] = len(out)
		out = append(out, g)
	}
	s.Grants = out
	if s.Grants == nil {
		s.Grants = []Grant{}
	}
	if s.Sources == nil {
		s.Sources = []Source{}
	}
	sort.Slice(s.Grants, func(i, j int) bool { return lessGrant(&s.Grants[i], &s.Grants[j]) })
	sort.Strings(s.Skipped)
}

func lessGrant(a, b *Grant) bool {
	for _, p := range [][2]string{
		{a.Surface, b.Surface}, {a.Path, b.Path}, {a.Subject, b.Subject},
		{a.Action, b.Action}, {a.Scope, b.Scope}, {string(a.Effect), string(b.Effect)},
	} {
		if p[0] != p[1] {
			return p[0] < p[1]
		}
	}
	return false
}

// content encodes v as canonical JSON for Grant.Content.
func content(v any) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Values passed here come from decoded JSON; they always encode.
		panic("permissions: encode content: " + err.Error())
	}
	return canonicalJSON(buf.Bytes())
}

// canonicalJSON re-encodes raw JSON with sorted keys and no insignificant
// whitespace, so that content read back from a YAML review record compares
// equal to content read from the artefact.
func canonicalJSON(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return raw
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return raw
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}
