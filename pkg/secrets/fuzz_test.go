package secrets

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/tollgate-dev/tollgate/internal/secretgen"
	"github.com/tollgate-dev/tollgate/pkg/redact"
)

func utf16le(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

func zlibBytes(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		panic(err) // a bytes.Buffer does not fail
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

var fuzzNames = []string{"a.txt", "a.env", "a.json", "a.yaml", "m.safetensors", "m.gguf", "a.zip", "a.tar.gz", "n.ipynb", "c.p12", "main.go"}

// FuzzScanSource feeds arbitrary bytes through every format the scanner
// parses (text, JSON, YAML, notebooks, safetensors, GGUF, zip, tar, gzip,
// PKCS#12): it must not panic or hang, and findings carry at most a
// 4-character hint.
func FuzzScanSource(f *testing.F) {
	tok := newGen(1).crcToken("ghp_")
	f.Add(uint8(0), []byte("GITHUB_TOKEN="+tok+"\n"))
	f.Add(uint8(2), []byte(`{"mcpServers":{"a":{"env":{"K":"${X}"}}},"password":"Sup3rSecretPassw0rd"}`))
	f.Add(uint8(3), []byte("spec:\n  env:\n    - valueFrom:\n        secretKeyRef: {name: a, key: b}\n"))
	f.Add(uint8(4), safetensorsOf(`{"__metadata__":{"k":"`+tok+`"}}`, 0, 8))
	f.Add(uint8(4), safetensorsOf(`{}`, 1000, 0))
	f.Add(uint8(5), ggufOf(map[string]string{"general.name": tok}, []string{"a", "b"}))
	f.Add(uint8(6), zipOf(f, map[string][]byte{"x.env": []byte("T=" + tok)}))
	f.Add(uint8(7), tarGzOf(f, map[string][]byte{"x.env": []byte("T=" + tok)}))
	f.Add(uint8(8), []byte(`{"cells":[{"source":["a"],"outputs":[{"text":"token = 'Abcdefgh12345678'"}]}]}`))
	f.Add(uint8(9), newGen(2).pkcs12())
	f.Add(uint8(10), []byte("const password = \"Sup3rSecretPassw0rd\" // eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.c2lnbmF0dXJlc2lnbmF0dXJl"))
	f.Add(uint8(0), []byte(newGen(3).privateKeyPEM(3)))
	// The normalisation layer: escapes, encoded runs, text encodings,
	// binary strings, compressed streams, git objects.
	f.Add(uint8(2), []byte(`{"k": "\u0067\u0068\u0070\u005f", "p": "a\/b"}`))
	f.Add(uint8(3), []byte("key: \"\x67\U00000068p_\\\n  rest\"\nv: %67%68&#112;\n"))
	f.Add(uint8(0), []byte("K=abc\\\ndef\n"+base64.StdEncoding.EncodeToString([]byte("GITHUB_TOKEN="+tok))+"\n"+hex.EncodeToString([]byte(tok))))
	f.Add(uint8(0), append([]byte{0xff, 0xfe}, utf16le("T="+tok)...))
	f.Add(uint8(0), append([]byte{0x80, 0x04, 0x95, 9, 0, 0, 0, 0, 0, 0, 0, '}', 0x94, 0x8c, byte(len(tok))}, tok...))
	f.Add(uint8(0), secretgen.Bzip2([]byte("T="+tok)))
	f.Add(uint8(0), zlibBytes([]byte("blob 12\x00T="+tok)))
	f.Add(uint8(0), []byte("PACK\x00\x00\x00\x02\x00\x00\x00\x01\x3c"+string(zlibBytes([]byte("T="+tok)))))
	f.Add(uint8(0), []byte("\x00prompt with "+tok+"\n"))
	f.Add(uint8(0), []byte("7z\xbc\xaf\x27\x1c"))
	// Format-bound credentials and name/value entries.
	f.Add(uint8(3), []byte("env:\n  - name: DB_PASSWORD\n    value: Sup3rSecretPassw0rd\n  - {name: API_TOKEN, value: x}\n- value: a\n  name: SESSION_SECRET\n"))
	f.Add(uint8(2), []byte(`{"environment":[{"value":"Sup3rSecretPassw0rd","name":"DB_PASSWORD"}],"auths":{"r":{"auth":"YTpTdXAzclNlY3JldA=="}}}`))
	f.Add(uint8(0), []byte("AccountKey="+base64.StdEncoding.EncodeToString(make([]byte, 64))+";SharedAccessKey=\nAGE-SECRET-KEY-1QQQQ\n"))
	f.Add(uint8(0), []byte(newGen(4).PuTTYKey()))
	f.Add(uint8(0), []byte("machine h login u password Sup3rSecretPassw0rd\npassword\n"))
	s, err := New(testKey, WithWindow(4*overlap), WithArchiveLimits(3, 1<<20, 64), WithMaxHeaderBytes(1<<20))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		name := fuzzNames[int(kind)%len(fuzzNames)]
		w := &worker{s: s, buf: make([]byte, s.o.window)}
		fs := &fileScan{s: s, path: name}
		r := bytes.NewReader(data)
		_ = w.scanSource(context.Background(), fs, &source{name: name, r: r, ra: r, size: int64(len(data))})
		for _, f := range fs.findings() {
			if len(f.Hint) > 4 || f.Fingerprint == "" || f.Rule == "" {
				t.Fatalf("bad finding %+v", f)
			}
		}
	})
}

// FuzzLinePairs parses arbitrary lines into key/value pairs: offsets stay
// inside the line and values are what the line holds there.
func FuzzLinePairs(f *testing.F) {
	for _, s := range []string{"machine h login u password p4ssW0rdX", "password  ", "default", `password: "abc"`, `KEY=value # c`, `x := "y"; token = 'z'`, `"a": "b\"c", "d": 1`, `a == b`, `k=`, `'k' => "v"`} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, line string, bare bool) {
		for _, p := range linePairs(line, bare, nil) {
			if p.off < 0 || p.off+len(p.value) > len(line) || line[p.off:p.off+len(p.value)] != p.value {
				t.Fatalf("pair %+v does not index %q", p, line)
			}
			classifyPair(p)
		}
	})
}

// FuzzMask masks arbitrary strings: no panic, and what it returns holds
// no credential an anchored detector or URL userinfo would show.
func FuzzMask(f *testing.F) {
	g := newGen(5)
	tok := g.crcToken("ghp_")
	for _, s := range []string{"--token=" + tok, "postgresql://u:p4ssw0rd@h/db", "https://x:y@[bad/x", "${" + tok + "}",
		base64.StdEncoding.EncodeToString([]byte(tok)), "a%67%68p_", "plain text", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, rules := Mask(s)
		if _, ok := anchoredMatch([]byte(m)); ok {
			t.Fatalf("Mask(%q) = %q still holds a credential", s, m)
		}
		if m != s && len(rules) == 0 {
			t.Fatalf("Mask(%q) changed the string without saying why", s)
		}
		if u, _ := redact.Userinfo(m); u != m && !strings.Contains(m, redact.Marker) {
			t.Fatalf("Mask(%q) = %q keeps URL userinfo", s, m)
		}
	})
}
