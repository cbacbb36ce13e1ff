package evidence

import (
	"strings"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/pkg/redact"
)

// Outcome is what a check returns: its report and the task results it
// adds to verdict, report-digest and summary (provenance's
// artifact-digest, for example). Checks return an Outcome; the command
// layer runs them (internal/check), stamps and writes the report and
// writes the results, so no check writes results itself.
type Outcome struct {
	// Report is the evidence report; the runner fills in Check, Tool and
	// the timestamps. Verdict and Summary are the check's.
	Report *Report
	// Results are extra task results by name.
	Results map[string]string
}

// VerdictOf is the verdict of a list of findings: fail when any blocks,
// else pass.
func VerdictOf(findings []Finding) Verdict {
	for _, f := range findings {
		if f.Blocking {
			return Fail
		}
	}
	return Pass
}

// MaxSummary is the longest summary in bytes: a report's summary travels
// as the summary task result (docs/design.md, "Results contract").
const MaxSummary = 200

// OneLine folds whitespace runs containing newlines into one space, escapes
// other control and invisible characters (redact.Escape), drops invalid
// UTF-8, and cuts s to at most n bytes on a rune boundary, ending with "…" when cut. Summaries, and untrusted values
// quoted in messages, go through it.
func OneLine(s string, n int) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "") {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || redact.Hidden(r):
			// Visible, and inert: a name cannot colour a terminal or
			// hide text.
			b.WriteString(redact.Escape(string(r)))
		default:
			b.WriteRune(r)
		}
	}
	out := strings.Join(strings.Fields(b.String()), " ")
	if len(out) <= n {
		return out
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(out[cut]) {
		cut--
	}
	return out[:cut] + "…"
}
