package changes

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/changes/sections"
	"github.com/tollgate-dev/tollgate/pkg/digest"
)

// MarkerPrefix starts the first line of a Markdown changes document: an
// HTML comment naming the review it describes, which approve checks.
const MarkerPrefix = "<!-- tollgate-changes review="

// FileName is the default name of the Markdown document, next to the
// review record.
const FileName = "review-changes.md"

// HTMLFileName is the default name of the HTML document.
const HTMLFileName = "review-changes.html"

// grouped returns the sections that have changes, those with a blocking
// change first (document order within each tier), and their changes.
func (d *Document) grouped() ([]Section, map[Section][]Change) {
	by := map[Section][]Change{}
	for _, c := range d.Changes {
		by[c.Section] = append(by[c.Section], c)
	}
	var blocking, rest []Section
	for _, s := range sections.All {
		cs := by[s]
		switch {
		case len(cs) == 0:
		case cs[0].Blocking: // changes are sorted blocking first
			blocking = append(blocking, s)
		default:
			rest = append(rest, s)
		}
	}
	return append(blocking, rest...), by
}

func countBlocking(cs []Change) int {
	n := 0
	for _, c := range cs {
		if c.Blocking {
			n++
		}
	}
	return n
}

// Headline is the one-line summary: how many changes, how many would
// block without an exception.
func (d *Document) Headline() string {
	n, b := len(d.Changes), d.Blocking()
	if n == 0 {
		return "no changes since the previous review"
	}
	waived := 0
	for _, c := range d.Changes {
		if c.WaivedBy != "" {
			waived++
		}
	}
	s := fmt.Sprintf("%d %s since the previous review: %d would block without an exception", n, plural(n, "change", "changes"), b)
	if waived > 0 {
		s += fmt.Sprintf(" (%d waived by an exception of this review)", waived)
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func orUnknown(d digest.Digest) string {
	if d.IsZero() {
		return "unknown"
	}
	return d.String()
}

// Markdown renders the document for GitHub and GitLab.
func (d *Document) Markdown() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s%s against=%s -->\n", MarkerPrefix, orUnknown(d.Review), orUnknown(d.Against))
	fmt.Fprintf(&b, "# Changes to %s since the last approved review\n\n", mdText(d.Release))
	b.WriteString("| | |\n| --- | --- |\n")
	fmt.Fprintf(&b, "| Release | %s |\n", mdCell(d.Release))
	fmt.Fprintf(&b, "| This review | %s |\n", mdCode(orUnknown(d.Review)))
	fmt.Fprintf(&b, "| Previous review | %s (%s) |\n", mdCode(orUnknown(d.Against)), mdCell(d.Previous))
	fmt.Fprintf(&b, "| Artefact root | %s → %s |\n", mdCode(d.OldRoot), mdCode(d.NewRoot))
	fmt.Fprintf(&b, "\n**%s.**\n", mdText(d.Headline()))
	order, by := d.grouped()
	if len(order) == 0 {
		return b.Bytes()
	}
	b.WriteString("\n| Section | Changes | Would block |\n| --- | ---: | ---: |\n")
	for _, s := range order {
		fmt.Fprintf(&b, "| [%s](#%s) | %d | %d |\n", s.Title(), s.Anchor(), len(by[s]), countBlocking(by[s]))
	}
	for _, s := range order {
		fmt.Fprintf(&b, "\n<a id=\"%s\"></a>\n\n## %s\n\n", s.Anchor(), s.Title())
		b.WriteString("| Verdict | Change | Severity | Class |\n| --- | --- | --- | --- |\n")
		for _, c := range by[s] {
			text := mdCell(c.Message)
			for _, n := range c.Notes {
				text += "<br>" + mdCell(n)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", verdictMD(c), text, c.Severity, mdCode(c.Class))
		}
		for _, c := range by[s] {
			if len(c.Diff) == 0 {
				continue
			}
			lines := make([]string, len(c.Diff))
			for i, l := range c.Diff {
				if l.Op == "@" {
					lines[i] = display(l.Text)
				} else {
					lines[i] = l.Op + display(l.Text)
				}
			}
			body := strings.Join(lines, "\n")
			fence := strings.Repeat("`", max(3, longestRun(body, '`')+1))
			fmt.Fprintf(&b, "\n<details><summary>%s: text diff</summary>\n\n%sdiff\n%s\n%s\n\n</details>\n",
				mdText(c.Path), fence, body, fence)
		}
	}
	return b.Bytes()
}

func verdictMD(c Change) string {
	switch {
	case c.Blocking && c.WaivedBy != "":
		return "blocks, waived by " + mdCell(c.WaivedBy)
	case c.Blocking:
		return "**blocks**"
	}
	return "does not block"
}

func longestRun(s string, c byte) int {
	best, cur := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			cur++
			best = max(best, cur)
		} else {
			cur = 0
		}
	}
	return best
}

// mdText makes untrusted text safe as Markdown prose: masked, escaped,
// one line, and no character Markdown or HTML would interpret.
func mdText(s string) string {
	s = display(s)
	if len(s) > 2000 {
		s = strings.ToValidUTF8(s[:2000], "") + "…"
	}
	return strings.NewReplacer(
		`\`, `\\`, "|", `\|`, "<", "&lt;", ">", "&gt;", "&", "&amp;", "`", "&#96;",
		"*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "#", `\#`, "~", `\~`,
	).Replace(s)
}

// mdCell is mdText for a table cell.
func mdCell(s string) string { return mdText(s) }

// mdCode renders a digest or class as inline code.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	return "`" + strings.NewReplacer("`", "'", "|", `\|`).Replace(display(s)) + "`"
}
