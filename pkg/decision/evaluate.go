package decision

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/pkg/audit"
	"github.com/tollgate-dev/tollgate/pkg/changes/sections"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/review"
)

// Reason classes for conditions the decision itself raises (findings keep
// their own class). Package audit maps each to its controls.
const (
	ClassArtifact          = "gate.artifact-digest"
	ClassReportMissing     = "gate.report-missing"
	ClassCheckError        = "gate.check-error"
	ClassCheckInconsistent = "gate.check-inconsistent"
	ClassTruncated         = "gate.findings-truncated"
	ClassExceptionInvalid  = "gate.exception-invalid"
	ClassExceptionExpiring = "gate.exception-expiring"
	ClassExceptionUnused   = "gate.exception-unused"
	ClassApprovalMissing   = "gate.approval-missing"
	ClassApprovalInvalid   = "gate.approval-invalid"
	ClassSeparation        = "gate.separation-of-duties"
	ClassRule              = "gate.rule"
	ClassRuleError         = "gate.rule-error"
)

// Defaults for the policy's exception rules.
const (
	DefaultMaxLifetime = 30 * 24 * time.Hour
	DefaultWarnWithin  = 7 * 24 * time.Hour
)

// MaxFindingReasons is how many reasons (and warnings) one check's findings
// contribute; the rest are counted in one more line that points to the
// report. Keeps the signed predicate small whatever a check finds.
const MaxFindingReasons = 20

var errNoInput = errors.New("decision needs a policy and a review record")

// Evaluate makes the decision. It returns an error only for inputs it cannot
// judge at all (nil policy or review, or a policy whose CEL rules do not
// compile); everything else that cannot be decided becomes a FAILED verdict
// with a reason.
//
// Rules, in order: every check in policy.Checks needs a report for that
// check with a valid report digest; a check verdict of error blocks; a
// finding blocks when the check marked it blocking or the policy's block
// rules for the check match it, and warns when only the warn rules match;
// valid exceptions waive the findings they name by fingerprint; an invalid
// exception that names a finding blocks; the verified approvals must come
// from at least Required distinct allowed approvers, none of them the
// attestor when separation of duties is required; finally each CEL rule
// must hold.
func Evaluate(in Input) (*Decision, error) {
	if in.Policy == nil || in.Review == nil {
		return nil, errNoInput
	}
	rules, err := policy.CompileRules(in.Policy.Spec.Rules)
	if err != nil {
		return nil, fmt.Errorf("policy rules: %w", err)
	}
	e := &evaluation{in: in, d: &Decision{
		Checks: []CheckResult{}, Approvals: []Approval{}, Exceptions: []AppliedException{},
		Reasons: []Reason{}, Warnings: []Reason{},
	}}
	if in.ArtifactDigest.IsZero() {
		e.block("", ClassArtifact, "no valid artifact digest: the provenance artifact-digest result (sha256:<64 hex>) is required")
	}
	e.approvals()
	e.exceptions()
	for _, c := range policy.Checks {
		e.check(c)
	}
	e.exceptionOutcomes()
	e.rules(rules)
	if len(e.d.Reasons) == 0 {
		e.d.Verdict = Passed
	} else {
		e.d.Verdict = Failed
	}
	e.d.Controls = audit.Assess(e.observed)
	return e.d, nil
}

type evaluation struct {
	in       Input
	d        *Decision
	observed []audit.Observation
	// exceptions in review order, with the approvals identities that make
	// them valid.
	exc      []*exception
	approved map[string]bool
	findings []any // CEL view
}

type exception struct {
	review.Exception
	problem string
	used    map[string]bool
	hits    []string // "check: class" of matched findings, for reasons
}

func (e *evaluation) block(check, class, msg string) {
	e.d.Reasons = append(e.d.Reasons, Reason{Check: check, Class: class, Message: msg, Refs: audit.Refs(class)})
	e.observed = append(e.observed, audit.Observation{Class: class, Status: audit.Violated})
}

func (e *evaluation) warn(check, class, msg string) {
	e.d.Warnings = append(e.d.Warnings, Reason{Check: check, Class: class, Message: msg, Refs: audit.Refs(class)})
	e.observed = append(e.observed, audit.Observation{Class: class, Status: audit.Warned})
}

// approvals counts distinct allowed approvers and records which identities
// may approve exceptions.
func (e *evaluation) approvals() {
	p := e.in.Policy.Spec.Approvals
	allowed := map[string]bool{}
	for _, id := range p.Approvers {
		allowed[id.Name] = true
	}
	for _, msg := range e.in.ApprovalErrors {
		e.block("", ClassApprovalInvalid, "approval: "+msg)
	}
	as := append([]Approval(nil), e.in.Approvals...)
	sort.SliceStable(as, func(i, j int) bool {
		if as[i].Identity != as[j].Identity {
			return as[i].Identity < as[j].Identity
		}
		return as[i].Signer.String() < as[j].Signer.String()
	})
	e.approved = map[string]bool{}
	for _, a := range as {
		switch {
		case !allowed[a.Identity]:
			e.block("", ClassApprovalInvalid, fmt.Sprintf("approval by %s (%s): %q is not an approver in the policy", a.Identity, a.Signer, a.Identity))
			continue
		case a.ReviewDigest != e.in.ReviewDigest:
			e.block("", ClassApprovalInvalid, fmt.Sprintf("approval by %s approves review %s, not this review %s", a.Identity, a.ReviewDigest, e.in.ReviewDigest))
			continue
		case a.PolicyDigest.IsZero():
			e.block("", ClassApprovalInvalid, fmt.Sprintf("approval by %s does not count: it names no policy digest, so it could be replayed under any policy; re-approve with `tollgate approve --policy POLICY`", a.Identity))
			continue
		case a.PolicyDigest != e.in.PolicyDigest:
			e.block("", ClassApprovalInvalid, fmt.Sprintf("approval by %s does not count: it was given under policy %s, not the policy in force %s", a.Identity, a.PolicyDigest, e.in.PolicyDigest))
			continue
		case p.SeparationOfDuties && !e.in.Attestor.IsZero() && (a.Signer == e.in.Attestor || a.Identity == e.in.Attestor.String()):
			e.block("", ClassSeparation, fmt.Sprintf("approval by %s does not count: it is also the attestation signer (%s) and the policy requires separation of duties", a.Identity, e.in.Attestor))
			continue
		}
		if e.approved[a.Identity] {
			continue
		}
		e.approved[a.Identity] = true
		e.approved[a.Signer.String()] = true
		e.d.Approvals = append(e.d.Approvals, a)
	}
	if p.SeparationOfDuties && e.in.Attestor.IsZero() {
		e.block("", ClassSeparation, "the policy requires separation of duties but the attestation signer is unknown")
	}
	if n := len(e.d.Approvals); n < p.Required {
		var have, missing []string
		for _, a := range e.d.Approvals {
			have = append(have, a.Identity)
		}
		for _, id := range p.Approvers {
			if !e.approved[id.Name] {
				missing = append(missing, id.Name)
			}
		}
		e.block("", ClassApprovalMissing, fmt.Sprintf("approvals: %d of %d required distinct approvers signed this review (have: %s; may approve: %s); run `tollgate approve`",
			n, p.Required, list(have), list(missing)))
	}
}

// exceptions validates each exception against the policy, the approvals
// and the decision time.
func (e *evaluation) exceptions() {
	rules := e.in.Policy.Spec.Exceptions
	maxLife := rules.MaxLifetime.Duration
	if maxLife == 0 {
		maxLife = DefaultMaxLifetime
	}
	needReason := rules.RequireReason == nil || *rules.RequireReason
	needOwner := rules.RequireOwner == nil || *rules.RequireOwner
	known := map[string]bool{}
	for _, c := range policy.Checks {
		known[c] = true
	}
	now := e.in.Now
	for _, x := range e.in.Review.Spec.Exceptions {
		var problems []string
		if x.Check != "" && !known[x.Check] {
			problems = append(problems, fmt.Sprintf("names unknown check %q", x.Check))
		}
		for _, fp := range x.Fingerprints {
			if fp == "" {
				problems = append(problems, "lists an empty fingerprint")
				break
			}
		}
		if needReason && strings.TrimSpace(x.Reason) == "" {
			problems = append(problems, "has no reason")
		}
		if needOwner && strings.TrimSpace(x.Owner) == "" {
			problems = append(problems, "has no owner")
		}
		switch {
		case x.Approver == "":
			problems = append(problems, "names no approver")
		case !e.approved[x.Approver]:
			problems = append(problems, fmt.Sprintf("is not signed: approver %s has no verified approval of this review", x.Approver))
		}
		switch {
		case x.Expires.IsZero():
			problems = append(problems, "has no expiry")
		case x.Granted.IsZero():
			problems = append(problems, "has no granted time, so its lifetime cannot be checked")
		case x.Granted.After(now):
			problems = append(problems, fmt.Sprintf("is granted in the future (%s)", stamp(x.Granted)))
		case !x.Expires.After(x.Granted):
			problems = append(problems, "expires before it was granted")
		case x.Expires.Sub(x.Granted) > maxLife:
			problems = append(problems, fmt.Sprintf("lifetime %s exceeds the policy's maximum %s", days(x.Expires.Sub(x.Granted)), days(maxLife)))
		}
		if !x.Expires.IsZero() && !now.Before(x.Expires) {
			problems = append(problems, fmt.Sprintf("expired at %s", stamp(x.Expires)))
		}
		e.exc = append(e.exc, &exception{Exception: x, problem: strings.Join(problems, "; "), used: map[string]bool{}})
	}
}

// covering returns the exceptions that name a finding of check.
func (e *evaluation) covering(check, fp string) (valid, invalid []*exception) {
	if fp == "" {
		return nil, nil
	}
	for _, x := range e.exc {
		if x.Check != "" && x.Check != check {
			continue
		}
		for _, f := range x.Fingerprints {
			if f == fp {
				if x.problem == "" {
					valid = append(valid, x)
				} else {
					invalid = append(invalid, x)
				}
				break
			}
		}
	}
	return valid, invalid
}

// check judges one check's report.
func (e *evaluation) check(name string) {
	d := e.in.Digests[name]
	cr := CheckResult{Check: name, Verdict: evidence.Error, ReportDigest: d}
	rep := e.in.Reports[name]
	switch {
	case rep == nil:
		e.block(name, ClassReportMissing, name+": no verified evidence report; the check did not run or its report could not be read")
	case d.IsZero():
		e.block(name, ClassReportMissing, name+": no valid report digest (sha256:<64 hex>) pins its report")
	case rep.Check != name:
		e.block(name, ClassReportMissing, fmt.Sprintf("%s: the report is for check %q", name, rep.Check))
	case !rep.Verdict.Valid():
		e.block(name, ClassCheckError, fmt.Sprintf("%s: unknown verdict %q", name, rep.Verdict))
	default:
		cr.Verdict = rep.Verdict
		e.findingsOf(name, rep, &cr)
	}
	e.d.Checks = append(e.d.Checks, cr)
}

func (e *evaluation) findingsOf(name string, rep *evidence.Report, cr *CheckResult) {
	if rep.Verdict == evidence.Error {
		msg := rep.Error
		if msg == "" {
			msg = rep.Summary
		}
		e.block(name, ClassCheckError, fmt.Sprintf("%s: the check could not decide (verdict error): %s", name, msg))
	}
	rules := e.in.Policy.RulesFor(name)
	var blockedMsgs, warnMsgs []Reason
	preBlocking := 0
	for _, f := range rep.Findings {
		blocking := f.Blocking || f.Severity.Rank() < 0 || policy.Matches(rules.Block, f)
		warning := !blocking && policy.Matches(rules.Warn, f)
		valid, invalid := e.covering(name, f.Fingerprint)
		waived := len(valid) > 0 && (blocking || warning)
		cr.Findings++
		if blocking {
			preBlocking++
		}
		for _, x := range invalid {
			x.hits = append(x.hits, fmt.Sprintf("%s %s %s", name, f.Class, short(f.Fingerprint)))
		}
		switch {
		case waived:
			cr.Waived++
			for _, x := range valid {
				x.used[f.Fingerprint] = true
				if !slices.Contains(cr.Exceptions, x.ID) {
					cr.Exceptions = append(cr.Exceptions, x.ID)
				}
			}
			e.observed = append(e.observed, audit.Observation{Class: f.Class, Status: audit.Waived})
		case blocking:
			cr.Blocking++
			blockedMsgs = append(blockedMsgs, findingReason(name, f))
			e.observed = append(e.observed, audit.Observation{Class: f.Class, Status: audit.Violated})
		case warning:
			cr.Warnings++
			warnMsgs = append(warnMsgs, findingReason(name, f))
			e.observed = append(e.observed, audit.Observation{Class: f.Class, Status: audit.Warned})
		}
		e.findings = append(e.findings, map[string]any{
			"check": name, "class": f.Class, "severity": string(f.Severity), "fingerprint": f.Fingerprint,
			"path": f.Path, "line": int64(f.Line), "subject": f.Subject, "message": f.Message,
			"blocking": blocking && !waived, "warning": warning && !waived, "waived": waived,
			"attributes": stringMap(f.Attributes),
		})
	}
	slices.Sort(cr.Exceptions)
	if rep.Verdict == evidence.Fail && preBlocking == 0 {
		e.block(name, ClassCheckInconsistent, fmt.Sprintf("%s: the check reported fail but none of its %d findings blocks; refusing an inconsistent report", name, len(rep.Findings)))
	}
	e.d.Reasons = append(e.d.Reasons, capped(name, blockedMsgs, "blocking")...)
	e.d.Warnings = append(e.d.Warnings, capped(name, warnMsgs, "warning")...)
}

func findingReason(check string, f evidence.Finding) Reason {
	msg := strings.TrimPrefix(f.Message, check+": ")
	if msg == "" {
		msg = f.Class
	}
	where := f.Path
	if where == "" {
		where = f.Subject
	}
	if where != "" && !strings.Contains(msg, where) {
		msg = where + ": " + msg
	}
	if f.Fingerprint != "" {
		msg += " (fingerprint " + f.Fingerprint + ")"
	}
	return Reason{Check: check, Class: f.Class, Message: check + ": " + msg, Refs: audit.Refs(f.Class), Section: string(sections.Of(f))}
}

func capped(check string, rs []Reason, kind string) []Reason {
	if len(rs) <= MaxFindingReasons {
		return rs
	}
	more := len(rs) - MaxFindingReasons
	out := append([]Reason(nil), rs[:MaxFindingReasons]...)
	return append(out, Reason{Check: check, Class: ClassTruncated, Refs: audit.Refs(ClassTruncated),
		Message: fmt.Sprintf("%s: %d more %s findings; see %s", check, more, kind, evidence.FileName(check))})
}

// exceptionOutcomes records applied exceptions and blocks or warns about the
// others.
func (e *evaluation) exceptionOutcomes() {
	warnWithin := e.in.Policy.Spec.Exceptions.WarnWithin.Duration
	if warnWithin == 0 {
		warnWithin = DefaultWarnWithin
	}
	for _, x := range e.exc {
		if x.problem != "" {
			if len(x.hits) > 0 {
				e.block(x.Check, ClassExceptionInvalid, fmt.Sprintf("exception %s %s; it cannot waive %s", x.ID, x.problem, strings.Join(x.hits, ", ")))
			} else {
				e.warn(x.Check, ClassExceptionInvalid, fmt.Sprintf("exception %s %s (it matches no finding)", x.ID, x.problem))
			}
			continue
		}
		if len(x.used) == 0 {
			e.warn(x.Check, ClassExceptionUnused, fmt.Sprintf("exception %s matches no finding; remove it from the review", x.ID))
			continue
		}
		var fps []string
		for _, fp := range x.Fingerprints {
			if x.used[fp] {
				fps = append(fps, fp)
			}
		}
		sort.Strings(fps)
		e.d.Exceptions = append(e.d.Exceptions, AppliedException{
			ID: x.ID, Check: x.Check, Fingerprints: fps, Reason: x.Reason, Owner: x.Owner,
			Approver: x.Approver, Expires: x.Expires.UTC(),
		})
		if left := x.Expires.Sub(e.in.Now); left <= warnWithin {
			e.warn(x.Check, ClassExceptionExpiring, fmt.Sprintf("exception %s (owner %s) expires in %s, at %s", x.ID, x.Owner, days(left), stamp(x.Expires)))
		}
		if n := len(x.Fingerprints) - len(fps); n > 0 {
			e.warn(x.Check, ClassExceptionUnused, fmt.Sprintf("exception %s: %d of its fingerprints match no finding", x.ID, n))
		}
	}
}

// rules evaluates the CEL rules over the combined evidence.
func (e *evaluation) rules(rules []policy.CompiledRule) {
	if len(rules) == 0 {
		return
	}
	vars := e.celVars()
	for _, r := range rules {
		ok, err := r.Eval(vars)
		msg := r.Message
		if msg == "" {
			msg = "expression is false: " + r.Expression
		}
		switch {
		case err != nil:
			e.block("", ClassRuleError, fmt.Sprintf("rule %s could not be evaluated, so it blocks: %v", r.Name, err))
		case ok:
		case r.Action == "warn":
			e.warn("", ClassRule, fmt.Sprintf("rule %s: %s", r.Name, msg))
		default:
			e.block("", ClassRule, fmt.Sprintf("rule %s: %s", r.Name, msg))
		}
	}
}

func (e *evaluation) celVars() map[string]any {
	checks := map[string]any{}
	for _, c := range e.d.Checks {
		checks[c.Check] = map[string]any{
			"verdict": string(c.Verdict), "reportDigest": c.ReportDigest.String(), "findings": int64(c.Findings),
			"blocking": int64(c.Blocking), "warnings": int64(c.Warnings), "waived": int64(c.Waived),
		}
	}
	approvals := []any{}
	for _, a := range e.d.Approvals {
		approvals = append(approvals, map[string]any{"identity": a.Identity, "signer": a.Signer.String()})
	}
	exceptions := []any{}
	for _, x := range e.exc {
		fps := make([]any, len(x.Fingerprints))
		for i, f := range x.Fingerprints {
			fps[i] = f
		}
		exceptions = append(exceptions, map[string]any{
			"id": x.ID, "check": x.Check, "fingerprints": fps, "reason": x.Reason, "owner": x.Owner,
			"approver": x.Approver, "granted": x.Granted.UTC(), "expires": x.Expires.UTC(),
			"valid": x.problem == "", "problem": x.problem,
		})
	}
	findings := e.findings
	if findings == nil {
		findings = []any{}
	}
	m := e.in.Review.Spec.Model
	return map[string]any{
		policy.VarArtifact: map[string]any{"digest": e.in.ArtifactDigest.String(), "reviewedRoot": e.in.Review.Spec.Artifact.Root},
		policy.VarRelease: map[string]any{"name": e.in.Review.Metadata.Name,
			"model": map[string]any{"name": m.Name, "version": m.Version, "revision": m.Revision}},
		policy.VarChecks:     checks,
		policy.VarFindings:   findings,
		policy.VarApprovals:  approvals,
		policy.VarExceptions: exceptions,
		policy.VarNow:        e.in.Now.UTC(),
	}
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func list(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// days renders a duration in whole days when it is at least one day.
func days(d time.Duration) string {
	if d >= 24*time.Hour {
		return fmt.Sprintf("%dd", int64(d/(24*time.Hour)))
	}
	return d.Truncate(time.Minute).String()
}

func short(fp string) string {
	if len(fp) > 19 {
		return fp[:19] + "…"
	}
	return fp
}

// Block adds reasons raised outside Evaluate (the gate's evidence checks),
// ahead of the decision's own, fails the verdict and marks the controls
// they map to as violated.
func (d *Decision) Block(rs ...Reason) {
	if len(rs) == 0 {
		return
	}
	if d.Controls == nil {
		d.Controls = audit.Assess(nil)
	}
	for i := range rs {
		if rs[i].Refs == nil {
			rs[i].Refs = audit.Refs(rs[i].Class)
		}
		audit.Mark(d.Controls, audit.Observation{Class: rs[i].Class, Status: audit.Violated})
	}
	d.Reasons = append(append([]Reason(nil), rs...), d.Reasons...)
	d.Verdict = Failed
}
