package secretgen

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Planted is one corpus file.
type Planted struct {
	// Class is the adversarial class of the case ("" in Corpus).
	Class string
	// Name is the file's slash-separated path, relative to the corpus root.
	Name string
	// Body is the file's content.
	Body []byte
	// Rules are the rules a scanner must report in it (none for decoys).
	Rules []string
	// Values are the exact secrets planted in Body, decoded: a Kubernetes
	// Secret's value is listed as its plain text, a service-account key as
	// its PEM.
	Values []string
}

// anchored are the rules whose tokens carry their own prefix, so they are
// found in any context.
var anchored = []string{
	RuleOpenAI, RuleAnthropic, RuleAnthropicAdmin, RuleHuggingFace, RuleHuggingFaceOrg, RuleReplicate, RuleGroq,
	RuleXAI, RuleOpenRouter, RulePerplexity, RuleGoogleAPI, RulePinecone, RuleLangSmith, RuleAWSKeyID, RuleAzureClient,
	RuleGitHub, RuleGitHubFine, RuleGitLab, RuleNPM, RulePyPI, RuleSlack, RuleSlackWebhook, RuleStripe, RuleStripeTest, RuleJWT, RuleAge,
}

// embed returns a file name and content that hold tok under envKey the way
// agent releases carry credentials; i selects among six contexts: YAML
// config, .env, an MCP server's env, Python source, a prompt and a
// notebook cell.
func embed(i int, envKey, tok string) (name, body string) {
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

// Corpus returns perDetector true samples of every rule and perDetector
// rounds of decoys, all derived from seed.
func Corpus(perDetector int, seed uint64) (truth, decoys []Planted) {
	g := New(seed)
	val := func(rule string, i int) string {
		v, err := g.Value(rule, i)
		if err != nil {
			panic(err) // anchored and the rules below are all in tokens
		}
		return v
	}
	for _, rule := range anchored {
		for i := range perDetector {
			tok := val(rule, i)
			name, body := embed(i, EnvName(rule), tok)
			truth = append(truth, Planted{Name: fmt.Sprintf("%s/%02d/%s", rule, i, name), Body: []byte(body), Rules: []string{rule}, Values: []string{tok}})
		}
	}
	for i := range perDetector {
		dir := func(rule string) string { return fmt.Sprintf("%s/%02d/", rule, i) }
		add := func(name, body string, values []string, rules ...string) {
			truth = append(truth, Planted{Name: name, Body: []byte(body), Rules: rules, Values: values})
		}
		v := val(RuleCohere, i)
		add(dir(RuleCohere)+".env", fmt.Sprintf("COHERE_API_KEY=%s\n", v), []string{v}, RuleCohere)
		v = val(RuleMistral, i)
		add(dir(RuleMistral)+"settings.toml", fmt.Sprintf("[llm]\nmistral_api_key = \"%s\"\n", v), []string{v}, RuleMistral)
		v = val(RuleWandB, i)
		add(dir(RuleWandB)+"train.yaml", fmt.Sprintf("wandb:\n  wandb_api_key: %s\n", v), []string{v}, RuleWandB)
		v = val(RuleAzureOpenAI, i)
		add(dir(RuleAzureOpenAI)+"deploy.env", fmt.Sprintf("AZURE_OPENAI_API_KEY=%s\nAZURE_OPENAI_ENDPOINT=https://x.openai.azure.com/\n", v), []string{v}, RuleAzureOpenAI)
		id, v := g.AWSKeyID(), val(RuleAWSSecret, i)
		add(dir(RuleAWSSecret)+"credentials", fmt.Sprintf("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n", id, v), []string{id, v}, RuleAWSKeyID, RuleAWSSecret)
		id, v = g.s(csHex, 40), val(RuleGCPServiceAcct, i)
		add(dir(RuleGCPServiceAcct)+"sa.json", string(ServiceAccountJSON(id, v)), []string{id, v}, RuleGCPServiceAcct)
		v = val(RulePrivateKey, i)
		add(dir(RulePrivateKey)+"deploy/key.pem", "# deploy key\n"+v, []string{v}, RulePrivateKey)
		v = val(RulePKCS12, i)
		add(dir(RulePKCS12)+"client.p12", string(PKCS12(v)), []string{v}, RulePKCS12)
		v = val(RuleConnectionURL, i)
		add(dir(RuleConnectionURL)+"app.yaml", fmt.Sprintf("database:\n  url: postgres://app:%s@db.internal:5432/orders\n", v), []string{v}, RuleConnectionURL)
		v = val(RuleAzureStorage, i)
		add(dir(RuleAzureStorage)+[]string{"appsettings.json", ".env"}[i%2], fmt.Sprintf([]string{
			"{\"ConnectionStrings\": {\"Blob\": \"DefaultEndpointsProtocol=https;AccountName=agentstore;AccountKey=%s;EndpointSuffix=core.windows.net\"}}\n",
			"EVENTS=Endpoint=sb://agent.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=%s\n",
		}[i%2], v), []string{v}, RuleAzureStorage)
		v = val(RuleCLIPassword, i)
		add(dir(RuleCLIPassword)+[]string{"restore.sh", "Dockerfile", "mcp.json", "compose.yaml"}[i%4], fmt.Sprintf([]string{
			"#!/bin/sh\nmysql -h db -uroot -p%s orders < schema.sql\n",
			"FROM mysql:8.4\nRUN mysqladmin -uroot -p'%s' create orders\n",
			"{\n  \"mcpServers\": {\n    \"db\": {\n      \"command\": \"mysql\",\n      \"args\": [\"-uroot\", \"-p%s\", \"-hdb\"]\n    }\n  }\n}\n",
			"services:\n  db:\n    image: mariadb:11\n    healthcheck:\n      test: [\"CMD\", \"mariadb-admin\", \"ping\", \"-uroot\", \"-p%s\"]\n",
		}[i%4], v), []string{v}, RuleCLIPassword)
		v = []string{g.s(csAlnum, 24), g.s(csAlnum, 32), g.s(csAlnum, 28), g.s(csAlnum, 30)}[i%4]
		add(dir(RuleGenericSecret)+[]string{"values.yaml", "app.ini", "main.go", "config.json"}[i%4], fmt.Sprintf([]string{
			"auth:\n  client_secret: %s\n",
			"[api]\napi_token = %s\n",
			"package main\n\nconst signingKey = \"%s\"\n",
			"{\"service\": {\"auth_token\": \"%s\"}}\n",
		}[i%4], v), []string{v}, RuleGenericSecret)
		v = []string{g.s(csAlnum+"!#%", 14), g.s(csAlnum, 12), g.s(csAlnum, 18)}[i%3]
		add(dir(RuleGenericPassword)+[]string{".env", "db.py", "settings.yaml"}[i%3], fmt.Sprintf([]string{
			"DB_PASSWORD=%s\n",
			"conn = connect(host=\"db\", password=\"%s\")\n",
			"redis:\n  password: \"%s\"\n",
		}[i%3], v), []string{v}, RuleGenericPassword)
		// Secrets that hide encoded: a Kubernetes Secret's base64 data.
		v = g.s(csAlnum, 16)
		add(dir(RuleGenericPassword)+"secret.yaml", KubernetesSecret("db", "password", v), []string{v}, RuleGenericPassword)
	}
	for i := range perDetector {
		decoys = append(decoys, g.decoys(fmt.Sprintf("decoy/%02d/", i))...)
	}
	return truth, decoys
}

// KubernetesSecret returns a v1 Secret manifest holding value, base64
// encoded, under data[key].
func KubernetesSecret(name, key, value string) string {
	return fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\ndata:\n  %s: %s\n", name, key, base64.StdEncoding.EncodeToString([]byte(value)))
}

// decoys returns one round of look-alikes a scanner must not report:
// wrong checksums, placeholders, documented examples, public keys, hashes,
// UUIDs, references and near misses.
func (g *Gen) decoys(dir string) []Planted {
	var out []Planted
	add := func(name, body string) { out = append(out, Planted{Name: dir + name, Body: []byte(body)}) }
	gh := g.CRCToken("ghp_")
	bad := gh[:len(gh)-1] + string(csAlnum[(strings.IndexByte(csAlnum, gh[len(gh)-1])+1)%len(csAlnum)])
	add("gh.env", "GITHUB_TOKEN="+bad+"\n")
	np := g.CRCToken("npm_")
	add(".npmrc", "//registry.npmjs.org/:_authToken="+np[:10]+strings.ToUpper(np[10:12])+np[12:len(np)-3]+"zzz\n")
	add("aws.env", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
	add("openai.env", "OPENAI_API_KEY=sk-proj-your-key-here\nOPENAI_BASE=sk-"+g.s(csAlnum, 48)+"\n")
	add("placeholders.yaml", "api_key: \"<token>\"\ntoken: ${API_TOKEN}\npassword: xxxxxxxxxxxx\nsecret: \"{{ .Values.secret }}\"\nclient_secret: changeme-please\nauth_token: your-token-here\n")
	add("pub.pem", g.PublicKeyPEM())
	// -p that is not a password: a compiler flag, a port, a prompt, a
	// reference.
	add("Makefile", "CFLAGS = -O2 -pthread -pedantic\nrun:\n\tdocker run -p8080:80 app\n\tssh -p2222 deploy@host\n")
	add("db.sh", "mysql -uroot -p orders\nmysqldump -uroot -p\"$MYSQL_ROOT_PASSWORD\" orders\nmysql -uroot -p${DB_PASSWORD} -e 'select 1'\n")
	add("id_ed25519.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI"+g.s(csAlnum, 43)+" agent@example\n")
	add("garbage.pem", "-----BEGIN PRIVATE KEY-----\n"+base64.StdEncoding.EncodeToString([]byte(g.s(csAlnum, 120)))+"\n-----END PRIVATE KEY-----\n")
	add("hashes.yaml", fmt.Sprintf("sha256: %s\nchecksum: %s\ndigest: sha256:%s\ncommit: %s\n", g.s(csHex, 64), g.s(csHex, 40), g.s(csHex, 64), g.s(csHex, 40)))
	add("ids.json", fmt.Sprintf("{\"request_id\": \"%s\", \"id\": \"%s\", \"trace\": \"%s\"}\n", g.UUID(), g.UUID(), g.UUID()))
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
	return out
}

// Write writes files under dir, creating directories as needed.
func Write(dir string, files []Planted) error {
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("secretgen: write corpus: %w", err)
		}
		if err := os.WriteFile(p, f.Body, 0o644); err != nil {
			return fmt.Errorf("secretgen: write corpus: %w", err)
		}
	}
	return nil
}

// WriteTree writes files (slash path → content) under dir; a content of
// "->target" makes a symbolic link to target.
func WriteTree(dir string, files map[string]string) error {
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("secretgen: write tree: %w", err)
		}
		if target, ok := strings.CutPrefix(body, "->"); ok {
			if err := os.Symlink(target, p); err != nil {
				return fmt.Errorf("secretgen: write tree: %w", err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return fmt.Errorf("secretgen: write tree: %w", err)
		}
	}
	return nil
}
