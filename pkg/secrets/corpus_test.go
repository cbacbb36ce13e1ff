package secrets

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	crand "crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const (
	csAlnum     = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	csAlnumDash = csAlnum + "-_"
	csLetters   = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	csHex       = "0123456789abcdef"
	csUpperNum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	csAzure     = csAlnum + "_~."
)

// gen makes structurally valid credentials from a seeded generator, so
// the corpus is the same on every run and no real secret is committed.
type gen struct{ r *rand.Rand }

func newGen(seed uint64) *gen { return &gen{rand.New(rand.NewPCG(seed, seed^0x5eed))} }

// s returns n random characters of cs, avoiding runs that the placeholder
// filter rejects.
func (g *gen) s(cs string, n int) string {
	for {
		b := make([]byte, n)
		for i := range b {
			b[i] = cs[g.r.IntN(len(cs))]
		}
		mixed := strings.ContainsAny(cs, "0123456789") && strings.ContainsAny(cs, csLetters)
		if !placeholderBody(string(b)) && (n < 8 || !mixed || hasDigitAndLetter(string(b))) {
			return string(b)
		}
	}
}

func (g *gen) digits(n int) string { return g.s("0123456789", n) }

func (g *gen) crcToken(prefix string) string {
	r := g.s(csAlnum, 30)
	return prefix + r + Base62CRC32(r)
}

func (g *gen) awsKeyID() string {
	for {
		account := g.r.Uint64N(1_000_000_000_000)
		v := account<<7 | g.r.Uint64N(128) | g.r.Uint64N(2)<<47
		raw := make([]byte, 10)
		var b8 [8]byte
		binary.BigEndian.PutUint64(b8[:], v)
		copy(raw, b8[2:])
		for i := 6; i < 10; i++ {
			raw[i] = byte(g.r.IntN(256))
		}
		body := base32.StdEncoding.EncodeToString(raw)
		if !placeholderBody(body) {
			return []string{"AKIA", "ASIA"}[g.r.IntN(2)] + body
		}
	}
}

func (g *gen) jwt() string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	p := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"sub":"%s","iat":%d}`, g.s(csAlnum, 12), 1700000000+g.r.IntN(1e6))))
	return h + "." + p + "." + g.s(csAlnumDash, 43)
}

func (g *gen) ecKey() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), crand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

func (g *gen) pkcs8PEM() string {
	der, err := x509.MarshalPKCS8PrivateKey(g.ecKey())
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func (g *gen) privateKeyPEM(i int) string {
	switch i % 4 {
	case 0:
		return g.pkcs8PEM()
	case 1:
		der, err := x509.MarshalECPrivateKey(g.ecKey())
		if err != nil {
			panic(err)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	case 2:
		k, err := rsa.GenerateKey(crand.Reader, 1024)
		if err != nil {
			panic(err)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
	}
	return g.openSSH()
}

// openSSH builds an unencrypted openssh-key-v1 ed25519 key.
func (g *gen) openSSH() string {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(g.r.IntN(256))
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	str := func(b []byte) []byte {
		var l [4]byte
		binary.BigEndian.PutUint32(l[:], uint32(len(b)))
		return append(l[:], b...)
	}
	pubBlob := append(str([]byte("ssh-ed25519")), str(pub)...)
	check := make([]byte, 4)
	binary.BigEndian.PutUint32(check, g.r.Uint32())
	privSec := append(append([]byte{}, check...), check...)
	privSec = append(privSec, pubBlob...)
	privSec = append(privSec, str(priv)...)
	privSec = append(privSec, str([]byte("agent@example"))...)
	for i := byte(1); len(privSec)%8 != 0; i++ {
		privSec = append(privSec, i)
	}
	blob := []byte("openssh-key-v1\x00")
	blob = append(blob, str([]byte("none"))...)
	blob = append(blob, str([]byte("none"))...)
	blob = append(blob, str(nil)...)
	blob = append(blob, 0, 0, 0, 1)
	blob = append(blob, str(pubBlob)...)
	blob = append(blob, str(privSec)...)
	return string(pem.EncodeToMemory(&pem.Block{Type: "OPENSSH PRIVATE KEY", Bytes: blob}))
}

func (g *gen) pkcs12() []byte {
	type contentInfo struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"tag:0,explicit"`
	}
	type pfx struct {
		Version  int
		AuthSafe contentInfo
	}
	inner, _ := asn1.Marshal([]byte(g.s(csAlnum, 200)))
	b, err := asn1.Marshal(pfx{Version: 3, AuthSafe: contentInfo{
		ContentType: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1},
		Content:     asn1.RawValue{FullBytes: inner},
	}})
	if err != nil {
		panic(err)
	}
	return b
}

// planted is one corpus file: its content and the rules it must yield.
type planted struct {
	name  string
	body  []byte
	rules []string
}

// contexts embed a token the way agent releases carry them.
func embed(g *gen, i int, envKey, tok string) (string, string) {
	switch i % 6 {
	case 0:
		return "config.yaml", fmt.Sprintf("provider:\n  name: test\n  %s: %s\n", strings.ToLower(envKey), tok)
	case 1:
		return ".env", fmt.Sprintf("# runtime\n%s=%s\nLOG_LEVEL=debug\n", envKey, tok)
	case 2:
		return "mcp.json", fmt.Sprintf("{\n  \"mcpServers\": {\n    \"svc\": {\n      \"command\": \"npx\",\n      \"env\": {\"%s\": \"%s\"}\n    }\n  }\n}\n", envKey, tok)
	case 3:
		return "agent.py", fmt.Sprintf("import os\n\nclient = Client(\n    api_key=\"%s\",\n)\n", tok)
	case 4:
		return "prompts/system.md", fmt.Sprintf("# System\n\nYou are a helpful agent. Use the credential %s when calling the API.\n", tok)
	}
	return "notebook.ipynb", fmt.Sprintf(`{"cells":[{"cell_type":"code","source":["import os\n","os.environ[\"%s\"] = \"%s\"\n"],"outputs":[{"output_type":"stream","text":["ok\n"]}]}],"metadata":{},"nbformat":4,"nbformat_minor":5}`, envKey, tok)
}

// corpus returns n true samples per detector and the decoys.
func corpus(n int) (truth []planted, decoys []planted) {
	g := newGen(42)
	tokens := []struct {
		rule, env string
		make      func(i int) string
	}{
		{ruleOpenAI, "OPENAI_API_KEY", func(i int) string {
			if i%3 == 0 {
				return "sk-" + g.s(csAlnum, 20) + "T3BlbkFJ" + g.s(csAlnum, 20)
			}
			return []string{"sk-proj-", "sk-svcacct-", "sk-admin-"}[i%3] + g.s(csAlnumDash, 74) + "T3BlbkFJ" + g.s(csAlnumDash, 74)
		}},
		{ruleAnthropic, "ANTHROPIC_API_KEY", func(int) string { return "sk-ant-api03-" + g.s(csAlnumDash, 93) + "AA" }},
		{ruleAnthropicAdmin, "ANTHROPIC_ADMIN_KEY", func(int) string { return "sk-ant-admin01-" + g.s(csAlnumDash, 93) + "AA" }},
		{ruleHuggingFace, "HF_TOKEN", func(int) string { return "hf_" + g.s(csLetters, 34) }},
		{ruleHuggingFaceOrg, "HF_ORG_TOKEN", func(int) string { return "api_org_" + g.s(csLetters, 34) }},
		{ruleReplicate, "REPLICATE_API_TOKEN", func(int) string { return "r8_" + g.s(csAlnum, 37) }},
		{ruleGroq, "GROQ_API_KEY", func(int) string { return "gsk_" + g.s(csAlnum, 52) }},
		{ruleXAI, "XAI_API_KEY", func(int) string { return "xai-" + g.s(csAlnum, 80) }},
		{ruleOpenRouter, "OPENROUTER_API_KEY", func(int) string { return "sk-or-v1-" + g.s(csHex, 64) }},
		{rulePerplexity, "PPLX_API_KEY", func(int) string { return "pplx-" + g.s(csAlnum, 48) }},
		{ruleGoogleAPI, "GEMINI_API_KEY", func(int) string { return "AIza" + g.s(csAlnumDash, 35) }},
		{rulePinecone, "PINECONE_API_KEY", func(int) string { return "pcsk_" + g.s(csAlnum, 5) + "_" + g.s(csAlnum, 64) }},
		{ruleLangSmith, "LANGSMITH_API_KEY", func(i int) string {
			return []string{"lsv2_pt_", "lsv2_sk_"}[i%2] + g.s(csHex, 32) + "_" + g.s(csHex, 10)
		}},
		{ruleAWSKeyID, "AWS_ACCESS_KEY_ID", func(int) string { return g.awsKeyID() }},
		{ruleAzureClient, "AZURE_CLIENT_SECRET", func(int) string {
			return g.s(csAzure, 3) + g.digits(1) + "Q~" + g.s(csAzure, 34)
		}},
		{ruleGitHub, "GITHUB_TOKEN", func(i int) string { return g.crcToken([]string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}[i%5]) }},
		{ruleGitHubFine, "GH_PAT", func(int) string { return "github_pat_" + g.s(csAlnum, 22) + "_" + g.s(csAlnum, 59) }},
		{ruleGitLab, "GITLAB_TOKEN", func(int) string { return "glpat-" + g.s(csAlnumDash, 20) }},
		{ruleNPM, "NPM_TOKEN", func(int) string { return g.crcToken("npm_") }},
		{rulePyPI, "PYPI_TOKEN", func(int) string { return "pypi-AgEIcHlwaS5vcmc" + g.s(csAlnumDash, 140) }},
		{ruleSlack, "SLACK_BOT_TOKEN", func(i int) string {
			return []string{"xoxb-", "xoxp-"}[i%2] + g.digits(11) + "-" + g.digits(13) + "-" + g.s(csAlnum, 24)
		}},
		{ruleSlackWebhook, "SLACK_WEBHOOK", func(int) string {
			return "https://hooks.slack.com/services/T" + g.s(csUpperNum, 8) + "/B" + g.s(csUpperNum, 10) + "/" + g.s(csAlnum, 24)
		}},
		{ruleStripe, "STRIPE_SECRET", func(i int) string { return []string{"sk_live_", "rk_live_"}[i%2] + g.s(csAlnum, 24+g.r.IntN(76)) }},
		{ruleStripeTest, "STRIPE_TEST_SECRET", func(int) string { return "sk_test_" + g.s(csAlnum, 24+g.r.IntN(76)) }},
		{ruleJWT, "SESSION_JWT", func(int) string { return g.jwt() }},
	}
	for _, tk := range tokens {
		for i := range n {
			name, body := embed(g, i, tk.env, tk.make(i))
			truth = append(truth, planted{name: fmt.Sprintf("%s/%02d/%s", tk.rule, i, name), body: []byte(body), rules: []string{tk.rule}})
		}
	}
	for i := range n {
		dir := func(rule string) string { return fmt.Sprintf("%s/%02d/", rule, i) }
		add := func(name, body string, rules ...string) {
			truth = append(truth, planted{name: name, body: []byte(body), rules: rules})
		}
		add(dir(ruleCohere)+".env", fmt.Sprintf("COHERE_API_KEY=%s\n", g.s(csAlnum, 40)), ruleCohere)
		add(dir(ruleMistral)+"settings.toml", fmt.Sprintf("[llm]\nmistral_api_key = \"%s\"\n", g.s(csAlnum, 32)), ruleMistral)
		add(dir(ruleWandB)+"train.yaml", fmt.Sprintf("wandb:\n  wandb_api_key: %s\n", g.s(csHex, 40)), ruleWandB)
		add(dir(ruleAzureOpenAI)+"deploy.env", fmt.Sprintf("AZURE_OPENAI_API_KEY=%s\nAZURE_OPENAI_ENDPOINT=https://x.openai.azure.com/\n", g.s(csHex, 32)), ruleAzureOpenAI)
		add(dir(ruleAWSSecret)+"credentials", fmt.Sprintf("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n", g.awsKeyID(), g.s(csAlnum+"/+", 40)), ruleAWSKeyID, ruleAWSSecret)
		sa, _ := json.MarshalIndent(map[string]string{
			"type": "service_account", "project_id": "agent-prod", "private_key_id": g.s(csHex, 40),
			"private_key": g.pkcs8PEM(), "client_email": "agent@agent-prod.iam.gserviceaccount.com",
		}, "", "  ")
		add(dir(ruleGCPServiceAcct)+"sa.json", string(sa), ruleGCPServiceAcct)
		add(dir(rulePrivateKey)+"deploy/key.pem", "# deploy key\n"+g.privateKeyPEM(i), rulePrivateKey)
		truth = append(truth, planted{name: dir(RulePKCS12) + "client.p12", body: g.pkcs12(), rules: []string{RulePKCS12}})
		add(dir(ruleConnectionURL)+"app.yaml", fmt.Sprintf("database:\n  url: postgres://app:%s@db.internal:5432/orders\n", g.s(csAlnum, 16)), ruleConnectionURL)
		add(dir(RuleGenericSecret)+[]string{"values.yaml", "app.ini", "main.go", "config.json"}[i%4], []string{
			fmt.Sprintf("auth:\n  client_secret: %s\n", g.s(csAlnum, 24)),
			fmt.Sprintf("[api]\napi_token = %s\n", g.s(csAlnum, 32)),
			fmt.Sprintf("package main\n\nconst signingKey = \"%s\"\n", g.s(csAlnum, 28)),
			fmt.Sprintf("{\"service\": {\"auth_token\": \"%s\"}}\n", g.s(csAlnum, 30)),
		}[i%4], RuleGenericSecret)
		add(dir(RuleGenericPassword)+[]string{".env", "db.py", "settings.yaml"}[i%3], []string{
			fmt.Sprintf("DB_PASSWORD=%s\n", g.s(csAlnum+"!#%", 14)),
			fmt.Sprintf("conn = connect(host=\"db\", password=\"%s\")\n", g.s(csAlnum, 12)),
			fmt.Sprintf("redis:\n  password: \"%s\"\n", g.s(csAlnum, 18)),
		}[i%3], RuleGenericPassword)
		// Secrets that hide encoded: a Kubernetes Secret's base64 data
		// and a URL-encoded query value.
		add(dir(RuleGenericPassword)+"secret.yaml", fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: %s\n",
			base64.StdEncoding.EncodeToString([]byte(g.s(csAlnum, 16)))), RuleGenericPassword)
	}

	// Decoys: wrong checksums, placeholders, examples, public keys,
	// hashes, UUIDs, references and near misses.
	for i := range n {
		add := func(name, body string) {
			decoys = append(decoys, planted{name: fmt.Sprintf("decoy/%02d/%s", i, name), body: []byte(body)})
		}
		gh := g.crcToken("ghp_")
		bad := gh[:len(gh)-1] + string(csAlnum[(strings.IndexByte(csAlnum, gh[len(gh)-1])+1)%len(csAlnum)])
		add("gh.env", "GITHUB_TOKEN="+bad+"\n")
		np := g.crcToken("npm_")
		add(".npmrc", "//registry.npmjs.org/:_authToken="+np[:10]+strings.ToUpper(np[10:12])+np[12:len(np)-3]+"zzz\n")
		add("aws.env", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
		add("openai.env", "OPENAI_API_KEY=sk-proj-your-key-here\nOPENAI_BASE=sk-"+g.s(csAlnum, 48)+"\n")
		add("placeholders.yaml", "api_key: \"<token>\"\ntoken: ${API_TOKEN}\npassword: xxxxxxxxxxxx\nsecret: \"{{ .Values.secret }}\"\nclient_secret: changeme-please\nauth_token: your-token-here\n")
		pub, _ := x509.MarshalPKIXPublicKey(&g.ecKey().PublicKey)
		add("pub.pem", string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})))
		add("id_ed25519.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI"+g.s(csAlnum, 43)+" agent@example\n")
		add("garbage.pem", "-----BEGIN PRIVATE KEY-----\n"+base64.StdEncoding.EncodeToString([]byte(g.s(csAlnum, 120)))+"\n-----END PRIVATE KEY-----\n")
		add("hashes.yaml", fmt.Sprintf("sha256: %s\nchecksum: %s\ndigest: sha256:%s\ncommit: %s\n", g.s(csHex, 64), g.s(csHex, 40), g.s(csHex, 64), g.s(csHex, 40)))
		add("ids.json", fmt.Sprintf("{\"request_id\": \"%s\", \"id\": \"%s\", \"trace\": \"%s\"}\n", uuid(g), uuid(g), uuid(g)))
		add("jwt.txt", "eyJ"+base64.RawURLEncoding.EncodeToString([]byte("not json at all"))+"."+base64.RawURLEncoding.EncodeToString([]byte(`{"a":1}`))+"."+g.s(csAlnumDash, 43)+"\n")
		add("db.yaml", "url: postgres://app:${DB_PASSWORD}@db:5432/x\nother: mysql://root:password@localhost/db\n")
		add("llm.yaml", "token_type: Bearer\nmax_tokens: 4096\nsecretName: orders-api\npassword_file: /run/secrets/db\ntoken_env: GITHUB_TOKEN\ntokenizer: "+g.s(csAlnum, 30)+"\n")
		add("near.txt", "hf_"+g.s(csLetters, 20)+" xoxb-not-a-real-token sk_live_short xyz8Q~short glpat-abc\n")
		add("env.py", "import os\npassword = os.environ[\"DB_PASSWORD\"]\napi_key = os.getenv('OPENAI_API_KEY')\ntoken = get_token(scope=\"read\")\n")
		add("erb.yaml", "api_key: <%= ENV['API_KEY'] %>\nsecret_key_base: \"<%= ENV.fetch('SECRET_KEY_BASE') %>\"\n")
		add("package-lock.json", fmt.Sprintf("{\"packages\": {\"node_modules/x\": {\"resolved\": \"https://registry.npmjs.org/x/-/x-1.0.0.tgz\", \"integrity\": \"sha512-%s==\"}}}\n", g.s(csAlnum+"+/", 86)))
		add("plot.ipynb", fmt.Sprintf(`{"cells":[{"cell_type":"code","source":["plot()"],"outputs":[{"output_type":"display_data","data":{"image/png":"%s","text/plain":["<Figure>"]}}]}],"nbformat":4}`, base64.StdEncoding.EncodeToString([]byte(g.s(csAlnum, 300)))))
		add("oauth.yaml", "auth:\n  type: oauth2\n  token_url: https://login.example.com/oauth2/token\n  secretKeyRef: {name: oauth, key: client-secret}\n")
		add("const.go", "package x\n\nconst tokenType = \"Bearer\"\nconst passwordMinLength = 12\nvar secretName = \"orders-api-credentials\"\n")
		add("main.go", "package main\n\nfunc f(key string) { token := getToken(key); password := cfg.Password; _ = token }\n")
	}
	return truth, decoys
}

func uuid(g *gen) string {
	s := g.s(csHex, 32)
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

func writeCorpus(t testing.TB, dir string, files []planted) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCorpusPrecisionRecall plants valid secrets for every detector and
// decoys, and requires recall and precision of at least 0.97 overall and
// per detector.
func TestCorpusPrecisionRecall(t *testing.T) {
	truth, decoys := corpus(40)
	dir := t.TempDir()
	writeCorpus(t, dir, append(append([]planted{}, truth...), decoys...))
	s, err := New([]byte("corpus-fingerprint-key-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Scan(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Fatalf("problems: %v", res.Problems)
	}
	type pr struct{ path, rule string }
	want := map[pr]bool{}
	for _, p := range truth {
		for _, r := range p.rules {
			want[pr{p.name, r}] = true
		}
	}
	got := map[pr]bool{}
	for _, f := range res.Findings {
		path, _, _ := strings.Cut(f.Path, "!")
		got[pr{path, f.Rule}] = true
	}
	type score struct{ tp, fp, fn int }
	per := map[string]*score{}
	sc := func(r string) *score {
		if per[r] == nil {
			per[r] = &score{}
		}
		return per[r]
	}
	for k := range want {
		if got[k] {
			sc(k.rule).tp++
		} else {
			sc(k.rule).fn++
			t.Logf("missed %s in %s", k.rule, k.path)
		}
	}
	for k := range got {
		if !want[k] {
			sc(k.rule).fp++
			t.Logf("false positive %s in %s", k.rule, k.path)
		}
	}
	rules := make([]string, 0, len(per))
	for r := range per {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	var total score
	t.Logf("%-28s %5s %5s %5s %9s %7s", "detector", "tp", "fp", "fn", "precision", "recall")
	for _, r := range rules {
		s := per[r]
		total.tp, total.fp, total.fn = total.tp+s.tp, total.fp+s.fp, total.fn+s.fn
		p, rc := ratio(s.tp, s.tp+s.fp), ratio(s.tp, s.tp+s.fn)
		t.Logf("%-28s %5d %5d %5d %9.3f %7.3f", r, s.tp, s.fp, s.fn, p, rc)
		if p < 0.97 || rc < 0.97 {
			t.Errorf("%s: precision %.3f, recall %.3f; want >= 0.97", r, p, rc)
		}
	}
	p, rc := ratio(total.tp, total.tp+total.fp), ratio(total.tp, total.tp+total.fn)
	t.Logf("%-28s %5d %5d %5d %9.3f %7.3f", "overall", total.tp, total.fp, total.fn, p, rc)
	if p < 0.97 || rc < 0.97 {
		t.Errorf("overall precision %.3f, recall %.3f; want >= 0.97", p, rc)
	}
	for _, r := range Rules() {
		if per[r.ID] == nil || per[r.ID].tp == 0 {
			t.Errorf("detector %s has no true sample in the corpus", r.ID)
		}
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
