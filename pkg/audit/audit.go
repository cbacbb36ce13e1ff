package audit

import (
	"slices"
	"sort"
	"strings"
)

// Control is one framework control.
type Control struct {
	// ID is how reasons and summaries cite it ("ASI04", "MANAGE 1.1").
	ID string `json:"id"`
	// Framework names the document the control is from.
	Framework string `json:"framework"`
	// Title is the control's short name.
	Title string `json:"title"`
}

// Control IDs.
const (
	ASI02     = "ASI02"
	ASI03     = "ASI03"
	ASI04     = "ASI04"
	ASI05     = "ASI05"
	LLM06     = "LLM06"
	Manage11  = "MANAGE 1.1"
	Manage13  = "MANAGE 1.3"
	MaestroL1 = "MAESTRO L1"
	MaestroL3 = "MAESTRO L3"
	MaestroL4 = "MAESTRO L4"
	MaestroL6 = "MAESTRO L6"
	MaestroL7 = "MAESTRO L7"
)

const (
	owaspAgentic = "OWASP Top 10 for Agentic Applications 2026"
	owaspLLM     = "OWASP Top 10 for LLM Applications 2025"
	nist         = "NIST AI RMF 1.0"
	maestro      = "CSA MAESTRO"
)

// Controls lists every control the mapping cites, in reporting order.
var Controls = []Control{
	{ASI02, owaspAgentic, "Tool misuse and exploitation"},
	{ASI03, owaspAgentic, "Identity and privilege abuse"},
	{ASI04, owaspAgentic, "Agentic supply chain vulnerabilities"},
	{ASI05, owaspAgentic, "Unexpected code execution"},
	{LLM06, owaspLLM, "Excessive agency"},
	{Manage11, nist, "Go/no-go determination on whether deployment should proceed"},
	{Manage13, nist, "Responses to high-priority risks (including accepted risks) are documented"},
	{MaestroL1, maestro, "Layer 1: Foundation models"},
	{MaestroL3, maestro, "Layer 3: Agent frameworks"},
	{MaestroL4, maestro, "Layer 4: Deployment and infrastructure"},
	{MaestroL6, maestro, "Layer 6: Security and compliance"},
	{MaestroL7, maestro, "Layer 7: Agent ecosystem"},
}

// mapping is keyed by class or class prefix (ending in "."); the longest
// key that matches wins. Every entry includes MANAGE 1.1: each finding is
// an input to the go/no-go determination.
var mapping = map[string][]string{
	// provenance: what ships is what was reviewed (supply chain).
	"provenance.":                  {ASI04, Manage11, MaestroL4},
	"provenance.model-changed":     {ASI04, Manage11, MaestroL1},
	"provenance.signature-invalid": {ASI04, Manage11, MaestroL1},
	"provenance.config-changed":    {ASI04, Manage11, MaestroL3},
	"provenance.package-":          {ASI04, ASI05, Manage11, MaestroL4},
	"provenance.image-":            {ASI04, ASI05, Manage11, MaestroL4},
	// secrets: credentials the agent carries are its identity.
	"secrets.":            {ASI03, Manage11, MaestroL4},
	"secrets.literal.":    {ASI03, Manage11, MaestroL4},
	"secrets.reference-":  {ASI03, Manage11, MaestroL4},
	"secrets.unscannable": {ASI04, Manage11, MaestroL6},
	// permissions: what the agent may do (tools, MCP servers, RBAC).
	"permissions.":                    {ASI02, ASI03, LLM06, Manage11, MaestroL3},
	"permissions.added":               {ASI02, ASI03, ASI05, LLM06, Manage11, MaestroL3},
	"permissions.broadened":           {ASI02, ASI03, ASI05, LLM06, Manage11, MaestroL3},
	"permissions.description-changed": {ASI02, ASI04, Manage11, MaestroL7},
	// gate: the decision's own conditions (evidence integrity, approvals,
	// exceptions, rules).
	"gate.":                     {Manage11, MaestroL6},
	"gate.exception-":           {Manage11, Manage13, MaestroL6},
	"gate.approval-":            {ASI03, Manage11, MaestroL6},
	"gate.separation-of-duties": {ASI03, Manage11, MaestroL6},
}

// fallback is cited for a class the mapping does not know.
var fallback = []string{Manage11, MaestroL6}

// Refs returns the controls a finding class maps to, in Controls order.
func Refs(class string) []string {
	best := ""
	for k := range mapping {
		if len(k) <= len(best) {
			continue
		}
		if k == class || (strings.HasSuffix(k, ".") || strings.HasSuffix(k, "-")) && strings.HasPrefix(class, k) {
			best = k
		}
	}
	refs := fallback
	if best != "" {
		refs = mapping[best]
	}
	return order(refs)
}

// WaivedRefs returns the controls of a class whose findings an exception
// waived: its own controls plus MANAGE 1.3 (an accepted risk is a
// documented risk response).
func WaivedRefs(class string) []string {
	return order(append(Refs(class), Manage13))
}

// Lookup returns the control with id.
func Lookup(id string) (Control, bool) {
	for _, c := range Controls {
		if c.ID == id {
			return c, true
		}
	}
	return Control{}, false
}

// rank orders control IDs as Controls lists them.
var rank = func() map[string]int {
	m := map[string]int{}
	for i, c := range Controls {
		m[c.ID] = i
	}
	return m
}()

func order(ids []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return rank[out[i]] < rank[out[j]] })
	return out
}

// Status is a control's state at decision time.
type Status string

// Statuses, least to most severe.
const (
	// Held: no finding that maps to the control.
	Held Status = "held"
	// Warned: only non-blocking findings map to it.
	Warned Status = "warned"
	// Waived: blocking findings map to it, all waived by valid exceptions.
	Waived Status = "waived"
	// Violated: an unwaived blocking finding or reason maps to it.
	Violated Status = "violated"
)

func (s Status) rank() int {
	switch s {
	case Warned:
		return 1
	case Waived:
		return 2
	case Violated:
		return 3
	}
	return 0
}

// Observation is one finding class seen at decision time and what became
// of it.
type Observation struct {
	Class  string
	Status Status
}

// Assessment is a control's status and the classes that set it.
type Assessment struct {
	Control
	Status  Status   `json:"status"`
	Classes []string `json:"classes,omitempty"`
}

// Assess returns every control in Controls with the worst status of the
// observations that map to it and the sorted classes behind that status.
func Assess(obs []Observation) []Assessment {
	out := make([]Assessment, len(Controls))
	for i, c := range Controls {
		out[i] = Assessment{Control: c, Status: Held}
	}
	for _, o := range obs {
		Mark(out, o)
	}
	return out
}

// Mark raises the status of the controls o's class maps to (a waived class
// also marks MANAGE 1.3) and records the class behind the worst status.
func Mark(as []Assessment, o Observation) {
	if o.Status.rank() == 0 {
		return
	}
	refs := Refs(o.Class)
	if o.Status == Waived {
		refs = WaivedRefs(o.Class)
	}
	for _, id := range refs {
		for i := range as {
			a := &as[i]
			if a.ID != id {
				continue
			}
			switch {
			case o.Status.rank() > a.Status.rank():
				a.Status, a.Classes = o.Status, []string{o.Class}
			case o.Status == a.Status:
				j := sort.SearchStrings(a.Classes, o.Class)
				if j == len(a.Classes) || a.Classes[j] != o.Class {
					a.Classes = slices.Insert(a.Classes, j, o.Class)
				}
			}
		}
	}
}
