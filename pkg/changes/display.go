package changes

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// display makes untrusted text (names, values, prompt lines) safe to
// show: credentials masked, control and invisible characters escaped.
// Every string a renderer prints passes through it.
//
// TODO(#14): switch to redact.Escape, redact.Userinfo and the secrets
// masker once pkg/redact is on main.
func display(s string) string {
	s = maskCredentials(s)
	return escape(s)
}

var (
	secretAssignRE = regexp.MustCompile(`(?i)((?:api[_-]?key|token|secret|passw(?:or)?d|auth(?:orization)?|credential)s?["']?\s*[:=]\s*["']?(?:bearer\s+)?)([^\s"'${][^\s"']{5,})`)
	bearerRE       = regexp.MustCompile(`(?i)(bearer\s+)([A-Za-z0-9._~+/=-]{8,})`)
	tokenRE        = regexp.MustCompile(`\b(?:sk-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|AKIA[0-9A-Z]{16}|xox[abpr]-[A-Za-z0-9-]{10,}|glpat-[A-Za-z0-9_-]{20,})\b`)
	userinfoRE     = regexp.MustCompile(`(://)[^/\s:@]+:[^/\s@]+@`)
)

func maskCredentials(s string) string {
	s = userinfoRE.ReplaceAllString(s, "${1}[REDACTED:userinfo]@")
	s = tokenRE.ReplaceAllString(s, "[REDACTED:token]")
	s = bearerRE.ReplaceAllString(s, "${1}[REDACTED:bearer]")
	return secretAssignRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := secretAssignRE.FindStringSubmatch(m)
		v := sub[2]
		// a credential, not a name: long, with letters and digits
		if len(v) >= 8 && strings.ContainsAny(v, "0123456789") && strings.IndexFunc(v, unicode.IsLetter) >= 0 {
			return sub[1] + "[REDACTED:assignment]"
		}
		return m
	})
}

// escape writes control characters, invalid UTF-8 and invisible or
// bidirectional format characters as Go-style escapes.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteString(`\x` + hex2(uint32(s[i])))
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x` + hex2(uint32(r)))
		case r >= 0x80 && (!unicode.IsGraphic(r) || unicode.Is(unicode.Cf, r)):
			if r > 0xffff {
				fmt.Fprintf(&b, `\U%08x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func hex2(v uint32) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[(v>>4)&0xf], digits[v&0xf]})
}
