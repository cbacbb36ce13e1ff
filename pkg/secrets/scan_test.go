package secrets

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/secretgen"
)

var testKey = []byte("test-fingerprint-key-0123456789")

func scanDir(t *testing.T, dir string, opts ...Option) *Result {
	t.Helper()
	s, err := New(testKey, opts...)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Scan(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func zipOf(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range sortedKeys(files) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(files[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func manyFiles(n int) map[string][]byte {
	m := map[string][]byte{}
	for i := range n {
		m[fmt.Sprintf("f%03d.txt", i)] = []byte("x")
	}
	return m
}

func tarGzOf(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, name := range sortedKeys(files) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(files[name])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(files[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// safetensorsOf builds a safetensors file; declared 0 means the header's
// true length.
func safetensorsOf(header string, declared uint64, data int) []byte {
	if declared == 0 {
		declared = uint64(len(header))
	}
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, declared)
	b = append(b, header...)
	return append(b, make([]byte, data)...)
}

func ggufOf(kv map[string]string, tokens []string) []byte {
	var b bytes.Buffer
	w := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	str := func(s string) { w(uint64(len(s))); b.WriteString(s) }
	b.WriteString("GGUF")
	w(uint32(3))
	w(uint64(0))
	w(uint64(len(kv) + 2))
	for _, k := range sortedKeys(kv) {
		str(k)
		w(uint32(ggufString))
		str(kv[k])
	}
	str("general.quantization_version")
	w(uint32(4))
	w(uint32(2))
	str("tokenizer.ggml.tokens")
	w(uint32(ggufArray))
	w(uint32(ggufString))
	w(uint64(len(tokens)))
	for _, tok := range tokens {
		str(tok)
	}
	b.Write(make([]byte, 4096)) // tensor data, never read
	return b.Bytes()
}

// TestFormats covers where secrets hide and the bad inputs of the issue:
// each ends with a finding or a Problem naming the file, never a hang.
func TestFormats(t *testing.T) {
	t.Parallel()
	g := newGen(7)
	tok := g.crcToken("ghp_")
	env := []byte("GITHUB_TOKEN=" + tok + "\n")
	bomb := zipOf(t, map[string][]byte{"big.txt": bytes.Repeat([]byte("a"), 8<<20)})
	nested := env
	for i := range 6 {
		nested = zipOf(t, map[string][]byte{fmt.Sprintf("level%d.zip", i): nested})
	}
	random := make([]byte, 64<<10)
	for i := range random {
		random[i] = byte(g.r.IntN(256))
	}
	random[100] = 0
	bz := secretgen.Bzip2(env)
	badCRC := append([]byte(nil), bz...)
	badCRC[10] ^= 0xff // the block CRC
	tests := []struct {
		name, file  string
		body        []byte
		rule, where string // expected finding (rule and path, "" for none)
		line        int
		location    string
		problem     string // expected Problem substring
	}{
		{name: "text", file: "a.env", body: env, rule: ruleGitHub, where: "a.env", line: 1},
		{name: "invalid utf-8", file: "x.txt", body: append([]byte("\xff\xfe\xc3("), env...), rule: ruleGitHub, where: "x.txt", line: 1},
		{name: "binary skipped", file: "blob.bin", body: random},
		{name: "zip", file: "bundle.zip", body: zipOf(t, map[string][]byte{"conf/app.env": env}), rule: ruleGitHub, where: "bundle.zip!conf/app.env", line: 1},
		{name: "tar.gz", file: "bundle.tar.gz", body: tarGzOf(t, map[string][]byte{"x/.env": env}), rule: ruleGitHub, where: "bundle.tar.gz!bundle.tar!x/.env", line: 1},
		{name: "nested within depth", file: "two.zip", body: zipOf(t, map[string][]byte{"in.zip": zipOf(t, map[string][]byte{"s.env": env})}), rule: ruleGitHub, where: "two.zip!in.zip!s.env", line: 1},
		{name: "zip bomb", file: "bomb.zip", body: bomb, problem: "over 100x; a zip bomb?"},
		{name: "archive over the byte limit", file: "big.zip", body: zipOf(t, map[string][]byte{"a.bin": random, "b.bin": random, "c.bin": random, "d.bin": random, "e.bin": random, "f.bin": random, "g.bin": random, "h.bin": random, "i.bin": random, "j.bin": random, "k.bin": random, "l.bin": random, "m.bin": random, "n.bin": random, "o.bin": random, "p.bin": random, "q.bin": random}), problem: "bytes decompressed from one archive (zip bomb?)"},
		{name: "too many members", file: "many.zip", body: zipOf(t, manyFiles(101)), problem: "zip declares 101 members, more than the 100 allowed"},
		{name: "deeply nested", file: "deep.zip", body: nested, problem: "nested deeper than 3 levels"},
		{name: "bzip2", file: "a.env.bz2", body: bz, rule: ruleGitHub, where: "a.env.bz2!a.env", line: 1},
		{name: "bzip2 second stream", file: "two.env.bz2", body: append(secretgen.Bzip2([]byte("LOG=1\n")), bz...), rule: ruleGitHub, where: "two.env.bz2!two.env", line: 2},
		{name: "truncated bzip2", file: "cut.env.bz2", body: bz[:len(bz)-12], problem: "truncated bzip2 stream"},
		{name: "bzip2 checksum mismatch", file: "bad.env.bz2", body: badCRC, problem: "checksum"},
		{name: "safetensors metadata", file: "model.safetensors", body: safetensorsOf(`{"__metadata__":{"hf_token":"`+tok+`"}}`, 0, 64), rule: ruleGitHub, where: "model.safetensors", line: 1, location: "safetensors header"},
		{name: "truncated safetensors", file: "broken.safetensors", body: safetensorsOf(`{"__metadata__":{}}`, 1000, 0), problem: "truncated safetensors header: it declares 1000 bytes but the file has 19"},
		{name: "safetensors header too large", file: "huge.safetensors", body: safetensorsOf(`{}`, 1<<40, 0), problem: "exceeds the"},
		{name: "gguf metadata", file: "model.gguf", body: ggufOf(map[string]string{"general.name": "agent", "general.source.token": tok}, []string{"<s>", "token", "hello"}), rule: ruleGitHub, where: "model.gguf", location: "gguf metadata"},
		{name: "truncated gguf", file: "cut.gguf", body: ggufOf(map[string]string{"general.name": "agent"}, nil)[:30], problem: "truncated gguf metadata"},
		{name: "url-encoded", file: "app.env", body: []byte("LOG=1\nDSN=postgres%3A%2F%2Fapp%3ApAssw0rdXyz1%40db%2Fx\n"), rule: ruleConnectionURL, where: "app.env", line: 2},
		{name: "base64 in a Kubernetes Secret", file: "s.yaml", body: []byte("kind: Secret\ndata:\n  config: " + base64.StdEncoding.EncodeToString(env) + "\n"), rule: ruleGitHub, where: "s.yaml", line: 3},
		{name: "notebook output", file: "demo.ipynb", body: []byte(`{"cells":[{"cell_type":"code","source":["print(cfg)"],"outputs":[{"output_type":"stream","text":["{'password': 'Sup3rS3cretPassw0rd'}\n"]}]}],"nbformat":4}`), rule: RuleGenericPassword, where: "demo.ipynb", line: 1, location: "cells[0].outputs[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tt.file), tt.body, 0o644); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			res := scanDir(t, dir, WithArchiveLimits(3, 1<<20, 100))
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("scan took %v", d)
			}
			if tt.problem != "" {
				if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Reason, tt.problem) || !strings.HasPrefix(res.Problems[0].Path, tt.file) {
					t.Fatalf("problems = %+v, want one for %s containing %q", res.Problems, tt.file, tt.problem)
				}
				return
			}
			if len(res.Problems) > 0 {
				t.Fatalf("unexpected problems %+v", res.Problems)
			}
			if tt.rule == "" {
				if len(res.Findings) > 0 {
					t.Fatalf("unexpected findings %+v", res.Findings)
				}
				return
			}
			if len(res.Findings) != 1 {
				t.Fatalf("findings = %+v, want one %s", res.Findings, tt.rule)
			}
			f := res.Findings[0]
			if f.Rule != tt.rule || f.Path != tt.where || f.Line != tt.line || f.Location != tt.location {
				t.Fatalf("finding = %+v, want %s at %s:%d (%s)", f, tt.rule, tt.where, tt.line, tt.location)
			}
		})
	}
}

// TestBzip2Abandoned: a bzip2 stream abandoned in the middle of a block
// (here a tar in it turns invalid) leaves nothing behind in the worker's
// decoders and buffers for the next stream.
func TestBzip2Abandoned(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	if err := tw.WriteHeader(&tar.Header{Name: "a.txt", Mode: 0o644, Size: 5, Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	g := newGen(11)
	for range 2000 { // 20 kB left in the block
		fmt.Fprintf(&tb, "not a tar header %08d\n", g.r.IntN(1e8))
	}
	tok := g.crcToken("ghp_")
	files := map[string][]byte{
		"a.tar.bz2": secretgen.Bzip2(tb.Bytes()),
		"b.env.bz2": secretgen.Bzip2([]byte("GITHUB_TOKEN=" + tok + "\n")),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := scanDir(t, dir, WithWorkers(1))
	if len(res.Problems) != 1 || res.Problems[0].Path != "a.tar.bz2!a.tar" || !strings.Contains(res.Problems[0].Reason, "invalid tar") {
		t.Fatalf("problems = %+v, want the invalid tar in a.tar.bz2", res.Problems)
	}
	if len(res.Findings) != 1 || res.Findings[0].Path != "b.env.bz2!b.env" || res.Findings[0].Rule != ruleGitHub || res.Findings[0].Line != 1 {
		t.Fatalf("findings = %+v, want the token in b.env.bz2", res.Findings)
	}
}

// TestNotRegular: a FIFO is a Problem (and is never opened, which would
// hang).
func TestNotRegular(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := scanDir(t, dir)
	if len(res.Problems) != 1 || res.Problems[0].Path != "pipe" || !strings.Contains(res.Problems[0].Reason, "not a regular file") {
		t.Fatalf("problems = %+v", res.Problems)
	}
}

// TestWindowBoundary plants a token at every offset around the window
// boundaries of a streamed file: each is found once, at the right line.
func TestWindowBoundary(t *testing.T) {
	t.Parallel()
	g := newGen(9)
	tok := g.crcToken("ghp_")
	const window = 4 * overlap
	step := window - overlap - backContext
	for _, base := range []int{step, 2 * step} {
		for _, delta := range []int{-len(tok) - 1, -len(tok) / 2, -1, 0, 1} {
			off := base + delta
			line := strings.Repeat("x", 99) + "\n"
			body := []byte(strings.Repeat(line, (3*window)/100))
			// Replace bytes at off with the token (keeping line breaks
			// outside it), then count the token's line.
			copy(body[off:], " "+tok+" ")
			for i := off; i < off+len(tok)+2; i++ {
				if body[i] == '\n' {
					body[i] = ' '
				}
			}
			want := bytes.Count(body[:off+1], []byte{'\n'}) + 1
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "big.txt"), body, 0o644); err != nil {
				t.Fatal(err)
			}
			res := scanDir(t, dir, WithWindow(window))
			if len(res.Findings) != 1 || res.Findings[0].Line != want {
				t.Fatalf("offset %d: findings %+v, want one at line %d", off, res.Findings, want)
			}
		}
	}
}

// patternReader yields n bytes of a repeating pattern, then tail.
type patternReader struct {
	n    int64
	tail []byte
	pat  []byte
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		if len(r.tail) == 0 {
			return 0, io.EOF
		}
		n := copy(p, r.tail)
		r.tail = r.tail[n:]
		return n, nil
	}
	if r.pat == nil {
		r.pat = bytes.Repeat([]byte("abcdefghijklmnopqrstuvwxyz .,"), 4096)
	}
	n := copy(p[:min(int64(len(p)), r.n)], r.pat)
	r.n -= int64(n)
	return n, nil
}

// TestSingleLine2GB streams a 2 GiB file without a newline through the
// scanner: memory stays bounded by the window and the secret at its end
// is found. It measures the process's allocations, so it runs alone:
// parallel tests start once the sequential ones are done.
func TestSingleLine2GB(t *testing.T) { //nolint:paralleltest // measures process-wide allocation (runtime.MemStats)
	tok := newGen(3).crcToken("ghp_")
	s, err := New(testKey)
	if err != nil {
		t.Fatal(err)
	}
	w := &worker{s: s, buf: make([]byte, s.o.window)}
	fs := &fileScan{s: s, path: "huge.txt"}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	err = w.scanSource(context.Background(), fs, &source{name: "huge.txt", r: &patternReader{n: 2 << 30, tail: []byte(" token " + tok)}, size: -1})
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	t.Logf("2 GiB single line scanned in %v, %d MiB allocated", time.Since(start).Round(time.Millisecond), (after.TotalAlloc-before.TotalAlloc)>>20)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("allocated %d MiB streaming one line; want < 64", alloc>>20)
	}
	got := fs.findings()
	if len(got) != 1 || got[0].Rule != ruleGitHub || got[0].Line != 1 {
		t.Fatalf("findings = %+v", got)
	}
}

// TestReferences checks the reference inventory of every supported kind.
func TestReferences(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: agent
spec:
  template:
    metadata:
      annotations:
        vault.hashicorp.com/agent-inject-secret-db: database/creds/agent
    spec:
      imagePullSecrets:
        - name: regcred
      containers:
        - name: a
          env:
            - name: TOKEN
              valueFrom:
                secretKeyRef: {name: orders, key: token}
          envFrom:
            - secretRef: {name: shared-env}
      volumes:
        - name: certs
          secret: {secretName: tls-certs}
---
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata:
  name: openai
spec:
  data:
    - secretKey: key
      remoteRef: {key: prod/openai, property: api_key}
  dataFrom:
    - extract: {key: prod/shared}
`,
		"mcp.json":                  `{"mcpServers": {"orders": {"env": {"TOKEN": "${ORDERS_TOKEN}"}, "headers": {"Authorization": "Bearer ${TICKETS}"}}}}`,
		".github/workflows/ci.yaml": "steps:\n  - run: deploy\n    env:\n      KEY: ${{ secrets.DEPLOY_KEY }}\n",
		"infra/secrets.tf":          `arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/agent-AbCdEf"` + "\nparam = \"arn:aws:ssm:eu-west-1:123456789012:parameter/agent/url\"\n",
		"infra/gcp.txt":             "use projects/agent-prod/secrets/openai-key/versions/latest\n",
		"infra/azure.txt":           "https://agent-kv.vault.azure.net/secrets/openai-key\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := scanDir(t, dir)
	var got []string
	for _, r := range res.References {
		got = append(got, r.ID())
	}
	want := []string{
		"aws-secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/agent-AbCdEf",
		"aws-ssm-parameter:arn:aws:ssm:eu-west-1:123456789012:parameter/agent/url",
		"azure-key-vault:agent-kv.vault.azure.net/secrets/openai-key",
		"env:ORDERS_TOKEN",
		"env:TICKETS",
		"external-secret:prod/openai#api_key",
		"external-secret:prod/shared",
		"gcp-secret-manager:projects/agent-prod/secrets/openai-key",
		"github-actions-secret:DEPLOY_KEY",
		"kubernetes-secret:orders/token",
		"kubernetes-secret:regcred",
		"kubernetes-secret:shared-env",
		"kubernetes-secret:tls-certs",
		"mcp-env:orders/TOKEN",
		"mcp-header:orders/Authorization",
		"vault:database/creds/agent",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("references:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(res.Findings) > 0 {
		t.Fatalf("references are not literals: %+v", res.Findings)
	}
}

// TestExampleReleaseClean: the example agent release has only references.
func TestExampleReleaseClean(t *testing.T) {
	t.Parallel()
	res := scanDir(t, filepath.Join("..", "..", "examples", "agent-release", "release"))
	if len(res.Findings) > 0 || len(res.Problems) > 0 {
		t.Fatalf("findings %+v problems %+v", res.Findings, res.Problems)
	}
	if len(res.References) == 0 {
		t.Fatal("no references found in the example release")
	}
}

func TestNewRejectsShortKey(t *testing.T) {
	t.Parallel()
	if _, err := New([]byte("short")); err == nil {
		t.Fatal("New accepted a 5-byte key")
	}
	if _, err := DecodeKey([]byte("  c2hvcnQ=  ")); err == nil {
		t.Fatal("DecodeKey accepted a 5-byte key")
	}
}

// TestSymlinks: links are not followed; a link to a file inside the root
// is scanned at its target, every other link is a Problem.
func TestSymlinks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	outside := t.TempDir()
	for _, f := range []string{filepath.Join(dir, "real.txt"), filepath.Join(outside, "x.txt")} {
		if err := os.WriteFile(f, []byte("hello\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"ok.txt": "real.txt", "escape.txt": filepath.Join(outside, "x.txt"), "up": "..",
		"a.md": "b.md", "b.md": "a.md", "dangling": "nowhere",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	res := scanDir(t, dir)
	var got []string
	for _, p := range res.Problems {
		got = append(got, p.Path)
	}
	if want := "a.md b.md dangling escape.txt up"; strings.Join(got, " ") != want {
		t.Fatalf("problems %+v, want paths %s", res.Problems, want)
	}
}

// TestGrowingFile: a file is read up to the size it had when opened.
func TestGrowingFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "grow.txt")
	if err := os.WriteFile(p, []byte("start\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	if err := os.WriteFile(p, []byte("start\nGITHUB_TOKEN="+newGen(5).crcToken("ghp_")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, _ := New(testKey)
	w := &worker{s: s, buf: make([]byte, s.o.window)}
	fs := &fileScan{s: s, path: "grow.txt"}
	if err := w.scanSource(context.Background(), fs, &source{name: "grow.txt", r: io.LimitReader(f, fi.Size()), size: fi.Size()}); err != nil {
		t.Fatal(err)
	}
	if fs.bytes != fi.Size() || len(fs.findings()) != 0 {
		t.Fatalf("read %d bytes (%d findings), want the %d bytes present at open", fs.bytes, len(fs.findings()), fi.Size())
	}
}

// TestSparseFile: the holes of a large sparse file are not read, and the
// data after them is.
func TestSparseFile(t *testing.T) {
	t.Parallel()
	tok := newGen(9).crcToken("ghp_")
	dir := t.TempDir()
	p := filepath.Join(dir, "weights.bin")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("\x00\x01header")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("\x00TOKEN="+tok+"\x00"), 3<<30); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(4 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	start := time.Now()
	res := scanDir(t, dir)
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("scanning a 4 GiB sparse file took %v", d)
	}
	if len(res.Findings) != 1 || res.Findings[0].Rule != ruleGitHub {
		t.Fatalf("findings %+v, want the token after the hole", res.Findings)
	}
	if res.Stats.Bytes > 1<<20 {
		t.Errorf("read %d bytes of a file that holds a few", res.Stats.Bytes)
	}
}

// TestJobFIFO: jobs come out in the order they went in, across blocks,
// with takes between the puts (the walk and the workers run at once).
func TestJobFIFO(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		puts, take int // per round: jobs put, then jobs taken
	}{
		{name: "one at a time", puts: 1, take: 1},
		{name: "a block at a time", puts: 128, take: 128},
		{name: "falling behind", puts: 300, take: 250},
		{name: "catching up", puts: 50, take: 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var f jobFIFO
			put, got := 0, 0
			for round := 0; round < 20; round++ {
				for range tc.puts {
					f.push(job{rel: strconv.Itoa(put)})
					put++
				}
				for range tc.take {
					j, ok := f.pop()
					if !ok {
						if got != put {
							t.Fatalf("empty after %d of %d jobs", got, put)
						}
						break
					}
					if j.rel != strconv.Itoa(got) {
						t.Fatalf("job %q, want %d", j.rel, got)
					}
					got++
				}
			}
			for {
				j, ok := f.pop()
				if !ok {
					break
				}
				if j.rel != strconv.Itoa(got) {
					t.Fatalf("job %q, want %d", j.rel, got)
				}
				got++
			}
			if got != put {
				t.Fatalf("took %d jobs of %d", got, put)
			}
		})
	}
}
