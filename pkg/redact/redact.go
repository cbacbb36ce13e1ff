package redact

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Marker is what a masked value is replaced with: Marker + rule + "]".
const Marker = "[REDACTED:"

// Masker replaces the credentials in a string with Mark(rule) and returns
// the masked string and the detectors that fired (sorted, unique; none
// when nothing was masked).
type Masker interface {
	Mask(s string) (masked string, rules []string)
}

// Mark is the replacement of a value found by rule.
func Mark(rule string) string { return Marker + rule + "]" }

// Escape returns s with every character that could control a terminal,
// break a line, reorder text or hide itself written as an escape:
// \n, \r, \t, \xNN for other C0 controls, DEL and invalid UTF-8 bytes,
// \uNNNN (\UNNNNNNNN) for the characters Hidden reports. Other text,
// backslashes included, is unchanged.
func Escape(s string) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if c < 0x20 || c == 0x7f || c >= 0x80 {
			break
		}
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			writeHex(&b, `\x`, uint32(s[i]), 2)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			writeHex(&b, `\x`, uint32(r), 2)
		case Hidden(r):
			if r > 0xffff {
				writeHex(&b, `\U`, uint32(r), 8)
			} else {
				writeHex(&b, `\u`, uint32(r), 4)
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Hidden reports whether r (from U+0080 on) is a character a reader
// cannot see or that changes how the text around it is shown: C1
// controls, line and paragraph separators, format characters (Cf:
// zero-width, bidirectional controls, tags), private-use and unassigned
// code points: everything not graphic.
func Hidden(r rune) bool {
	return r >= 0x80 && (!unicode.IsGraphic(r) || unicode.Is(unicode.Cf, r))
}

const hexDigits = "0123456789abcdef"

func writeHex(b *strings.Builder, prefix string, v uint32, width int) {
	b.WriteString(prefix)
	for k := width - 1; k >= 0; k-- {
		b.WriteByte(hexDigits[(v>>(4*k))&0xf])
	}
}

// userinfoEnd are the bytes that end a URL in running text.
func urlStop(c byte) bool {
	return c <= ' ' || c == '"' || c == '\'' || c == '`' || c == '<' || c == '>' || c == '\\' || c == 0x7f
}

// Userinfo strips the userinfo (user name and password) from every URL in
// s ("scheme://user:pass@host" becomes "scheme://[REDACTED:userinfo]@host"),
// whether or not the URL parses. A password holding "/", "?" or "#" is
// stripped too. It reports whether anything was stripped.
func Userinfo(s string) (string, bool) {
	if !strings.Contains(s, "://") {
		return s, false
	}
	var b strings.Builder
	changed := false
	last := 0
	for i := 0; i+3 <= len(s); {
		k := strings.Index(s[i:], "://")
		if k < 0 {
			break
		}
		start := i + k + 3
		// The authority ends at the first "/", "?", "#" or a byte that
		// ends a URL in text.
		end := start
		for end < len(s) && end-start < 4096 && !urlStop(s[end]) && s[end] != '/' && s[end] != '?' && s[end] != '#' {
			end++
		}
		at := strings.LastIndexByte(s[start:end], '@')
		if at < 0 {
			// "user:pa/ss@host": a colon not followed by a port, and an
			// "@" before the URL ends.
			if c := strings.IndexByte(s[start:end], ':'); c >= 0 && !allDigits(s[start+c+1:end]) {
				stop := end
				for stop < len(s) && stop-start < 4096 && !urlStop(s[stop]) {
					stop++
				}
				if a := strings.LastIndexByte(s[end:stop], '@'); a >= 0 {
					at = end + a - start
				}
			}
		}
		if at > 0 {
			b.WriteString(s[last:start])
			b.WriteString(Mark("userinfo"))
			last = start + at
			changed = true
			i = start + at
			continue
		}
		i = start
	}
	if !changed {
		return s, false
	}
	b.WriteString(s[last:])
	return b.String(), true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
