package secretgen

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"strings"
	"unicode/utf16"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// Adversarial classes: the ways a credential hides from a scanner that
// reads raw bytes, and the ways it used to be skipped. Each class has
// several true cases (different detectors, files, positions and
// nestings) and decoys that must stay silent.
const (
	ClassEscapeJSON    = "escape-json"             // JSON \uXXXX and \/ escapes
	ClassEscapeYAML    = "escape-yaml"             // YAML double-quoted \x \u \U escapes, folded continuation
	ClassContinuation  = "escape-continuation"     // backslash line continuations
	ClassPercent       = "percent-encoding"        // URL percent-encoding, single and double
	ClassHTMLEntity    = "html-entities"           // &#NNN; and &#xNN; character references
	ClassBase64        = "base64-anywhere"         // base64 outside a key/value pair, wrapped, URL alphabet
	ClassHex           = "hex-encoding"            // hex-encoded text
	ClassNested        = "nested-encoding"         // encodings inside encodings
	ClassTextEncoding  = "utf16-utf32"             // UTF-16 and UTF-32 text, with and without BOM
	ClassNUL           = "nul-bytes"               // text with stray NUL bytes
	ClassBinary        = "binary-strings"          // pickles, .pyc, protobuf, executables
	ClassCompressed    = "compressed-streams"      // bzip2, xz, zstd, zlib, tar.xz, zip methods
	ClassUnscannable   = "unscannable"             // what cannot be read is reported, never passed
	ClassGit           = "nested-git"              // .git directories below the root
	ClassTarTypes      = "tar-member-types"        // tar members of every type, PAX records
	ClassGenericKey    = "generic-key-names"       // key names the old substring filter dropped
	ClassLongLine      = "long-lines"              // pairs far into a very long line
	ClassReferenceName = "credential-as-reference" // tokens pasted into ${...} and reference names
	ClassFileName      = "credential-in-file-name"
	ClassQueryParam    = "url-query-parameters" // credentials in a URL's query string, in any file
	ClassArchiveMeta   = "archive-metadata"     // zip and member comments, gzip header name, comment and extra
	ClassGluedPassword = "cli-glued-password"   // a password glued to a MySQL client's -p flag
	ClassNameValue     = "name-value-entries"   // NAME under one key, the value under another (Kubernetes env, ECS, Tekton params)
	ClassCredFormats   = "credential-files"     // connection-string keys, age identities, PuTTY keys, .netrc, basic-auth pairs
	RuleUnscannable    = "unscannable"          // the "rule" of a case that must be reported unscannable
)

// AdversarialClasses lists every class, sorted.
func AdversarialClasses() []string {
	return []string{ClassArchiveMeta, ClassBase64, ClassBinary, ClassCompressed, ClassContinuation, ClassCredFormats, ClassEscapeJSON, ClassEscapeYAML,
		ClassFileName, ClassGenericKey, ClassGit, ClassGluedPassword, ClassHTMLEntity, ClassHex, ClassLongLine, ClassNUL, ClassNameValue, ClassNested,
		ClassPercent, ClassQueryParam, ClassReferenceName, ClassTarTypes, ClassTextEncoding, ClassUnscannable}
}

// simpleRules are anchored detectors whose tokens are plain ASCII words,
// rotated through by the cases.
var simpleRules = []string{RuleGitHub, RuleOpenAI, RuleAnthropic, RuleHuggingFace, RuleSlack, RuleStripe, RuleGitLab,
	RuleNPM, RuleGoogleAPI, RuleGroq, RuleReplicate, RuleAWSKeyID, RuleXAI, RulePerplexity, RuleOpenRouter, RuleGitHubFine,
	RuleLangSmith, RulePinecone, RuleAnthropicAdmin, RuleStripeTest}

type adv struct {
	g      *Gen
	n      int
	truth  []Planted
	decoys []Planted
}

// tok returns the i-th rotated anchored token.
func (a *adv) tok() (rule, value string) {
	rule = simpleRules[a.n%len(simpleRules)]
	v, err := a.g.Value(rule, a.n)
	if err != nil {
		panic(err)
	}
	a.n++
	return rule, v
}

func (a *adv) password() string { return a.g.s(csAlnum, 14+a.g.r.IntN(6)) }

func (a *adv) add(class, name string, body []byte, rules []string, values ...string) {
	a.truth = append(a.truth, Planted{Class: class, Name: class + "/" + name, Body: body, Rules: rules, Values: values})
}

func (a *adv) decoy(class, name string, body []byte) {
	a.decoys = append(a.decoys, Planted{Class: class, Name: class + "/decoy/" + name, Body: body})
}

// Adversarial returns the adversarial corpus: true cases, each naming
// its class, the rules a scanner must report and the values planted, and
// decoys that must yield no finding (and no problem). Cases of
// ClassUnscannable expect the rule RuleUnscannable: a problem, not a
// finding. Everything derives from seed; no value is committed.
func Adversarial(seed uint64) (truth, decoys []Planted) {
	a := &adv{g: New(seed)}
	a.escapes()
	a.encodings()
	a.files()
	a.structure()
	a.queries()
	a.metadata()
	a.glued()
	a.nameValues()
	a.credentialFiles()
	return a.truth, a.decoys
}

// metadata plants credentials where an archive carries text besides its
// members, and HTML5 named references for a token's punctuation.
func (a *adv) metadata() {
	gh := func() string {
		v, err := a.g.Value(RuleGitHub, a.n)
		if err != nil {
			panic(err)
		}
		a.n++
		return v
	}
	v := gh()
	a.add(ClassHTMLEntity, "named.html", fmt.Appendf(nil, "<p>token: <code>%s</code></p>\n", strings.ReplaceAll(v, "_", "&lowbar;")), []string{RuleGitHub}, v)
	v = gh()
	a.add(ClassHTMLEntity, "prompts/named.md", fmt.Appendf(nil, "Use %s for the API.\n", strings.ReplaceAll(v, "_", "&UnderBar;")), []string{RuleGitHub}, v)
	a.decoy(ClassHTMLEntity, "named-decoy.html", []byte("<p>a &lowbar; b &period; c &commat; d &amp;&amp; e &nbsp; f</p>\n"))

	r, v := a.tok()
	a.add(ClassArchiveMeta, "release.zip", zipOfComment(fmt.Sprintf("built with token %s", v), zipMember{name: "README.md", body: []byte("# release\n")}), []string{r}, v)
	r, v = a.tok()
	a.add(ClassArchiveMeta, "plugins.zip", zipOf(zipMember{name: "plugin.txt", body: []byte("plugin\n"), comment: "key=" + v}), []string{r}, v)
	r, v = a.tok()
	a.add(ClassArchiveMeta, "weights.bin.gz", gzipHeaderOf(gzip.Header{Name: v + ".bin"}, []byte("weights")), []string{r}, v)
	r, v = a.tok()
	a.add(ClassArchiveMeta, "notes.txt.gz", gzipHeaderOf(gzip.Header{Comment: "uploaded with " + v}, []byte("notes\n")), []string{r}, v)
	r, v = a.tok()
	a.add(ClassArchiveMeta, "data.gz", gzipHeaderOf(gzip.Header{Extra: append([]byte{'T', 'K', byte(len(v)), 0}, v...)}, []byte("data\n")), []string{r}, v)
	a.decoy(ClassArchiveMeta, "dist.zip", zipOfComment("built by release-bot 2025-11-30 from 3f2c1e9a8b7d", zipMember{name: "a.txt", body: []byte("a\n"), comment: "sha256 " + a.g.s(csHex, 64)}))
	a.decoy(ClassArchiveMeta, "model.bin.gz", gzipHeaderOf(gzip.Header{Name: "model-00001-of-00002.bin", Comment: "request " + a.g.UUID()}, []byte("weights")))
}

// zipOfComment is zipOf with an archive comment.
func zipOfComment(comment string, members ...zipMember) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	if err := w.SetComment(comment); err != nil {
		panic(err)
	}
	for _, m := range members {
		f, err := w.CreateHeader(&zip.FileHeader{Name: m.name, Method: m.method, Comment: m.comment})
		if err != nil {
			panic(err)
		}
		mustWrite(f.Write(m.body))
	}
	w.Close()
	return buf.Bytes()
}

// gzipHeaderOf is gzipOf with a header (name, comment, extra field).
func gzipHeaderOf(h gzip.Header, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Header = h
	mustWrite(w.Write(b))
	w.Close()
	return buf.Bytes()
}

// jsonEscape writes every character of s as \uXXXX (upper: upper-case hex).
func jsonEscape(s string, every int, upper bool) string {
	var b strings.Builder
	for i, r := range s {
		if every > 0 && i%every != 0 {
			b.WriteRune(r)
			continue
		}
		f := "\\u%04x"
		if upper {
			f = "\\u%04X"
		}
		fmt.Fprintf(&b, f, r)
	}
	return b.String()
}

func escapeAll(s, format string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		fmt.Fprintf(&b, format, c)
	}
	return b.String()
}

func percentAll(s string) string { return escapeAll(s, "%%%02X") }

func (a *adv) escapes() {
	g := a.g
	// JSON \u escapes.
	r, v := a.tok()
	a.add(ClassEscapeJSON, "mcp.json", fmt.Appendf(nil, `{"mcpServers": {"tickets": {"command": "npx", "args": ["-y", "tickets-mcp"], "env": {"TOKEN": "%s"}}}}`+"\n", jsonEscape(v, 0, false)), []string{r}, v)
	r, v = a.tok()
	a.add(ClassEscapeJSON, "config.json", fmt.Appendf(nil, "{\n  \"provider\": {\n    \"name\": \"x\",\n    \"credential\": \"%s\"\n  }\n}\n", jsonEscape(v, 3, true)), []string{r}, v)
	pw := a.password()
	a.add(ClassEscapeJSON, "db.json", fmt.Appendf(nil, `{"database": {"dsn": "postgres:\/\/orders:%s@db.internal:5432\/orders"}}`+"\n", jsonEscape(pw, 2, false)), []string{RuleConnectionURL}, pw)
	r, v = a.tok()
	inner := fmt.Sprintf(`{\"api_key\": \"%s\"}`, strings.ReplaceAll(jsonEscape(v, 0, false), `\`, `\\`))
	a.add(ClassEscapeJSON, "nested.json", fmt.Appendf(nil, `{"settings": "%s"}`+"\n", inner), []string{r}, v)
	pw = a.password()
	a.add(ClassEscapeJSON, "app.json", fmt.Appendf(nil, `{"db": {"host": "db", "password": "%s"}}`+"\n", jsonEscape(pw, 1, false)), []string{RuleGenericPassword}, pw)
	r, v = a.tok()
	a.add(ClassEscapeJSON, "events.jsonl", fmt.Appendf(nil, "{\"event\": \"start\"}\n{\"event\": \"auth\", \"detail\": \"using %s\"}\n", jsonEscape(v, 4, false)), []string{r}, v)
	r, v = a.tok()
	a.add(ClassEscapeJSON, "run.ipynb", fmt.Appendf(nil, `{"cells":[{"cell_type":"code","source":["client()"],"outputs":[{"output_type":"stream","text":["key: %s\n"]}]}],"nbformat":4,"nbformat_minor":5}`, jsonEscape(v, 0, true)), []string{r}, v)
	a.decoy(ClassEscapeJSON, "placeholder.json", fmt.Appendf(nil, `{"api_key": "%s", "token": "%s"}`+"\n", jsonEscape("your-api-key-here", 0, false), jsonEscape("<token>", 0, false)))
	a.decoy(ClassEscapeJSON, "ids.json", fmt.Appendf(nil, `{"request_id": "%s", "checksum": "%s"}`+"\n", jsonEscape(g.UUID(), 0, false), jsonEscape(g.s(csHex, 64), 2, false)))
	a.decoy(ClassEscapeJSON, "aws-example.json", fmt.Appendf(nil, `{"aws_access_key_id": "%s", "aws_secret_access_key": "%s"}`+"\n", jsonEscape("AKIAIOSFODNN7EXAMPLE", 0, false), jsonEscape("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", 0, false)))
	a.decoy(ClassEscapeJSON, "text.json", []byte(`{"greeting": "Caf\u00e9 \u2014 \u0048ello, \u0077orld!\nSee https:\/\/example.com\/docs"}`+"\n"))
	a.decoy(ClassEscapeJSON, "pubkey.json", fmt.Appendf(nil, `{"public_key": "%s"}`+"\n", strings.ReplaceAll(jsonEscape(g.PublicKeyPEM(), 7, false), "\n", `\n`)))

	// YAML double-quoted escapes.
	r, v = a.tok()
	a.add(ClassEscapeYAML, "providers.yaml", fmt.Appendf(nil, "provider:\n  name: x\n  key: \"%s\"\n", escapeAll(v, `\x%02x`)), []string{r}, v)
	r, v = a.tok()
	a.add(ClassEscapeYAML, "agent.yaml", fmt.Appendf(nil, "agent:\n  auth: \"%s\"\n", jsonEscape(v, 2, false)), []string{r}, v)
	r, v = a.tok()
	a.add(ClassEscapeYAML, "tools.yml", fmt.Appendf(nil, "tools:\n  - name: search\n    credential: \"%s\"\n", escapeAll(v[:5], `\U%08x`)+v[5:]), []string{r}, v)
	r, v = a.tok()
	cut := len(v) / 2
	a.add(ClassEscapeYAML, "folded.yaml", fmt.Appendf(nil, "service:\n  endpoint: https://api.example.com\n  secret_value: \"%s\\\n    %s\"\n", v[:cut], v[cut:]), []string{r}, v)
	pw = a.password()
	a.add(ClassEscapeYAML, "configmap.yaml", fmt.Appendf(nil, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  DB_PASSWORD: \"%s\"\n", escapeAll(pw, `\x%02X`)), []string{RuleGenericPassword}, pw)
	a.decoy(ClassEscapeYAML, "placeholder.yaml", fmt.Appendf(nil, "api_key: \"%s\"\npassword: \"%s\"\n", escapeAll("changeme-please", `\x%02x`), escapeAll("<password>", `\u%04x`)))
	a.decoy(ClassEscapeYAML, "text.yaml", []byte("message: \"Line one\\nLine two\\tTabbed \\u00e9t\\u00e9\"\nbanner: \"\\x2d\\x2d\\x2d welcome \\x2d\\x2d\\x2d\"\n"))
	a.decoy(ClassEscapeYAML, "digest.yaml", fmt.Appendf(nil, "image:\n  digest: \"sha256:%s\"\n", escapeAll(g.s(csHex, 64), `\x%02x`)))
	a.decoy(ClassEscapeYAML, "folded-text.yaml", []byte("description: \"This tool searches the\\\n  knowledge base and returns\\\n  the top results.\"\n"))

	// Backslash line continuations.
	r, v = a.tok()
	cut = len(v) / 3
	a.add(ClassContinuation, ".env", fmt.Appendf(nil, "LOG_LEVEL=info\nAPI_TOKEN=%s\\\n%s\n", v[:cut], v[cut:]), []string{r}, v)
	r, v = a.tok()
	cut = len(v) / 2
	a.add(ClassContinuation, "setup.sh", fmt.Appendf(nil, "#!/bin/sh\nexport SERVICE_KEY=\"%s\\\n%s\"\nexec agent\n", v[:cut], v[cut:]), []string{r}, v)
	r, v = a.tok()
	a.add(ClassContinuation, "Dockerfile", fmt.Appendf(nil, "FROM python:3.12\nENV PROVIDER_TOKEN=%s\\\n%s\\\n%s\nCMD [\"agent\"]\n", v[:5], v[5:15], v[15:]), []string{r}, v)
	r, v = a.tok()
	cut = 2 * len(v) / 3
	a.add(ClassContinuation, "client.py", fmt.Appendf(nil, "import agent\n\nclient = agent.Client(\"%s\\\n%s\")\n", v[:cut], v[cut:]), []string{r}, v)
	pw = a.password()
	a.add(ClassContinuation, "db.env", fmt.Appendf(nil, "DB_PASSWORD=%s\\\n%s\n", pw[:6], pw[6:]), []string{RuleGenericPassword}, pw)
	a.decoy(ClassContinuation, "install.sh", []byte("#!/bin/sh\napt-get install -y \\\n  curl \\\n  ca-certificates\nexport TOKEN_FILE=/run/secrets/token\n"))
	a.decoy(ClassContinuation, "placeholder.env", []byte("API_TOKEN=your-\\\ntoken-here\n"))
	a.decoy(ClassContinuation, "macro.h", []byte("#define CHECK(x) \\\n  do { if (!(x)) abort(); } while (0)\n"))
}

func (a *adv) encodings() {
	g := a.g
	// Percent-encoding.
	pw := a.password()
	a.add(ClassPercent, "app.env", fmt.Appendf(nil, "LOG=1\nDSN=%s\n", url.QueryEscape("postgres://app:"+pw+"@db/x")), []string{RuleConnectionURL}, pw)
	r, v := a.tok()
	a.add(ClassPercent, "prompts/callback.md", fmt.Appendf(nil, "After the call, open https://example.com/cb?state=1&k=%s to confirm.\n", percentAll(v)), []string{r}, v)
	r, v = a.tok()
	mixed := strings.ReplaceAll(strings.ReplaceAll(v, "-", "%2D"), "_", "%5F")
	mixed = percentAll(mixed[:3]) + mixed[3:]
	a.add(ClassPercent, "links.txt", fmt.Appendf(nil, "see %s\n", mixed), []string{r}, v)
	r, v = a.tok()
	a.add(ClassPercent, "double.txt", fmt.Appendf(nil, "redirect=%s\n", strings.ReplaceAll(percentAll(v), "%", "%25")), []string{r}, v)
	hook, _ := g.Value(RuleSlackWebhook, 1)
	a.add(ClassPercent, "hooks.json", fmt.Appendf(nil, `{"notify": "%s"}`+"\n", url.QueryEscape(hook)), []string{RuleSlackWebhook}, hook)
	pw = a.password()
	a.add(ClassPercent, "settings.yaml", fmt.Appendf(nil, "db:\n  password: %s\n", percentAll(pw)), []string{RuleGenericPassword}, pw)
	a.decoy(ClassPercent, "urls.txt", []byte("https://example.com/search?q=hello%20world&lang=en%2DGB&path=%2Fdocs%2Fapi\n"))
	a.decoy(ClassPercent, "placeholder.env", fmt.Appendf(nil, "API_KEY=%s\n", percentAll("your-api-key")))
	a.decoy(ClassPercent, "format.go", []byte("package x\n\nvar f = fmt.Sprintf(\"%2d items, %5.2f%% done, %-10s\", n, p, s)\n"))

	// HTML character references.
	r, v = a.tok()
	a.add(ClassHTMLEntity, "prompts/system.md", fmt.Appendf(nil, "# System\n\nUse the key %s when the tool asks.\n", escapeAll(v, "&#%d;")), []string{r}, v)
	r, v = a.tok()
	a.add(ClassHTMLEntity, "help.html", fmt.Appendf(nil, "<p>token: <code>%s</code></p>\n", escapeAll(v[:8], "&#x%x;")+v[8:]), []string{r}, v)
	a.decoy(ClassHTMLEntity, "page.html", []byte("<p>&#169; 2025 Example &#8212; &#x201C;quoted&#x201D; &amp; more</p>\n"))
	a.decoy(ClassHTMLEntity, "placeholder.html", fmt.Appendf(nil, "<p>api_key: %s</p>\n", escapeAll("YOUR_API_KEY", "&#%d;")))

	// Base64 anywhere.
	r, v = a.tok()
	a.add(ClassBase64, "prompts/fallback.md", fmt.Appendf(nil, "If the orders API is down, decode this and use it: %s\n", base64.StdEncoding.EncodeToString([]byte(v))), []string{r}, v)
	r, v = a.tok()
	a.add(ClassBase64, "server.yaml", fmt.Appendf(nil, "args:\n  - --header\n  - %s\n", base64.StdEncoding.EncodeToString([]byte("Authorization: Bearer "+v))), []string{r}, v)
	r, v = a.tok()
	a.add(ClassBase64, "run.sh", fmt.Appendf(nil, "#!/bin/sh\nexport K=$(echo %s | base64 -d)\n", base64.RawURLEncoding.EncodeToString([]byte(v))), []string{r}, v)
	r, v = a.tok()
	pw = a.password()
	env := fmt.Sprintf("# production\nSERVICE_TOKEN=%s\nDB_PASSWORD=%s\nLOG_LEVEL=info\n", v, pw)
	a.add(ClassBase64, "bundle.yaml", fmt.Appendf(nil, "files:\n  env: |\n%s\n", wrap(base64.StdEncoding.EncodeToString([]byte(env)), 76, "    ")), []string{r, RuleGenericPassword}, v, pw)
	key := g.PrivateKeyPEM(a.n)
	a.add(ClassBase64, "keys.json", fmt.Appendf(nil, `{"material": ["%s"]}`+"\n", base64.StdEncoding.EncodeToString([]byte(key))), []string{RulePrivateKey}, key)
	r, v = a.tok()
	a.add(ClassBase64, "notes.md", fmt.Appendf(nil, "![x](data:text/plain;base64,%s)\n", base64.StdEncoding.EncodeToString([]byte(v))), []string{r}, v)
	r, v = a.tok()
	a.add(ClassBase64, "main.go", fmt.Appendf(nil, "package main\n\n// fallback: %s\nfunc main() {}\n", base64.StdEncoding.EncodeToString([]byte("key="+v))), []string{r}, v)
	a.decoy(ClassBase64, "image.md", fmt.Appendf(nil, "![logo](data:image/png;base64,%s)\n", base64.StdEncoding.EncodeToString(g.bytes(600))))
	a.decoy(ClassBase64, "pub.yaml", fmt.Appendf(nil, "trust:\n  - %s\n", base64.StdEncoding.EncodeToString([]byte(g.PublicKeyPEM()))))
	a.decoy(ClassBase64, "prose.txt", fmt.Appendf(nil, "%s\n", base64.StdEncoding.EncodeToString([]byte("The quick brown fox jumps over the lazy dog; nothing secret here at all."))))
	a.decoy(ClassBase64, "template.yaml", fmt.Appendf(nil, "env: %s\n", base64.StdEncoding.EncodeToString([]byte("API_KEY=your-api-key-here\nPASSWORD=changeme\n"))))
	a.decoy(ClassBase64, "lock.json", fmt.Appendf(nil, "{\"integrity\": \"sha512-%s\"}\n", base64.StdEncoding.EncodeToString(g.bytes(64))))
	a.decoy(ClassBase64, "ids.go", []byte("package x\n\nfunc TestMarshalUnmarshalRoundTripPointerReceiver(t *testing.T) {}\nvar ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef = 1\n"))

	// Hex.
	r, v = a.tok()
	a.add(ClassHex, "prompts/debug.md", fmt.Appendf(nil, "Debug dump: %s\n", hex.EncodeToString([]byte(v))), []string{r}, v)
	r, v = a.tok()
	a.add(ClassHex, "blob.yaml", fmt.Appendf(nil, "blob: %s\n", strings.ToUpper(hex.EncodeToString([]byte("token="+v)))), []string{r}, v)
	pw = a.password()
	a.add(ClassHex, "cfg.txt", fmt.Appendf(nil, "payload %s\n", hex.EncodeToString([]byte("password: "+pw+"\n"))), []string{RuleGenericPassword}, pw)
	a.decoy(ClassHex, "digests.txt", fmt.Appendf(nil, "sha256 %s\ncommit %s\nrandom %s\n", g.s(csHex, 64), g.s(csHex, 40), hex.EncodeToString(g.bytes(48))))
	a.decoy(ClassHex, "hello.txt", fmt.Appendf(nil, "%s\n", hex.EncodeToString([]byte("hello, this is only a greeting in hex"))))

	// Encodings nested in encodings.
	r, v = a.tok()
	a.add(ClassNested, "prompts/b64json.md", fmt.Appendf(nil, "config blob: %s\n", base64.StdEncoding.EncodeToString(fmt.Appendf(nil, `{"key": "%s"}`, jsonEscape(v, 0, false)))), []string{r}, v)
	r, v = a.tok()
	a.add(ClassNested, "link.txt", fmt.Appendf(nil, "https://example.com/?c=%s\n", url.QueryEscape(base64.StdEncoding.EncodeToString([]byte("token "+v+" end")))), []string{r}, v)
	r, v = a.tok()
	a.add(ClassNested, "double64.txt", fmt.Appendf(nil, "%s\n", base64.StdEncoding.EncodeToString([]byte(base64.StdEncoding.EncodeToString([]byte("use "+v))))), []string{r}, v)
	r, v = a.tok()
	a.add(ClassNested, "escaped64.json", fmt.Appendf(nil, `{"blob": "%s"}`+"\n", jsonEscape(base64.StdEncoding.EncodeToString([]byte("secret material "+v)), 3, false)), []string{r}, v)
	r, v = a.tok()
	a.add(ClassNested, "helm-release.yaml", fmt.Appendf(nil, "apiVersion: v1\nkind: Secret\ntype: helm.sh/release.v1\ndata:\n  release: %s\n",
		base64.StdEncoding.EncodeToString([]byte(base64.StdEncoding.EncodeToString(gzipOf(fmt.Appendf(nil, `{"config": {"provider_key": "%s"}}`, v)))))), []string{r}, v)
	r, v = a.tok()
	a.add(ClassNested, "deploy.cmd", fmt.Appendf(nil, "powershell -NoProfile -EncodedCommand %s\n", base64.StdEncoding.EncodeToString(utf16le("$env:SERVICE_KEY = '"+v+"'; Start-Agent", false))), []string{r}, v)
	a.decoy(ClassNested, "helm-placeholder.txt", fmt.Appendf(nil, "%s\n", base64.StdEncoding.EncodeToString(gzipOf([]byte(`{"config": {"api_key": "your-api-key-here"}}`)))))
	a.decoy(ClassNested, "encoded-command.cmd", fmt.Appendf(nil, "powershell -EncodedCommand %s\n", base64.StdEncoding.EncodeToString(utf16le("Get-ChildItem C:\\agents | Select-Object Name", false))))
	a.decoy(ClassNested, "double-prose.txt", fmt.Appendf(nil, "%s\n", base64.StdEncoding.EncodeToString([]byte(base64.StdEncoding.EncodeToString([]byte("only an ordinary sentence, twice encoded"))))))
	a.decoy(ClassNested, "escaped-placeholder.json", fmt.Appendf(nil, `{"blob": "%s"}`+"\n", jsonEscape(base64.StdEncoding.EncodeToString([]byte("api_key=your-api-key-here")), 2, false)))
}

// wrap breaks s into lines of n characters, each indented.
func wrap(s string, n int, indent string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += n {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(indent + s[i:min(len(s), i+n)])
	}
	return b.String()
}

func utf16le(s string, bom bool) []byte {
	var out []byte
	if bom {
		out = append(out, 0xff, 0xfe)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		out = binary.LittleEndian.AppendUint16(out, u)
	}
	return out
}

func utf16be(s string) []byte {
	out := []byte{0xfe, 0xff}
	for _, u := range utf16.Encode([]rune(s)) {
		out = binary.BigEndian.AppendUint16(out, u)
	}
	return out
}

func utf32le(s string) []byte {
	out := []byte{0xff, 0xfe, 0, 0}
	for _, r := range s {
		out = binary.LittleEndian.AppendUint32(out, uint32(r))
	}
	return out
}

// pickle4 is a protocol 4 pickle of a dict of strings (SHORT_BINUNICODE).
func pickle4(kv ...string) []byte {
	b := []byte{0x80, 0x04, 0x95}
	var body []byte
	body = append(body, '}', 0x94, '(')
	for _, s := range kv {
		if len(s) < 256 {
			body = append(body, 0x8c, byte(len(s)))
		} else {
			body = append(body, 'X')
			body = binary.LittleEndian.AppendUint32(body, uint32(len(s)))
		}
		body = append(body, s...)
		body = append(body, 0x94)
	}
	body = append(body, 'u', '.')
	b = binary.LittleEndian.AppendUint64(b, uint64(len(body)))
	return append(b, body...)
}

// pickle2 is a protocol 2 pickle of a dict of strings (BINUNICODE).
func pickle2(kv ...string) []byte {
	b := []byte{0x80, 0x02, '}', 'q', 0, '('}
	for i, s := range kv {
		b = append(b, 'X')
		b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
		b = append(b, 'q', byte(i+1))
	}
	return append(b, 'u', '.')
}

// pyc is a CPython 3.12-style .pyc header and marshal data holding the
// names and string constants given.
func (a *adv) pyc(names, consts []string) []byte {
	b := []byte{0xcb, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0}
	b = append(b, a.g.bytes(8)...)
	b = append(b, 0xe3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0)
	b = append(b, 0xf3, 0x1a, 0, 0, 0)
	b = append(b, a.g.bytes(26)...)
	b = append(b, 0x29, byte(len(consts)))
	for _, c := range consts {
		if len(c) < 256 {
			b = append(b, 0xfa, byte(len(c)))
		} else {
			b = append(b, 0xf5)
			b = binary.LittleEndian.AppendUint32(b, uint32(len(c)))
		}
		b = append(b, c...)
	}
	b = append(b, 0x29, byte(len(names)))
	for _, n := range names {
		b = append(b, 0xda, byte(len(n)))
		b = append(b, n...)
	}
	return append(b, 0x4e)
}

// mustWrite panics on a failed write: the corpus is built in memory,
// where a write fails only on a bug.
func mustWrite(_ int, err error) {
	if err != nil {
		panic(err)
	}
}

func zlibOf(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	mustWrite(w.Write(b))
	w.Close()
	return buf.Bytes()
}

func xzOf(b []byte) []byte {
	var buf bytes.Buffer
	w, err := xz.WriterConfig{DictCap: 1 << 16}.NewWriter(&buf)
	if err != nil {
		panic(err)
	}
	mustWrite(w.Write(b))
	w.Close()
	return buf.Bytes()
}

// zeroBomb compresses n zero bytes, streaming them, so that making a bomb
// does not hold n bytes (a test process's peak memory is what every
// process it starts reports as its own).
func zeroBomb(kind string, n int) []byte {
	var buf bytes.Buffer
	var w io.WriteCloser
	switch kind {
	case "zlib":
		w = zlib.NewWriter(&buf)
	default:
		e, err := zstd.NewWriter(&buf, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(1<<20), zstd.WithEncoderLevel(zstd.SpeedFastest))
		if err != nil {
			panic(err)
		}
		w = e
	}
	zeros := make([]byte, 64<<10)
	for written := 0; written < n; written += len(zeros) {
		if _, err := w.Write(zeros); err != nil {
			panic(err)
		}
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func zstdOf(b []byte) []byte {
	e, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(1<<16), zstd.WithEncoderLevel(zstd.SpeedFastest))
	if err != nil {
		panic(err)
	}
	defer e.Close()
	return e.EncodeAll(b, nil)
}

type tarMember struct {
	name string
	typ  byte
	body []byte
	pax  map[string]string
}

func tarOf(members ...tarMember) []byte {
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Typeflag: m.typ, Size: int64(len(m.body)), Mode: 0o644, PAXRecords: m.pax}
		if m.pax != nil {
			h.Format = tar.FormatPAX
		}
		if err := w.WriteHeader(h); err != nil {
			panic(err)
		}
		mustWrite(w.Write(m.body))
	}
	w.Close()
	return buf.Bytes()
}

type zipMember struct {
	name    string
	method  uint16
	flags   uint16
	body    []byte
	comment string
}

func zipOf(members ...zipMember) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	w.RegisterCompressor(93, func(out io.Writer) (io.WriteCloser, error) {
		return zstd.NewWriter(out, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(1<<16), zstd.WithEncoderLevel(zstd.SpeedFastest))
	})
	w.RegisterCompressor(14, func(out io.Writer) (io.WriteCloser, error) { return nopWriteCloser{out}, nil })
	for _, m := range members {
		f, err := w.CreateHeader(&zip.FileHeader{Name: m.name, Method: m.method, Flags: m.flags, Comment: m.comment})
		if err != nil {
			panic(err)
		}
		mustWrite(f.Write(m.body))
	}
	w.Close()
	return buf.Bytes()
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// gitPack is a git pack file of blobs.
func gitPack(blobs ...[]byte) []byte {
	b := []byte("PACK")
	b = binary.BigEndian.AppendUint32(b, 2)
	b = binary.BigEndian.AppendUint32(b, uint32(len(blobs)))
	for _, blob := range blobs {
		n := len(blob)
		c := byte(3<<4 | n&0x0f)
		n >>= 4
		for n > 0 {
			b = append(b, c|0x80)
			c = byte(n & 0x7f)
			n >>= 7
		}
		b = append(b, c)
		b = append(b, zlibOf(blob)...)
	}
	return append(b, make([]byte, 20)...)
}

func (a *adv) files() {
	g := a.g
	// UTF-16 and UTF-32 text.
	r, v := a.tok()
	a.add(ClassTextEncoding, "secrets.env", utf16le("SERVICE_TOKEN="+v+"\r\nLOG=1\r\n", true), []string{r}, v)
	r, v = a.tok()
	a.add(ClassTextEncoding, "deploy.ps1", utf16le("$env:PROVIDER_KEY = \""+v+"\"\r\nStart-Agent\r\n", false), []string{r}, v)
	r, v = a.tok()
	a.add(ClassTextEncoding, "agent.yaml", utf16be("agent:\n  credential: "+v+"\n"), []string{r}, v)
	r, v = a.tok()
	a.add(ClassTextEncoding, "notes.txt", utf32le("remember "+v+"\n"), []string{r}, v)
	pw := a.password()
	a.add(ClassTextEncoding, "db.ini", utf16le("[db]\r\npassword = "+pw+"\r\n", true), []string{RuleGenericPassword}, pw)
	a.decoy(ClassTextEncoding, "placeholder.env", utf16le("API_KEY=your-api-key-here\r\nPASSWORD=changeme\r\n", true))
	a.decoy(ClassTextEncoding, "pub.txt", utf16le(g.PublicKeyPEM(), false))
	a.decoy(ClassTextEncoding, "readme.txt", utf16be("This file is UTF-16 text with nothing secret in it.\n"))

	// Stray NUL bytes.
	r, v = a.tok()
	a.add(ClassNUL, "prompts/system.md", fmt.Appendf(nil, "\x00# System\n\nYou are an agent. Use %s for the search API.\n", v), []string{r}, v)
	r, v = a.tok()
	a.add(ClassNUL, "notes.txt", fmt.Appendf(nil, "line one\x00\nkey %s\x00\nline three\x00\n", v), []string{r}, v)
	pw = a.password()
	a.add(ClassNUL, "settings.json", append(fmt.Appendf(nil, `{"db": {"password": "%s"}}`, pw), make([]byte, 16)...), []string{RuleGenericPassword}, pw)
	r, v = a.tok()
	a.add(ClassNUL, "config.yaml", fmt.Appendf(nil, "a: 1\nb: \x00\ncredential: %s\n", v), []string{r}, v)
	a.decoy(ClassNUL, "placeholder.md", []byte("\x00Use YOUR_API_KEY here; password: changeme\n"))
	a.decoy(ClassNUL, "random.bin", g.bytes(4096))

	// Strings in binary files.
	r, v = a.tok()
	for len(v) < 100 {
		r, v = a.tok() // a token long enough for its length byte to be a letter
	}
	a.add(ClassBinary, "model/config.pkl", pickle4("model", "agent-7b", "api_key", v, "temperature", "0.2"), []string{r}, v)
	pw = a.password()
	a.add(ClassBinary, "state.pkl", pickle2("user", "orders", "password", pw), []string{RuleGenericPassword}, pw)
	r, v = a.tok()
	a.add(ClassBinary, "__pycache__/settings.cpython-312.pyc", a.pyc([]string{"os", "PROVIDER_KEY", "client"}, []string{"https://api.example.com", v, "agent"}), []string{r}, v)
	r, v = a.tok()
	proto := append([]byte{0x08, 0x01, 0x12, byte(len(v))}, v...)
	proto = append(proto, 0x1a, 0x04, 'a', 'b', 'c', 'd')
	a.add(ClassBinary, "request.pb", proto, []string{r}, v)
	r, v = a.tok()
	elf := append([]byte("\x7fELF\x02\x01\x01\x00"), g.bytes(700)...)
	elf = append(elf, v...)
	elf = append(elf, g.bytes(300)...)
	a.add(ClassBinary, "bin/agent", elf, []string{r}, v)
	r, v = a.tok()
	pe := append([]byte("MZ\x90\x00"), g.bytes(500)...)
	pe = append(pe, utf16le(v, false)...)
	pe = append(pe, 0, 0)
	pe = append(pe, g.bytes(200)...)
	a.add(ClassBinary, "bin/agent.exe", pe, []string{r}, v)
	r, v = a.tok()
	// Go concatenates its string literals without separators.
	rodata := append([]byte("\x7fELF\x02\x01\x01\x00"), g.bytes(300)...)
	rodata = append(rodata, "invalid argumentunexpected EOFapiVersion"+v+"readyTimeoutExceeded"...)
	rodata = append(rodata, g.bytes(300)...)
	a.add(ClassBinary, "bin/agent-go", rodata, []string{r}, v)
	r, v = a.tok()
	a.add(ClassBinary, "model/adapter.safetensors", append(safetensorsOf(g.bytes(64)), append([]byte("\x00\x00"), append([]byte(v), 0)...)...), []string{r}, v)
	// A protocol-0 pickle is text: each string follows its opcode
	// letter ("Vghp_…"), with no boundary before the token.
	for i, rule := range []string{RuleGitHub, RuleNPM} {
		v, err := g.Value(rule, 100+i)
		if err != nil {
			panic(err)
		}
		a.add(ClassBinary, fmt.Sprintf("model/legacy-%d.pkl", i), fmt.Appendf(nil, "(dp0\nVtoken\np1\nV%s\np2\ns.", v), []string{rule}, v)
	}
	a.decoy(ClassBinary, "model/clean.safetensors", safetensorsOf(g.bytes(64)))
	a.decoy(ClassBinary, "model/config.pkl", pickle4("model_type", "llama", "hidden_size", "4096", "tokenizer_class", "LlamaTokenizer", "request_id", g.UUID()))
	a.decoy(ClassBinary, "blob.bin", g.bytes(8192))
	a.decoy(ClassBinary, "__pycache__/util.cpython-312.pyc", a.pyc([]string{"os", "path", "join"}, []string{"utf-8", "/etc/agent", g.s(csHex, 40)}))
	a.decoy(ClassBinary, "ids.pb", append([]byte{0x0a, 36}, g.UUID()...))

	// Compressed streams.
	r, v = a.tok()
	a.add(ClassCompressed, "secrets.env.bz2", Bzip2(fmt.Appendf(nil, "LOG=1\nSERVICE_TOKEN=%s\n", v)), []string{r}, v)
	r, v = a.tok()
	a.add(ClassCompressed, "config.yaml.xz", xzOf(fmt.Appendf(nil, "provider:\n  credential: %s\n", v)), []string{r}, v)
	r, v = a.tok()
	a.add(ClassCompressed, "tools.json.zst", zstdOf(fmt.Appendf(nil, `{"tools": [{"name": "x", "auth": "%s"}]}`, v)), []string{r}, v)
	r, v = a.tok()
	a.add(ClassCompressed, "state.zz", zlibOf(fmt.Appendf(nil, "state\nkey=%s\n", v)), []string{r}, v)
	pw = a.password()
	a.add(ClassCompressed, "bundle.tar.xz", xzOf(tarOf(tarMember{name: "app/.env", typ: tar.TypeReg, body: fmt.Appendf(nil, "DB_PASSWORD=%s\n", pw)})), []string{RuleGenericPassword}, pw)
	r, v = a.tok()
	a.add(ClassCompressed, "bundle.tar.bz2", Bzip2(tarOf(tarMember{name: "cfg/agent.yaml", typ: tar.TypeReg, body: fmt.Appendf(nil, "token: %s\n", v)})), []string{r}, v)
	r, v = a.tok()
	a.add(ClassCompressed, "tools.zip", zipOf(zipMember{name: "tools/auth.txt", method: 93, body: fmt.Appendf(nil, "auth %s\n", v)}), []string{r}, v)
	r, v = a.tok()
	a.add(ClassCompressed, "nested.gz.xz", xzOf(gzipOf(fmt.Appendf(nil, "inner %s\n", v))), []string{r}, v)
	a.decoy(ClassCompressed, "docs.txt.bz2", Bzip2([]byte("Nothing secret here; set API_KEY=your-api-key-here before running.\n")))
	a.decoy(ClassCompressed, "pub.pem.xz", xzOf([]byte(g.PublicKeyPEM())))
	a.decoy(ClassCompressed, "notes.zst", zstdOf([]byte("release notes: fixed the tokenizer, max_tokens is now 4096\n")))
	a.decoy(ClassCompressed, "x.txt", []byte("x^2 + y^2 = z^2 is not a zlib stream\n"))

	// Unscannable: reported, never passed.
	a.add(ClassUnscannable, "archive.7z", append([]byte{'7', 'z', 0xbc, 0xaf, 0x27, 0x1c, 0, 4}, g.bytes(200)...), []string{RuleUnscannable})
	a.add(ClassUnscannable, "bundle.rar", append([]byte("Rar!\x1a\x07\x01\x00"), g.bytes(200)...), []string{RuleUnscannable})
	a.add(ClassUnscannable, "bomb.zz", zeroBomb("zlib", 24<<20), []string{RuleUnscannable})
	a.add(ClassUnscannable, "bomb.zst", zeroBomb("zstd", 24<<20), []string{RuleUnscannable})
	a.add(ClassUnscannable, "locked.zip", zipOf(zipMember{name: "secret.env", method: zip.Store, flags: 1, body: g.bytes(64)}), []string{RuleUnscannable})
	a.add(ClassUnscannable, "lzma.zip", zipOf(zipMember{name: "a.txt", method: 14, body: g.bytes(64)}), []string{RuleUnscannable})
	cutXZ := xzOf(bytes.Repeat([]byte("some text that compresses\n"), 400))
	a.add(ClassUnscannable, "truncated.xz", cutXZ[:len(cutXZ)/2], []string{RuleUnscannable})
	a.decoy(ClassUnscannable, "small.zz", zlibOf([]byte("a small zlib stream, nothing to see")))
	a.decoy(ClassUnscannable, "fine.zip", zipOf(zipMember{name: "readme.txt", method: zip.Deflate, body: []byte("hello")}))
	a.decoy(ClassUnscannable, "text.md", []byte("7z and rar are archive formats; x^y is math.\n"))
}

// safetensorsOf is a safetensors file holding one U8 tensor of data.
func safetensorsOf(data []byte) []byte {
	hdr := fmt.Sprintf(`{"__metadata__":{"format":"pt"},"w":{"dtype":"U8","shape":[%d],"data_offsets":[0,%d]}}`, len(data), len(data))
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	b = append(b, hdr...)
	return append(b, data...)
}

func gzipOf(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	mustWrite(w.Write(b))
	w.Close()
	return buf.Bytes()
}

func (a *adv) structure() {
	g := a.g
	// Nested .git directories ship with the artefact.
	r, v := a.tok()
	content := fmt.Appendf(nil, "SERVICE_TOKEN=%s\n", v)
	a.add(ClassGit, "vendor/lib/.git/objects/3f/"+g.s(csHex, 38), zlibOf(append(fmt.Appendf(nil, "blob %d\x00", len(content)), content...)), []string{r}, v)
	r, v = a.tok()
	a.add(ClassGit, "plugins/search/.git/objects/pack/pack-"+g.s(csHex, 40)+".pack",
		gitPack([]byte("# readme\nnothing here\n"), fmt.Appendf(nil, "config:\n  key: %s\n", v)), []string{r}, v)
	r, v = a.tok()
	a.add(ClassGit, "tools/x/.git/config", fmt.Appendf(nil, "[remote \"origin\"]\n\turl = https://git.example.com/x.git\n\ttoken = %s\n", v), []string{r}, v)
	r, v = a.tok()
	a.add(ClassGit, "a/b/c/.git/logs/HEAD", fmt.Appendf(nil, "0000 1111 dev <dev@example.com> 1700000000 +0000\tcommit: add %s\n", v), []string{r}, v)
	a.decoy(ClassGit, "vendor/ok/.git/objects/aa/"+g.s(csHex, 38), zlibOf([]byte("blob 21\x00# nothing secret here\n")))
	a.decoy(ClassGit, "vendor/ok/.git/HEAD", []byte("ref: refs/heads/main\n"))
	// The root's own .git is version control, not the artefact.
	_, v = a.tok()
	a.decoys = append(a.decoys, Planted{Class: ClassGit, Name: ".git/config", Body: fmt.Appendf(nil, "[credential]\n\thelper = store\n# %s\n", v)})

	// Tar members of every type.
	r, v = a.tok()
	a.add(ClassTarTypes, "contiguous.tar", tarOf(tarMember{name: "app/.env", typ: tar.TypeCont, body: fmt.Appendf(nil, "TOKEN=%s\n", v)}), []string{r}, v)
	r, v = a.tok()
	a.add(ClassTarTypes, "old-regular.tar", tarOf(tarMember{name: "app/cfg.txt", typ: typeRegA, body: fmt.Appendf(nil, "credential %s\n", v)}), []string{r}, v)
	r, v = a.tok()
	a.add(ClassTarTypes, "vendor-type.tar", tarOf(tarMember{name: "app/data", typ: 'X', body: fmt.Appendf(nil, "key %s\n", v)}), []string{r}, v)
	r, v = a.tok()
	a.add(ClassTarTypes, "pax-record.tar", tarOf(tarMember{name: "readme.txt", typ: tar.TypeReg, body: []byte("hello\n"), pax: map[string]string{"comment": "deploy with " + v}}), []string{r}, v)
	r, v = a.tok()
	a.add(ClassTarTypes, "long-name.tar", tarOf(tarMember{name: strings.Repeat("deep/", 30) + "cfg.env", typ: tar.TypeReg, body: fmt.Appendf(nil, "API=%s\n", v)}), []string{r}, v)
	a.decoy(ClassTarTypes, "plain.tar", tarOf(tarMember{name: "readme.txt", typ: tar.TypeReg, body: []byte("API_KEY=your-api-key-here\n")}, tarMember{name: "dir/", typ: tar.TypeDir}))
	a.decoy(ClassTarTypes, "pax-plain.tar", tarOf(tarMember{name: "a.txt", typ: tar.TypeReg, body: []byte("a\n"), pax: map[string]string{"comment": "built by ci, max_tokens 4096"}}))

	// Key names the substring filter dropped.
	for i, k := range []struct{ file, format, key string }{
		{".env", "%s=%s\n", "SHARED_SECRET"},
		{"app.yaml", "auth:\n  %s: %s\n", "account_password"},
		{"settings.json", "{\"%s\": \"%s\"}\n", "SECURITY_TOKEN"},
		{"search.py", "%s = \"%s\"\n", "TYPESENSE_API_KEY"},
		{"vault.toml", "[vault]\n%s = \"%s\"\n", "hashicorp_vault_token"},
		{"application.properties", "%s=%s\n", "spring.datasource.password"},
		{"agent.ini", "[env]\n%s = %s\n", "ENV_SECRET"},
		{"storage.env", "%s=%s\n", "SHARED_ACCESS_KEY"},
		{"curl.env", "%s=%s\n", "CURL_TOKEN"},
		// assignment forms besides key=value: an XML element, a call's
		// arguments, a MySQL option file
		{"settings.xml", "<settings><servers><server><id>repo</id><%[1]s>%[2]s</%[1]s></server></servers></settings>\n", "password"},
		{"conftest.py", "os.environ.setdefault(\"%s\", \"%s\")\n", "DB_PASSWORD"},
		{"my.cnf", "[client]\nuser = agent\n%s = %s\n", "password"},
		// a credential header as a string (curl -H, a requests call)
		{"call.sh", "curl -s -H \"%s: %s\" https://api.example.com/v1/orders\n", "X-Api-Key"},
		{"fetch.sh", "curl -H 'Accept: application/json' -H '%s: Bearer %s' https://api.example.com\n", "Authorization"},
	} {
		pw := a.password()
		rule := RuleGenericSecret
		if strings.Contains(strings.ToLower(k.key), "password") {
			rule = RuleGenericPassword
		}
		a.add(ClassGenericKey, fmt.Sprintf("%02d/%s", i, k.file), fmt.Appendf(nil, k.format, k.key, pw), []string{rule}, pw)
	}
	a.decoy(ClassGenericKey, "llm.yaml", fmt.Appendf(nil, "token_type: Bearer\nmax_tokens: 4096\nsecret_name: orders-db-credentials\npassword_min_length: 12\napi_key_header: X-Api-Key\nnext_page_token: %s\npublic_key: %s\nSHA256_CHECKSUM: %s\ntokenizer_class: LlamaTokenizerFast\nsecret_id: %s\n",
		g.s(csAlnum, 24), g.s(csAlnum, 44), g.s(csHex, 64), g.UUID()))
	a.decoy(ClassGenericKey, "app.config.xml", []byte("<config><password></password><token>${env.API_TOKEN}</token><secretName>orders-db</secretName></config>\n"))
	a.decoy(ClassGenericKey, "headers.py", []byte("h = {\"Accept\": \"application/json\"}\nlog(\"PASS: TestInterruptor\")\ncurl(\"X-Api-Key: $API_KEY\")\nprint(\"Authorization: Bearer <token>\")\n"))
	a.decoy(ClassGenericKey, "forms.py", []byte("field = (\"password\", \"confirm_password\")\nlabel = _(\"password\", \"Enter your password\")\n"))
	a.decoy(ClassGenericKey, "const.go", []byte("package x\n\nconst passwordPolicy = \"Strong8Policy\"\nvar secretKeyRef = \"orders-api-keyref\"\n"))

	// Pairs far into very long lines.
	pw := a.password()
	filler := strings.Repeat("var a0=function(b){return b+1};", 400)
	a.add(ClassLongLine, "bundle.min.js", fmt.Appendf(nil, "%sconst cfg={db:{password:\"%s\"}};\n", filler, pw), []string{RuleGenericPassword}, pw)
	pw = a.password()
	flow := strings.Repeat("opt: 1, ", 1200)
	a.add(ClassLongLine, "flow.yaml", fmt.Appendf(nil, "config: {%sdb_password: %s}\n", flow, pw), []string{RuleGenericPassword}, pw)
	pw = a.password()
	var items []string
	for i := 0; i < 40000; i++ {
		items = append(items, fmt.Sprintf(`{"id":%d,"v":"x"}`, i))
	}
	a.add(ClassLongLine, "big.json", fmt.Appendf(nil, `{"items":[%s],"service":{"api_secret":"%s"}}`+"\n", strings.Join(items, ","), pw), []string{RuleGenericSecret}, pw)
	pw = a.password()
	a.add(ClassLongLine, "opts.ini", fmt.Appendf(nil, "[run]\nopts = %s auth_token=%s\n", strings.Repeat("flag,", 1500), pw), []string{RuleGenericSecret}, pw)
	a.decoy(ClassLongLine, "long.yaml", fmt.Appendf(nil, "config: {%smax_tokens: 4096, password: changeme}\n", flow))

	// Tokens pasted where a reference name belongs.
	r, v = a.tok()
	for strings.ContainsAny(v, "-.") {
		r, v = a.tok()
	}
	a.add(ClassReferenceName, "deploy.yaml", fmt.Appendf(nil, "env:\n  - name: TOKEN\n    value: ${%s}\n", v), []string{r}, v)
	r, v = a.tok()
	for strings.ContainsAny(v, "-.") {
		r, v = a.tok()
	}
	a.add(ClassReferenceName, ".github/workflows/ci.yaml", fmt.Appendf(nil, "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: deploy\n        env:\n          T: ${{ secrets.%s }}\n", v), []string{r}, v)
	tokRand := g.s(csAlnum, 28)
	for !randomLike(tokRand) {
		tokRand = g.s(csAlnum, 28)
	}
	a.add(ClassReferenceName, "app.env", fmt.Appendf(nil, "DATABASE=${%s}\n", tokRand), []string{RuleGenericSecret}, tokRand)
	hf, _ := g.Value(RuleHuggingFace, 3)
	a.add(ClassReferenceName, "pod.yaml", fmt.Appendf(nil, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: x\n      image: x\n      env:\n        - name: HF\n          valueFrom:\n            secretKeyRef:\n              name: %s\n              key: token\n", hf), []string{RuleHuggingFace}, hf)
	key, _ := g.Value(RuleAWSKeyID, 5)
	a.add(ClassReferenceName, "mcp.json", fmt.Appendf(nil, `{"mcpServers": {"s3": {"command": "s3-mcp", "env": {"AWS_ACCESS_KEY_ID": "${%s}"}}}}`+"\n", key), []string{RuleAWSKeyID}, key)
	a.decoy(ClassReferenceName, "refs.yaml", []byte("a: ${GITHUB_TOKEN}\nb: ${myServiceApiKeyV2}\nc: ${{ secrets.OPENAI_API_KEY }}\nd: ${DB_PASSWORD:-}\ne: ${awsRegion2Bucket3Name}\n"))

	// Credentials in file names.
	r, v = a.tok()
	for strings.ContainsAny(v, "/") {
		r, v = a.tok()
	}
	a.add(ClassFileName, "notes-"+v+".txt", []byte("see the file name\n"), []string{r}, v)
	r, v = a.tok()
	a.add(ClassFileName, "tools.zip", zipOf(zipMember{name: "keys/" + v + ".md", method: zip.Deflate, body: []byte("x")}), []string{r}, v)
	a.decoy(ClassFileName, "run-"+g.UUID()+".log", []byte("ok\n"))
	a.decoy(ClassFileName, "sk-learn-notes.md", []byte("scikit-learn notes\n"))
}

// randomLike mirrors the scanner's test for a generated token written as
// a reference name (see secrets.randomToken).
func randomLike(s string) bool {
	var up, lo, dg, vowels, letters, changes int
	prev := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		class := 0
		switch {
		case c >= 'a' && c <= 'z':
			lo++
			class = 1
		case c >= 'A' && c <= 'Z':
			up++
			class = 2
		case c >= '0' && c <= '9':
			dg++
			class = 3
		}
		if class == 1 || class == 2 {
			letters++
			if strings.IndexByte("aeiouAEIOU", c) >= 0 {
				vowels++
			}
		}
		if prev >= 0 && class != prev {
			changes++
		}
		prev = class
	}
	return up > 0 && lo > 0 && dg >= 2 && vowels*100 < letters*35 && changes*3 >= len(s)
}

// typeRegA is tar's old regular-file type ('\x00', tar.TypeRegA, deprecated
// in archive/tar): old writers still produce it, and a scanner that
// switches on tar.TypeReg alone skips the member.
const typeRegA byte = 0

// queries plants credentials as URL query parameters: in a JSON string,
// a YAML bare value, prose, an .env value and percent-encoded; decoys are
// pagination cursors, references, placeholders and public parameters.
func (a *adv) queries() {
	g := a.g
	for i, c := range []struct{ file, format, key string }{
		{".cursor/mcp.json", `{"mcpServers": {"q": {"url": "https://mcp.q.example.com/mcp?api_key=%s"}}}` + "\n", "api_key"},
		{"agent.yaml", "search:\n  url: https://search.example.com/v1?region=eu&access_token=%s&limit=5\n", "access_token"},
		{"prompts/callback.md", "When done, open https://example.com/hook?client_secret=%s#top to report.\n", "client_secret"},
		{"callback.env", "CALLBACK=https://hooks.example.com/in?id=7&password=%s\n", "password"},
		{"client.py", "BASE = \"https://api.example.com/v2/items?sig=1;auth_token=%s\"\n", "auth_token"},
	} {
		pw := a.password()
		rule := RuleGenericSecret
		if strings.Contains(c.key, "password") {
			rule = RuleGenericPassword
		}
		a.add(ClassQueryParam, fmt.Sprintf("%02d/%s", i, c.file), fmt.Appendf(nil, c.format, pw), []string{rule}, pw)
	}
	pw := a.password() + "+/="
	a.add(ClassQueryParam, "encoded.json", fmt.Appendf(nil, `{"endpoint": "https://mcp.e.example.com/sse?apiKey=%s"}`+"\n", url.QueryEscape(pw)), []string{RuleGenericSecret}, pw)
	// Assignments and flags inside strings: an MCP server's argument list.
	for i, c := range []struct{ format, rule string }{
		{`{"mcpServers": {"db": {"command": "db-mcp", "args": ["--host", "db", "--password=%s"]}}}`, RuleGenericPassword},
		{`{"mcpServers": {"s": {"command": "search-mcp", "args": ["--api-key", "%s", "--read-only"]}}}`, RuleGenericSecret},
		{`{"servers": {"pg": {"command": "env", "args": ["PGPASSWORD=%s", "pg-mcp"]}}}`, RuleGenericPassword},
	} {
		pw := a.password()
		a.add(ClassGenericKey, fmt.Sprintf("args-%d/mcp.json", i), fmt.Appendf(nil, c.format+"\n", pw), []string{c.rule}, pw)
	}
	a.decoy(ClassGenericKey, "args/mcp.json", []byte(`{"mcpServers": {"s": {"command": "x", "args": ["--token-file", "/run/secrets/token", "--api-key", "${API_KEY}", "--password-min-length=12", "--secret-name", "orders-db"]}}}`+"\n"))
	a.decoy(ClassQueryParam, "pages.json", fmt.Appendf(nil, `{"next": "https://api.example.com/items?page_token=%s&limit=50", "prev": "https://api.example.com/items?cursor=%s"}`+"\n", g.s(csAlnum, 24), g.s(csAlnum, 24)))
	a.decoy(ClassQueryParam, "refs.yaml", []byte("url: https://mcp.example.com/mcp?api_key=${SEARCH_API_KEY}&token={{ .Values.token }}\n"))
	a.decoy(ClassQueryParam, "docs.md", []byte("Call https://api.example.com/v1?api_key=YOUR_API_KEY&q=hello or ?token=<token>.\n"))
	a.decoy(ClassQueryParam, "public.txt", fmt.Appendf(nil, "https://cdn.example.com/a.js?v=%s&X-Amz-Algorithm=AWS4-HMAC-SHA256&token_type=Bearer&request_id=%s\n", g.s(csHex, 40), g.UUID()))
}

// glued plants passwords glued to a MySQL or MariaDB client's -p flag:
// MCP server argument lists in JSON and YAML, shell lines continued
// with a backslash, quoted, behind docker exec; decoys are -p flags that
// are not passwords (compiler flags, ports, prompts, references,
// placeholders).
func (a *adv) glued() {
	for i, format := range []string{
		"{\n  \"mcpServers\": {\n    \"orders-db\": {\n      \"command\": \"/usr/bin/mysql\",\n      \"args\": [\n        \"-uagent\",\n        \"-p%s\",\n        \"-hdb.internal\"\n      ]\n    }\n  }\n}\n",
		"name: agent\nversion: 1.0.0\nschema: v1\nmcpServers:\n  - name: db\n    command: mariadb\n    args:\n      - -uagent\n      - -p%s\n",
		"#!/bin/sh\nmysqldump \\\n  --single-transaction \\\n  -uroot -p%s orders > orders.sql\n",
		"FROM mysql:8.4\nRUN mysql -uroot -p'%s' -e 'CREATE DATABASE orders'\n",
		"docker exec -i db mariadb -uroot -p%s orders < dump.sql\n",
	} {
		pw, _ := a.g.Value(RuleCLIPassword, i)
		name := []string{".cursor/mcp.json", ".continue/config.yaml", "backup.sh", "Dockerfile", "restore.md"}[i]
		a.add(ClassGluedPassword, fmt.Sprintf("%02d/%s", i, name), fmt.Appendf(nil, format, pw), []string{RuleCLIPassword}, pw)
	}
	a.decoy(ClassGluedPassword, "Makefile", []byte("CFLAGS = -O2 -pthread -pedantic\nrun:\n\tdocker run -p8080:80 app\n\tssh -p2222 deploy@host\n"))
	a.decoy(ClassGluedPassword, "prompt.sh", []byte("mysql -uroot -p orders\nmysqldump --password -uroot orders\nmysql -uroot -p\"$MYSQL_ROOT_PASSWORD\" orders\nmysql -uroot -p${DB_PASSWORD} -e 'select 1'\n"))
	a.decoy(ClassGluedPassword, "mcp.json", []byte(`{"mcpServers": {"db": {"command": "mysql", "args": ["-uagent", "-p%MYSQL_PWD%", "-P3306", "-p"]}, "cc": {"command": "cc", "args": ["-pthread"]}}}`+"\n"))
	a.decoy(ClassGluedPassword, "README.md", []byte("Connect with `mysql -u <user> -p<password> <db>` or `mysql -uroot -pyour-password`; the URL is mysql://db.internal:3306/orders.\n"))
}

// nameValues plants a credential as an entry that names the variable
// under one key and holds its value under another, in either order,
// across lines, in flow style and in JSON.
func (a *adv) nameValues() {
	for i, c := range []struct{ file, format, name string }{
		{"deploy/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: agent\n          env:\n            - name: LOG_LEVEL\n              value: info\n            - name: %s\n              value: %s\n", "DB_PASSWORD"},
		{"deploy/job.yaml", "env:\n- value: \"%[2]s\"\n  name: %[1]s\n", "ORDERS_API_TOKEN"},
		{"values.yaml", "extraEnv:\n  - {name: %s, value: '%s'}\n", "SESSION_SECRET"},
		{"task-definition.json", "{\"containerDefinitions\": [{\"name\": \"agent\", \"environment\": [\n  {\"name\": \"%s\",\n   \"value\": \"%s\"}]}]}\n", "API_KEY"},
		{"ecs.json", "{\"environment\": [{\"value\": \"%[2]s\", \"name\": \"%[1]s\"}]}\n", "ADMIN_PASSWORD"},
		{"tekton/task.yaml", "apiVersion: tekton.dev/v1\nkind: Task\nspec:\n  params:\n    - name: %s\n      type: string\n      description: the registry credential\n      default: %s\n", "registry-token"},
	} {
		pw := a.password()
		rule := RuleGenericSecret
		if strings.Contains(strings.ToLower(c.name), "password") {
			rule = RuleGenericPassword
		}
		a.add(ClassNameValue, fmt.Sprintf("%02d/%s", i, c.file), fmt.Appendf(nil, c.format, c.name, pw), []string{rule}, pw)
	}
	g := a.g
	a.decoy(ClassNameValue, "deployment.yaml", fmt.Appendf(nil, "env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef: {name: db, key: password}\n  - name: LOG_LEVEL\n    value: %s\n  - name: TOKEN_TTL\n    value: \"%s\"\n  - name: API_TOKEN\n    value: ${API_TOKEN}\n  - name: SECRET_NAME\n    value: %s\n", g.s(csAlnum, 16), g.s(csAlnum, 16), g.s(csAlnum, 16)))
	a.decoy(ClassNameValue, "ecs.json", fmt.Appendf(nil, "{\"environment\": [{\"name\": \"REGION\", \"value\": \"%s\"}, {\"name\": \"DB_PASSWORD\", \"value\": \"\"}], \"secrets\": [{\"name\": \"API_KEY\", \"valueFrom\": \"arn:aws:ssm:eu-west-1:123456789012:parameter/api-key\"}]}\n", g.s(csAlnum, 16)))
	a.decoy(ClassNameValue, "task.yaml", fmt.Appendf(nil, "params:\n  - name: token-file\n    default: /var/run/secrets/token\n  - name: password-length\n    default: \"%s\"\n  - name: image\n    default: %s\n", "32", g.s(csAlnum, 20)))
}

// credentialFiles plants credentials in the files that hold them by
// format rather than by a token's prefix.
func (a *adv) credentialFiles() {
	g := a.g
	key, _ := g.Value(RuleAzureStorage, 0)
	a.add(ClassCredFormats, "local.settings.json", fmt.Appendf(nil, "{\"Values\": {\"AzureWebJobsStorage\": \"DefaultEndpointsProtocol=https;AccountName=agent;AccountKey=%s;EndpointSuffix=core.windows.net\"}}\n", key), []string{RuleAzureStorage}, key)
	sas, _ := g.Value(RuleAzureStorage, 1)
	a.add(ClassCredFormats, "events.env", fmt.Appendf(nil, "EVENTHUB=Endpoint=sb://agent.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=%s;EntityPath=orders\n", sas), []string{RuleAzureStorage}, sas)
	age, _ := g.Value(RuleAge, 0)
	a.add(ClassCredFormats, ".sops/keys.txt", fmt.Appendf(nil, "# created: 2026-01-01T00:00:00Z\n# public key: age1%s\n%s\n", strings.ToLower(g.s(csUpperNum, 58)), age), []string{RuleAge}, age)
	ppk := g.PuTTYKey()
	a.add(ClassCredFormats, "deploy/ops.ppk", []byte(ppk), []string{RulePrivateKey}, ppk)
	pw := a.password()
	a.add(ClassCredFormats, "home/.netrc", fmt.Appendf(nil, "machine api.example.com\n  login agent\n  password %s\nmachine other.example.com login bob password ${NETRC_PASSWORD}\n", pw), []string{RuleGenericPassword}, pw)
	pw = a.password()
	auth := base64.StdEncoding.EncodeToString([]byte("agent:" + pw))
	a.add(ClassCredFormats, ".docker/config.json", fmt.Appendf(nil, "{\"auths\": {\"registry.example.com\": {\"auth\": \"%s\"}}}\n", auth), []string{RuleGenericPassword}, pw)
	pw = a.password()
	auth = base64.StdEncoding.EncodeToString([]byte("agent:" + pw))
	a.add(ClassCredFormats, "npm/.npmrc", fmt.Appendf(nil, "registry=https://npm.example.com/\n//npm.example.com/:_auth=%s\nalways-auth=true\n", auth), []string{RuleGenericPassword}, pw)

	// the storage emulator's published key, placeholders, a public age
	// key, an identity with a broken checksum, a .ppk mentioned in prose
	bad := []byte(age)
	bad[len(bad)-1] = map[bool]byte{true: 'Q', false: 'P'}[bad[len(bad)-1] != 'Q']
	a.decoy(ClassCredFormats, "azurite.env", []byte("AZURE_STORAGE=DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;\nOTHER=AccountKey=<your-account-key>;SharedAccessKey=${SAS_KEY}\n"))
	a.decoy(ClassCredFormats, "age.txt", fmt.Appendf(nil, "recipient: age1%s\nbroken: %s\n", strings.ToLower(g.s(csUpperNum, 58)), bad))
	a.decoy(ClassCredFormats, "docs/putty.md", []byte("Convert the key: a file starting PuTTY-User-Key-File-3: has Private-Lines: 1 then the key.\n"))
	a.decoy(ClassCredFormats, ".netrc", []byte("machine api.example.com login agent password ${API_PASSWORD}\ndefault login anonymous\n"))
	a.decoy(ClassCredFormats, "config.json", fmt.Appendf(nil, "{\"auths\": {\"ghcr.io\": {\"auth\": \"\"}, \"quay.io\": {\"auth\": \"%s\"}}, \"credsStore\": \"desktop\"}\n", base64.StdEncoding.EncodeToString([]byte("agent:"))))
}
