package secrets

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/redact"
)

// Rule describes one detector. Its ID is the suffix of the finding class
// ("secrets.literal.<id>").
type Rule struct {
	ID          string
	Description string
	Severity    evidence.Severity
}

// Rule IDs that are produced outside the anchor table.
const (
	RuleGenericSecret   = "generic-secret"
	RuleGenericPassword = "generic-password"
	RulePKCS12          = "pkcs12"
)

// Rules returns every rule the scanner can report, sorted by ID.
func Rules() []Rule {
	out := make([]Rule, 0, len(ruleTable))
	for _, id := range sortedKeys(ruleTable) {
		out = append(out, ruleTable[id])
	}
	return out
}

var ruleTable = map[string]Rule{}

func rule(id, desc string, sev evidence.Severity) string {
	ruleTable[id] = Rule{ID: id, Description: desc, Severity: sev}
	return id
}

var (
	ruleOpenAI           = rule("openai-api-key", "OpenAI API key (project, service account, admin or legacy) with the T3BlbkFJ marker", evidence.Critical)
	ruleAnthropic        = rule("anthropic-api-key", "Anthropic API key (sk-ant-api03-)", evidence.Critical)
	ruleAnthropicAdmin   = rule("anthropic-admin-key", "Anthropic admin key (sk-ant-admin01-)", evidence.Critical)
	ruleHuggingFace      = rule("huggingface-token", "Hugging Face user access token (hf_)", evidence.High)
	ruleHuggingFaceOrg   = rule("huggingface-org-token", "Hugging Face organisation API token (api_org_)", evidence.High)
	ruleReplicate        = rule("replicate-api-token", "Replicate API token (r8_)", evidence.High)
	ruleGroq             = rule("groq-api-key", "Groq API key (gsk_)", evidence.High)
	ruleXAI              = rule("xai-api-key", "xAI API key (xai-)", evidence.High)
	ruleOpenRouter       = rule("openrouter-api-key", "OpenRouter API key (sk-or-v1-)", evidence.High)
	rulePerplexity       = rule("perplexity-api-key", "Perplexity API key (pplx-)", evidence.High)
	ruleGoogleAPI        = rule("google-api-key", "Google API key (AIza), also Gemini", evidence.High)
	ruleCohere           = rule("cohere-api-key", "Cohere API key (40 characters, under a cohere key)", evidence.High)
	ruleMistral          = rule("mistral-api-key", "Mistral API key (32 characters, under a mistral key)", evidence.High)
	rulePinecone         = rule("pinecone-api-key", "Pinecone API key (pcsk_, or a UUID under a pinecone key)", evidence.High)
	ruleLangSmith        = rule("langsmith-api-key", "LangSmith API key or service key (lsv2_pt_, lsv2_sk_)", evidence.High)
	ruleWandB            = rule("wandb-api-key", "Weights & Biases API key (40 hex, under a wandb key)", evidence.High)
	ruleAzureOpenAI      = rule("azure-openai-key", "Azure OpenAI / AI services key (32 hex or 84 characters, under an azure key)", evidence.High)
	ruleAWSKeyID         = rule("aws-access-key-id", "AWS access key id (AKIA/ASIA, base32 with a valid account)", evidence.High)
	ruleAWSSecret        = rule("aws-secret-access-key", "AWS secret access key (40 characters, under an aws secret key)", evidence.Critical)
	ruleGCPServiceAcct   = rule("gcp-service-account-key", "Google Cloud service-account JSON with a private key", evidence.Critical)
	ruleAzureClient      = rule("azure-client-secret", "Microsoft Entra (Azure AD) client secret (xxxNQ~...)", evidence.High)
	ruleGitHub           = rule("github-token", "GitHub classic token (ghp_, gho_, ghu_, ghs_, ghr_) with a valid CRC32", evidence.Critical)
	ruleGitHubFine       = rule("github-fine-grained-token", "GitHub fine-grained personal access token (github_pat_)", evidence.Critical)
	ruleGitLab           = rule("gitlab-token", "GitLab personal, project or group access token (glpat-)", evidence.High)
	ruleNPM              = rule("npm-token", "npm access token (npm_) with a valid CRC32", evidence.High)
	rulePyPI             = rule("pypi-token", "PyPI upload token (pypi-AgEIcHlwaS5vcmc)", evidence.High)
	ruleSlack            = rule("slack-token", "Slack bot, user, app or refresh token (xox*-, xapp-)", evidence.High)
	ruleSlackWebhook     = rule("slack-webhook", "Slack incoming webhook URL", evidence.Medium)
	ruleStripe           = rule("stripe-live-key", "Stripe live secret or restricted key (sk_live_, rk_live_)", evidence.Critical)
	ruleStripeTest       = rule("stripe-test-key", "Stripe test secret or restricted key (sk_test_, rk_test_)", evidence.Medium)
	rulePrivateKey       = rule("private-key", "PEM or OpenSSH private key whose body parses as a key", evidence.Critical)
	ruleJWT              = rule("jwt", "JSON Web Token with a JSON header naming alg", evidence.Medium)
	ruleConnectionURL    = rule("connection-url-password", "password in a connection URL (scheme://user:password@host)", evidence.High)
	ruleCLIPassword      = rule("cli-password", "password glued to a MySQL or MariaDB client's -p flag (mysql -uroot -pSECRET)", evidence.High)
	_                    = rule(RulePKCS12, "PKCS#12 / PFX key store (.p12, .pfx)", evidence.Critical)
	_                    = rule(RuleGenericSecret, "secret, token or API key assigned in configuration or source", evidence.High)
	_                    = rule(RuleGenericPassword, "password assigned in configuration or source", evidence.High)
	knownExampleLiterals = []string{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		// the Azurite / storage emulator account key, published by Microsoft
		"Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="}
)

// charset is a byte class.
type charset [256]bool

func chars(spec string) *charset {
	var c charset
	for i := 0; i < len(spec); i++ {
		if i+2 < len(spec) && spec[i+1] == '-' {
			for b := int(spec[i]); b <= int(spec[i+2]); b++ {
				c[b] = true
			}
			i += 2
			continue
		}
		c[spec[i]] = true
	}
	return &c
}

var (
	alnum     = chars("A-Za-z0-9")
	alnumDash = chars("A-Za-z0-9_-")
	alnumUS   = chars("A-Za-z0-9_")
	letters   = chars("A-Za-z")
	hexLower  = chars("0-9a-f")
	base32Up  = chars("A-Z2-7")
	hexUS     = chars("0-9a-f_")
	slackBody = chars("A-Za-z0-9-")
	azureTail = chars("A-Za-z0-9_~.-")
	azureHead = chars("A-Za-z0-9_~.")
	b64Std    = chars("A-Za-z0-9+/=")
	b64URL    = chars("A-Za-z0-9_=-")
)

// match looks for a credential at b[i], where an anchor was found. It
// returns the credential's bounds, the bytes fingerprinted (nil: b[start:end])
// and the rule (empty: the detector's).
type matchFunc func(b []byte, i int) (start, end int, value []byte, rule string, ok bool)

// detector is one anchored detector.
type detector struct {
	rule    string
	anchors []string
	match   matchFunc
	// loose, when set, matches a token glued to other text on either
	// side, as strings are in a binary (Go concatenates its string
	// literals): no left boundary, and a longer run cut to the token's
	// length when the rest still validates.
	loose matchFunc
	// checksummed detectors validate a checksum inside the token (GitHub,
	// npm): their loose form is precise enough to use everywhere, so a
	// token glued to a letter (a protocol-0 pickle's "Vghp_…", a
	// length byte that happens to be a letter) is still found.
	checksummed bool
	// hint is how many leading bytes of the match are a public prefix
	// (at most 4 are shown).
	hint int
}

// pd is a detector of prefix + body (see prefixed), anchored on its
// prefixes.
func pd(rule string, hint int, prefixes []string, set *charset, minLen, maxLen int, valid func(string) bool) *detector {
	return &detector{rule: rule, anchors: prefixes, hint: hint, match: prefixed(prefixes, set, minLen, maxLen, valid),
		loose: prefixedLoose(prefixes, set, minLen, maxLen, valid)}
}

func checksummed(d *detector) *detector {
	d.checksummed = true
	return d
}

// prefixedLoose is prefixed without boundaries: a run longer than max is
// cut to the longest body that validates.
func prefixedLoose(prefixes []string, set *charset, lo, hi int, valid func(body string) bool) matchFunc {
	return func(b []byte, i int) (int, int, []byte, string, bool) {
		for _, p := range prefixes {
			if !bytes.HasPrefix(b[i:], []byte(p)) {
				continue
			}
			j, n := i+len(p), 0
			for j < len(b) && set[b[j]] && n <= hi+64 {
				j++
				n++
			}
			for l := min(n, hi); l >= lo; l-- {
				body := string(b[i+len(p) : i+len(p)+l])
				if !placeholderBody(body) && (valid == nil || valid(body)) {
					return i, i + len(p) + l, nil, "", true
				}
				if lo == hi {
					break
				}
			}
		}
		return 0, 0, nil, "", false
	}
}

// prefixed matches prefix + body where body is a maximal run of set whose
// length is in [min, max]; a longer run is not a match.
func prefixed(prefixes []string, set *charset, minLen, maxLen int, valid func(body string) bool) matchFunc {
	return func(b []byte, i int) (int, int, []byte, string, bool) {
		if i > 0 && alnum[b[i-1]] {
			return 0, 0, nil, "", false
		}
		for _, p := range prefixes {
			if !bytes.HasPrefix(b[i:], []byte(p)) {
				continue
			}
			j, n := i+len(p), 0
			for j < len(b) && set[b[j]] && n <= maxLen {
				j++
				n++
			}
			if n < minLen || n > maxLen {
				continue
			}
			body := string(b[i+len(p) : j])
			if placeholderBody(body) || (valid != nil && !valid(body)) {
				continue
			}
			return i, j, nil, "", true
		}
		return 0, 0, nil, "", false
	}
}

// detectors is the anchored detector table. Anchors are searched with
// bytes.Index; detectors sharing an anchor are tried in order.
var detectors = []*detector{
	pd(ruleAnthropic, 4, []string{"sk-ant-api03-"}, alnumDash, 95, 95, func(s string) bool { return strings.HasSuffix(s, "AA") }),
	pd(ruleAnthropicAdmin, 4, []string{"sk-ant-admin01-"}, alnumDash, 95, 95, func(s string) bool { return strings.HasSuffix(s, "AA") }),
	pd(ruleOpenRouter, 4, []string{"sk-or-v1-"}, hexLower, 64, 64, nil),
	pd(ruleOpenAI, 4, []string{"sk-proj-", "sk-svcacct-", "sk-admin-", "sk-None-"}, alnumDash, 40, 300, hasOpenAIMarker),
	pd(ruleOpenAI, 3, []string{"sk-"}, alnum, 48, 48, hasOpenAIMarker),
	pd(ruleHuggingFace, 3, []string{"hf_"}, letters, 34, 34, mixedCase),
	pd(ruleHuggingFaceOrg, 4, []string{"api_org_"}, letters, 34, 34, mixedCase),
	pd(ruleReplicate, 3, []string{"r8_"}, alnum, 37, 37, hasDigitAndLetter),
	pd(ruleGroq, 4, []string{"gsk_"}, alnum, 52, 52, hasDigitAndLetter),
	pd(ruleXAI, 4, []string{"xai-"}, alnum, 80, 80, hasDigitAndLetter),
	pd(rulePerplexity, 4, []string{"pplx-"}, alnum, 48, 48, hasDigitAndLetter),
	pd(ruleGoogleAPI, 4, []string{"AIza"}, alnumDash, 35, 35, hasDigitAndLetter),
	pd(rulePinecone, 4, []string{"pcsk_"}, alnumUS, 60, 100, pineconeBody),
	pd(ruleLangSmith, 4, []string{"lsv2_pt_", "lsv2_sk_"}, hexUS, 43, 43, func(s string) bool { return s[32] == '_' && strings.Count(s, "_") == 1 }),
	pd(ruleAWSKeyID, 4, []string{"AKIA", "ASIA"}, base32Up, 16, 16, awsKeyIDBody),
	{rule: ruleAzureClient, anchors: []string{"Q~"}, match: matchAzureClientSecret},
	checksummed(pd(ruleGitHub, 4, []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}, alnum, 36, 36, validCRC32Token)),
	pd(ruleGitHubFine, 4, []string{"github_pat_"}, alnumUS, 82, 82, func(s string) bool { return s[22] == '_' && strings.Count(s, "_") == 1 }),
	pd(ruleGitLab, 4, []string{"glpat-"}, alnumDash, 20, 64, hasDigitAndLetter),
	checksummed(pd(ruleNPM, 4, []string{"npm_"}, alnum, 36, 36, validCRC32Token)),
	pd(rulePyPI, 4, []string{"pypi-AgEIcHlwaS5vcmc"}, alnumDash, 50, 400, nil),
	pd(ruleSlack, 4, []string{"xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-"}, slackBody, 24, 250, slackBodyOK),
	pd(ruleSlack, 4, []string{"xapp-"}, slackBody, 40, 250, slackBodyOK),
	{rule: ruleSlackWebhook, anchors: []string{"hooks.slack.com/services/"}, match: matchSlackWebhook},
	pd(ruleStripe, 4, []string{"sk_live_", "rk_live_"}, alnum, 24, 99, hasDigitAndLetter),
	pd(ruleStripeTest, 4, []string{"sk_test_", "rk_test_"}, alnum, 24, 99, hasDigitAndLetter),
	{rule: rulePrivateKey, anchors: []string{"-----BEGIN "}, match: matchPEM},
	{rule: ruleJWT, anchors: []string{"eyJ"}, hint: 3, match: matchJWT},
	{rule: ruleConnectionURL, anchors: []string{"://"}, match: matchConnectionURL},
	{rule: ruleCLIPassword, anchors: []string{"mysql", "mariadb"}, match: matchCLIPassword},
	{rule: ruleAzureStorage, anchors: []string{"AccountKey=", "SharedAccessKey="}, match: matchAzureKey},
	{rule: ruleAge, anchors: []string{"AGE-SECRET-KEY-1"}, hint: 4, match: matchAge, loose: matchAge},
	{rule: rulePrivateKey, anchors: []string{"PuTTY-User-Key-File-"}, match: matchPuTTY},
}

func hasOpenAIMarker(s string) bool { return strings.Contains(s, "T3BlbkFJ") }

func mixedCase(s string) bool {
	var lo, up bool
	for i := 0; i < len(s); i++ {
		lo = lo || (s[i] >= 'a' && s[i] <= 'z')
		up = up || (s[i] >= 'A' && s[i] <= 'Z')
	}
	return lo && up
}

func hasDigitAndLetter(s string) bool {
	var d, l bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		d = d || (c >= '0' && c <= '9')
		l = l || letters[c]
	}
	return d && l
}

func pineconeBody(s string) bool {
	i := strings.IndexByte(s, '_')
	return (i == 5 || i == 6) && strings.Count(s, "_") == 1 && hasDigitAndLetter(s[i+1:])
}

func slackBodyOK(s string) bool {
	return s[0] >= '0' && s[0] <= '9' && strings.Count(s, "-") >= 2 && hasDigitAndLetter(s)
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Base62CRC32 is the 6-character checksum GitHub and npm append to the 30
// random characters of their tokens: CRC-32 (IEEE) in base62, zero-padded.
func Base62CRC32(random string) string {
	n := crc32.ChecksumIEEE([]byte(random))
	var out [6]byte
	for i := 5; i >= 0; i-- {
		out[i] = base62[n%62]
		n /= 62
	}
	return string(out[:])
}

func validCRC32Token(body string) bool {
	return len(body) == 36 && Base62CRC32(body[:30]) == body[30:]
}

// awsKeyIDBody checks the 16 base32 characters after AKIA/ASIA: they must
// decode and carry a 12-digit account id.
func awsKeyIDBody(s string) bool {
	raw, err := base32.StdEncoding.DecodeString(s)
	if err != nil || len(raw) != 10 {
		return false
	}
	var v [8]byte
	copy(v[2:], raw[:6])
	account := (binary.BigEndian.Uint64(v[:]) & 0x7fffffffff80) >> 7
	return account <= 999999999999
}

func matchAzureClientSecret(b []byte, i int) (int, int, []byte, string, bool) {
	// [A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}
	start := i - 4
	if start < 0 || b[i-1] < '0' || b[i-1] > '9' {
		return 0, 0, nil, "", false
	}
	for k := start; k < i-1; k++ {
		if !azureHead[b[k]] {
			return 0, 0, nil, "", false
		}
	}
	if start > 0 && azureTail[b[start-1]] {
		return 0, 0, nil, "", false
	}
	j, n := i+2, 0
	for j < len(b) && azureTail[b[j]] && n <= 34 {
		j++
		n++
	}
	if n < 31 || n > 34 || !hasDigitAndLetter(string(b[i+2:j])) || placeholderBody(string(b[i+2:j])) {
		return 0, 0, nil, "", false
	}
	return start, j, nil, "", true
}

func matchSlackWebhook(b []byte, i int) (int, int, []byte, string, bool) {
	j := i + len("hooks.slack.com/services/")
	parts := 0
	for parts < 3 {
		k := j
		for k < len(b) && alnum[b[k]] {
			k++
		}
		if k == j {
			return 0, 0, nil, "", false
		}
		parts++
		j = k
		if parts < 3 {
			if j >= len(b) || b[j] != '/' {
				return 0, 0, nil, "", false
			}
			j++
		}
	}
	seg := string(b[i+len("hooks.slack.com/services/") : j])
	f := strings.Split(seg, "/")
	if f[0][0] != 'T' || f[1][0] != 'B' || len(f[2]) < 20 || placeholderBody(f[2]) {
		return 0, 0, nil, "", false
	}
	return i, j, nil, "", true
}

// matchJWT accepts header.payload.signature where the header is base64url
// JSON naming alg and the payload is a JSON object.
func matchJWT(b []byte, i int) (int, int, []byte, string, bool) {
	if i > 0 && alnumDash[b[i-1]] {
		return 0, 0, nil, "", false
	}
	var seg [3][2]int
	j := i
	for p := 0; p < 3; p++ {
		s := j
		for j < len(b) && alnumDash[b[j]] && j-i < 16<<10 {
			j++
		}
		seg[p] = [2]int{s, j}
		if p < 2 {
			if j >= len(b) || b[j] != '.' || j == s {
				return 0, 0, nil, "", false
			}
			j++
		}
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	h, err := base64.RawURLEncoding.DecodeString(string(b[seg[0][0]:seg[0][1]]))
	if err != nil || json.Unmarshal(h, &hdr) != nil || hdr.Alg == "" {
		return 0, 0, nil, "", false
	}
	p, err := base64.RawURLEncoding.DecodeString(string(b[seg[1][0]:seg[1][1]]))
	var claims map[string]any
	if err != nil || json.Unmarshal(p, &claims) != nil {
		return 0, 0, nil, "", false
	}
	if strings.EqualFold(hdr.Alg, "none") || seg[2][1]-seg[2][0] < 16 {
		return 0, 0, nil, "", false
	}
	return i, j, nil, "", true
}

var urlUser = chars("A-Za-z0-9._~!$&'()*+,;=%-")

// maxCLIScan bounds how far after a client's name its -p argument is
// looked for.
const maxCLIScan = 2048

// cliStop ends a command line: a shell separator or the end of a list.
func cliStop(c byte) bool {
	return c == ';' || c == '|' || c == '&' || c == ')' || c == ']' || c == '}'
}

// cliSep separates arguments: white space, quotes, commas, brackets.
func cliSep(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '"' || c == '\'' || c == ',' || c == '[' || c == '{' || cliStop(c)
}

// cliLineGoesOn reports whether the command at the newline at nl goes on
// on the next line: a backslash continuation, an open JSON or YAML flow
// list (",", "[", "{", ":" ending the line), or a YAML list item, a
// quoted element or an MCP server's "args:" starting the next.
func cliLineGoesOn(b []byte, nl int) bool {
	p := nl - 1
	for p >= 0 && (b[p] == ' ' || b[p] == '\t' || b[p] == '\r') {
		p--
	}
	if p >= 0 && strings.IndexByte(`\,[{:`, b[p]) >= 0 {
		return true
	}
	q := nl + 1
	for q < len(b) && (b[q] == ' ' || b[q] == '\t') {
		q++
	}
	return q < len(b) && (b[q] == '-' || b[q] == '"' || b[q] == '\'' || bytes.HasPrefix(b[q:], []byte("args:")))
}

// matchCLIPassword finds the password of a MySQL or MariaDB client run
// with it glued to -p ("mysql -uroot -pSECRET db", an MCP server's
// ["-uroot", "-pSECRET"] after "command": "mysql"): the arguments after
// the client's name, up to a shell separator or the end of the command
// (continuation lines and JSON or YAML lists followed), within
// maxCLIScan bytes. "-p" alone prompts; references and placeholders are
// not passwords.
func matchCLIPassword(b []byte, i int) (int, int, []byte, string, bool) {
	if i > 0 && (alnumDash[b[i-1]] || b[i-1] == '.') {
		return 0, 0, nil, "", false
	}
	j := i
	for j < len(b) && (alnumDash[b[j]] || b[j] == '.') {
		j++
	}
	if !redact.MySQLClient(string(b[i:j])) || (j < len(b) && !cliSep(b[j]) && b[j] != ':') {
		return 0, 0, nil, "", false
	}
	if j < len(b) && b[j] == ':' && (j+1 >= len(b) || b[j+1] == '/') {
		return 0, 0, nil, "", false // mysql://, a URL scheme
	}
	end := min(len(b), j+maxCLIScan)
	for k := j; k < end; {
		c := b[k]
		switch {
		case cliStop(c):
			return 0, 0, nil, "", false
		case c == '\n':
			if !cliLineGoesOn(b, k) {
				return 0, 0, nil, "", false
			}
			k++
			continue
		case cliSep(c) || c == ':':
			k++
			continue
		}
		t := k
		for k < end && !cliSep(b[k]) {
			k++
		}
		tok := b[t:k]
		if len(tok) == 2 && tok[0] == '-' && tok[1] == 'p' && t > 0 && (b[t-1] == ' ' || b[t-1] == '\t') && k < end && (b[k] == '\'' || b[k] == '"') {
			// -p'SECRET' in a shell command line.
			if q := bytes.IndexByte(b[k+1:end], b[k]); q > 0 {
				v := b[k+1 : k+1+q]
				if pw, ok := redact.GluedPassword("-p" + string(v)); ok && !placeholderBody(pw) && bytes.IndexByte(v, '\n') < 0 {
					return k, k + 2 + q, v, "", true
				}
			}
			continue
		}
		if pw, ok := redact.GluedPassword(string(tok)); ok && !placeholderBody(pw) {
			off := t + len(tok) - len(pw)
			return off, k, nil, "", true
		}
	}
	return 0, 0, nil, "", false
}

// matchConnectionURL finds scheme://user:password@host and fingerprints
// the password.
func matchConnectionURL(b []byte, i int) (int, int, []byte, string, bool) {
	s := i
	for s > 0 && i-s < 32 && (alnum[b[s-1]] || b[s-1] == '+' || b[s-1] == '.' || b[s-1] == '-') {
		s--
	}
	if i-s < 2 || !letters[b[s]] {
		return 0, 0, nil, "", false
	}
	j := i + 3
	u := j
	for j < len(b) && j-u < 256 && urlUser[b[j]] && b[j] != ':' {
		j++
	}
	if j >= len(b) || b[j] != ':' || j == u {
		return 0, 0, nil, "", false
	}
	j++
	p := j
	for j < len(b) && j-p < 256 && (urlUser[b[j]] || b[j] == ':') {
		j++
	}
	if j >= len(b) || b[j] != '@' || j+1 >= len(b) || !alnum[b[j+1]] && b[j+1] != '[' {
		return 0, 0, nil, "", false
	}
	pw := string(b[p:j])
	if len(pw) < 4 || placeholderValue(pw) || weakPlaceholders[strings.ToLower(pw)] || isReference(pw) {
		return 0, 0, nil, "", false
	}
	return s, j, b[p:j], "", true
}

var weakPlaceholders = map[string]bool{
	"password": true, "passwd": true, "pass": true, "secret": true, "pwd": true, "user": true,
	"username": true, "test": true, "pw": true, "token": true, "mypassword": true, "hunter2": true,
}

// matchPEM accepts a PEM (or JSON-escaped PEM) private key block whose body
// decodes and parses as a key of its type.
func matchPEM(b []byte, i int) (int, int, []byte, string, bool) {
	rest := b[i+len("-----BEGIN "):]
	e := bytes.Index(rest[:min(len(rest), 64)], []byte("-----"))
	if e < 0 {
		return 0, 0, nil, "", false
	}
	typ := string(rest[:e])
	if !strings.HasSuffix(typ, "PRIVATE KEY") && typ != "PGP PRIVATE KEY BLOCK" {
		return 0, 0, nil, "", false
	}
	bodyStart := i + len("-----BEGIN ") + e + 5
	end := []byte("-----END " + typ + "-----")
	k := bytes.Index(b[bodyStart:min(len(b), bodyStart+32<<10)], end)
	if k < 0 {
		return 0, 0, nil, "", false
	}
	body := b[bodyStart : bodyStart+k]
	der, encrypted, escaped := pemBody(body)
	if der == nil || !validKey(typ, der, encrypted) {
		return 0, 0, nil, "", false
	}
	r := ""
	if escaped && bytes.Contains(b[max(0, i-8<<10):min(len(b), bodyStart+k+8<<10)], []byte(`service_account`)) {
		r = ruleGCPServiceAcct
	}
	return i, bodyStart + k + len(end), der, r, true
}

// pemBody strips whitespace, JSON "\n" escapes and RFC 1421 headers and
// decodes the base64 body.
func pemBody(body []byte) (der []byte, encrypted, escaped bool) {
	escaped = bytes.Contains(body, []byte(`\n`))
	if escaped {
		body = bytes.ReplaceAll(body, []byte(`\n`), []byte("\n"))
		body = bytes.ReplaceAll(body, []byte(`\r`), []byte("\n"))
	}
	var clean []byte
	for _, line := range bytes.Split(body, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if bytes.IndexByte(line, ':') >= 0 {
			encrypted = encrypted || bytes.Contains(line, []byte("ENCRYPTED"))
			continue
		}
		if len(line) > 0 && line[0] == '=' && len(line) == 5 {
			continue // PGP armour checksum
		}
		clean = append(clean, line...)
	}
	d, err := base64.StdEncoding.DecodeString(string(clean))
	if err != nil || len(d) < 32 {
		return nil, false, escaped
	}
	return d, encrypted, escaped
}

func validKey(typ string, der []byte, encrypted bool) bool {
	switch typ {
	case "RSA PRIVATE KEY":
		if encrypted {
			return len(der) >= 64
		}
		_, err := x509.ParsePKCS1PrivateKey(der)
		return err == nil
	case "EC PRIVATE KEY":
		if encrypted {
			return len(der) >= 32
		}
		_, err := x509.ParseECPrivateKey(der)
		return err == nil
	case "PRIVATE KEY":
		_, err := x509.ParsePKCS8PrivateKey(der)
		return err == nil
	case "OPENSSH PRIVATE KEY":
		return validOpenSSH(der)
	case "ENCRYPTED PRIVATE KEY", "DSA PRIVATE KEY":
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(der, &v)
		return err == nil && len(rest) == 0 && v.Tag == asn1.TagSequence
	case "PGP PRIVATE KEY BLOCK":
		return len(der) >= 64 && der[0]&0x80 != 0
	}
	return false
}

// validOpenSSH checks the openssh-key-v1 container: magic, cipher, kdf,
// kdf options, one key, its public key and the private section.
func validOpenSSH(der []byte) bool {
	const magic = "openssh-key-v1\x00"
	if !bytes.HasPrefix(der, []byte(magic)) {
		return false
	}
	p := der[len(magic):]
	next := func() ([]byte, bool) {
		if len(p) < 4 {
			return nil, false
		}
		n := binary.BigEndian.Uint32(p)
		if uint64(n) > uint64(len(p)-4) {
			return nil, false
		}
		v := p[4 : 4+n]
		p = p[4+n:]
		return v, true
	}
	cipher, ok1 := next()
	_, ok2 := next()
	_, ok3 := next()
	if !ok1 || !ok2 || !ok3 || len(p) < 4 || binary.BigEndian.Uint32(p) != 1 {
		return false
	}
	p = p[4:]
	pub, ok4 := next()
	priv, ok5 := next()
	if !ok4 || !ok5 || len(pub) == 0 || len(priv) < 8 {
		return false
	}
	if string(cipher) == "none" {
		// The two check integers of an unencrypted key are equal.
		return bytes.Equal(priv[:4], priv[4:8])
	}
	return true
}

// placeholderBody reports whether the random part of a token is a
// documented example or a placeholder.
func placeholderBody(s string) bool {
	l := strings.ToLower(s)
	for _, w := range []string{"example", "xxxx", "your", "placeholder", "dummy", "redacted", "abcdefghij", "1234567890", "0123456789"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return hasRun(s, 6)
}

// hasRun reports whether s has n equal bytes in a row.
func hasRun(s string, n int) bool {
	run := 1
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] {
			run++
			if run >= n {
				return true
			}
		} else {
			run = 1
		}
	}
	return false
}

// placeholderValue reports whether a generic value is a placeholder.
func placeholderValue(s string) bool {
	for _, ex := range knownExampleLiterals {
		if s == ex {
			return true
		}
	}
	l := strings.ToLower(s)
	for _, w := range []string{"example", "xxxx", "your", "placeholder", "dummy", "redacted", "changeme", "change_me", "change-me",
		"replace", "insert", "<", ">", "****", "...", "todo", "fixme", "sample", "fake", "secret_here", "here", "abcdefghij", "1234567890", "0123456789"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return hasRun(s, 5)
}

// isReference reports whether a value refers to a secret instead of being
// one: ${VAR}, $VAR, $(cmd), {{ template }}, %(name)s, env:NAME.
func isReference(s string) bool {
	return strings.HasPrefix(s, "$") || strings.Contains(s, "${") || strings.Contains(s, "{{") ||
		strings.HasPrefix(s, "%(") || strings.HasPrefix(s, "%{") || strings.HasPrefix(s, "env:") ||
		strings.HasPrefix(s, "secret:") || strings.HasPrefix(s, "op://") || strings.HasPrefix(s, "vault:")
}
