package secrets

import (
	"encoding/base64"
	"net/url"
	"strings"
)

// pair is one key/value assignment parsed out of a file.
type pair struct {
	key, value string
	// quoted: the value was a string literal, not a bare word; dq: in
	// double quotes, where backslash escapes apply.
	quoted, dq bool
	// arg: a call's or tuple's arguments ("DB_PASSWORD", "value"), a
	// weaker form that lists of names share.
	arg bool
	// off is the value's offset in the line or segment.
	off int
}

var (
	keyChars  = chars("A-Za-z0-9_.-")
	bareValue = chars("A-Za-z0-9_.+/=~!@#$%^&*?:-")
)

// linePairs parses the assignments on one line: YAML "key: value", .env and
// INI "KEY=value", TOML 'key = "value"', JSON '"key": "value"' and source
// 'key := "value"', 'Key: "value"', 'key=value' arguments. Bare (unquoted)
// values are kept only when bare is true (configuration files), or when
// the pair is a URL query parameter ("?key=value", "&key=value").
func linePairs(line string, bare bool, out []pair) []pair {
	if bare {
		if prs, ok := netrcPairs(line, out); ok {
			return prs
		}
	}
	i := 0
	n := len(line)
	for i < n {
		// A key: a quoted string, a run of key characters, or an XML
		// element's name ("<password>value</password>").
		var key string
		ks := i
		quotedKey := false
		switch c := line[i]; {
		case c == '<':
			if p, next, ok := xmlElement(line, i); ok {
				out = append(out, p)
				i = next
				continue
			}
			i++
			continue
		case c == '"' || c == '\'':
			if p, next, ok := headerString(line, i); ok {
				// "Authorization: Bearer …" as a string (curl -H,
				// requests headers): the header is the assignment
				out = append(out, p)
				i = next
				continue
			}
			quotedKey = true
			e := strings.IndexByte(line[i+1:], c)
			if e < 0 || e > 128 {
				i++
				continue
			}
			key = line[i+1 : i+1+e]
			i += e + 2
		case keyChars[c]:
			for i < n && keyChars[line[i]] {
				i++
			}
			key = line[ks:i]
		default:
			i++
			continue
		}
		// Separator: optional spaces, one of = : := => ?=, optional spaces.
		j := i
		for j < n && (line[j] == ' ' || line[j] == '\t') {
			j++
		}
		sep := 0
		switch {
		case strings.HasPrefix(line[j:], ":="), strings.HasPrefix(line[j:], "=>"), strings.HasPrefix(line[j:], "?="):
			sep = 2
		case quotedKey && j < n && line[j] == ',':
			// a call or tuple: setdefault("DB_PASSWORD", "value"); the
			// value must be quoted too
			sep = 1
		case j < n && (line[j] == '=' || line[j] == ':'):
			if j+1 < n && line[j+1] == '=' {
				i = j + 2 // == comparison
				continue
			}
			sep = 1
		}
		if sep == 0 || len(key) == 0 {
			continue
		}
		// A URL's query parameter (?key=value&...) is an assignment in
		// any file, prose included.
		query := line[j] == '=' && ks > 0 && (line[ks-1] == '?' || line[ks-1] == '&')
		j += sep
		for j < n && (line[j] == ' ' || line[j] == '\t') {
			j++
		}
		if j >= n {
			i = j
			continue
		}
		switch c := line[j]; {
		case c == '"' || c == '\'' || c == '`':
			e := closingQuote(line[j+1:], c)
			if e < 0 {
				i = j + 1
				continue
			}
			out = append(out, pair{key: key, value: line[j+1 : j+1+e], quoted: true, dq: c == '"', off: j + 1, arg: quotedKey && sepComma(line, j)})
			i = j + e + 2
		case (bare || query) && bareValue[c] && (!quotedKey || !sepComma(line, j)):
			e := j
			for e < n && bareValue[line[e]] && (!query || line[e] != '&') {
				e++
			}
			out = append(out, pair{key: key, value: line[j:e], off: j})
			i = e
		default:
			i = j
		}
	}
	return out
}

// sepComma reports whether the separator before the value at j was a
// comma (a call's arguments take quoted values only).
func sepComma(line string, j int) bool {
	for j > 0 && (line[j-1] == ' ' || line[j-1] == '\t') {
		j--
	}
	return j > 0 && line[j-1] == ','
}

// maxHeaderString bounds a quoted HTTP header read as an assignment.
const maxHeaderString = 8192

// headerString parses a quoted HTTP header whose name names a credential
// ("Authorization: Bearer …", "X-Api-Key: …") at line[i] (the quote).
func headerString(line string, i int) (pair, int, bool) {
	q := line[i]
	j := i + 1
	for j < len(line) && j-i <= maxXMLName && keyChars[line[j]] {
		j++
	}
	if j == i+1 || j+1 >= len(line) || line[j] != ':' || line[j+1] != ' ' {
		return pair{}, 0, false
	}
	name := line[i+1 : j]
	if nk := normKey(name); !strings.HasSuffix(nk, "authorization") {
		// other credential headers are spelled as headers: X-Api-Key,
		// Private-Token (not "PASS: TestName")
		if secret, _ := secretKey(name); !secret || !strings.Contains(name, "-") {
			return pair{}, 0, false
		}
	}
	vs := j + 1
	for vs < len(line) && line[vs] == ' ' {
		vs++
	}
	e := closingQuote(line[vs:min(len(line), vs+maxHeaderString)], q)
	if e < 0 {
		return pair{}, 0, false
	}
	return pair{key: name, value: line[vs : vs+e], quoted: true, dq: q == '"', off: vs}, vs + e + 1, true
}

// maxXMLName bounds an XML element name read as a key.
const maxXMLName = 64

// xmlElement parses "<name>value</name>" at line[i] (the '<'): the
// element's text is the value of the key name, as a configuration file in
// XML (Maven settings, .NET app.config, Spring beans) assigns it.
func xmlElement(line string, i int) (pair, int, bool) {
	j := i + 1
	for j < len(line) && j-i <= maxXMLName && keyChars[line[j]] {
		j++
	}
	if j == i+1 || j >= len(line) || line[j] != '>' {
		return pair{}, 0, false
	}
	name := line[i+1 : j]
	vs := j + 1
	ve := strings.IndexByte(line[vs:], '<')
	if ve <= 0 {
		return pair{}, 0, false
	}
	ve += vs
	if !strings.HasPrefix(line[ve:], "</"+name+">") {
		return pair{}, 0, false
	}
	return pair{key: name, value: line[vs:ve], quoted: true, off: vs}, ve, true
}

// queryPairs returns the parameters of the query string of the URL in v
// (after its first '?', up to '#'), names and values percent-decoded,
// each at its offset in v. Values that are not URLs have none.
func queryPairs(v string) []pair {
	q := strings.IndexByte(v, '?')
	if q < 0 || len(v) > maxLine || strings.IndexByte(v[q:], '=') < 0 {
		return nil
	}
	rest := v[q+1:]
	if h := strings.IndexByte(rest, '#'); h >= 0 {
		rest = rest[:h]
	}
	var out []pair
	off := q + 1
	for rest != "" {
		kv := rest
		if k := strings.IndexAny(rest, "&;"); k >= 0 {
			kv, rest = rest[:k], rest[k+1:]
		} else {
			rest = ""
		}
		k, val, ok := strings.Cut(kv, "=")
		if ok && k != "" && val != "" {
			// Path unescaping keeps '+': in a token it is far more often
			// a base64 character than a form-encoded space.
			if u, err := url.PathUnescape(k); err == nil {
				k = u
			}
			if u, err := url.PathUnescape(val); err == nil {
				val = u
			}
			out = append(out, pair{key: k, value: val, off: off + len(kv) - len(val)})
		}
		off += len(kv) + 1
	}
	return out
}

// closingQuote finds the closing quote q in s, skipping backslash escapes.
func closingQuote(s string, q byte) int {
	for i := 0; i < len(s) && i < 1024; i++ {
		switch s[i] {
		case '\\':
			i++
		case q:
			return i
		}
	}
	return -1
}

// normKey lowercases a key and keeps only letters and digits.
func normKey(k string) string {
	var b strings.Builder
	b.Grow(len(k))
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 32)
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Key words. A key names a secret by its words (split at separators,
// case changes and digits): the last word that names a secret decides,
// unless a word after it qualifies it as something else ("token_type",
// "secret_name", "password_min_length") or the word before it negates it
// ("public_key", "max_tokens", "next_page_token"). Words are matched
// whole, so "SHARED_SECRET", "ACCOUNT_PASSWORD" and "SECURITY_TOKEN" are
// secrets although "sha", "count" and "uri" are qualifiers.
var (
	// secretStems name a secret as a word or inside one ("dbpassword",
	// "clientsecret", "apikey"), followed by nothing or digits.
	secretStems = []string{"password", "passwd", "passphrase", "secret", "token", "credential", "authorization",
		"apikey", "accesskey", "privatekey", "authkey", "signingkey", "encryptionkey", "masterkey", "clientkey",
		"licensekey", "secretkey", "appkey", "servicekey", "accountkey", "sessionkey", "storagekey", "webhookkey"}
	// wholeSecretWords name a secret only as a whole word.
	wholeSecretWords = map[string]bool{"pwd": true, "pw": true, "pass": true, "creds": true, "credentials": true}
	passwordStems    = []string{"password", "passwd", "passphrase"}
	// keyQualifiers make "key" name a secret when they precede it.
	keyQualifiers = map[string]bool{"api": true, "access": true, "private": true, "auth": true, "signing": true, "sign": true,
		"encryption": true, "encrypt": true, "master": true, "client": true, "license": true, "secret": true, "app": true,
		"service": true, "account": true, "deploy": true, "session": true, "webhook": true, "hmac": true, "jwt": true,
		"admin": true, "root": true, "shared": true, "subscription": true, "write": true, "storage": true, "primary": true,
		"secondary": true, "aes": true, "cipher": true, "crypto": true, "live": true, "prod": true}
	// notSecretAfter are words that, after the secret word, say the
	// value is about the secret rather than the secret.
	notSecretAfter = map[string]bool{"name": true, "names": true, "file": true, "filename": true, "path": true, "dir": true,
		"ref": true, "reference": true, "id": true, "ids": true, "type": true, "kind": true, "url": true, "uri": true,
		"endpoint": true, "host": true, "header": true, "prefix": true, "suffix": true, "format": true, "length": true,
		"len": true, "size": true, "count": true, "ttl": true, "expire": true, "expires": true, "expiry": true,
		"expiration": true, "timeout": true, "enabled": true, "enable": true, "disabled": true, "required": true,
		"env": true, "var": true, "variable": true, "policy": true, "version": true, "hash": true, "digest": true,
		"sha": true, "checksum": true, "hint": true, "field": true, "location": true, "mount": true, "source": true,
		"provider": true, "store": true, "manager": true, "arn": true, "mode": true, "scope": true, "scopes": true,
		"regex": true, "pattern": true, "min": true, "max": true, "limit": true, "rotation": true, "label": true,
		"description": true, "desc": true, "help": true, "placeholder": true, "template": true, "param": true,
		"parameter": true, "selector": true, "command": true, "cmd": true, "helper": true, "script": true, "usage": true,
		"key": true, "keys": true, "index": true, "lookup": true, "metadata": true, "info": true}
	// notSecretBefore are words that, just before the secret word,
	// negate it.
	notSecretBefore = map[string]bool{"public": true, "pub": true, "publishable": true, "max": true, "min": true,
		"num": true, "no": true, "is": true, "has": true, "show": true, "hide": true, "use": true, "total": true,
		"page": true, "next": true, "cursor": true, "continuation": true, "input": true, "output": true}
)

// keyWords splits a key into lower-case words: at characters other than
// letters and digits, at lower-to-upper case changes, before the last
// capital of a run of capitals followed by a lower-case letter ("APIKey"),
// and between letters and digits.
func keyWords(k string) []string {
	var words []string
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			words = append(words, strings.ToLower(k[start:end]))
		}
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !alnum[c] {
			flush(i)
			start = -1
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		p := k[i-1]
		up, pup := c >= 'A' && c <= 'Z', p >= 'A' && p <= 'Z'
		dig, pdig := c >= '0' && c <= '9', p >= '0' && p <= '9'
		if (up && !pup && !pdig) || dig != pdig || (up && pup && i+1 < len(k) && k[i+1] >= 'a' && k[i+1] <= 'z') {
			flush(i)
			start = i
		}
	}
	flush(len(k))
	return words
}

// secretWord reports whether one word names a secret (with the word
// before it, for "api key"), and whether it names a password.
func secretWord(w, prev string) (secret, password bool) {
	if wholeSecretWords[w] {
		return true, w != "creds" && w != "credentials"
	}
	if w == "key" {
		return keyQualifiers[prev], false
	}
	for _, st := range secretStems {
		i := strings.LastIndex(w, st)
		if i < 0 {
			continue
		}
		post := w[i+len(st):]
		if post != "" && !allIn(post, digits) && (st != "credential" || post != "s") {
			continue
		}
		if pre := w[:i]; pre != "" && notSecretBefore[pre] {
			continue
		}
		for _, p := range passwordStems {
			if st == p {
				return true, true
			}
		}
		return true, false
	}
	return false, false
}

var digits = chars("0-9")

// secretKey reports whether a key names a secret, and whether it names
// a password.
func secretKey(key string) (secret, password bool) {
	words := keyWords(key)
	j := -1
	for i := len(words) - 1; i >= 0; i-- {
		prev := ""
		if i > 0 {
			prev = words[i-1]
		}
		if s, pw := secretWord(words[i], prev); s {
			j, password = i, pw
			break
		}
	}
	if j < 0 {
		return false, false
	}
	for _, w := range words[j+1:] {
		if notSecretAfter[w] {
			return false, false
		}
	}
	first := j
	if words[j] == "key" {
		first = j - 1 // "api key": the qualifier is part of the secret word
	}
	if first > 0 && notSecretBefore[words[first-1]] {
		return false, false
	}
	return true, password
}

// argPair tells a credential passed as a call's arguments
// (setdefault("DB_PASSWORD", "s3cr3t…")) from a list of names
// ("TokenFirst", "ValueFirst"): the key is spelled as a setting (snake,
// kebab or dotted case, or one case throughout), not as an identifier in
// CamelCase, and the value holds a letter and a digit.
func argPair(key, v string) bool {
	if !strings.ContainsAny(key, "_-.") && strings.ToLower(key) != key && strings.ToUpper(key) != key {
		return false
	}
	return strings.ContainsAny(v, "0123456789") && strings.IndexFunc(v, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) >= 0
}

// netrcPairs parses a .netrc line ("machine host login bob password
// s3cr3t", or a "password s3cr3t" line of a multi-line entry): tokens
// separated by blanks, the password the token after "password". It
// reports false for a line that is not .netrc syntax.
func netrcPairs(line string, out []pair) ([]pair, bool) {
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	first := line[i:min(len(line), i+9)]
	if !strings.HasPrefix(first, "machine ") && first != "default" && !strings.HasPrefix(first, "default ") &&
		!strings.HasPrefix(first, "login ") && !strings.HasPrefix(first, "password ") {
		return out, false
	}
	prev := ""
	for i < len(line) {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
			i++
		}
		s := i
		for i < len(line) && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' {
			i++
		}
		if s == i {
			break
		}
		tok := line[s:i]
		if prev == "" && (tok == "login" || tok == "password") && !netrcValue(line[i:]) {
			return out, false // "password = x", "password: x"
		}
		if prev == "password" {
			out = append(out, pair{key: "password", value: tok, off: s})
		}
		prev = tok
	}
	return out, true
}

// netrcValue reports whether rest (after a first "login" or "password")
// goes on as .netrc does: a blank, then a token that is not an assignment.
func netrcValue(rest string) bool {
	t := strings.TrimLeft(rest, " \t")
	return len(t) < len(rest) && t != "" && t[0] != '=' && t[0] != ':'
}

// basicAuthKeys hold base64 "user:password" (a Docker config's auths,
// an .npmrc's _auth, an Authorization: Basic header).
var basicAuthKeys = map[string]bool{"auth": true, "basicauth": true, "authorization": true, "proxyauthorization": true}

// userPassword reports whether v is "user:password" with a plausible
// password.
func userPassword(v string) bool {
	k := strings.IndexByte(v, ':')
	if k <= 0 || k > 128 || strings.IndexByte(v[k+1:], ':') >= 0 || strings.ContainsAny(v[:k], " \t/@") {
		return false
	}
	pw := v[k+1:]
	return plausibleSecret(pw, true) && !isReference(pw)
}

// classifyPair returns the rule for a key/value pair ("" for none) and
// the value to fingerprint.
func classifyPair(p pair) (string, string) {
	v := strings.TrimSpace(p.value)
	nk := normKey(p.key)
	if nk == "authorization" || strings.HasSuffix(nk, "authorization") {
		for _, s := range []string{"Bearer ", "Basic ", "token ", "Token ", "bearer "} {
			v = strings.TrimPrefix(v, s)
		}
	}
	if v == "" || isReference(v) {
		return "", ""
	}
	if basicAuthKeys[nk] && userPassword(v) {
		return RuleGenericPassword, v
	}
	if p.arg && !argPair(p.key, v) {
		return "", ""
	}
	switch {
	case strings.Contains(nk, "cohere") && len(v) == 40 && allIn(v, alnum) && hasDigitAndLetter(v) && mixedCase(v):
		return ruleCohere, v
	case strings.Contains(nk, "mistral") && len(v) == 32 && allIn(v, alnum) && hasDigitAndLetter(v) && mixedCase(v):
		return ruleMistral, v
	case strings.Contains(nk, "wandb") && len(v) == 40 && allIn(v, hexLower) && hasDigitAndLetter(v):
		return ruleWandB, v
	case strings.Contains(nk, "azure") && ((len(v) == 32 && allIn(v, hexLower)) || (len(v) == 84 && allIn(v, alnum))) && hasDigitAndLetter(v):
		return ruleAzureOpenAI, v
	case strings.Contains(nk, "aws") && strings.Contains(nk, "secret") && len(v) == 40 && allIn(v, awsSecretSet) && hasDigitAndLetter(v) && mixedCase(v):
		if placeholderValue(v) {
			return "", ""
		}
		return ruleAWSSecret, v
	case strings.Contains(nk, "pinecone") && isUUID(v):
		return rulePinecone, v
	}
	secret, password := secretKey(p.key)
	if !secret || !plausibleSecret(v, p.quoted) || hasKnownPrefix(v) {
		return "", ""
	}
	if password {
		return RuleGenericPassword, v
	}
	return RuleGenericSecret, v
}

// knownPrefixes start credentials that a structural detector owns: a value
// with one of them that the detector rejected (bad checksum, wrong length)
// is not reported again as a generic secret.
var knownPrefixes = []string{"sk-", "sk_", "rk_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "npm_",
	"pypi-", "xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-", "xapp-", "hf_", "api_org_", "r8_", "gsk_", "xai-", "pplx-",
	"AIza", "lsv2_", "pcsk_", "AKIA", "ASIA", "eyJ"}

func hasKnownPrefix(v string) bool {
	for _, p := range knownPrefixes {
		if strings.HasPrefix(v, p) {
			return true
		}
	}
	return false
}

func allIn(s string, set *charset) bool {
	for i := 0; i < len(s); i++ {
		if !set[s[i]] {
			return false
		}
	}
	return true
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return false
			}
		} else if !hexAny[s[i]] {
			return false
		}
	}
	return true
}

var (
	envName      = chars("A-Z0-9_")
	hexAny       = chars("0-9a-fA-F")
	awsSecretSet = chars("A-Za-z0-9/+")
)

// plausibleSecret is the generic value test: long enough, no spaces, not a
// placeholder, reference, path, URL, identifier or environment variable
// name, and mixing at least two of lower case, upper case and digits.
func plausibleSecret(v string, quoted bool) bool {
	if len(v) < 8 || len(v) > 512 || strings.ContainsAny(v, " \t\r\n") || placeholderValue(v) {
		return false
	}
	if strings.HasPrefix(v, "/") || strings.HasPrefix(v, "./") || strings.HasPrefix(v, "~/") ||
		strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "file:") {
		return false
	}
	if allIn(v, envName) && strings.Contains(v, "_") {
		return false // an environment variable name
	}
	var lo, up, dg bool
	for i := 0; i < len(v); i++ {
		c := v[i]
		lo = lo || (c >= 'a' && c <= 'z')
		up = up || (c >= 'A' && c <= 'Z')
		dg = dg || (c >= '0' && c <= '9')
	}
	classes := 0
	for _, b := range []bool{lo, up, dg} {
		if b {
			classes++
		}
	}
	if classes < 2 {
		return false
	}
	if !quoted && strings.ContainsAny(v, "()[]{}") {
		return false // an expression, not a literal
	}
	return true
}

// decodeValue returns the decoded form of a base64 or URL-encoded value
// when it decodes to printable text, with the encoding's name.
func decodeValue(v string) (string, string) {
	if len(v) >= 16 && len(v) <= 64<<10 {
		if allIn(v, b64Std) || allIn(v, b64URL) {
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
				if d, err := enc.DecodeString(v); err == nil && printable(d) {
					return string(d), "base64"
				}
			}
		}
	}
	if strings.IndexByte(v, '%') >= 0 {
		if d, err := url.QueryUnescape(v); err == nil && d != v {
			return d, "url"
		}
	}
	return "", ""
}

// printable reports whether b is at least 8 bytes of printable ASCII
// text (random bytes almost never are).
func printable(b []byte) bool {
	if len(b) < 8 {
		return false
	}
	for _, c := range b {
		if (c < 0x20 || c > 0x7e) && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return true
}
