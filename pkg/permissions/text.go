package permissions

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// instructionRE matches text aimed at the model rather than at a reader:
// the usual tool-poisoning phrasing.
var instructionRE = regexp.MustCompile(`(?i)\b(ignore|disregard|forget)\s+(all\s+|any\s+)?(the\s+)?(previous|prior|above|earlier|other)\b` +
	`|\byou\s+(must|should|need\s+to|have\s+to|are\s+required\s+to)\b` +
	`|\b(always|never|first|also)\s+(call|use|invoke|run|send|include|read|pass|forward|upload|post|copy|tell|mention)\b` +
	`|\b(send|forward|upload|post|copy|exfiltrate|transmit|leak)\b[^.\n]{0,120}\bto\b` +
	`|\bdo\s+not\s+(tell|mention|inform|reveal|show)\b|\bdon'?t\s+(tell|mention|inform|reveal|show)\b` +
	`|<\s*/?\s*(important|system|instructions?)\s*>` +
	`|\b(system\s+prompt|conversation\s+history|the\s+conversation|api[\s_-]?keys?|credentials|passwords?|private\s+keys?|~/\.ssh|\.env\b)`)

var emailRE = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)

// descriptionRisks returns what newText adds over oldText that makes a
// description change high severity: URLs, e-mail addresses, instructions
// aimed at the model, hidden characters, and names of other tools.
func descriptionRisks(oldText, newText string, otherTools []string) []string {
	var risks []string
	if u := added(findURLs(oldText), findURLs(newText)); len(u) > 0 {
		risks = append(risks, "adds URL "+strings.Join(u, ", "))
	}
	if e := added(emailRE.FindAllString(oldText, -1), emailRE.FindAllString(newText, -1)); len(e) > 0 {
		risks = append(risks, "adds address "+strings.Join(e, ", "))
	}
	if p := added(lower(instructionRE.FindAllString(oldText, -1)), lower(instructionRE.FindAllString(newText, -1))); len(p) > 0 {
		risks = append(risks, "adds instructions aimed at the model ("+quoteAll(p)+")")
	}
	if hidden(newText) > hidden(oldText) {
		risks = append(risks, "adds invisible or bidirectional-control characters")
	}
	var refs []string
	for _, t := range otherTools {
		if len(t) >= 3 && mentions(newText, t) && !mentions(oldText, t) {
			refs = append(refs, t)
		}
	}
	if len(refs) > 0 {
		risks = append(risks, "now refers to other tools ("+strings.Join(refs, ", ")+")")
	}
	return risks
}

// findURLs returns the URLs in s without trailing sentence punctuation.
func findURLs(s string) []string {
	urls := urlRE.FindAllString(s, -1)
	for i, u := range urls {
		urls[i] = strings.TrimRight(u, ".,;:!?")
	}
	return urls
}

// added returns the members of b not in a, sorted and unique.
func added(a, b []string) []string {
	have := map[string]bool{}
	for _, x := range a {
		have[x] = true
	}
	var out []string
	for _, x := range b {
		if !have[x] {
			have[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

func lower(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.Join(strings.Fields(strings.ToLower(s)), " ")
	}
	return out
}

func quoteAll(in []string) string {
	if len(in) > 3 {
		in = append(in[:3:3], "…")
	}
	return `"` + strings.Join(in, `", "`) + `"`
}

// hidden counts characters a reviewer cannot see: format characters
// (zero-width, bidirectional controls, tag characters) and private use.
func hidden(s string) int {
	n := 0
	for _, r := range s {
		if unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Co, r) || (r >= 0xE0000 && r <= 0xE007F) {
			n++
		}
	}
	return n
}

// mentions reports whether text names tool as a word.
func mentions(text, tool string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], tool)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(tool)
		if (start == 0 || !wordByte(text[start-1])) && (end == len(text) || !wordByte(text[end])) {
			return true
		}
		i = start + 1
	}
}

func wordByte(b byte) bool {
	return b == '_' || b == '-' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}
