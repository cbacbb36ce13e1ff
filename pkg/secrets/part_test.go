package secrets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/secretgen"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

// encoded is a result as the reports encode it.
func encoded(t *testing.T, r *Result) []byte {
	t.Helper()
	b, err := evidence.Canonical(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// scanParts scans dir in count parts, each through its encoded form (as
// parts travel between pods), and returns them.
func scanParts(t *testing.T, dir string, count int, opts ...Option) []*Part {
	t.Helper()
	parts := make([]*Part, 0, count)
	for i := 1; i <= count; i++ {
		s, err := New(testKey, append(append([]Option{}, opts...), WithPart(i, count))...)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.ScanPart(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		b, err := p.Encode()
		if err != nil {
			t.Fatal(err)
		}
		q, err := ParsePart(b)
		if err != nil {
			t.Fatalf("part %d/%d does not parse back: %v", i, count, err)
		}
		parts = append(parts, q)
	}
	return parts
}

func merge(t *testing.T, parts []*Part, opts ...Option) (*Result, error) {
	t.Helper()
	s, err := New(testKey, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s.Merge(parts, nil)
}

// genTree writes n entries drawn from the adversarial corpus (secrets,
// decoys, archives, compressed and unscannable files) and from empty
// files, symbolic links inside and outside the root, a FIFO and a
// credential-named file; it returns the planted values.
func genTree(t *testing.T, seed uint64, n int) (string, []string) {
	t.Helper()
	truth, decoys := secretgen.Adversarial(seed)
	pool := append(append([]secretgen.Planted{}, truth...), decoys...)
	r := rand.New(rand.NewPCG(seed, uint64(n)))
	dir := t.TempDir()
	var planted []secretgen.Planted
	var values []string
	for i := range n {
		switch k := r.IntN(10); {
		case k == 0:
			planted = append(planted, secretgen.Planted{Name: fmt.Sprintf("empty-%d.txt", i)})
		case k == 1 && i > 0:
			if err := os.Symlink(planted[0].Name, filepath.Join(dir, fmt.Sprintf("link-%d", i))); err != nil {
				t.Fatal(err)
			}
		case k == 2:
			if err := os.Symlink("/etc/hostname", filepath.Join(dir, fmt.Sprintf("outside-%d", i))); err != nil {
				t.Fatal(err)
			}
		case k == 3:
			if err := syscall.Mkfifo(filepath.Join(dir, fmt.Sprintf("fifo-%d", i)), 0o644); err != nil {
				t.Fatal(err)
			}
		default:
			p := pool[r.IntN(len(pool))]
			p.Name = fmt.Sprintf("d%d/%s", i%3, p.Name)
			planted = append(planted, p)
			values = append(values, p.Values...)
		}
	}
	if err := secretgen.Write(dir, planted); err != nil {
		t.Fatal(err)
	}
	return dir, values
}

// TestMergeEqualsSingleScan is the property: on generated trees of 1..n
// entries, the merge of N parts (N = 1 .. more parts than entries)
// encodes byte for byte as one scan.
func TestMergeEqualsSingleScan(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 3, 7, 24} {
		for _, seed := range []uint64{1, 20261130} {
			t.Run(fmt.Sprintf("%d-files-seed-%d", n, seed), func(t *testing.T) {
				t.Parallel()
				dir, values := genTree(t, seed, n)
				whole := scanDir(t, dir)
				if n == 24 && (len(whole.Findings) == 0 || len(whole.Problems) == 0 || whole.Stats.Skipped == 0) {
					t.Fatalf("the generated tree lacks findings, problems or links: %+v", whole.Stats)
				}
				single := encoded(t, whole)
				for _, count := range []int{1, 2, 3, 5, n + 3} {
					parts := scanParts(t, dir, count)
					// parts arrive in any order
					rand.New(rand.NewPCG(seed, uint64(count))).Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
					got, err := merge(t, parts)
					if err != nil {
						t.Fatalf("%d parts: %v", count, err)
					}
					if b := encoded(t, got); !bytes.Equal(b, single) {
						t.Fatalf("%d parts: merged result differs from one scan\nmerged: %s\nsingle: %s", count, b, single)
					}
					for _, p := range parts {
						b, _ := p.Encode()
						if w := secretWindow(b, values); w != "" {
							t.Fatalf("part %d/%d holds an 8-byte window of a planted secret: %q", p.Index, p.Count, w)
						}
					}
				}
			})
		}
	}
}

// secretWindow returns an 8-byte window of one of values found in b, or "".
func secretWindow(b []byte, values []string) string {
	for _, v := range values {
		for i := 0; i+8 <= len(v); i++ {
			w := v[i : i+8]
			if strings.TrimSpace(w) != w || strings.ContainsAny(w, "\n\"\\") {
				continue // JSON framing and layout, not the secret
			}
			if bytes.Contains(b, []byte(w)) {
				return w
			}
		}
	}
	return ""
}

// TestPartOfASharedWalk: walk-level problems appear in exactly one part,
// and each file is read by exactly one part.
func TestPartOfASharedWalk(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"a.txt": "x", "b.txt": "y", "c.env": "TOKEN=ghp_placeholder"})
	if err := os.Symlink("/etc/hostname", filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	parts := scanParts(t, dir, 3)
	var problems, files int64
	for _, p := range parts {
		problems += int64(len(p.Result.Problems))
		files += p.Result.Stats.Files
		if p.Walk != parts[0].Walk || p.Walk.Entries != 5 {
			t.Fatalf("walk %+v, want the same 5 entries in every part", p.Walk)
		}
	}
	if problems != 2 || files != 3 {
		t.Fatalf("%d problems and %d files across parts, want 2 and 3", problems, files)
	}
}

func TestWithPartRefusesBadIndex(t *testing.T) {
	t.Parallel()
	for _, tt := range [][2]int{{0, 0}, {0, 1}, {2, 1}, {1, MaxParts + 1}, {-1, 3}} {
		if _, err := New(testKey, WithPart(tt[0], tt[1])); err == nil {
			t.Errorf("WithPart(%d, %d) accepted", tt[0], tt[1])
		}
	}
	s, err := New(testKey, WithPart(1, 2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Scan(context.Background(), t.TempDir(), t.TempDir()); err == nil || !strings.Contains(err.Error(), "one root") {
		t.Fatalf("two roots in a partitioned scan: %v", err)
	}
	whole, _ := New(testKey)
	if _, err := whole.ScanPart(context.Background(), t.TempDir()); err == nil {
		t.Fatal("ScanPart without WithPart accepted")
	}
}

// TestMergeRefusesPartsThatDisagree: a missing, duplicated, altered or
// foreign part is refused with an error that names it.
func TestMergeRefusesPartsThatDisagree(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"a.txt": "x", "b/c.yaml": "k: v", "d.json": `{"a": 1}`, "e.md": "# hi"})
	parts := scanParts(t, dir, 3)
	other := writeFiles(t, map[string]string{"a.txt": "x", "b/c.yaml": "k: v", "d.json": `{"a": 1}`, "e.md": "# hi!"})
	otherParts := scanParts(t, other, 3)
	fourParts := scanParts(t, dir, 4)
	smallWindow := scanParts(t, dir, 3, WithWindow(4*overlap))
	otherKey := func() *Part {
		s, err := New([]byte("another-fingerprint-key-0123456789"), WithPart(2, 3))
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.ScanPart(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}()
	altered := func(f func(p *Part)) *Part {
		c := *parts[1]
		c.Result.Stats = parts[1].Result.Stats
		f(&c)
		return &c
	}
	tests := []struct {
		name  string
		parts []*Part
		want  string
	}{
		{"none", nil, "no scan parts"},
		{"missing", parts[:2], "missing scan part(s) 3 of 3"},
		{"duplicated", []*Part{parts[0], parts[1], parts[1], parts[2]}, "appears twice"},
		{"different count", []*Part{parts[0], parts[1], fourParts[2]}, "different part counts"},
		{"different walk", []*Part{parts[0], otherParts[1], parts[2]}, "saw different files"},
		{"different limits", []*Part{parts[0], parts[1], smallWindow[2]}, "version, rule set or limits differ"},
		{"other key", []*Part{parts[0], otherKey, parts[2]}, "seal does not verify"},
		{"tampered findings", []*Part{parts[0], altered(func(p *Part) { p.Result.Problems = nil }), parts[2]}, "seal does not verify"},
		{"tampered stats", []*Part{parts[0], altered(func(p *Part) { p.Result.Stats.Files++ }), parts[2]}, "seal does not verify"},
		{"tampered share", []*Part{parts[0], altered(func(p *Part) { p.Entries = 0 }), parts[2]}, "seal does not verify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := merge(t, tt.parts)
			if err == nil || !errors.Is(err, ErrInvalidPart) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Merge = %v, want %q (ErrInvalidPart)", err, tt.want)
			}
		})
	}
	// the merging scanner must be configured as the parts were
	if _, err := merge(t, smallWindow); err == nil || !strings.Contains(err.Error(), "limits differ") {
		t.Fatalf("merge with other limits: %v", err)
	}
	if _, err := merge(t, smallWindow, WithWindow(4*overlap)); err != nil {
		t.Fatal(err)
	}
}

func TestParsePartRefusesMalformed(t *testing.T) {
	t.Parallel()
	good, err := scanParts(t, writeFiles(t, map[string]string{"a.txt": "x"}), 1)[0].Encode()
	if err != nil {
		t.Fatal(err)
	}
	sub := func(from, to string) []byte { return bytes.Replace(good, []byte(from), []byte(to), 1) }
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "decode scan part"},
		{"not json", []byte("{"), "decode scan part"},
		{"unknown field", sub(`"kind"`, `"extra": 1, "kind"`), "unknown field"},
		{"trailing", append(append([]byte{}, good...), "{}"...), "trailing data"},
		{"kind", sub(`"SecretScanPart"`, `"HashPart"`), "want tollgate.dev/v1alpha1 SecretScanPart"},
		{"index", sub(`"index": 1`, `"index": 2`), "want 1 <= index <= count"},
		{"count", sub(`"count": 1`, `"count": 5000`), "want 1 <= index <= count"},
		{"entries", sub("\"entries\": 1,\n  \"result\"", "\"entries\": 9,\n  \"result\""), "do not add up"},
		{"walk digest", sub(`"digest": "sha256:`, `"digest": "md5:`), "walk digest"},
		{"mac", sub(`"mac": "hmac-sha256:`, `"mac": "`), "seal"},
		{"stats", sub(`"files": 1`, `"files": 7`), "do not fit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := ParsePart(tt.in); err == nil || !errors.Is(err, ErrInvalidPart) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParsePart = %v, want %q", err, tt.want)
			}
		})
	}
}

// FuzzParsePart: any input is parsed or refused with ErrInvalidPart, never
// a panic; what parses encodes and parses again the same.
func FuzzParsePart(f *testing.F) {
	f.Add([]byte(`{"apiVersion":"tollgate.dev/v1alpha1","kind":"SecretScanPart","index":1,"count":1,"scanner":{},"walk":{"entries":0,"digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000"},"entries":0,"result":{"findings":[],"references":[],"problems":[],"stats":{"files":0,"bytes":0,"binary":0,"skipped":0}},"mac":"hmac-sha256:0000000000000000000000000000000000000000000000000000000000000000"}`))
	f.Add([]byte(`{"kind":"SecretScanPart","index":-1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePart(b)
		if err != nil {
			if !errors.Is(err, ErrInvalidPart) {
				t.Fatalf("error without ErrInvalidPart: %v", err)
			}
			return
		}
		enc, err := p.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParsePart(enc); err != nil {
			t.Fatalf("re-encoded part does not parse: %v", err)
		}
		s, err := New(testKey)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Merge([]*Part{p}, nil); err == nil {
			t.Fatal("a part not sealed with the key merged")
		}
	})
}
