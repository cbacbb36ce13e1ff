package secretgen

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
)

// Rule IDs of package secrets. They are literals here, not imports, so
// the scanner's own tests can use this package; TestRulesMatchScanner
// keeps both lists equal.
const (
	RuleOpenAI          = "openai-api-key"
	RuleAnthropic       = "anthropic-api-key"
	RuleAnthropicAdmin  = "anthropic-admin-key"
	RuleHuggingFace     = "huggingface-token"
	RuleHuggingFaceOrg  = "huggingface-org-token"
	RuleReplicate       = "replicate-api-token"
	RuleGroq            = "groq-api-key"
	RuleXAI             = "xai-api-key"
	RuleOpenRouter      = "openrouter-api-key"
	RulePerplexity      = "perplexity-api-key"
	RuleGoogleAPI       = "google-api-key"
	RuleCohere          = "cohere-api-key"
	RuleMistral         = "mistral-api-key"
	RulePinecone        = "pinecone-api-key"
	RuleLangSmith       = "langsmith-api-key"
	RuleWandB           = "wandb-api-key"
	RuleAzureOpenAI     = "azure-openai-key"
	RuleAWSKeyID        = "aws-access-key-id"
	RuleAWSSecret       = "aws-secret-access-key"
	RuleGCPServiceAcct  = "gcp-service-account-key"
	RuleAzureClient     = "azure-client-secret"
	RuleGitHub          = "github-token"
	RuleGitHubFine      = "github-fine-grained-token"
	RuleGitLab          = "gitlab-token"
	RuleNPM             = "npm-token"
	RulePyPI            = "pypi-token"
	RuleSlack           = "slack-token"
	RuleSlackWebhook    = "slack-webhook"
	RuleStripe          = "stripe-live-key"
	RuleStripeTest      = "stripe-test-key"
	RulePrivateKey      = "private-key"
	RuleJWT             = "jwt"
	RuleConnectionURL   = "connection-url-password"
	RuleCLIPassword     = "cli-password"
	RuleAzureStorage    = "azure-storage-key"
	RuleAge             = "age-secret-key"
	RulePKCS12          = "pkcs12"
	RuleGenericSecret   = "generic-secret"
	RuleGenericPassword = "generic-password"
)

// token is how a rule's secret value is made, and the environment
// variable it is usually stored under.
type token struct {
	env  string
	make func(g *Gen, i int) string
}

// tokens holds every rule. The value of a keyword-anchored rule (cohere,
// mistral, wandb, azure-openai, aws-secret, generic-*) is only found under
// a key naming it; gcp-service-account-key's value is the PEM key of a
// service-account file and pkcs12's the data inside a key store.
var tokens = map[string]token{
	RuleOpenAI: {"OPENAI_API_KEY", func(g *Gen, i int) string {
		if i%3 == 0 {
			return "sk-" + g.s(csAlnum, 20) + "T3BlbkFJ" + g.s(csAlnum, 20)
		}
		return []string{"sk-proj-", "sk-svcacct-", "sk-admin-"}[i%3] + g.s(csAlnumDash, 74) + "T3BlbkFJ" + g.s(csAlnumDash, 74)
	}},
	RuleAnthropic:      {"ANTHROPIC_API_KEY", func(g *Gen, _ int) string { return "sk-ant-api03-" + g.s(csAlnumDash, 93) + "AA" }},
	RuleAnthropicAdmin: {"ANTHROPIC_ADMIN_KEY", func(g *Gen, _ int) string { return "sk-ant-admin01-" + g.s(csAlnumDash, 93) + "AA" }},
	RuleHuggingFace:    {"HF_TOKEN", func(g *Gen, _ int) string { return "hf_" + g.s(csLetters, 34) }},
	RuleHuggingFaceOrg: {"HF_ORG_TOKEN", func(g *Gen, _ int) string { return "api_org_" + g.s(csLetters, 34) }},
	RuleReplicate:      {"REPLICATE_API_TOKEN", func(g *Gen, _ int) string { return "r8_" + g.s(csAlnum, 37) }},
	RuleGroq:           {"GROQ_API_KEY", func(g *Gen, _ int) string { return "gsk_" + g.s(csAlnum, 52) }},
	RuleXAI:            {"XAI_API_KEY", func(g *Gen, _ int) string { return "xai-" + g.s(csAlnum, 80) }},
	RuleOpenRouter:     {"OPENROUTER_API_KEY", func(g *Gen, _ int) string { return "sk-or-v1-" + g.s(csHex, 64) }},
	RulePerplexity:     {"PPLX_API_KEY", func(g *Gen, _ int) string { return "pplx-" + g.s(csAlnum, 48) }},
	RuleGoogleAPI:      {"GEMINI_API_KEY", func(g *Gen, _ int) string { return "AIza" + g.s(csAlnumDash, 35) }},
	RuleCohere:         {"COHERE_API_KEY", func(g *Gen, _ int) string { return g.s(csAlnum, 40) }},
	RuleMistral:        {"MISTRAL_API_KEY", func(g *Gen, _ int) string { return g.s(csAlnum, 32) }},
	RulePinecone:       {"PINECONE_API_KEY", func(g *Gen, _ int) string { return "pcsk_" + g.s(csAlnum, 5) + "_" + g.s(csAlnum, 64) }},
	RuleLangSmith: {"LANGSMITH_API_KEY", func(g *Gen, i int) string {
		return []string{"lsv2_pt_", "lsv2_sk_"}[i%2] + g.s(csHex, 32) + "_" + g.s(csHex, 10)
	}},
	RuleWandB:       {"WANDB_API_KEY", func(g *Gen, _ int) string { return g.s(csHex, 40) }},
	RuleAzureOpenAI: {"AZURE_OPENAI_API_KEY", func(g *Gen, _ int) string { return g.s(csHex, 32) }},
	RuleAWSKeyID:    {"AWS_ACCESS_KEY_ID", func(g *Gen, _ int) string { return g.AWSKeyID() }},
	RuleAWSSecret:   {"AWS_SECRET_ACCESS_KEY", func(g *Gen, _ int) string { return g.s(csAlnum+"/+", 40) }},
	RuleGCPServiceAcct: {"GOOGLE_APPLICATION_CREDENTIALS", func(g *Gen, _ int) string {
		return g.PKCS8PEM()
	}},
	RuleAzureClient: {"AZURE_CLIENT_SECRET", func(g *Gen, _ int) string {
		return g.s(csAzure, 3) + g.s(csDigits, 1) + "Q~" + g.s(csAzure, 34)
	}},
	RuleGitHub:     {"GITHUB_TOKEN", func(g *Gen, i int) string { return g.CRCToken([]string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}[i%5]) }},
	RuleGitHubFine: {"GH_PAT", func(g *Gen, _ int) string { return "github_pat_" + g.s(csAlnum, 22) + "_" + g.s(csAlnum, 59) }},
	RuleGitLab:     {"GITLAB_TOKEN", func(g *Gen, _ int) string { return "glpat-" + g.s(csAlnumDash, 20) }},
	RuleNPM:        {"NPM_TOKEN", func(g *Gen, _ int) string { return g.CRCToken("npm_") }},
	RulePyPI:       {"PYPI_TOKEN", func(g *Gen, _ int) string { return "pypi-AgEIcHlwaS5vcmc" + g.s(csAlnumDash, 140) }},
	RuleSlack: {"SLACK_BOT_TOKEN", func(g *Gen, i int) string {
		return []string{"xoxb-", "xoxp-"}[i%2] + g.s(csDigits, 11) + "-" + g.s(csDigits, 13) + "-" + g.s(csAlnum, 24)
	}},
	RuleSlackWebhook: {"SLACK_WEBHOOK", func(g *Gen, _ int) string {
		return "https://hooks.slack.com/services/T" + g.s(csUpperNum, 8) + "/B" + g.s(csUpperNum, 10) + "/" + g.s(csAlnum, 24)
	}},
	RuleStripe: {"STRIPE_SECRET", func(g *Gen, i int) string {
		return []string{"sk_live_", "rk_live_"}[i%2] + g.s(csAlnum, 24+g.r.IntN(76))
	}},
	RuleStripeTest:    {"STRIPE_TEST_SECRET", func(g *Gen, _ int) string { return "sk_test_" + g.s(csAlnum, 24+g.r.IntN(76)) }},
	RulePrivateKey:    {"PRIVATE_KEY", func(g *Gen, i int) string { return g.PrivateKeyPEM(i) }},
	RuleJWT:           {"SESSION_JWT", func(g *Gen, _ int) string { return g.JWT() }},
	RuleConnectionURL: {"DATABASE_PASSWORD", func(g *Gen, _ int) string { return g.s(csAlnum, 16) }},
	// A password a person chose: letters then digits, which no
	// randomness test tells from a word.
	RuleCLIPassword: {"MYSQL_PASSWORD", func(g *Gen, _ int) string { return strings.ToLower(g.s(csLetters, 8)) + g.s(csDigits, 4) }},
	RuleAzureStorage: {"AZURE_STORAGE_KEY", func(g *Gen, i int) string {
		return base64.StdEncoding.EncodeToString(g.bytes([]int{64, 32}[i%2]))
	}},
	RuleAge:             {"SOPS_AGE_KEY", func(g *Gen, _ int) string { return g.AgeKey() }},
	RulePKCS12:          {"KEYSTORE_DATA", func(g *Gen, _ int) string { return g.s(csAlnum, 200) }},
	RuleGenericSecret:   {"CLIENT_SECRET", func(g *Gen, _ int) string { return g.s(csAlnum, 24+g.r.IntN(9)) }},
	RuleGenericPassword: {"DB_PASSWORD", func(g *Gen, _ int) string { return g.s(csAlnum, 12+g.r.IntN(7)) }},
}

// Rules returns the ID of every rule the generator covers, sorted.
func Rules() []string {
	out := make([]string, 0, len(tokens))
	for id := range tokens {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Value returns a fresh secret for rule; i selects among a rule's
// variants (token prefixes, key encodings). The value is the secret itself:
// the token, the PEM key, the password of a connection URL, the data of a
// PKCS#12 store (see PKCS12).
func (g *Gen) Value(rule string, i int) (string, error) {
	t, ok := tokens[rule]
	if !ok {
		return "", fmt.Errorf("secretgen: unknown rule %q: want one of Rules()", rule)
	}
	return t.make(g, i), nil
}

// EnvName returns the environment variable a rule's secret is usually
// stored under ("OPENAI_API_KEY"); keyword-anchored rules need it.
func EnvName(rule string) string { return tokens[rule].env }
