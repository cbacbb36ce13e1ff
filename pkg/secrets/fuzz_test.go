package secrets

import (
	"bytes"
	"context"
	"testing"
)

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
	for _, s := range []string{`password: "abc"`, `KEY=value # c`, `x := "y"; token = 'z'`, `"a": "b\"c", "d": 1`, `a == b`, `k=`, `'k' => "v"`} {
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
