package permissions

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
	"github.com/tollgate-dev/tollgate/pkg/policy"
)

// ClassPrefix starts every finding class of this check.
const ClassPrefix = "permissions."

// Finding turns a change into an evidence finding. It blocks when rules
// say so, and never when it only narrows.
func (c *Change) Finding(rules policy.CheckRules) evidence.Finding {
	f := evidence.Finding{
		Class:       ClassPrefix + c.Kind,
		Severity:    c.Severity,
		Fingerprint: c.Fingerprint,
		Path:        c.Path,
		Subject:     c.Surface + "/" + c.Subject,
		Message:     c.Message(),
		Old:         c.Old,
		New:         c.New,
		Attributes:  map[string]string{"surface": c.Surface, "kind": c.Kind},
	}
	if c.Action != "" {
		f.Attributes["action"] = c.Action
	}
	if c.Scope != "" {
		f.Attributes["scope"] = c.Scope
	}
	f.Blocking = !c.Narrowing() && policy.Matches(rules.Block, f)
	return f
}

// Message is the one-line human description of the change.
func (c *Change) Message() string {
	what := c.Subject
	if c.Action != "" && c.Surface == SurfaceRBAC {
		what += " " + c.Action + " " + c.Scope
	} else if c.Action != "" && (c.Surface == SurfaceActions || strings.HasPrefix(c.Subject, "mcp ")) {
		what += " " + c.Action
	}
	return fmt.Sprintf("%s %s %s in %s: %s", c.Surface, what, c.Kind, c.Path, c.Detail)
}

// ErrNoSnapshot means the review record has no permission snapshot to
// compare with: the check cannot decide.
var ErrNoSnapshot = invalid.New("the review record has no spec.permissions")

// Result is the outcome of comparing an artefact with its review.
type Result struct {
	// Candidate is the artefact's snapshot.
	Candidate *Snapshot
	Changes   []Change
	Findings  []evidence.Finding
}

// Data is the check-specific part of the evidence report.
type Data struct {
	Sources []Source `json:"sources"`
	Skipped []string `json:"skipped,omitempty"`
	Grants  int      `json:"grants"`
	Changes []Change `json:"changes"`
}

// Check scans the artefact at dir and compares it with the reviewed
// snapshot under rules.
func Check(ctx context.Context, dir string, reviewed *Snapshot, rules policy.CheckRules, opts ...Option) (*Result, error) {
	if reviewed == nil {
		return nil, fmt.Errorf("%w: snapshot the reviewed release again with 'tollgate review'", ErrNoSnapshot)
	}
	cand, err := Scan(ctx, dir, opts...)
	if err != nil {
		return nil, err
	}
	res := &Result{Candidate: cand, Changes: Diff(reviewed, cand)}
	for i := range res.Changes {
		res.Findings = append(res.Findings, res.Changes[i].Finding(rules))
	}
	return res, nil
}

// Report builds the evidence report body (verdict, summary, findings,
// data); check.Run fills in the rest.
func (r *Result) Report() (*evidence.Report, error) {
	data, err := json.Marshal(Data{Sources: r.Candidate.Sources, Skipped: r.Candidate.Skipped, Grants: len(r.Candidate.Grants), Changes: nonNil(r.Changes)})
	if err != nil {
		return nil, fmt.Errorf("encode report data: %w", err)
	}
	rep := &evidence.Report{Findings: r.Findings, Data: data}
	rep.Verdict = evidence.Pass
	blocking := 0
	for _, f := range r.Findings {
		if f.Blocking {
			blocking++
			rep.Verdict = evidence.Fail
		}
	}
	rep.Summary = Summary(r.Changes, blocking, len(r.Candidate.Sources))
	return rep, nil
}

func nonNil(c []Change) []Change {
	if c == nil {
		return []Change{}
	}
	return c
}

// Summary is the one-line summary: counts by kind and the worst blocking
// change.
func Summary(changes []Change, blocking, sources int) string {
	if len(changes) == 0 {
		return fmt.Sprintf("permission-diff: pass: no permission changes across %d files", sources)
	}
	byKind := map[string]int{}
	for _, c := range changes {
		byKind[c.Kind]++
	}
	var parts []string
	for _, k := range []string{KindAdded, KindBroadened, KindChanged, KindNarrowed, KindRemoved} {
		if byKind[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", byKind[k], k))
		}
	}
	verdict := "pass"
	if blocking > 0 {
		verdict = fmt.Sprintf("fail: %d blocking", blocking)
	}
	s := fmt.Sprintf("permission-diff: %s; %s", verdict, strings.Join(parts, ", "))
	if blocking > 0 {
		worst := worstBlocking(changes)
		s += "; e.g. " + worst.Surface + " " + worst.Subject + " " + worst.Kind + " (" + worst.Path + ")"
	}
	return evidence.OneLine(s, evidence.MaxSummary)
}

func worstBlocking(changes []Change) Change {
	c := append([]Change(nil), changes...)
	sort.SliceStable(c, func(i, j int) bool {
		if c[i].Narrowing() != c[j].Narrowing() {
			return !c[i].Narrowing()
		}
		return c[i].Severity.Rank() > c[j].Severity.Rank()
	})
	return c[0]
}
