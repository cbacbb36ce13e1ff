package permissions

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

// Kinds of change.
const (
	KindAdded     = "added"
	KindRemoved   = "removed"
	KindBroadened = "broadened"
	KindNarrowed  = "narrowed"
	KindChanged   = "changed"
)

// Change is one difference between the reviewed and the candidate
// permissions. Its JSON form is the diff-permissions output.
type Change struct {
	Surface     string            `json:"surface"`
	Subject     string            `json:"subject"`
	Kind        string            `json:"kind"`
	Severity    evidence.Severity `json:"severity"`
	Detail      string            `json:"detail"`
	Path        string            `json:"path"`
	Action      string            `json:"action,omitempty"`
	Scope       string            `json:"scope,omitempty"`
	Fingerprint string            `json:"fingerprint"`
	// Old and New are the content digests of the reviewed and the
	// candidate grant ("" when absent).
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
}

// Narrowing reports whether the change only takes reach away; such a
// change never blocks.
func (c *Change) Narrowing() bool { return c.Kind == KindNarrowed || c.Kind == KindRemoved }

// item is a grant with the parts of its content that coverage needs,
// decoded on first use: most grants match their reviewed slot exactly and
// never need them.
type item struct {
	g       *Grant
	decoded bool
	rule    bool       // a Claude Code permission rule
	host    string     // network destination, for egress grants
	scope   *rbacScope // Kubernetes scope
}

func newItem(g *Grant) *item { return &item{g: g} }

func (it *item) decode() *item {
	if it.decoded {
		return it
	}
	it.decoded = true
	g := it.g
	switch g.Surface {
	case SurfaceClaude, SurfaceFS, SurfaceNetwork:
		var c map[string]any
		_ = json.Unmarshal(g.Content, &c)
		_, it.rule = c["rule"]
		switch {
		case g.Surface == SurfaceNetwork && g.Action == "egress":
			it.host = strings.ToLower(g.Subject)
		case g.Surface == SurfaceNetwork && g.Action == "WebFetch":
			it.host = strings.ToLower(strings.TrimPrefix(g.Scope, "domain:"))
		}
	case SurfaceRBAC:
		var sc rbacScope
		_ = json.Unmarshal(g.Content, &sc)
		it.scope = &sc
	}
	return it
}

// covers reports whether reviewed grant b allows at least what candidate
// grant g allows, without being the same slot.
func covers(b, g *item) bool {
	b, g = b.decode(), g.decode()
	if b.g.Surface != g.g.Surface || b.g.Effect != Allow || g.g.Effect != Allow {
		return false
	}
	if g.g.Approval != "" && approvalRank(b.g.Approval) < approvalRank(g.g.Approval) {
		return false
	}
	switch {
	case b.host != "" && g.host != "":
		return hostCovers(b.host, g.host)
	case b.rule && g.rule:
		return claudeCovers(b.g, g.g)
	case b.scope != nil && g.scope != nil:
		return rbacCovers(b.g, g.g, b.scope, g.scope)
	case g.g.Surface == SurfaceOpenAI && strings.HasPrefix(g.g.Subject, "mcp "):
		return b.g.Subject == g.g.Subject && b.g.Scope == g.g.Scope && b.g.Action == "*"
	case g.g.Surface == SurfaceGemini:
		return b.g.Action == g.g.Action && ((b.g.Subject == "tool *" && strings.HasPrefix(g.g.Subject, "tool ")) ||
			(b.g.Subject == "mcp server *" && strings.HasPrefix(g.g.Subject, "mcp server ")))
	case g.g.Surface == SurfaceMCPServer && g.g.Action == "call":
		return b.g.Subject == g.g.Subject && b.g.Action == "call" && b.g.Scope == "*"
	case g.g.Surface == SurfaceNetwork && (g.g.Action == ActionAllowEgress || g.g.Action == ActionAllowIngress):
		return netRuleCovers(b.g, g.g)
	case g.g.Surface == SurfaceExposure:
		return exposureCovers(b.g, g.g)
	}
	return false
}

func hostCovers(b, g string) bool {
	if b == "*" || b == g {
		return true
	}
	if suffix, ok := strings.CutPrefix(b, "*."); ok {
		return strings.HasSuffix(g, "."+suffix)
	}
	return false
}

// Diff compares the reviewed snapshot with the candidate and returns the
// changes, sorted by path, surface, subject, action and scope.
func Diff(reviewed, candidate *Snapshot) []Change {
	bySlot := map[slot]*item{}
	bySurface := map[string][]*item{}
	subjects := map[[2]string]bool{}
	for i := range reviewed.Grants {
		it := newItem(&reviewed.Grants[i])
		bySlot[it.g.slot()] = it
		key := it.g.Surface
		if it.g.Surface == SurfaceRBAC {
			key += "\x00" + it.g.Subject
		}
		bySurface[key] = append(bySurface[key], it)
		subjects[[2]string{it.g.Surface, it.g.Subject}] = true
	}
	candSlots := map[slot]*item{}
	var candItems []*item
	for i := range candidate.Grants {
		it := newItem(&candidate.Grants[i])
		candSlots[it.g.slot()] = it
		candItems = append(candItems, it)
	}
	tools := toolNames(candidate)
	var out []Change
	for _, c := range candItems {
		if b, ok := bySlot[c.g.slot()]; ok {
			if ch, ok := compareSame(b.g, c.g, tools); ok {
				out = append(out, ch)
			}
			continue
		}
		if c.g.restriction() {
			detail := "new " + string(c.g.Effect) + " rule"
			if isIsolation(c.g.Action) {
				detail = "isolates the " + c.g.Scope + " it selects (" + strings.TrimPrefix(c.g.Action, "isolate-") + ")"
			}
			out = append(out, newChange(nil, c.g, KindNarrowed, evidence.Info, detail))
			continue
		}
		if c.g.Action == "setting" || c.g.Action == "mode" {
			// A setting in a new file: compare with the default.
			if ch, ok := compareSame(defaultSetting(c.g), c.g, tools); ok {
				out = append(out, ch)
			}
			continue
		}
		key := c.g.Surface
		if c.g.Surface == SurfaceRBAC {
			key += "\x00" + c.g.Subject
		}
		covered := false
		for _, b := range bySurface[key] {
			if covers(b, c) {
				covered = true
				break
			}
		}
		if covered {
			continue
		}
		if (c.g.Action == ActionAllowEgress || c.g.Action == ActionAllowIngress) && newlyIsolated(c.g, bySurface[SurfaceNetwork]) {
			out = append(out, newChange(nil, c.g, KindNarrowed, evidence.Info, "rule of a new policy: the review left these pods open"))
			continue
		}
		kind := KindAdded
		if subjects[[2]string{c.g.Surface, c.g.Subject}] {
			kind = KindBroadened
		}
		sev, detail := addedSeverity(c, tools)
		if d := shadowedBy(c, candItems); d != nil {
			// Claude Code applies deny rules first: this allow never
			// takes effect while d stays.
			sev, detail = evidence.Low, detail+", shadowed by deny rule "+d.g.Subject
		}
		out = append(out, newChange(nil, c.g, kind, sev, detail))
	}
	for _, b := range sortedItems(bySlot) {
		if _, ok := candSlots[b.g.slot()]; ok {
			continue
		}
		switch {
		case b.g.restriction():
			if restrictionKept(b, candItems) {
				continue
			}
			sev, detail := evidence.High, string(b.g.Effect)+" rule removed"
			switch {
			case b.g.Surface == SurfaceNetwork && isIsolation(b.g.Action):
				sev, detail = isolationRemoved(b.g)
			case b.g.Surface == SurfaceWorkload && b.g.Action == ActionRuntimeClass:
				detail = "runtime class " + b.g.Scope + " removed: the pods may now run on the node's default runtime, outside that sandbox"
			}
			out = append(out, newChange(b.g, nil, KindBroadened, sev, detail))
		case b.g.Action == "setting" || b.g.Action == "mode":
			if ch, ok := compareSame(b.g, defaultSetting(b.g), tools); ok {
				ch.Detail = "setting removed, so the default applies: " + ch.Detail
				out = append(out, ch)
			}
		case b.g.Surface == SurfaceExposure && exposureKept(b.g, candItems):
			// a renamed or moved resource exposing the same
		default:
			out = append(out, newChange(b.g, nil, KindRemoved, evidence.Info, "no longer granted"))
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		for _, p := range [][2]string{{a.Path, b.Path}, {a.Surface, b.Surface}, {a.Subject, b.Subject}, {a.Action, b.Action}, {a.Scope, b.Scope}, {a.Kind, b.Kind}} {
			if p[0] != p[1] {
				return p[0] < p[1]
			}
		}
		return false
	})
	return out
}

func sortedItems(m map[slot]*item) []*item {
	out := make([]*item, 0, len(m))
	for _, it := range m {
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool { return lessGrant(out[i].g, out[j].g) })
	return out
}

// restrictionKept reports whether a candidate restriction at least as
// strict covers the reviewed restriction b (deny "Bash" keeps deny
// "Bash(curl:*)").
func restrictionKept(b *item, cand []*item) bool {
	b.decode()
	for _, c := range cand {
		if c.g.Surface != b.g.Surface || !c.g.restriction() || c.g.Effect.rank() > b.g.Effect.rank() {
			continue
		}
		if isIsolation(b.g.Action) {
			if isolationKept(b.g, c.g) {
				return true
			}
			continue
		}
		c.decode()
		if c.rule && b.rule && claudeCovers(c.g, b.g) {
			return true
		}
		if c.host != "" && b.host != "" && hostCovers(c.host, b.host) {
			return true
		}
	}
	return false
}

// shadowedBy returns a candidate deny rule that covers the allow rule c
// in the same file, or nil.
func shadowedBy(c *item, cand []*item) *item {
	if !c.decode().rule {
		return nil
	}
	for _, d := range cand {
		if d.g.Effect == Deny && d.g.Path == c.g.Path && d.g.Surface == c.g.Surface && d.decode().rule && claudeCovers(d.g, c.g) {
			return d
		}
	}
	return nil
}

// defaultSetting returns the grant a setting takes when its file does not
// set it.
func defaultSetting(g *Grant) *Grant {
	d := *g
	if g.Action == "mode" {
		if g.Effect == Deny { // disableBypassPermissionsMode
			return &d
		}
		c := decode(g.Content)
		if def := str(c["default"]); def != "" {
			c["mode"] = def
			d.Content = content(c)
			return &d
		}
		d.Content = content(map[string]string{"mode": "default"})
		return &d
	}
	var c struct {
		BroaderWhenTrue bool `json:"broaderWhenTrue"`
	}
	_ = json.Unmarshal(g.Content, &c)
	def := false
	for _, b := range claudeBooleans {
		if b.path == g.Subject {
			def = b.def
		}
	}
	d.Content = content(map[string]bool{"value": def, "broaderWhenTrue": c.BroaderWhenTrue})
	return &d
}

// toolNames lists every tool name in a snapshot, for spotting
// descriptions that refer to other tools.
func toolNames(s *Snapshot) []string {
	seen := map[string]bool{}
	for _, g := range s.Grants {
		switch {
		case g.Surface == SurfaceMCPTool:
			seen[g.Subject] = true
		case g.Surface == SurfaceOpenAI && strings.HasPrefix(g.Subject, "function "):
			seen[strings.TrimPrefix(g.Subject, "function ")] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func newChange(old, cur *Grant, kind string, sev evidence.Severity, detail string) Change {
	g := cur
	if g == nil {
		g = old
	}
	c := Change{Surface: g.Surface, Subject: g.Subject, Kind: kind, Severity: sev, Detail: detail, Path: g.Path, Action: g.Action, Scope: g.Scope}
	if old != nil {
		c.Old = old.digest()
	}
	if cur != nil {
		c.New = cur.digest()
	}
	h := sha256.New()
	for _, p := range []string{c.Surface, c.Path, c.Subject, c.Action, c.Scope, c.Kind, g.digest(), string(g.Effect), g.Approval} {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	c.Fingerprint = "sha256:" + hex.EncodeToString(h.Sum(nil))
	return c
}

// accumulator folds the aspects of one slot's change into one Change.
type accumulator struct {
	kind   string
	sev    evidence.Severity
	detail []string
}

func (a *accumulator) add(kind string, sev evidence.Severity, detail string) {
	rank := map[string]int{"": 0, KindNarrowed: 1, KindChanged: 2, KindBroadened: 3}
	if rank[kind] > rank[a.kind] {
		a.kind = kind
	}
	if a.sev == "" || sev.Rank() > a.sev.Rank() {
		a.sev = sev
	}
	a.detail = append(a.detail, detail)
}

// compareSame compares two grants in the same slot.
func compareSame(b, c *Grant, tools []string) (Change, bool) {
	var a accumulator
	if b.Effect != c.Effect {
		if c.Effect.rank() > b.Effect.rank() {
			a.add(KindBroadened, evidence.High, fmt.Sprintf("%s → %s", b.Effect, c.Effect))
		} else {
			a.add(KindNarrowed, evidence.Info, fmt.Sprintf("%s → %s", b.Effect, c.Effect))
		}
	}
	if b.Approval != c.Approval {
		if approvalRank(c.Approval) > approvalRank(b.Approval) {
			a.add(KindBroadened, evidence.High, fmt.Sprintf("approval %s → %s", orNone(b.Approval), orNone(c.Approval)))
		} else {
			a.add(KindNarrowed, evidence.Info, fmt.Sprintf("approval %s → %s", orNone(b.Approval), orNone(c.Approval)))
		}
	}
	if !bytes.Equal(b.Content, c.Content) && !bytes.Equal(canonicalJSON(b.Content), canonicalJSON(c.Content)) {
		compareContent(&a, b, c, others(tools, c))
	}
	if a.kind == "" {
		return Change{}, false
	}
	return newChange(b, c, a.kind, a.sev, strings.Join(a.detail, "; ")), true
}

func orNone(s string) string {
	if s == "" {
		return "unset"
	}
	return s
}

func others(tools []string, g *Grant) []string {
	self := strings.TrimPrefix(g.Subject, "function ")
	out := make([]string, 0, len(tools))
	for _, t := range tools {
		if t != self {
			out = append(out, t)
		}
	}
	return out
}

func decode(raw json.RawMessage) map[string]any {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	_ = dec.Decode(&m)
	return m
}

// compareContent compares the content of two grants in one slot.
func compareContent(a *accumulator, b, c *Grant, tools []string) {
	o, n := decode(b.Content), decode(c.Content)
	switch {
	case c.Surface == SurfaceUninspected:
		a.add(KindChanged, evidence.High, "changed, and tollgate cannot inspect it ("+str(n["why"])+")")
	case c.Surface == SurfaceMCPTool || (c.Surface == SurfaceOpenAI && strings.HasPrefix(c.Subject, "function ")):
		compareTool(a, o, n, tools)
	case c.Surface == SurfaceA2A && strings.HasPrefix(c.Subject, "skill "):
		describe(a, "description", str(o["description"]), str(n["description"]), tools)
		if m := added(jsonSet(o["inputModes"]), jsonSet(n["inputModes"])); len(m) > 0 {
			a.add(KindBroadened, evidence.Medium, fmt.Sprintf("accepts new input modes %v", m))
		}
		for _, k := range []string{"name", "tags", "examples", "outputModes"} {
			if !equalJSON(o[k], n[k]) {
				a.add(KindChanged, evidence.Low, k+" changed")
			}
		}
	case c.Surface == SurfaceA2A:
		a.add(KindChanged, evidence.High, "security scheme definition changed")
	case c.Surface == SurfaceMCPServer:
		compareServer(a, o, n)
	case c.Action == "setting":
		ov, _ := boolean(o["value"])
		nv, _ := boolean(n["value"])
		broader, _ := boolean(n["broaderWhenTrue"])
		if ov != nv {
			if nv == broader {
				sev := evidence.High
				if crit, _ := boolean(n["critical"]); crit {
					sev = evidence.Critical
				}
				a.add(KindBroadened, sev, fmt.Sprintf("%s %v → %v", c.Subject, ov, nv))
			} else {
				a.add(KindNarrowed, evidence.Info, fmt.Sprintf("%s %v → %v", c.Subject, ov, nv))
			}
		}
	case c.Action == "mode" && n["order"] != nil:
		// An ordered mode (Codex approval_policy, sandbox_mode): the last
		// value is the broadest and critical.
		om, nm := str(o["mode"]), str(n["mode"])
		order := strList(n["order"])
		rank := func(m string) int {
			for i, x := range order {
				if x == m {
					return i
				}
			}
			return -1
		}
		switch {
		case rank(nm) > rank(om):
			sev := evidence.High
			if rank(nm) == len(order)-1 {
				sev = evidence.Critical
			}
			a.add(KindBroadened, sev, fmt.Sprintf("%s %s → %s", c.Subject, om, nm))
		case rank(nm) < rank(om):
			a.add(KindNarrowed, evidence.Info, fmt.Sprintf("%s %s → %s", c.Subject, om, nm))
		}
	case c.Action == "mode":
		om, nm := str(o["mode"]), str(n["mode"])
		switch {
		case claudeModes[nm] > claudeModes[om]:
			sev := evidence.High
			if nm == "bypassPermissions" || nm == "dontAsk" {
				sev = evidence.Critical
			}
			a.add(KindBroadened, sev, fmt.Sprintf("defaultMode %s → %s", om, nm))
		case claudeModes[nm] < claudeModes[om]:
			a.add(KindNarrowed, evidence.Info, fmt.Sprintf("defaultMode %s → %s", om, nm))
		}
	case c.Surface == SurfaceActions && c.Action == ActionUses:
		op, _ := boolean(o["pinned"])
		np, _ := boolean(n["pinned"])
		refs := fmt.Sprintf("%v → %v", strList(o["refs"]), strList(n["refs"]))
		switch {
		case op && !np:
			a.add(KindBroadened, evidence.High, "no longer pinned to a commit: "+refs)
		case !op && np:
			a.add(KindNarrowed, evidence.Info, "now pinned to a commit: "+refs)
		default:
			a.add(KindChanged, evidence.Medium, "runs another version: "+refs)
		}
	case c.Surface == SurfaceActions && c.Action == ActionContainer:
		op, np := strList(o["privileges"]), strList(n["privileges"])
		if gained := added(op, np); len(gained) > 0 {
			sev, what := containerChange(gained)
			a.add(KindBroadened, sev, c.Scope+" "+what)
		}
		if lost := added(np, op); len(lost) > 0 {
			a.add(KindNarrowed, evidence.Info, fmt.Sprintf("%s no longer has %v", c.Scope, lost))
		}
	case c.Surface == SurfaceActions && c.Action != "" && n["level"] == nil:
		// Triggers, environments, runners, inherited secrets: what they
		// allow is in the slot.
		if !equalJSON(o, n) {
			a.add(KindChanged, evidence.Low, "details changed")
		}
	case c.Surface == SurfaceActions:
		ol, nl := str(o["level"]), str(n["level"])
		switch {
		case actionsLevels[nl] > actionsLevels[ol]:
			sev, _ := actionsSeverity(nl)
			a.add(KindBroadened, sev, fmt.Sprintf("%s: %s → %s", c.Action, ol, nl))
		case actionsLevels[nl] < actionsLevels[ol]:
			a.add(KindNarrowed, evidence.Info, fmt.Sprintf("%s: %s → %s", c.Action, ol, nl))
		}
	case c.Surface == SurfaceClaude && c.Action == "env":
		ov, nv := fmt.Sprint(o["value"]), fmt.Sprint(n["value"])
		if ov != nv {
			if r, _ := boolean(n["routing"]); r {
				a.add(KindChanged, evidence.High, fmt.Sprintf("%s changed: %s → %s (where model traffic goes or how it is trusted)", c.Subject, short(ov), short(nv)))
			} else {
				a.add(KindChanged, evidence.Medium, fmt.Sprintf("%s changed: %s → %s", c.Subject, short(ov), short(nv)))
			}
		}
	case c.Surface == SurfaceWorkload && c.Action == ActionServiceAccount:
		op, np := str(o["permissions"]), str(n["permissions"])
		switch {
		case np == "critical" && op != "critical":
			a.add(KindBroadened, evidence.High, "its service account now holds critical permissions (see the RBAC changes)")
		case op != np:
			a.add(KindChanged, evidence.Low, fmt.Sprintf("its service account's permissions changed: %s → %s", op, np))
		}
	case c.Surface == SurfaceWorkload && c.Action == ActionRoutingEnv:
		if ov, nv := fmt.Sprint(o["value"]), fmt.Sprint(n["value"]); ov != nv {
			a.add(KindChanged, evidence.High, fmt.Sprintf("%s changed: %s → %s (where model traffic goes or how it is trusted)", c.Scope, short(ov), short(nv)))
		}
	case c.Surface == SurfaceExposure:
		compareExposure(a, b, c)
	case c.Surface == SurfaceWorkload || c.Surface == SurfaceGemini || c.Surface == SurfaceCodex:
		if !equalJSON(o, n) {
			a.add(KindChanged, evidence.Low, "details changed")
		}
	case c.Surface == SurfaceRBAC || c.Surface == SurfaceNetwork || c.Surface == SurfaceFS || c.Surface == SurfaceClaude:
		// Only where the grant came from (role, binding, list) differs;
		// what it allows is in the slot.
	case c.Surface == SurfaceOpenAI && strings.HasPrefix(c.Subject, "mcp "):
		if h := added(jsonSet(o["headers"]), jsonSet(n["headers"])); len(h) > 0 {
			a.add(KindBroadened, evidence.Medium, fmt.Sprintf("sends new headers %v", h))
		}
	default:
		a.add(KindChanged, evidence.Medium, "content changed")
	}
}

// strList returns the strings of a decoded JSON array.
func strList(v any) []string {
	var out []string
	for _, e := range arr(v) {
		out = append(out, fmt.Sprint(e))
	}
	return out
}

func equalJSON(x, y any) bool {
	bx, _ := json.Marshal(x)
	by, _ := json.Marshal(y)
	return bytes.Equal(bx, by)
}

// compareTool compares two tool definitions: description, input schema,
// output schema and effective annotations.
func compareTool(a *accumulator, o, n map[string]any, tools []string) {
	describe(a, "description", str(o["description"]), str(n["description"]), tools)
	if str(o["title"]) != str(n["title"]) {
		describe(a, "title", str(o["title"]), str(n["title"]), tools)
	}
	var d schemaDiff
	d.compare("input", o["inputSchema"], n["inputSchema"])
	if len(d.broadened) > 0 {
		a.add(KindBroadened, evidence.High, "input schema accepts more: "+strings.Join(d.broadened, ", "))
	}
	if len(d.narrowed) > 0 {
		a.add(KindNarrowed, evidence.Info, "input schema accepts less: "+strings.Join(d.narrowed, ", "))
	}
	for _, t := range d.text {
		describe(a, "schema "+t[0], t[1], t[2], tools)
	}
	if !equalJSON(o["outputSchema"], n["outputSchema"]) {
		a.add(KindChanged, evidence.Low, "output schema changed")
	}
	oa, na := obj(o["annotations"]), obj(n["annotations"])
	for _, h := range []struct {
		key         string
		broaderWhen bool
		what        string
		sev         evidence.Severity
	}{
		{"readOnlyHint", false, "may now modify its environment", evidence.High},
		{"destructiveHint", true, "may now perform destructive updates", evidence.High},
		{"openWorldHint", true, "may now reach external entities", evidence.High},
		{"idempotentHint", false, "repeated calls may now have additional effects", evidence.Medium},
	} {
		ov, _ := boolean(oa[h.key])
		nv, _ := boolean(na[h.key])
		if ov == nv {
			continue
		}
		if nv == h.broaderWhen {
			a.add(KindBroadened, h.sev, fmt.Sprintf("%s %v → %v (%s; a missing hint counts as its worst case)", h.key, ov, nv, h.what))
		} else {
			a.add(KindNarrowed, evidence.Info, fmt.Sprintf("%s %v → %v", h.key, ov, nv))
		}
	}
}

// describe records a change of text the model reads.
func describe(a *accumulator, what, oldText, newText string, tools []string) {
	if oldText == newText {
		return
	}
	if risks := descriptionRisks(oldText, newText, tools); len(risks) > 0 {
		a.add(KindChanged, evidence.High, what+" changed and "+strings.Join(risks, ", "))
		return
	}
	a.add(KindChanged, evidence.Medium, what+" changed")
}

// compareServer compares two MCP server definitions.
func compareServer(a *accumulator, o, n map[string]any) {
	ot, nt := strList(o["tools"]), strList(n["tools"])
	switch {
	case n["tools"] == nil && o["tools"] != nil:
		a.add(KindBroadened, evidence.High, "every tool of the server is now exposed (tool filter removed)")
	case o["tools"] == nil && n["tools"] != nil:
		a.add(KindNarrowed, evidence.Info, fmt.Sprintf("only tools %v are exposed now", nt))
	default:
		if x := added(ot, nt); len(x) > 0 {
			a.add(KindBroadened, evidence.High, fmt.Sprintf("exposes new tools %v", x))
		}
		if x := added(nt, ot); len(x) > 0 {
			a.add(KindNarrowed, evidence.Info, fmt.Sprintf("no longer exposes %v", x))
		}
	}
	otr, _ := boolean(o["trust"])
	ntr, _ := boolean(n["trust"])
	if ntr && !otr {
		a.add(KindBroadened, evidence.High, "trusted: every tool call now runs without confirmation")
	} else if otr && !ntr {
		a.add(KindNarrowed, evidence.Info, "no longer trusted")
	}
	op, np := serverPrivileges(str(o["command"]), strList(o["args"])), serverPrivileges(str(n["command"]), strList(n["args"]))
	if gained := added(op, np); len(gained) > 0 {
		sev, what := containerChange(gained)
		a.add(KindBroadened, sev, "its container "+privilegeText(what))
	}
	for _, k := range []string{"command", "args", "url", "transport", "cwd"} {
		if !equalJSON(o[k], n[k]) {
			// Content was masked when it was scanned (see maskGrants).
			a.add(KindChanged, evidence.High, fmt.Sprintf("%s changed: %s → %s", k, short(o[k]), short(n[k])))
		}
	}
	compareEnvValues(a, o, n)
	for _, k := range []string{"env", "headers", "autoApprove"} {
		if x := added(jsonSet(o[k]), jsonSet(n[k])); len(x) > 0 {
			if k == "env" {
				x = without(x, obj(n["envValues"]))
			}
			sev := evidence.Medium
			if k == "autoApprove" {
				sev = evidence.High
			}
			if len(x) > 0 {
				a.add(KindBroadened, sev, fmt.Sprintf("new %s %v", k, x))
			}
		}
		if x := added(jsonSet(n[k]), jsonSet(o[k])); len(x) > 0 {
			if k == "env" {
				if x = without(x, obj(o["envValues"])); len(x) == 0 {
					continue
				}
			}
			a.add(KindNarrowed, evidence.Info, fmt.Sprintf("%s no longer %v", k, x))
		}
	}
}

// without returns the names of xs (JSON strings, as jsonSet gives them)
// that are not keys of m.
func without(xs []string, m map[string]any) []string {
	var out []string
	for _, x := range xs {
		var name string
		_ = json.Unmarshal([]byte(x), &name)
		if _, ok := m[name]; !ok {
			out = append(out, x)
		}
	}
	return out
}

// compareEnvValues compares the configuration env variables of two
// server definitions: like args, a value that changes, appears or goes
// (the server's default then applies) changes what the server does
// (GITHUB_READ_ONLY=1 → 0, ALLOWED_DIRECTORIES=/data → /). A record
// written before values were kept has none: only names compare then.
func compareEnvValues(a *accumulator, o, n map[string]any) {
	ov, nv := obj(o["envValues"]), obj(n["envValues"])
	had := map[string]bool{}
	for _, k := range strList(o["env"]) {
		had[k] = true
	}
	has := map[string]bool{}
	for _, k := range strList(n["env"]) {
		has[k] = true
	}
	for _, k := range sortedNames(nv) {
		old, ok := ov[k]
		switch {
		case !had[k]:
			a.add(KindBroadened, evidence.High, fmt.Sprintf("env %s=%s set: it configures what the server does", k, short(nv[k])))
		case ok && fmt.Sprint(old) != fmt.Sprint(nv[k]):
			a.add(KindChanged, evidence.High, fmt.Sprintf("env %s changed: %s → %s", k, short(old), short(nv[k])))
		}
	}
	for _, k := range sortedNames(ov) {
		if !has[k] {
			a.add(KindChanged, evidence.High, fmt.Sprintf("env %s=%s removed: the server's default applies", k, short(ov[k])))
		}
	}
}

func short(v any) string {
	b, _ := json.Marshal(v)
	s := string(b)
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

// actionsSeverity ranks a GitHub token level.
func actionsSeverity(level string) (evidence.Severity, string) {
	if level == "write" {
		return evidence.High, "write access"
	}
	return evidence.Medium, "read access"
}

// addedSeverity ranks a candidate grant that nothing reviewed covers.
func addedSeverity(c *item, tools []string) (evidence.Severity, string) {
	g := c.g
	switch g.Surface {
	case SurfaceMCPTool:
		d := "new tool"
		if r := descriptionRisks("", str(decode(g.Content)["description"]), others(tools, g)); len(r) > 0 {
			d += "; its description " + strings.Join(r, ", ")
		}
		return evidence.High, d
	case SurfaceMCPServer:
		if g.Action == "call" {
			return evidence.High, "tool " + g.Scope + " now runs without approval"
		}
		c := decode(g.Content)
		if p := serverPrivileges(str(c["command"]), strList(c["args"])); len(p) > 0 {
			if sev, what := containerChange(p); sev.Rank() > evidence.High.Rank() {
				return sev, "new MCP server; its container " + privilegeText(what)
			}
		}
		return evidence.High, "new MCP server"
	case SurfaceUninspected:
		return uninspectedSeverity(g)
	case SurfaceNetwork:
		if g.Action == ActionAllowEgress || g.Action == ActionAllowIngress {
			return netPolicySeverity(g)
		}
		if c.decode().host == "*" {
			return evidence.Critical, "egress to any host"
		}
		return evidence.High, "new egress destination"
	case SurfaceFS:
		return evidence.High, "new filesystem access (" + g.Action + ")"
	case SurfaceClaude:
		switch {
		case g.Action == "run" && strings.HasPrefix(g.Subject, "hook "):
			return evidence.High, "new hook command"
		case g.Action == "run":
			return evidence.High, "new command run by " + g.Subject
		case g.Action == "env":
			if r, _ := boolean(decode(g.Content)["routing"]); r {
				return evidence.High, "sets " + strings.TrimPrefix(g.Subject, "env ") + ", which decides where model traffic goes or how it is trusted"
			}
			return evidence.Medium, "sets " + strings.TrimPrefix(g.Subject, "env ")
		}
		if g.Scope == "" && (g.Action == "Bash" || g.Action == "*") {
			return evidence.Critical, "new allow rule for every " + g.Action + " command"
		}
		return evidence.High, "new allow rule"
	case SurfaceOpenAI:
		switch {
		case strings.HasPrefix(g.Subject, "hosted ") && openAIExecTools[strings.TrimPrefix(g.Subject, "hosted ")]:
			return evidence.Critical, "new hosted tool that runs code or drives a computer"
		case strings.HasPrefix(g.Subject, "mcp ") && g.Action == "*":
			return evidence.High, "every tool of the server is allowed (no allowed_tools), approval " + g.Approval
		case strings.HasPrefix(g.Subject, "mcp "):
			return evidence.High, "tool " + g.Action + " allowed, approval " + g.Approval
		}
		return evidence.High, "new tool"
	case SurfaceA2A:
		switch {
		case g.Subject == "anonymous caller":
			return evidence.Critical, "the agent now accepts unauthenticated callers"
		case strings.HasPrefix(g.Subject, "scheme "):
			return evidence.Medium, "new security scheme"
		case strings.HasPrefix(g.Subject, "skill "):
			return evidence.High, "new skill"
		}
		return evidence.High, "new way to authenticate"
	case SurfaceRBAC:
		why, critical := rbacSeverity(g, c.decode().scope)
		d := "new Kubernetes permission"
		if why != "" {
			d += ": " + why
		}
		if critical {
			return evidence.Critical, d
		}
		return evidence.High, d
	case SurfaceActions:
		return actionsAddedSeverity(g)
	case SurfaceWorkload:
		return workloadSeverity(g)
	case SurfaceExposure:
		return exposureSeverity(g)
	case SurfaceCodex:
		switch g.Action {
		case "base-url":
			return evidence.High, "model traffic of provider " + strings.TrimPrefix(g.Subject, "model provider ") + " goes to " + g.Scope
		case "select":
			return evidence.High, "model provider is now " + g.Scope
		}
		return evidence.High, "new Codex setting"
	case SurfaceVSCode:
		return vscodeAddedSeverity(g)
	case SurfaceAgentCLI:
		return agentCLISeverity(g)
	case SurfaceGemini:
		switch {
		case g.Subject == "tool *":
			return evidence.High, "every built-in tool, the shell included, is available (no coreTools list)"
		case g.Action == "auto-approve":
			return evidence.High, "runs without confirmation"
		case g.Subject == "mcp server *":
			return evidence.High, "every MCP server is allowed (no allow-list)"
		}
		return evidence.High, "newly allowed"
	}
	return evidence.High, "new grant"
}
