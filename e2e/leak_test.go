package e2e

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/tollgate-dev/tollgate/internal/secretgen"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/secrets"
)

// leakSeed seeds the planted secrets; leakRefSeeds seed the reference
// samples that tell a value's public format (prefixes, PEM armour, DER
// headers, the JWT header) from its secret bytes.
const leakSeed = 0x1eac

var leakRefSeeds = []uint64{1, 2, 3}

// leakTaskFailed is the secret-inventory task's line in tollgate run's output.
var leakTaskFailed = regexp.MustCompile(`(?m)^secret-inventory\s+Succeeded\s+verdict=fail\b`)

// leakPlant is one secret planted for one detector.
type leakPlant struct {
	rule, value string
	variant     int // secretgen variant (token prefix, key encoding)
}

// TestLeak plants one secret of every detector in a reviewed, approved copy
// of the example release, runs the whole pipeline with `tollgate run`, and
// proves that the run is blocked by secret-inventory, that every detector
// fired, and that no planted value, no 8-byte window of one (longer when
// 8 bytes carry under 40 bits, see leakWindow), nor its base64 or
// URL-encoded form
// appears in anything the pipeline wrote:
// stdout, stderr, results, reports, SARIF, JUnit, gate summary, logs,
// run.json, the attestation bundles and their decoded DSSE payloads. The
// planted files themselves (the source, and its copy the fetch task pulled
// into the run workspace) are the only exclusion.
func TestLeak(t *testing.T) {
	t.Parallel()
	r := newRelease(t).clone(t)
	plants, archived := plantSecrets(t, filepath.Join(r.source, "release"))

	// The finder must see every planted value where it was planted (zip
	// members uncompressed), or finding nothing in the outputs means nothing.
	inputs := walkFiles(t, filepath.Join(r.source, "release"))
	maps.Copy(inputs, archived)
	seen := map[string]bool{}
	for _, h := range findLeaks(plants, inputs) {
		seen[h.rule] = true
	}
	for _, p := range plants {
		if !seen[p.rule] {
			t.Errorf("the leak finder does not see the planted %s value in the planted files", p.rule)
		}
	}

	out := filepath.Join(t.TempDir(), "run")
	res := run(t, r.root, nil, "tollgate", "--log-level", "debug", "run", "--bin-dir", binDir,
		"--source", r.source, "--workspace", "signing="+r.signing, "--workspace", "policy="+r.platform,
		"--param", "policy-digest="+r.policyDigest(t), "--out", out)
	if res.code != 1 || !leakTaskFailed.MatchString(res.stdout) {
		t.Fatalf("tollgate run on a release with planted secrets: want exit 1 with secret-inventory verdict=fail, got %s", res)
	}
	if v := mustReadFile(t, filepath.Join(out, "results", "secret-inventory", "verdict")); v != "fail" {
		t.Errorf("secret-inventory verdict result %q, want fail", v)
	}
	var gate evidence.Report
	if err := json.Unmarshal([]byte(mustReadFile(t, filepath.Join(out, "workspaces", "run", "evidence", "gate.json"))), &gate); err != nil {
		t.Fatal(err)
	}
	if gate.Verdict != evidence.Fail || !slices.ContainsFunc(gate.Findings, func(f evidence.Finding) bool {
		return f.Blocking && (f.Subject == "secret-inventory" || strings.HasPrefix(f.Message, "secret-inventory"))
	}) {
		t.Errorf("gate.json: want verdict fail with a blocking secret-inventory finding, got %s: %s", gate.Verdict, gate.Summary)
	}

	// The step on its own at debug level: inside the pipeline it logs at
	// the level its Task sets.
	step := filepath.Join(t.TempDir(), "step")
	direct := run(t, r.root, nil, "secret-inventory", "--log-level", "debug", "--log-format", "json",
		"--artifact", filepath.Join(r.source, "release"), "--review", filepath.Join(r.source, "review.yaml"),
		"--policy", r.policy(),
		"--evidence-dir", filepath.Join(step, "evidence"), "--results-dir", filepath.Join(step, "results"))
	if direct.code != 0 {
		t.Fatalf("secret-inventory --log-level debug: want exit 0 (verdict fail), got %s", direct)
	}

	var report evidence.Report
	if err := json.Unmarshal([]byte(mustReadFile(t, filepath.Join(out, "workspaces", "run", "evidence", "secret-inventory.json"))), &report); err != nil {
		t.Fatal(err)
	}
	if report.Verdict != evidence.Fail {
		t.Errorf("secret-inventory verdict %s, want fail", report.Verdict)
	}
	fired := map[string]int{}
	for _, f := range report.Findings {
		if rule, ok := strings.CutPrefix(f.Class, secrets.ClassLiteralPrefix); ok {
			fired[rule]++
		}
	}
	for _, p := range plants {
		if fired[p.rule] == 0 {
			t.Errorf("detector %s produced no finding: a leak test that finds nothing proves nothing", p.rule)
		}
	}

	// tollgate review refuses to copy the literal credentials into a
	// record (exit 1, naming the file); with --redact it masks them.
	revDir := t.TempDir()
	refused := run(t, r.root, nil, "tollgate", "review", filepath.Join(r.source, "release"), "-o", filepath.Join(revDir, "review.yaml"))
	if refused.code != 1 || !strings.Contains(refused.stderr, "mcp.json") || !strings.Contains(refused.stderr, "--redact") {
		t.Errorf("tollgate review on a release with literal credentials in mcp.json: want exit 1 naming mcp.json and --redact, got %s", refused)
	}
	if _, err := os.Stat(filepath.Join(revDir, "review.yaml")); err == nil {
		t.Error("tollgate review wrote the refused record")
	}
	redacted := run(t, r.root, nil, "tollgate", "--log-level", "debug", "review", filepath.Join(r.source, "release"), "-o", filepath.Join(revDir, "review-redacted.yaml"), "--redact")
	if redacted.code != 0 {
		t.Fatalf("tollgate review --redact: %s", redacted)
	}
	if rec := mustReadFile(t, filepath.Join(revDir, "review-redacted.yaml")); !strings.Contains(rec, "[REDACTED:") {
		t.Error("the redacted review record holds no [REDACTED:...] marker: the test plants nothing it masks")
	}
	// The ad hoc commands, in every format.
	clean := filepath.Join(t.TempDir(), "clean")
	copyTree(t, filepath.Join(r.root, "examples", "agent-release", "release"), clean)
	adhoc := map[string]result{"<review refused>": refused, "<review --redact>": redacted}
	for _, f := range []string{"text", "json", "sarif"} {
		d := run(t, r.root, nil, "tollgate", "--log-level", "debug", "diff-permissions", "--baseline", clean, "--candidate", filepath.Join(r.source, "release"), "--format", f)
		if d.code != 1 {
			t.Errorf("diff-permissions --format %s: want exit 1 (new servers), got %s", f, d)
		}
		adhoc["<diff-permissions "+f+">"] = d
		sc := run(t, r.root, nil, "tollgate", "--log-level", "debug", "scan-secrets", filepath.Join(r.source, "release"), "--format", f)
		if sc.code != 1 {
			t.Errorf("scan-secrets --format %s: want exit 1, got %s", f, sc)
		}
		adhoc["<scan-secrets "+f+">"] = sc
	}
	pdStep := filepath.Join(t.TempDir(), "pd")
	pd := run(t, r.root, nil, "permission-diff", "--log-level", "debug", "--log-format", "console",
		"--artifact", filepath.Join(r.source, "release"), "--review", filepath.Join(r.source, "review.yaml"),
		"--evidence-dir", filepath.Join(pdStep, "evidence"), "--results-dir", filepath.Join(pdStep, "results"))
	adhoc["<permission-diff>"] = pd

	outputs := walkFiles(t, out, step, revDir, pdStep)
	for name, res := range adhoc {
		outputs[name+" stdout"] = []byte(res.stdout)
		outputs[name+" stderr"] = []byte(res.stderr)
	}
	if _, ok := outputs[filepath.Join(revDir, "review-redacted.yaml")]; !ok {
		t.Error("the redacted review record is not searched")
	}
	// The fetched candidate is the input, byte for byte: the planted files
	// themselves, as in the source workspace.
	fetched := filepath.Join(out, "workspaces", "run", "source") + string(filepath.Separator)
	for name := range outputs {
		if strings.HasPrefix(name, fetched) {
			delete(outputs, name)
		}
	}
	// What is searched must include everything the issue names.
	for _, name := range []string{"run.json", "results/secret-inventory/summary", "results/gate/summary",
		"logs/secret-inventory/00-secret-inventory.log", "logs/gate/00-gate.log",
		"workspaces/run/evidence/secret-inventory.json", "workspaces/run/evidence/secret-inventory.sarif",
		"workspaces/run/evidence/gate.json", "workspaces/run/evidence/gate-summary.md", "workspaces/run/evidence/gate-junit.xml",
		"workspaces/run/evidence/release-gate.sigstore.json", "workspaces/run/evidence/verification-summary.sigstore.json"} {
		if _, ok := outputs[filepath.Join(out, filepath.FromSlash(name))]; !ok {
			t.Errorf("the run wrote no %s: the leak search would miss it", name)
		}
	}
	outputs["<tollgate run stdout>"] = []byte(res.stdout)
	outputs["<tollgate run stderr>"] = []byte(res.stderr)
	outputs["<secret-inventory stdout>"] = []byte(direct.stdout)
	outputs["<secret-inventory stderr>"] = []byte(direct.stderr)
	payloads := map[string][]byte{}
	for name, b := range outputs {
		if strings.HasSuffix(name, ".sigstore.json") {
			payloads[name+" (DSSE payload)"] = leakDSSEPayload(t, name, b)
		}
	}
	maps.Copy(outputs, payloads)
	if bundles := len(payloads); bundles < 2 {
		t.Errorf("found %d attestation bundles under %s, want release-gate and verification-summary", bundles, out)
	}
	for _, h := range findLeaks(plants, outputs) {
		t.Error(h)
	}
	size := 0
	for _, b := range outputs {
		size += len(b)
	}
	t.Logf("%d secrets of %d detectors planted; %d outputs (%d DSSE payloads, %d bytes) searched", len(plants), len(fired), len(outputs), len(payloads), size)
}

// plantSecrets writes one secret of every detector into the release at
// art, where agent releases carry them, and returns what it planted and
// the uncompressed archive members it planted them in.
func plantSecrets(t *testing.T, art string) ([]leakPlant, map[string][]byte) {
	t.Helper()
	g := secretgen.New(leakSeed)
	var plants []leakPlant
	v := func(rule string, variant int) string {
		s, err := g.Value(rule, variant)
		if err != nil {
			t.Fatal(err)
		}
		plants = append(plants, leakPlant{rule: rule, value: s, variant: variant})
		return s
	}
	put := func(name string, body []byte) {
		p := filepath.Join(art, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	appendTo := func(name, text string) {
		b, err := os.ReadFile(filepath.Join(art, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		put(name, append(b, text...))
	}

	// A prompt that quotes a key; the MCP config with literal tokens
	// where references were.
	appendTo("prompts/system.md", "\nWhen the orders API is down, call the fallback model with the key "+v(secretgen.RuleOpenAI, 1)+".\n")
	editFile(t, filepath.Join(art, "mcp.json"), func(s string) string {
		s = strings.Replace(s, "${ORDERS_API_TOKEN}", v(secretgen.RuleStripe, 0), 1)
		return strings.Replace(s, "Bearer ${TICKETS_TOKEN}", "Bearer "+v(secretgen.RuleJWT, 0), 1)
	})
	// A dotenv next to the agent.
	put(".env", []byte(fmt.Sprintf("# local runtime\nANTHROPIC_API_KEY=%s\nANTHROPIC_ADMIN_KEY=%s\nCOHERE_API_KEY=%s\nMISTRAL_API_KEY=%s\nAZURE_OPENAI_API_KEY=%s\nAZURE_OPENAI_ENDPOINT=https://support.openai.azure.com/\n",
		v(secretgen.RuleAnthropic, 0), v(secretgen.RuleAnthropicAdmin, 0), v(secretgen.RuleCohere, 0), v(secretgen.RuleMistral, 0), v(secretgen.RuleAzureOpenAI, 0))))
	// A notebook whose cell output printed a token.
	nb, err := json.Marshal(map[string]any{
		"cells": []any{map[string]any{
			"cell_type": "code", "execution_count": 1, "metadata": map[string]any{},
			"source": []string{"from huggingface_hub import whoami\n", "print(whoami())\n"},
			"outputs": []any{map[string]any{"output_type": "stream", "name": "stdout",
				"text": []string{"logged in with " + v(secretgen.RuleHuggingFace, 0) + "\n", "replicate: " + v(secretgen.RuleReplicate, 0) + "\n"}}},
		}},
		"metadata": map[string]any{}, "nbformat": 4, "nbformat_minor": 5,
	})
	if err != nil {
		t.Fatal(err)
	}
	put("agent/eval.ipynb", nb)
	// A LoRA adapter whose safetensors __metadata__ kept the training
	// run's credentials.
	put("model/adapter.safetensors", leakSafetensors(t, map[string]string{
		"format": "pt", "hf_org_token": v(secretgen.RuleHuggingFaceOrg, 0), "wandb_api_key": v(secretgen.RuleWandB, 0),
	}))
	// A zip of tool configs.
	members := map[string][]byte{"providers/config.yaml": fmt.Appendf(nil, "groq:\n  api_key: %s\nxai:\n  api_key: %s\nopenrouter:\n  api_key: %s\nperplexity:\n  api_key: %s\n",
		v(secretgen.RuleGroq, 0), v(secretgen.RuleXAI, 0), v(secretgen.RuleOpenRouter, 0), v(secretgen.RulePerplexity, 0))}
	put("tools/providers.zip", leakZip(t, members))
	// Kubernetes manifests: a Secret with a base64 value, a TLS key,
	// a service-account key file and a key store.
	put("deploy/secret.yaml", []byte(secretgen.KubernetesSecret("orders-db", "password", v(secretgen.RuleGenericPassword, 0))))
	put("deploy/tls.key", []byte(v(secretgen.RulePrivateKey, 2)))
	put("deploy/gcp-sa.json", secretgen.ServiceAccountJSON("5f0c1d2e3a4b5c6d7e8f90a1b2c3d4e5f6a7b8c9", v(secretgen.RuleGCPServiceAcct, 0)))
	put("deploy/client.p12", secretgen.PKCS12(v(secretgen.RulePKCS12, 0)))
	// Cloud credentials and agent settings in source.
	put(".aws/credentials", []byte(fmt.Sprintf("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\nregion = eu-west-1\n",
		v(secretgen.RuleAWSKeyID, 0), v(secretgen.RuleAWSSecret, 0))))
	put("agent/settings.py", []byte(fmt.Sprintf("import os\n\nDATABASE_URL = \"postgres://orders:%s@db.internal:5432/orders\"\nGEMINI_API_KEY = \"%s\"\nclient_secret = \"%s\"\nPINECONE_API_KEY = \"%s\"\nLANGSMITH_API_KEY = \"%s\"\nAZURE_CLIENT_SECRET = \"%s\"\nSLACK_WEBHOOK = \"%s\"\nSLACK_BOT_TOKEN = \"%s\"\n",
		v(secretgen.RuleConnectionURL, 0), v(secretgen.RuleGoogleAPI, 0), v(secretgen.RuleGenericSecret, 0), v(secretgen.RulePinecone, 0),
		v(secretgen.RuleLangSmith, 0), v(secretgen.RuleAzureClient, 0), v(secretgen.RuleSlackWebhook, 0), v(secretgen.RuleSlack, 0))))
	// A storage connection string and an age identity (SOPS).
	put("deploy/storage.env", []byte(fmt.Sprintf("AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;AccountName=agentstore;AccountKey=%s;EndpointSuffix=core.windows.net\n", v(secretgen.RuleAzureStorage, 0))))
	put(".config/sops/age/keys.txt", []byte(fmt.Sprintf("# created: 2026-11-30T09:00:00Z\n# public key: age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq\n%s\n", v(secretgen.RuleAge, 0))))
	// A CI workflow with publishing tokens.
	put(".github/workflows/publish.yaml", []byte(fmt.Sprintf("name: publish\non: [push]\nenv:\n  GITHUB_TOKEN: %s\n  GH_PAT: %s\n  GITLAB_TOKEN: %s\n  NPM_TOKEN: %s\n  PYPI_TOKEN: %s\n  STRIPE_TEST_SECRET: %s\njobs: {}\n",
		v(secretgen.RuleGitHub, 0), v(secretgen.RuleGitHubFine, 0), v(secretgen.RuleGitLab, 0), v(secretgen.RuleNPM, 0), v(secretgen.RulePyPI, 0), v(secretgen.RuleStripeTest, 0))))

	// Leaks through the permission surfaces, which keep full content: a
	// password in an MCP server URL's userinfo, a connection string and a
	// token after a flag in server arguments, credentials in a URL that
	// does not parse, a base URL with credentials in Claude Code's env,
	// and a token pasted where a reference name belongs.
	pwURL, pwConn, tokArg, pwBad, pwEnv := v(secretgen.RuleConnectionURL, 1), v(secretgen.RuleConnectionURL, 2), v(secretgen.RuleGenericSecret, 1), v(secretgen.RuleConnectionURL, 3), v(secretgen.RuleConnectionURL, 4)
	editFile(t, filepath.Join(art, "mcp.json"), func(s string) string {
		return strings.Replace(s, `"tickets": {`, fmt.Sprintf(`"analytics": {"type": "http", "url": "https://svc:%s@mcp.analytics.example.com/mcp"},
    "warehouse": {"command": "pg-mcp", "args": ["postgresql://reader:%s@db.internal:5432/wh", "--token", "%s"]},
    "orders-db": {"command": "mysql", "args": ["-uagent", "-p%s", "-hdb.internal"]},
    "legacy": {"type": "sse", "url": "https://ops:%s@[mcp.legacy.example/sse"},
    "tickets": {`, pwURL, pwConn, tokArg, v(secretgen.RuleCLIPassword, 0), pwBad), 1)
	})
	editFile(t, filepath.Join(art, ".claude", "settings.json"), func(s string) string {
		return strings.Replace(s, `"permissions": {`, fmt.Sprintf(`"env": {"ANTHROPIC_BASE_URL": "https://proxy:%s@llm-proxy.example.com/v1"},
  "permissions": {`, pwEnv), 1)
	})
	put("deploy/agent-config.yaml", []byte(fmt.Sprintf("agent:\n  search_token: ${%s}\n", v(secretgen.RuleGitHub, 1))))

	planted := map[string]bool{}
	for _, p := range plants {
		planted[p.rule] = true
	}
	for _, rule := range secretgen.Rules() {
		if !planted[rule] {
			t.Fatalf("no secret planted for detector %s: add one to plantSecrets", rule)
		}
	}
	archived := map[string][]byte{}
	for name, b := range members {
		archived["tools/providers.zip!"+name] = b
	}
	return plants, archived
}

// leakSafetensors is a safetensors file with one small tensor and meta as
// its __metadata__.
func leakSafetensors(t *testing.T, meta map[string]string) []byte {
	t.Helper()
	header, err := json.Marshal(map[string]any{
		"__metadata__":  meta,
		"lora_A.weight": map[string]any{"dtype": "F32", "shape": []int{2, 2}, "data_offsets": []int{0, 16}},
	})
	if err != nil {
		t.Fatal(err)
	}
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	for range 4 {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(0.5))
	}
	return b
}

// leakZip is a zip archive of files.
func leakZip(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, body := range files {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// leakDSSEPayload decodes the DSSE payload of the Sigstore bundle b.
func leakDSSEPayload(t *testing.T, name string, b []byte) []byte {
	t.Helper()
	var bundle struct {
		DSSEEnvelope struct {
			Payload string `json:"payload"`
		} `json:"dsseEnvelope"`
	}
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	p, err := base64.StdEncoding.DecodeString(bundle.DSSEEnvelope.Payload)
	if err != nil || len(p) == 0 {
		t.Fatalf("%s: no decodable DSSE payload: %v", name, err)
	}
	return p
}

// leakForms are the encodings of a value searched for: as is, base64
// (standard and URL alphabets, at each of the three byte alignments, so a
// value encoded inside a longer string is caught too) and URL-encoded.
func leakForms(v string) map[string]string {
	forms := map[string]string{"plain": v}
	if q := url.QueryEscape(v); q != v {
		forms["url-query"] = q
	}
	if p := url.PathEscape(v); p != v && p != forms["url-query"] {
		forms["url-path"] = p
	}
	for off := range 3 {
		if off < len(v) {
			forms[fmt.Sprintf("base64+%d", off)] = strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(v[off:])), "=")
			forms[fmt.Sprintf("base64url+%d", off)] = base64.RawURLEncoding.EncodeToString([]byte(v[off:]))
		}
	}
	return forms
}

// leakWindow returns the window of s starting at i: at least 8 bytes,
// longer until it carries 38 bits, so that no window matches a digest, a
// size or a timestamp by chance. A letter or digit carries 5.9 bits (4 when
// the first 8 bytes are hex, 3.3 when they hold no letter), any other byte
// 2: 8 letters and digits, 10 hex digits, 12 decimal digits. ok is false
// when s has too few bytes left.
func leakWindow(s string, i int) (w string, ok bool) {
	head := s[i:min(i+8, len(s))]
	per := math.Log2(62)
	switch {
	case strings.IndexFunc(head, unicode.IsLetter) < 0:
		per = math.Log2(10)
	case strings.IndexFunc(head, func(r rune) bool { return unicode.IsLetter(r) && !strings.ContainsRune("abcdefABCDEF", r) }) < 0:
		per = 4
	}
	bits := 0.0
	for j := i; j < len(s); j++ {
		if c := rune(s[j]); unicode.IsLetter(c) || unicode.IsDigit(c) {
			bits += per
		} else {
			bits += 2
		}
		if j+1-i >= 8 && bits >= 38 {
			return s[i : j+1], true
		}
	}
	return "", false
}

// leakNeedle is one window searched for.
type leakNeedle struct{ rule, form, window string }

// leakHit is a window found in an output.
type leakHit struct {
	leakNeedle
	output  string
	at      int
	context []byte
}

func (h leakHit) String() string {
	return fmt.Sprintf("%s value (%s form) leaked into %s at byte %d: window %q in %q", h.rule, h.form, h.output, h.at, h.window, h.context)
}

// findLeaks returns one hit per planted value, form and output in which
// a window of the form appears.
// Windows that reference samples of the same detector and variant share
// are format, not secret ("sk-ant-api03-", PEM armour, DER headers, the
// JWT header), and are not searched.
func findLeaks(plants []leakPlant, outputs map[string][]byte) []leakHit {
	byHead := map[[8]byte][]leakNeedle{}
	for _, p := range plants {
		var public []string
		for _, seed := range leakRefSeeds {
			ref, err := secretgen.New(seed).Value(p.rule, p.variant)
			if err != nil {
				panic(err) // p.rule came from secretgen.Rules
			}
			public = slices.AppendSeq(public, maps.Values(leakForms(ref)))
		}
		pub := strings.Join(public, "\x00")
		for form, s := range leakForms(p.value) {
			for i := range len(s) {
				w, ok := leakWindow(s, i)
				if ok && strings.HasPrefix(form, "base64") {
					// Base64 letters carry the value's bits, not their
					// own: 14 characters hold 10 bytes of the value, so
					// a hex value's window carries 40 bits, as its raw
					// window does (8 characters held 6 hex digits and
					// matched digests by chance).
					if ok = i+14 <= len(s); ok && len(w) < 14 {
						w = s[i : i+14]
					}
				}
				if ok && !strings.Contains(pub, w) {
					h := [8]byte([]byte(w[:8]))
					byHead[h] = append(byHead[h], leakNeedle{p.rule, form, w})
				}
			}
		}
	}
	names := make([]string, 0, len(outputs))
	for n := range outputs {
		names = append(names, n)
	}
	sort.Strings(names)
	var leaks []leakHit
	for _, n := range names {
		b := outputs[n]
		reported := map[[2]string]bool{}
		for at := 0; at+8 <= len(b); at++ {
			for _, nd := range byHead[[8]byte(b[at:at+8])] {
				k := [2]string{nd.rule, nd.form}
				if !reported[k] && bytes.HasPrefix(b[at:], []byte(nd.window)) {
					reported[k] = true
					leaks = append(leaks, leakHit{nd, n, at, b[max(0, at-40):min(len(b), at+len(nd.window)+40)]})
				}
			}
		}
	}
	return leaks
}

// TestFindLeaks shows the leak finder catches each form it claims to and
// ignores a value's public format, so TestLeak cannot pass vacuously.
func TestFindLeaks(t *testing.T) {
	t.Parallel()
	g := secretgen.New(leakSeed)
	tok, err := g.Value(secretgen.RuleAnthropic, 0)
	if err != nil {
		t.Fatal(err)
	}
	hex, err := g.Value(secretgen.RuleWandB, 0)
	if err != nil {
		t.Fatal(err)
	}
	hook, err := g.Value(secretgen.RuleSlackWebhook, 0)
	if err != nil {
		t.Fatal(err)
	}
	plants := []leakPlant{{rule: secretgen.RuleAnthropic, value: tok}, {rule: secretgen.RuleWandB, value: hex}, {rule: secretgen.RuleSlackWebhook, value: hook}}
	// Across an encoded slash: only the URL-encoded form has these bytes.
	q := url.QueryEscape(hook)
	slash := strings.LastIndex(q, "%2F")
	encoded := q[slash-3 : slash+7]
	if strings.Contains(hook, encoded) {
		t.Fatalf("%q is in the plain value", encoded)
	}
	for _, tc := range []struct {
		name, output string
		leak         bool
	}{
		{"clean", "literal Anthropic API key (sk-ant-api03-) in .env:2, hint sk-a", false},
		{"hex digest", "sha256:" + hex[:9] + "0123456789abcdef", false},
		{"whole value", "token=" + tok, true},
		{"8-byte window", "...." + tok[20:28] + "....", true},
		{"10 hex digits", "x" + hex[5:15] + "x", true},
		{"9 hex digits", "x" + hex[5:14] + "x", false},
		{"7 bytes", "...." + tok[20:27] + "....", false},
		{"base64", base64.StdEncoding.EncodeToString([]byte("k=" + tok)), true},
		{"base64url", base64.RawURLEncoding.EncodeToString([]byte(tok)), true},
		{"url-encoded", "?next=" + encoded + "&", true},
		{"url-encoded, 7 bytes", "?next=" + encoded[1:8] + "&", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			leaks := findLeaks(plants, map[string][]byte{"out": []byte(tc.output)})
			if got := len(leaks) > 0; got != tc.leak {
				t.Fatalf("leak found = %v, want %v: %v", got, tc.leak, leaks)
			}
		})
	}
}
