package permissions

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/tollgate-dev/tollgate/pkg/redact"
)

// Redaction records that a value read from a permission file was masked
// before it was stored: a literal credential where configuration names a
// permission (a server argument, a URL's userinfo, a hook command).
type Redaction struct {
	// Path is the permission file.
	Path string `json:"path"`
	// Rule is the detector that fired ("userinfo" for URL userinfo).
	Rule string `json:"rule"`
	// Subject is the masked subject of the grant the value belonged to.
	Subject string `json:"subject"`
}

// basicMasker is the masker without the secret scanner: URL userinfo.
type basicMasker struct{}

func (basicMasker) Mask(s string) (string, []string) {
	out, stripped := redact.Userinfo(s)
	if stripped {
		return out, []string{"userinfo"}
	}
	return out, nil
}

// secretFlagRE matches a flag whose next argument is a credential:
// "--token", "--api-key", "--password" (not "-p": a port as often).
var secretFlagRE = regexp.MustCompile(`(?i)^--?(?:[a-z0-9_.]*[-_.])?(?:key|token|secret|passw(?:or)?d|pwd|credential|auth(?:orization)?)(?:[-_.][a-z0-9_.-]*)?$`)

// notValueFlagRE are flags naming where a secret is, not the secret.
var notValueFlagRE = regexp.MustCompile(`(?i)(file|path|env|name|id|url|uri|header|dir|helper|cmd|command)$`)

// envVarName reports whether s names an environment variable
// (SNAKE_CASE): a flag passing the name of a secret, not the secret.
func envVarName(s string) bool {
	if !strings.Contains(s, "_") {
		return false
	}
	for _, c := range s {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

func isRef(s string) bool {
	return strings.HasPrefix(s, "${") || strings.HasPrefix(s, "$") || strings.Contains(s, "{{")
}

// randomArg reports whether a command-line argument is a long random
// token: letters and digits mixed, no path, version or URL punctuation.
func randomArg(s string) bool {
	return len(s) >= 24 && !strings.ContainsAny(s, "/.@ :") && strings.IndexFunc(s, unicode.IsDigit) >= 0 &&
		strings.IndexFunc(s, unicode.IsLetter) >= 0
}

// randomWord reports whether one word of a command line looks like a
// generated credential: 16 characters or more of letters, digits and
// "_+=-", mixing upper case, lower case and digits, or without digits
// switching case as randomly as generated text does (CamelCase names,
// flags, paths and hex digests are not).
func randomWord(w string) bool {
	if len(w) < 16 || isRef(w) || strings.HasPrefix(w, redact.Marker) {
		return false
	}
	var lo, up, dg, changes int
	prevUp := false
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= 'a' && c <= 'z':
			lo++
			if prevUp {
				changes++
			}
			prevUp = false
		case c >= 'A' && c <= 'Z':
			up++
			if !prevUp {
				changes++
			}
			prevUp = true
		case c >= '0' && c <= '9':
			dg++
		case c == '_' || c == '+' || c == '=' || c == '-':
		default:
			return false
		}
	}
	if lo > 0 && up > 0 && dg > 0 {
		return true
	}
	n := len(w)
	return dg == 0 && up*4 >= n && lo*4 >= n && changes*3 >= n
}

// maskWords masks the words of a command line that randomWord reports
// ("echo <key>" in an apiKeyHelper, "-p<password>"): a flag's glued
// value is judged without the flag.
func (k *masking) maskWords(s string) string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '"' || r == '\'' || r == '`' })
	for _, f := range fields {
		w := f
		if len(w) > 2 && w[0] == '-' && w[1] != '-' {
			w = w[2:] // -pSECRET
		}
		if randomWord(w) {
			k.note("random-token")
			s = strings.ReplaceAll(s, w, redact.Mark("random-token"))
		}
	}
	return s
}

// maskAuthority masks everything between a URL field's "://" and the
// last "@" of its authority, however malformed the URL is (spaces,
// several "@"): to a client that reads the field it is still a URL with
// a password.
func (k *masking) maskAuthority(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return s
	}
	rest := s[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndexByte(rest[:end], '@')
	if at <= 0 || rest[:at] == redact.Mark("userinfo") {
		return s
	}
	k.note("userinfo")
	return s[:i+3] + redact.Mark("userinfo") + rest[at:]
}

// masking masks one snapshot's values and records what it masked.
type masking struct {
	m    redact.Masker
	path string
	subj string
	seen map[Redaction]bool
	// mysql is set while the args of a MySQL or MariaDB client are
	// masked.
	mysql bool
}

func (k *masking) note(rules ...string) {
	for _, r := range rules {
		k.seen[Redaction{Path: k.path, Rule: r, Subject: k.subj}] = true
	}
}

// str masks what the detectors find in a value.
func (k *masking) str(s string) string {
	if s == "" {
		return s
	}
	out, rules := k.m.Mask(s)
	k.note(rules...)
	return out
}

// cmd masks a command-line value: what the detectors find, then a value
// after a credential-named key ("--api-key=...", "token:...") and a long
// random token.
func (k *masking) cmd(s string) string {
	out := k.str(s)
	// The value after each credential-named key, up to white space or a
	// quote; an authorisation scheme word before it is kept.
	locs := credValueRE.FindAllStringSubmatchIndex(out, -1)
	for i := len(locs) - 1; i >= 0; i-- {
		vs, ve := locs[i][2], locs[i][3]
		v := out[vs:ve]
		if len(v) < 8 || isRef(v) || envVarName(v) || strings.HasPrefix(v, redact.Marker) || strings.HasPrefix(v, "/") || strings.HasPrefix(v, "./") || strings.Contains(v, "://") {
			continue
		}
		k.note("credential-argument")
		out = out[:vs] + redact.Mark("credential-argument") + out[ve:]
	}
	if randomArg(out) && !isRef(out) {
		k.note("random-token")
		return redact.Mark("random-token")
	}
	if mysqlCommand(out) {
		// "mysql -uroot -pSECRET": the password glued to -p.
		for _, f := range strings.Fields(out) {
			if _, ok := redact.GluedPassword(f); ok {
				k.note("cli-password")
				out = strings.ReplaceAll(out, f, "-p"+redact.Mark("cli-password"))
			}
		}
	}
	return k.maskWords(out)
}

// credValueRE finds "--api-key=VALUE", "token:VALUE", "Authorization:
// Bearer VALUE": a key naming a credential, "=" or ":", an optional
// scheme word, and the value (group 1).
var credValueRE = regexp.MustCompile(`(?i)(?:^|[^a-z])(?:key|token|secret|passw(?:or)?d|pwd|authorization|credential)s?[\w.-]*["']?\s*[=:]\s*["']?(?:(?:bearer|basic|token)\s+)?([^\s"'&;,]+)`)

// args masks a command line: each argument, the argument after a flag
// naming a credential, the password glued to a MySQL or MariaDB client's
// -p flag (the command, or an argument before it, names the client), and
// long random tokens.
func (k *masking) args(a []any) []any {
	out := make([]any, len(a))
	flag, mysql := false, k.mysql
	for i, v := range a {
		s, ok := v.(string)
		if !ok {
			out[i] = k.value(v, "")
			continue
		}
		_, glued := redact.GluedPassword(s)
		switch {
		case mysql && glued:
			out[i] = "-p" + redact.Mark("cli-password")
			k.note("cli-password")
		case flag && !isRef(s) && !envVarName(s) && !strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "./") && !strings.HasPrefix(s, "-"):
			out[i] = redact.Mark("credential-argument")
			k.note("credential-argument")
		default:
			out[i] = k.cmd(s)
		}
		flag = secretFlagRE.MatchString(s) && !notValueFlagRE.MatchString(s)
		mysql = mysql || redact.MySQLClient(s)
	}
	return out
}

// mysqlCommand reports whether a command line runs a MySQL or MariaDB
// client ("mysql", "docker exec db mysql").
func mysqlCommand(s string) bool {
	for _, w := range strings.Fields(s) {
		if redact.MySQLClient(w) {
			return true
		}
	}
	return false
}

// commandFields are content fields holding command lines and addresses.
var commandFields = map[string]bool{"args": true, "command": true, "url": true, "cwd": true, "httpUrl": true, "serverUrl": true,
	"apiKeyHelper": true, "value": true}

// urlFields are content fields holding one URL.
var urlFields = map[string]bool{"url": true, "httpUrl": true, "serverUrl": true, "base_url": true, "baseUrl": true}

// value masks every string in decoded JSON, keys included.
func (k *masking) value(v any, key string) any {
	switch t := v.(type) {
	case string:
		if urlFields[key] {
			return k.cmd(k.maskAuthority(t))
		}
		if commandFields[key] {
			return k.cmd(t)
		}
		return k.str(t)
	case []any:
		if key == "args" {
			return k.args(t)
		}
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = k.value(e, key)
		}
		return out
	case map[string]any:
		// A server's args are read with its command: "-pSECRET" is a
		// password after "command": "mysql".
		prev := k.mysql
		if c, ok := t["command"].(string); ok && mysqlCommand(c) {
			k.mysql = true
		}
		out := make(map[string]any, len(t))
		for mk, mv := range t {
			out[k.str(mk)] = k.value(mv, mk)
		}
		k.mysql = prev
		return out
	}
	return v
}

// mask masks every grant's subject, action, scope and content with m and
// returns the redactions, sorted.
func maskGrants(grants []Grant, m redact.Masker) []Redaction {
	k := &masking{m: m, seen: map[Redaction]bool{}}
	for i := range grants {
		g := &grants[i]
		k.path, k.subj = g.Path, ""
		g.Subject = k.str(g.Subject)
		k.subj = g.Surface + " " + g.Subject
		g.Action = k.str(g.Action)
		if g.Action == "run" {
			g.Scope = k.cmd(g.Scope) // a command line (hooks, helpers)
		} else {
			g.Scope = k.str(g.Scope)
		}
		if len(g.Content) > 0 {
			dec := json.NewDecoder(bytes.NewReader(g.Content))
			dec.UseNumber()
			var v any
			if dec.Decode(&v) == nil {
				g.Content = content(k.value(v, ""))
			}
		}
	}
	out := make([]Redaction, 0, len(k.seen))
	for r := range k.seen {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Subject != b.Subject {
			return a.Subject < b.Subject
		}
		return a.Rule < b.Rule
	})
	return out
}
