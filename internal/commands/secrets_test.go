package commands

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/secrets"
)

// seeded makes the planted secrets the same on every run (no flaky
// placeholder-looking draws); nothing real-looking is committed.
var seeded = mrand.New(mrand.NewPCG(4, 2))

// randomString returns n random characters of cs.
func randomString(t *testing.T, cs string, n int) string {
	t.Helper()
	b := make([]byte, n)
	for i := range b {
		b[i] = cs[seeded.IntN(len(cs))]
	}
	return string(b)
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

type plantedSecret struct {
	// secret is the part that must never appear; public is its public
	// prefix (allowed in hints).
	public, secret string
	// der: the secret is a PEM body, fingerprinted as the DER it encodes.
	der bool
}

func (p plantedSecret) value() string { return p.public + p.secret }

// plantRelease writes a release with a literal secret in each place the
// scanner looks, and returns the secrets.
func plantRelease(t *testing.T, dir string) []plantedSecret {
	t.Helper()
	r30 := randomString(t, alnum, 30)
	gh := plantedSecret{public: "ghp_", secret: r30 + secrets.Base62CRC32(r30)}
	openai := plantedSecret{public: "sk-proj-", secret: randomString(t, alnum, 40) + "T3BlbkFJ" + randomString(t, alnum, 40)}
	hf := plantedSecret{public: "hf_", secret: randomString(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 34)}
	anth := plantedSecret{public: "sk-ant-api03-", secret: randomString(t, alnum, 93) + "AA"}
	stripe := plantedSecret{public: "sk_live_", secret: randomString(t, alnum, 32)}
	pw := plantedSecret{public: "", secret: randomString(t, alnum, 20)}
	dbpw := plantedSecret{public: "", secret: randomString(t, alnum, 18)}
	k8s := plantedSecret{public: "", secret: randomString(t, alnum, 22)}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	pemBody := strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(pemKey, "-----BEGIN PRIVATE KEY-----\n"), "-----END PRIVATE KEY-----\n"), "\n", "")
	pk := plantedSecret{secret: pemBody, der: true}

	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("conf/payments.env")
	fmt.Fprintf(w, "STRIPE_KEY=%s\n", stripe.value())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	hdr := fmt.Sprintf(`{"__metadata__":{"format":"pt","source_token":"%s"}}`, hf.value())
	st := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	st = append(append(st, hdr...), make([]byte, 32)...)
	nb, _ := json.Marshal(map[string]any{"cells": []any{map[string]any{"cell_type": "code", "source": []string{"client.connect()\n"},
		"outputs": []any{map[string]any{"output_type": "stream", "text": []string{"password=" + pw.value() + "\n"}}}}}, "nbformat": 4})
	files := map[string][]byte{
		".env":                    []byte("GITHUB_TOKEN=" + gh.value() + "\n"),
		"mcp.json":                []byte(`{"mcpServers": {"llm": {"command": "x", "env": {"OPENAI_API_KEY": "` + openai.value() + `"}}}}`),
		"model/model.safetensors": st,
		"agent.py":                []byte("client = Anthropic(api_key=\"" + anth.value() + "\")\n"),
		"bundle.zip":              zbuf.Bytes(),
		"notebooks/x.ipynb":       nb,
		"deploy/key.pem":          []byte(pemKey),
		"deploy/db.yaml":          []byte("url: postgres://agent:" + dbpw.value() + "@db:5432/agent\n"),
		"deploy/secret.yaml": []byte("apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\ndata:\n  api_token: " +
			base64.StdEncoding.EncodeToString([]byte(k8s.value())) + "\n"),
	}
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return []plantedSecret{gh, openai, hf, anth, stripe, pw, dbpw, k8s, pk}
}

type run struct{ stdout, stderr bytes.Buffer }

func runTollgate(t *testing.T, r *run, args ...string) int {
	t.Helper()
	root := NewRoot(testClock)
	root.SetOut(&r.stdout)
	root.SetErr(&r.stderr)
	return cli.Execute(context.Background(), root, args, &r.stderr)
}

// TestSecretsNeverLeak plants secrets everywhere the scanner looks, runs
// review, secret-inventory and scan-secrets in every format with debug
// logs, and greps every byte they produce (stdout, stderr, logs, report,
// SARIF, results, review record) for any 8-character piece of any secret.
func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	rel := filepath.Join(tmp, "release")
	planted := plantRelease(t, rel)
	ev, res := filepath.Join(tmp, "evidence"), filepath.Join(tmp, "results")
	reviewFile := filepath.Join(tmp, "review.yaml")
	var runs [5]run
	if code := runTollgate(t, &runs[0], "review", rel, "-o", reviewFile, "--name", "leak", "--log-level", "debug", "--log-format", "json"); code != 0 {
		t.Fatalf("review exit %d: %s", code, runs[0].stderr.String())
	}
	if code := runTollgate(t, &runs[1], "secret-inventory", "--artifact", rel, "--review", reviewFile, "--evidence-dir", ev, "--results-dir", res, "--log-level", "debug", "--log-format", "json"); code != 0 {
		t.Fatalf("secret-inventory exit %d: %s", code, runs[1].stderr.String())
	}
	for i, format := range []string{"text", "json", "sarif"} {
		if code := runTollgate(t, &runs[2+i], "scan-secrets", rel, "--format", format, "--review", reviewFile, "--log-level", "debug"); code != 1 {
			t.Fatalf("scan-secrets --format %s exit %d, want 1: %s", format, code, runs[2+i].stderr.String())
		}
	}
	var all bytes.Buffer
	for i := range runs {
		all.Write(runs[i].stdout.Bytes())
		all.Write(runs[i].stderr.Bytes())
	}
	for _, d := range []string{ev, res} {
		entries, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(d, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			all.Write(b)
		}
	}
	rb, err := os.ReadFile(reviewFile)
	if err != nil {
		t.Fatal(err)
	}
	all.Write(rb)
	for _, p := range planted {
		for i := 0; i+8 <= len(p.secret); i++ {
			if p.secret[i:i+8] == "T3BlbkFJ" {
				continue // OpenAI's fixed marker is public
			}
			if bytes.Contains(all.Bytes(), []byte(p.secret[i:i+8])) {
				t.Fatalf("output contains part of the secret %s… (offset %d)", p.public, i)
			}
		}
	}

	// The check saw every planted secret and failed.
	d, err := digest.ParseSHA256(mustRead(t, filepath.Join(res, "report-digest")))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := evidence.ReadVerified(filepath.Join(ev, "secret-inventory.json"), d)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != evidence.Fail {
		t.Fatalf("verdict %s, want fail", rep.Verdict)
	}
	// Each planted secret is reported once, under the fingerprint of its
	// value (a PEM key's is that of its DER body), keyed by the review.
	r, _, err := review.Load(reviewFile)
	if err != nil {
		t.Fatal(err)
	}
	key, err := secrets.DecodeKey([]byte(r.Spec.Secrets.FingerprintKey))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := secrets.New(key)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range rep.Findings {
		if strings.HasPrefix(f.Class, secrets.ClassLiteralPrefix) {
			got[f.Fingerprint] = f.Path
		}
	}
	for _, p := range planted {
		v := []byte(p.value())
		if p.der {
			if v, err = base64.StdEncoding.DecodeString(p.secret); err != nil {
				t.Fatal(err)
			}
		}
		if _, ok := got[sc.Fingerprint(v)]; !ok {
			t.Errorf("secret %s… not reported under its fingerprint (findings %v)", p.public, got)
		}
	}
	if len(got) != len(planted) {
		t.Errorf("%d literal findings, want %d: %v", len(got), len(planted), got)
	}
	if _, err := os.Stat(filepath.Join(ev, evidence.SARIFFileName(policy.CheckSecrets))); err != nil {
		t.Error(err)
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
