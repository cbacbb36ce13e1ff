package secrets

import (
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/redact"
)

// maskKey keys the fingerprints Mask computes and throws away.
var maskKey = []byte("tollgate-mask-fingerprints-unused")

// maskScanner runs the detectors for Mask.
var maskScanner = func() *Scanner {
	s, err := New(maskKey, WithWorkers(1))
	if err != nil {
		panic("secrets: mask scanner: " + err.Error())
	}
	return s
}()

// maxMask bounds the text Mask scans; a longer string is replaced whole.
const maxMask = 1 << 20

// Mask returns s with every credential the scanner's detectors find in it
// replaced by redact.Mark(rule), and URL userinfo stripped: the same
// detectors and decoded views (escapes, base64, URL encoding) as files
// get, over one string read as configuration ("--password=...",
// "token: ...") and as text. rules lists what was masked, sorted.
func Mask(s string) (string, []string) {
	if s == "" {
		return s, nil
	}
	if len(s) > maxMask {
		return redact.Mark("oversized"), []string{"oversized"}
	}
	s1, stripped := redact.Userinfo(s)
	b := []byte(s1)
	w := &worker{s: maskScanner}
	fs := &fileScan{s: maskScanner, path: "value"}
	fs.segment(w, seg{b: b, lo: 0, hi: len(b), lineBase: 1, mode: modeConfig, sourceName: "value"})
	type span struct {
		s, e int
		rule string
	}
	var spans []span
	for _, h := range fs.hits {
		st, en := h.span[0], h.span[1]
		if en <= st || st < 0 || en > len(b) {
			st, en = 0, len(b) // no span known: mask everything
		}
		spans = append(spans, span{st, en, h.Rule})
	}
	rules := map[string]bool{}
	if stripped {
		rules["userinfo"] = true
	}
	if len(spans) == 0 {
		return s1, sortedKeys(rules)
	}
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].s != spans[j].s {
			return spans[i].s < spans[j].s
		}
		return spans[i].e > spans[j].e
	})
	var out strings.Builder
	last := 0
	for i := 0; i < len(spans); {
		sp := spans[i]
		j := i + 1
		for j < len(spans) && spans[j].s < sp.e {
			sp.e = max(sp.e, spans[j].e)
			j++
		}
		rules[sp.rule] = true
		out.Write(b[last:sp.s])
		out.WriteString(redact.Mark(sp.rule))
		last = sp.e
		i = j
	}
	out.Write(b[last:])
	return out.String(), sortedKeys(rules)
}

// Masker returns the redact.Masker that Mask implements, for packages
// that print or record values (permissions, review).
func Masker() redact.Masker { return masker{} }

type masker struct{}

func (masker) Mask(s string) (string, []string) { return Mask(s) }

// maskPath masks a credential in a path or message.
func maskPath(p string) string {
	m, _ := Mask(p)
	return m
}

// maskResult masks credentials in every path and reason of a result: a
// file named after a token is reported, never printed.
func (r *Result) mask() {
	for i := range r.Findings {
		r.Findings[i].Path = maskPath(r.Findings[i].Path)
	}
	for i := range r.Problems {
		r.Problems[i].Path = maskPath(r.Problems[i].Path)
		r.Problems[i].Reason = maskPath(r.Problems[i].Reason)
	}
	for i := range r.References {
		for j, p := range r.References[i].Paths {
			r.References[i].Paths[j] = maskPath(p)
		}
	}
}
