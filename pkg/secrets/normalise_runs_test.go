package secrets

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// encodedRunsRef is the earlier encodedRuns, which looked for a run from
// both sides of every probe: the reference the faster one must match.
func encodedRunsRef(b []byte, lo, hi int, scratch []byte, visit func(encodedRun)) []byte {
	for i := lo; i < hi; {
		// Skip ahead: a run of minB64Run characters starting in
		// [i, i+minB64Run) covers b[i+minB64Run-1].
		j := i + minB64Run - 1
		if j >= len(b) {
			break
		}
		if !b64Char[b[j]] {
			i = j + 1
			continue
		}
		s := j
		for s > i && b64Char[b[s-1]] {
			s--
		}
		e := j + 1
		for e < len(b) && b64Char[b[e]] {
			e++
		}
		i = e
		if e-s < minB64Run || s >= hi {
			continue
		}
		for i < len(b) && i-e < 2 && b[i] == '=' {
			i++
		}
		run := b[s:e]
		end := i
		// Line-wrapped: a full line of base64 whose length is a multiple
		// of four, continued by more base64 on the next line.
		if e-s >= 40 && (e-s)%4 == 0 && end == e && end < len(b) && (b[end] == '\n' || b[end] == '\r') && lineOnly(b, s) {
			scratch = append(scratch[:0], run...)
			j := end
			for len(scratch) < maxJoinedRun {
				k := j
				if k < len(b) && b[k] == '\r' {
					k++
				}
				if k >= len(b) || b[k] != '\n' {
					break
				}
				k++
				for k < len(b) && (b[k] == ' ' || b[k] == '\t') {
					k++
				}
				m := k
				for m < len(b) && b64Char[b[m]] {
					m++
				}
				if m == k {
					break
				}
				scratch = append(scratch, b[k:m]...)
				pad := m
				for pad < len(b) && pad-m < 2 && b[pad] == '=' {
					pad++
				}
				j = pad
				if pad > m || (m-k)%4 != 0 || pad >= len(b) || (b[pad] != '\n' && b[pad] != '\r') {
					break
				}
			}
			if len(scratch) > e-s {
				run, end = scratch, j
			}
		}
		if t, enc := decodeRun(run); t != nil {
			visit(encodedRun{start: s, end: end, enc: enc, text: t})
		}
		i = max(i, end)
	}
	return scratch
}

func encodedRunsOf(f func([]byte, int, int, []byte, func(encodedRun)) []byte, b []byte, lo, hi int) string {
	var out strings.Builder
	f(b, lo, hi, nil, func(r encodedRun) { fmt.Fprintf(&out, "%d-%d %s %q\n", r.start, r.end, r.enc, r.text) })
	return out.String()
}

// TestEncodedRunsMatchesReference compares encodedRuns with the reference
// on Go source, base64 and hex text, line-wrapped blocks and random bytes
// from the base64 alphabet and a few separators, at several windows.
func TestEncodedRunsMatchesReference(t *testing.T) {
	t.Parallel()
	var texts [][]byte
	var src []byte
	_ = filepath.WalkDir(filepath.Join(goroot(), "src", "encoding"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && len(src) < 4<<20 {
			if c, err := os.ReadFile(p); err == nil {
				src = append(src, c...)
			}
		}
		return nil
	})
	texts = append(texts, src)
	r := rand.New(rand.NewPCG(1, 2))
	const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_=  \n\"'.:\t"
	for range 200 {
		b := make([]byte, r.IntN(300))
		for i := range b {
			if r.IntN(8) == 0 {
				b[i] = alpha[64+r.IntN(len(alpha)-64)]
			} else {
				b[i] = alpha[r.IntN(64)]
			}
		}
		texts = append(texts, b)
	}
	for range 200 { // any byte: UTF-8, control characters, bytes of 0x80 and over
		b := make([]byte, r.IntN(300))
		for i := range b {
			if r.IntN(6) == 0 {
				b[i] = byte(r.IntN(256))
			} else {
				b[i] = alpha[r.IntN(64)]
			}
		}
		texts = append(texts, b)
	}
	wrapped := bytes.Repeat([]byte("dGhlIHBhc3N3b3JkIGlzIGh1bnRlcjIgYW5kIHRoZSB0b2tlbiBpcyBzZWNyZXQ=\n"), 3)
	texts = append(texts, wrapped, append([]byte("x: |\n  "), wrapped...))
	for i, b := range texts {
		for _, w := range [][2]int{{0, len(b)}, {len(b) / 3, len(b) / 2}, {1, max(1, len(b)-30)}} {
			if got, want := encodedRunsOf(encodedRuns, b, w[0], w[1]), encodedRunsOf(encodedRunsRef, b, w[0], w[1]); got != want {
				t.Fatalf("text %d window %v: runs differ\ngot:\n%s\nwant:\n%s", i, w, got, want)
			}
		}
	}
}

// TestNonB64 checks the eight-byte test against b64Char for every byte
// value in every lane, among random neighbours.
func TestNonB64(t *testing.T) {
	t.Parallel()
	notB64 := new(charset)
	for c := range notB64 {
		notB64[c] = !b64Char[c]
	}
	checkLanes(t, "nonB64", nonB64, notB64)
}

// checkLanes checks a word test f (the top bit of each byte that is in
// set) against set, for every byte value in every lane among random
// neighbours.
func checkLanes(t *testing.T, name string, f func(uint64) uint64, set *charset) {
	t.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	for v := range 256 {
		for lane := range 8 {
			for range 16 {
				var w [8]byte
				for i := range w {
					w[i] = byte(r.IntN(256))
				}
				w[lane] = byte(v)
				m := f(binary.LittleEndian.Uint64(w[:]))
				for i, c := range w {
					if got := m>>(8*i+7)&1 == 1; got != set[c] {
						t.Fatalf("%s(% x): lane %d (%#x) marked %v, want %v", name, w, i, c, got, set[c])
					}
				}
				if m&^msb8 != 0 {
					t.Fatalf("%s(% x) = %#x: bits outside the top ones", name, w, m)
				}
			}
		}
	}
}

// FuzzEncodedRuns: the runs found match the reference implementation's on
// any input and window.
func FuzzEncodedRuns(f *testing.F) {
	f.Add([]byte("token: dGhlIHBhc3N3b3JkIGlzIGh1bnRlcjI= x"), 0, 40)
	f.Add([]byte("\xc3\xa9QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo\xff,."), 2, 30)
	f.Fuzz(func(t *testing.T, b []byte, lo, hi int) {
		if len(b) > 1<<16 {
			return
		}
		lo, hi = min(max(lo, 0), len(b)), min(max(hi, 0), len(b))
		if got, want := encodedRunsOf(encodedRuns, b, lo, hi), encodedRunsOf(encodedRunsRef, b, lo, hi); got != want {
			t.Fatalf("window [%d, %d): runs differ\ngot:\n%s\nwant:\n%s", lo, hi, got, want)
		}
	})
}
