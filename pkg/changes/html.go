package changes

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
)

// css is the page's only style; the Content-Security-Policy allows it by
// hash and nothing else: no scripts, images, fonts, frames or fetches.
const css = `body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1f2328}
h1{font-size:1.5rem}h2{font-size:1.2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.35rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}code,pre{font:13px ui-monospace,SFMono-Regular,Menlo,monospace}
.headline{font-weight:600;padding:.6rem .8rem;border-radius:6px;background:#fff8c5;border:1px solid #d4a72c}
.headline.clear{background:#dafbe1;border-color:#4ac26b}
.blocks{color:#fff;background:#cf222e;border-radius:1em;padding:.1rem .5rem;font-weight:600;white-space:nowrap}
.waived{color:#1f2328;background:#fff8c5;border-radius:1em;padding:.1rem .5rem;white-space:nowrap}
.note{color:#59636e;font-size:.9em}
pre{background:#f6f8fa;padding:.6rem;overflow-x:auto}.add{color:#116329;background:#dafbe1}.del{color:#82071e;background:#ffebe9}.hunk{color:#59636e}`

// CSP is the page's Content-Security-Policy.
var CSP = func() string {
	h := sha256.Sum256([]byte(css))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(h[:]) +
		"'; img-src 'none'; font-src 'none'; connect-src 'none'; script-src 'none'; base-uri 'none'; form-action 'none'"
}()

var page = template.Must(template.New("changes").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<meta name="referrer" content="no-referrer">
<meta name="tollgate-review" content="{{.Review}}">
<meta name="tollgate-against" content="{{.Against}}">
<link rel="icon" href="data:,">
<title>Changes to {{.Release}}</title>
<style>{{.CSS}}</style>
</head>
<body>
<h1>Changes to {{.Release}} since the last approved review</h1>
<table>
<tr><th>Release</th><td>{{.Release}}</td></tr>
<tr><th>This review</th><td><code>{{.Review}}</code></td></tr>
<tr><th>Previous review</th><td><code>{{.Against}}</code> ({{.Previous}})</td></tr>
<tr><th>Artefact root</th><td><code>{{.OldRoot}}</code> → <code>{{.NewRoot}}</code></td></tr>
</table>
<p id="headline" class="headline{{if not .Blocking}} clear{{end}}">{{.Headline}}.</p>
{{if .Sections}}<table id="sections">
<tr><th>Section</th><th>Changes</th><th>Would block</th></tr>
{{range .Sections}}<tr><td><a href="#{{.Anchor}}">{{.Title}}</a></td><td>{{len .Changes}}</td><td>{{.Blocking}}</td></tr>
{{end}}</table>
{{range .Sections}}<section id="{{.Anchor}}">
<h2>{{.Title}}</h2>
<table>
<tr><th>Verdict</th><th>Change</th><th>Severity</th><th>Class</th></tr>
{{range .Changes}}<tr><td>{{if .Waived}}<span class="waived">blocks, waived by {{.Waived}}</span>{{else if .Blocking}}<span class="blocks">blocks</span>{{else}}does not block{{end}}</td>
<td>{{.Message}}{{range .Notes}}<br><span class="note">{{.}}</span>{{end}}</td><td>{{.Severity}}</td><td><code>{{.Class}}</code></td></tr>
{{end}}</table>
{{range .Changes}}{{if .Diff}}<details><summary>{{.Path}}: text diff</summary>
<pre>{{range .Diff}}<span class="{{.Class}}">{{.Text}}</span>
{{end}}</pre>
</details>
{{end}}{{end}}</section>
{{end}}{{end}}</body>
</html>
`))

type htmlLine struct{ Class, Text string }

type htmlChange struct {
	Blocking                       bool
	Waived                         string
	Message, Severity, Class, Path string
	Notes                          []string
	Diff                           []htmlLine
}

type htmlSection struct {
	Anchor, Title string
	Blocking      int
	Changes       []htmlChange
}

// HTML renders the document as one self-contained page: inline CSS
// allowed by hash, no scripts, no external URLs.
func (d *Document) HTML() ([]byte, error) {
	order, by := d.grouped()
	data := struct {
		CSP, CSS                                             template.CSS
		Release, Previous, Review, Against, OldRoot, NewRoot string
		Headline                                             string
		Blocking                                             int
		Sections                                             []htmlSection
	}{
		CSS: template.CSS(css), CSP: template.CSS(CSP),
		Release: display(d.Release), Previous: display(d.Previous), Review: orUnknown(d.Review), Against: orUnknown(d.Against),
		OldRoot: display(d.OldRoot), NewRoot: display(d.NewRoot), Headline: display(d.Headline()), Blocking: d.Blocking(),
	}
	for _, s := range order {
		hs := htmlSection{Anchor: s.Anchor(), Title: s.Title(), Blocking: countBlocking(by[s])}
		for _, c := range by[s] {
			hc := htmlChange{Blocking: c.Blocking, Waived: display(c.WaivedBy), Message: display(c.Message),
				Severity: string(c.Severity), Class: display(c.Class), Path: display(c.Path)}
			for _, n := range c.Notes {
				hc.Notes = append(hc.Notes, display(n))
			}
			for _, l := range c.Diff {
				switch l.Op {
				case "@":
					hc.Diff = append(hc.Diff, htmlLine{"hunk", display(l.Text)})
				case "+":
					hc.Diff = append(hc.Diff, htmlLine{"add", "+" + display(l.Text)})
				case "-":
					hc.Diff = append(hc.Diff, htmlLine{"del", "-" + display(l.Text)})
				default:
					hc.Diff = append(hc.Diff, htmlLine{"ctx", " " + display(l.Text)})
				}
			}
			hs.Changes = append(hs.Changes, hc)
		}
		data.Sections = append(data.Sections, hs)
	}
	var b bytes.Buffer
	if err := page.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("render changes HTML: %w", err)
	}
	return b.Bytes(), nil
}
