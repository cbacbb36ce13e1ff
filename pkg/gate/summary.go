package gate

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tollgate-dev/tollgate/pkg/audit"
	"github.com/tollgate-dev/tollgate/pkg/changes/sections"
	"github.com/tollgate-dev/tollgate/pkg/decision"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/pipeline"
	"github.com/tollgate-dev/tollgate/pkg/policy"
)

// File names in the evidence directory.
const (
	ReportFile  = "gate.json"
	SummaryFile = "gate-summary.md"
	JUnitFile   = "gate-junit.xml"
)

// maxListed bounds the reasons and warnings the summaries list; gate.json
// has them all.
const maxListed = 200

// Summary is the one-line summary result.
func (o *Outcome) Summary() string {
	d := o.Decision
	if d.Verdict == decision.Passed {
		s := fmt.Sprintf("PASSED: %d checks, %d approvals, %d exceptions applied", len(d.Checks), len(d.Approvals), len(d.Exceptions))
		if n := len(d.Warnings); n > 0 {
			s += fmt.Sprintf(", %d warnings", n)
		}
		return evidence.OneLine(s, evidence.MaxSummary)
	}
	s := "FAILED"
	if len(d.Reasons) > 0 {
		s += ": " + d.Reasons[0].Message
	}
	if n := len(d.Reasons) - 1; n > 0 {
		suffix := fmt.Sprintf(" (+%d more)", n)
		return evidence.OneLine(s, evidence.MaxSummary-len(suffix)) + suffix
	}
	return evidence.OneLine(s, evidence.MaxSummary)
}

// Table writes the log summary: one row per check, then the applied
// exceptions, the reasons and the warnings, then the verdict.
func (o *Outcome) Table(w io.Writer) error {
	d := o.Decision
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tVERDICT\tFINDINGS\tBLOCKING\tWARNINGS\tWAIVED\tEXCEPTIONS")
	for _, c := range d.Checks {
		ex := strings.Join(c.Exceptions, ",")
		if ex == "" {
			ex = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\n", c.Check, c.Verdict, c.Findings, c.Blocking, c.Warnings, c.Waived, ex)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var b strings.Builder
	for _, x := range d.Exceptions {
		fmt.Fprintf(&b, "exception applied: %s\n", exceptionLine(x))
	}
	for i, r := range d.Reasons {
		if i == maxListed {
			fmt.Fprintf(&b, "blocked: ... %d more in %s\n", len(d.Reasons)-i, ReportFile)
			break
		}
		fmt.Fprintf(&b, "blocked: %s [%s]\n", evidence.OneLine(r.Message, 1000), strings.Join(r.Refs, ", "))
	}
	for i, r := range d.Warnings {
		if i == maxListed {
			fmt.Fprintf(&b, "warning: ... %d more in %s\n", len(d.Warnings)-i, ReportFile)
			break
		}
		fmt.Fprintf(&b, "warning: %s\n", evidence.OneLine(r.Message, 1000))
	}
	if o.Passed() {
		fmt.Fprintf(&b, "gate: PASSED %s\n", o.ArtifactDigest)
	} else {
		fmt.Fprintf(&b, "gate: FAILED (%d reasons)\n", len(d.Reasons))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func exceptionLine(x decision.AppliedException) string {
	scope := x.Check
	if scope == "" {
		scope = "any check"
	}
	return evidence.OneLine(fmt.Sprintf("%s (%s) waives %d findings until %s; owner %s, approver %s: %s",
		x.ID, scope, len(x.Fingerprints), x.Expires.UTC().Format(time.RFC3339), x.Owner, x.Approver, x.Reason), 1000)
}

// Markdown renders gate-summary.md.
func (o *Outcome) Markdown() []byte {
	d := o.Decision
	var b bytes.Buffer
	fmt.Fprintf(&b, "# tollgate gate: %s\n\n", d.Verdict)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "| %s | %s |\n", k, v)
		}
	}
	b.WriteString("| | |\n| --- | --- |\n")
	row("Release", md(o.Release))
	row("Artefact", code(o.ArtifactDigest.String()))
	row("Review", code(o.ReviewDigest.String()))
	row("Policy", code(o.PolicyDigest.String()))
	if a := o.Attestation; a != nil {
		row("Attestation", code(a.Digest.String())+" signed by "+md(a.Identity)+" ("+md(a.Signer.String())+")")
		run := strings.Trim(strings.Join([]string{a.Run.Engine, a.Run.Namespace, a.Run.Name}, "/"), "/")
		row("Run", md(run))
	}
	b.WriteString("\n## Checks\n\n| Check | Verdict | Findings | Blocking | Warnings | Waived | Exceptions | Report |\n| --- | --- | ---: | ---: | ---: | ---: | --- | --- |\n")
	for _, c := range d.Checks {
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %s | %s |\n", c.Check, c.Verdict, c.Findings, c.Blocking, c.Warnings, c.Waived,
			orDash(md(strings.Join(c.Exceptions, ", "))), orDash(code(c.ReportDigest.String())))
	}
	reasons := func(rs []decision.Reason) {
		b.WriteString("| Check | Class | Reason | Controls | Review changes |\n| --- | --- | --- | --- | --- |\n")
		for i, r := range rs {
			if i == maxListed {
				fmt.Fprintf(&b, "| | | %d more in %s | | |\n", len(rs)-i, ReportFile)
				break
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", md(r.Check), code(r.Class), md(r.Message), md(strings.Join(r.Refs, ", ")), changesLink(r.Section))
		}
	}
	if len(d.Reasons) > 0 {
		b.WriteString("\n## Blocking reasons\n\n")
		reasons(d.Reasons)
	}
	if len(d.Warnings) > 0 {
		fmt.Fprintf(&b, "\n<details><summary>Warnings (%d)</summary>\n\n", len(d.Warnings))
		reasons(d.Warnings)
		b.WriteString("\n</details>\n")
	}
	if len(d.Exceptions) > 0 {
		b.WriteString("\n## Applied exceptions\n\n| ID | Check | Waives | Owner | Approver | Expires | Reason |\n| --- | --- | ---: | --- | --- | --- | --- |\n")
		for _, x := range d.Exceptions {
			fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s | %s |\n", md(x.ID), md(x.Check), len(x.Fingerprints), md(x.Owner), md(x.Approver),
				x.Expires.UTC().Format(time.RFC3339), md(x.Reason))
		}
	}
	b.WriteString("\n## Approvals\n\n")
	if len(d.Approvals) == 0 {
		b.WriteString("None verified.\n")
	}
	for _, a := range d.Approvals {
		seen := ""
		if !a.ChangesDigest.IsZero() {
			seen = ", having seen changes " + code(a.ChangesDigest.String())
		}
		fmt.Fprintf(&b, "- %s (%s)%s\n", md(a.Identity), md(a.Signer.String()), seen)
	}
	b.WriteString("\n<details><summary>Audit controls at release time</summary>\n\n| Control | Framework | Title | Status | Finding classes |\n| --- | --- | --- | --- | --- |\n")
	for _, c := range d.Controls {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", c.ID, c.Framework, c.Title, statusLabel(c.Status), md(strings.Join(c.Classes, ", ")))
	}
	b.WriteString("\n</details>\n")
	return b.Bytes()
}

// ChangesFile is the changes document the summary links to, beside it in
// a pull request or the evidence directory.
const ChangesFile = "review-changes.md"

// changesLink links a finding to its section of the changes document.
func changesLink(section string) string {
	s := sections.Section(section)
	if s.Title() == "" {
		return "-"
	}
	return fmt.Sprintf("[%s](%s#%s)", s.Title(), ChangesFile, s.Anchor())
}

func statusLabel(s audit.Status) string {
	switch s {
	case audit.Violated:
		return "**violated**"
	case audit.Waived:
		return "held by exception"
	case audit.Warned:
		return "held, with warnings"
	}
	return "held"
}

// md makes untrusted text safe in a markdown table cell: one line, pipes
// and angle brackets escaped, bounded length.
func md(s string) string {
	s = evidence.OneLine(s, 500)
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "`", "'").Replace(s)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + strings.ReplaceAll(md(s), "`", "'") + "`"
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suite    []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
	SystemOut string      `xml:"system-out,omitempty"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnit case names besides the checks.
const (
	caseAttestation = policy.CheckAttest
	caseApprovals   = "approvals"
	caseExceptions  = "exceptions"
	caseRules       = "rules"
	caseInputs      = "inputs"
)

func caseOf(r decision.Reason) string {
	switch c := r.Class; {
	case r.Check != "":
		return r.Check
	case strings.HasPrefix(c, "gate.approval-"), c == decision.ClassSeparation:
		return caseApprovals
	case strings.HasPrefix(c, "gate.exception-"):
		return caseExceptions
	case strings.HasPrefix(c, "gate.rule"):
		return caseRules
	}
	return caseInputs
}

// JUnit renders gate-junit.xml: one test case per check, the attestation,
// approvals, exceptions, rules and the gate's inputs; a case fails when a
// reason belongs to it. Warnings go to the case's system-out.
func (o *Outcome) JUnit(now time.Time) ([]byte, error) {
	names := append(append([]string{}, policy.Checks...), caseAttestation, caseApprovals, caseExceptions, caseRules, caseInputs)
	fails, warns := map[string][]string{}, map[string][]string{}
	firsts := map[string]decision.Reason{}
	for _, r := range o.Decision.Reasons {
		c := caseOf(r)
		if _, ok := firsts[c]; !ok {
			firsts[c] = r
		}
		fails[c] = append(fails[c], fmt.Sprintf("%s [%s]", evidence.OneLine(r.Message, 1000), strings.Join(r.Refs, ", ")))
	}
	for _, r := range o.Decision.Warnings {
		c := caseOf(r)
		warns[c] = append(warns[c], "warning: "+evidence.OneLine(r.Message, 1000))
	}
	s := junitSuite{Name: "tollgate gate", Tests: len(names), Timestamp: now.UTC().Format(time.RFC3339)}
	for _, n := range names {
		jc := junitCase{Name: n, ClassName: "tollgate.gate", SystemOut: strings.Join(bounded(warns[n]), "\n")}
		if f := fails[n]; len(f) > 0 {
			jc.Failure = &junitFailure{Message: evidence.OneLine(firsts[n].Message, 500), Type: firsts[n].Class, Text: strings.Join(bounded(f), "\n")}
			s.Failures++
		}
		s.Cases = append(s.Cases, jc)
	}
	out, err := xml.MarshalIndent(junitSuites{Name: "tollgate gate", Tests: s.Tests, Failures: s.Failures, Suite: []junitSuite{s}}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("junit: %w", err)
	}
	return append(append([]byte(xml.Header), out...), '\n'), nil
}

func bounded(s []string) []string {
	if len(s) <= maxListed {
		return s
	}
	return append(s[:maxListed:maxListed], fmt.Sprintf("... %d more in %s", len(s)-maxListed, ReportFile))
}

// Report is the gate's evidence report (gate.json): each reason a blocking
// finding and each warning a non-blocking one, with their controls, and
// the whole outcome as data.
func (o *Outcome) Report() (*evidence.Report, error) {
	data, err := evidence.Canonical(o)
	if err != nil {
		return nil, err
	}
	rep := &evidence.Report{
		Verdict: evidence.Fail,
		Summary: o.Summary(),
		Inputs:  map[string]string{pipeline.ResultArtifactDigest: o.ArtifactDigest.String(), "review": o.ReviewDigest.String(), "policy": o.PolicyDigest.String()},
		Data:    data,
	}
	if o.Passed() {
		rep.Verdict = evidence.Pass
	}
	for _, c := range o.Decision.Checks {
		rep.Inputs[pipeline.DigestResult(c.Check)] = c.ReportDigest.String()
	}
	if o.Attestation != nil {
		rep.Inputs[ResultAttestationDigest] = o.Attestation.Digest.String()
	}
	add := func(r decision.Reason, sev evidence.Severity, blocking bool) {
		rep.Findings = append(rep.Findings, evidence.Finding{
			Class: r.Class, Severity: sev, Subject: r.Check, Message: r.Message, Blocking: blocking,
			Fingerprint: evidence.Digest([]byte(r.Class + "\x00" + r.Check + "\x00" + r.Message)),
			Attributes:  map[string]string{"controls": strings.Join(r.Refs, ", ")},
		})
	}
	for _, r := range o.Decision.Reasons {
		add(r, evidence.High, true)
	}
	for _, r := range o.Decision.Warnings {
		add(r, evidence.Low, false)
	}
	return rep, nil
}
