package secrets

import (
	"bytes"
	"compress/bzip2"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/secretgen"
)

// bz2Streams are bzip2 streams to decode: generated ones, and the test
// files of the Go distribution's compress/bzip2 and archive/tar (real
// bzip2 output, several blocks, highly repetitive data), when present.
func bz2Streams(tb testing.TB) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{
		"text":         secretgen.Bzip2([]byte("GITHUB_TOKEN=abc\nLOG=1\n")),
		"runs":         secretgen.Bzip2(runsOf(20000)),
		"long run":     secretgen.Bzip2(bytes.Repeat([]byte{'z'}, 99999)),
		"every byte":   secretgen.Bzip2(randomBytes(4096)),
		"concatenated": append(secretgen.Bzip2([]byte("first\n")), secretgen.Bzip2([]byte("second\n"))...),
	}
	if root := goroot(); root != "" {
		for _, dir := range []string{"compress/bzip2/testdata", "archive/tar/testdata", "regexp/testdata"} {
			files, _ := filepath.Glob(filepath.Join(root, "src", dir, "*.bz2"))
			for _, f := range files {
				if b, err := os.ReadFile(f); err == nil {
					out[filepath.Base(f)] = b
				}
			}
		}
	}
	return out
}

// goroot is the Go distribution that go env names ("" without go).
// runsOf returns n bytes of pseudo-random text with runs of every length
// (secretgen.Bzip2's transform is slow on periodic input).
func runsOf(n int) []byte {
	g := newGen(7)
	var b []byte
	for len(b) < n {
		b = append(b, bytes.Repeat([]byte{byte('a' + g.r.IntN(4))}, 1+g.r.IntN(300))...)
		b = append(b, byte('0'+g.r.IntN(10)))
	}
	return b[:n]
}

func randomBytes(n int) []byte {
	g := newGen(5)
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.IntN(256))
	}
	return b
}

// goroot is the Go distribution that go env names ("" without go).
func goroot() string {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// bz2Both decodes b with compress/bzip2 and with bzip2Reader, each up to
// limit bytes.
func bz2Both(b []byte, limit int64) (want, got []byte, quirk bool, wantErr, gotErr error) {
	want, wantErr = io.ReadAll(io.LimitReader(bzip2.NewReader(bytes.NewReader(b)), limit))
	z := newBzip2Reader(bytes.NewReader(b), nil, nil)
	got, gotErr = io.ReadAll(io.LimitReader(z, limit))
	return want, got, z.quirkCountThenRe, wantErr, gotErr
}

// TestBzip2MatchesStdlib: the decoder produces what compress/bzip2 does,
// byte for byte, and refuses what it refuses.
func TestBzip2MatchesStdlib(t *testing.T) {
	t.Parallel()
	for name, b := range bz2Streams(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want, got, _, wantErr, gotErr := bz2Both(b, 8<<20)
			if (wantErr == nil) != (gotErr == nil) {
				t.Fatalf("error = %v, compress/bzip2 says %v", gotErr, wantErr)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("decoded %d bytes, compress/bzip2 %d; first difference at %d", len(got), len(want), firstDiff(got, want))
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestBzip2Errors: damaged streams fail with an error, never a short
// success.
func TestBzip2Errors(t *testing.T) {
	t.Parallel()
	good := secretgen.Bzip2([]byte(strings.Repeat("hello bzip2 world\n", 200)))
	flip := func(i int) []byte { b := append([]byte(nil), good...); b[i] ^= 0x10; return b }
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "unexpected EOF"},
		{"not bzip2", []byte("BZx9 hello"), "not Huffman-coded"},
		{"bad level", []byte("BZh0"), "invalid compression level"},
		{"truncated header", good[:3], "unexpected EOF"},
		{"truncated block", good[:len(good)/2], "unexpected EOF"},
		{"truncated end", good[:len(good)-3], "unexpected EOF"},
		{"block checksum", flip(10), "checksum mismatch"},
		{"block magic", flip(5), "bad block magic"},
		{"trailing garbage", append(append([]byte(nil), good...), "XY"...), "bad magic value in a concatenated stream"},
		{"randomised", func() []byte { b := append([]byte(nil), good...); b[14] |= 0x80; return b }(), "randomised"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := io.ReadAll(newBzip2Reader(bytes.NewReader(tt.in), nil, nil))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestBzip2CheckBeforeExpansion: each block's decoded length is told to
// the check before the block yields a byte, and an error from the check
// ends the stream with nothing of that block read.
func TestBzip2CheckBeforeExpansion(t *testing.T) {
	t.Parallel()
	plain := runsOf(90000)
	b := append(secretgen.Bzip2([]byte("first block\n")), secretgen.Bzip2(plain)...)
	var lengths []int64
	stop := errors.New("stop")
	z := newBzip2Reader(bytes.NewReader(b), nil, func(n int64) error {
		lengths = append(lengths, n)
		if len(lengths) == 2 {
			return stop
		}
		return nil
	})
	got, err := io.ReadAll(z)
	if !errors.Is(err, stop) {
		t.Fatalf("error = %v, want the check's", err)
	}
	if string(got) != "first block\n" {
		t.Fatalf("read %q before the refused block, want only the first block", got)
	}
	if len(lengths) != 2 || lengths[0] != 12 || lengths[1] != int64(len(plain)) {
		t.Fatalf("block lengths = %v, want [12 %d]", lengths, len(plain))
	}
}

// TestBzip2FloorBeforeInversion: a block's lower bound is told to floor
// before the block is inverted, and an error from floor ends the stream
// there: check never hears of the block. The bound is at most the length.
func TestBzip2FloorBeforeInversion(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	noRuns := make([]byte, 100000) // random, without runs: n is the length
	for i := range noRuns {
		noRuns[i] = byte(r.IntN(256))
		if i > 0 && noRuns[i] == noRuns[i-1] {
			noRuns[i]++
		}
	}
	b := append(secretgen.Bzip2([]byte("first block\n")), secretgen.Bzip2(noRuns)...)
	var floors, checks []int64
	stop := errors.New("stop")
	z := newBzip2Reader(bytes.NewReader(b), nil, func(n int64) error { checks = append(checks, n); return nil })
	z.floor = func(n int64) error {
		floors = append(floors, n)
		if n > 50000 {
			return stop
		}
		return nil
	}
	got, err := io.ReadAll(z)
	if !errors.Is(err, stop) || string(got) != "first block\n" {
		t.Fatalf("read %q, %v; want the first block, then floor's error", got, err)
	}
	if len(checks) != 1 || len(floors) != 2 || floors[0] > checks[0] || floors[1] != 100000-100000/5 {
		t.Fatalf("floors %v, checks %v: want floor before each block, check for the first only", floors, checks)
	}
	// On every test stream, each block's floor is at most its length.
	for name, b := range bz2Streams(t) {
		if len(b) > 200<<10 {
			continue
		}
		var fl, ck []int64
		z := newBzip2Reader(bytes.NewReader(b), nil, func(n int64) error { ck = append(ck, n); return nil })
		z.floor = func(n int64) error { fl = append(fl, n); return nil }
		if _, err := io.ReadAll(z); err != nil {
			continue
		}
		for i := range ck {
			if fl[i] > ck[i] {
				t.Errorf("%s: block %d: floor %d over its length %d", name, i, fl[i], ck[i])
			}
		}
	}
}

// TestBzip2CheckedLengths: the lengths told to the check are the lengths
// the blocks expand to, on the test streams (Go's bzip2 test data too).
func TestBzip2CheckedLengths(t *testing.T) {
	t.Parallel()
	for name, b := range bz2Streams(t) {
		if len(b) > 200<<10 {
			continue // re2-exhaustive.txt.bz2: 64 MB of output
		}
		var sum int64
		z := newBzip2Reader(bytes.NewReader(b), nil, func(n int64) error { sum += n; return nil })
		got, err := io.ReadAll(z)
		if err != nil || z.quirkCountThenRe {
			continue // damaged streams and the quirk: nothing to compare
		}
		if sum != int64(len(got)) {
			t.Errorf("%s: blocks checked as %d bytes, expanded to %d", name, sum, len(got))
		}
	}
}

// TestBzip2BombRefusedEarly: a stream whose blocks expand over the ratio
// is refused at the block that takes it over, before that block is
// expanded: the scan reads less than the block it refuses.
func TestBzip2BombRefusedEarly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Four streams of one block each, each 99,999 bytes from a few
	// dozen: the third takes the stream past the 256 KiB grace.
	var bomb []byte
	for range 4 {
		bomb = append(bomb, secretgen.Bzip2(bytes.Repeat([]byte{'a'}, 99999))...)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.txt.bz2"), bomb, 0o644); err != nil {
		t.Fatal(err)
	}
	res := scanDir(t, dir, WithMaxRatio(2))
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Reason, "bzip2 stream expands") || !strings.Contains(res.Problems[0].Reason, "to more than 299997 (over 2x") {
		t.Fatalf("problems = %+v, want the bzip2 stream refused at its third block", res.Problems)
	}
	if res.Stats.Bytes > 2*99999+int64(len(bomb)) {
		t.Fatalf("%d bytes scanned, want none of the refused block", res.Stats.Bytes)
	}
}

// FuzzBzip2 compares the decoder with compress/bzip2 on arbitrary input:
// where the standard library decodes a stream (checksums verified), this
// decoder produces the same bytes; it never panics or hangs. (They differ by design on one
// input the reference encoder never writes, a zero count followed by its
// run's byte, where the reference decoder starts a new run.)
func FuzzBzip2(f *testing.F) {
	for _, b := range bz2Streams(f) {
		if len(b) < 64<<10 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want, got, quirk, wantErr, gotErr := bz2Both(b, 4<<20)
		if quirk || wantErr != nil {
			// What a damaged stream yields before its checksum fails
			// differs between decoders; both fail.
			return
		}
		if gotErr != nil {
			t.Fatalf("error %v where compress/bzip2 decodes %d bytes", gotErr, len(want))
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("decoded %d bytes, compress/bzip2 %d; first difference at %d", len(got), len(want), firstDiff(got, want))
		}
	})
}

func BenchmarkBzip2(b *testing.B) {
	root := goroot()
	in, err := os.ReadFile(filepath.Join(root, "src/compress/bzip2/testdata/Isaac.Newton-Opticks.txt.bz2"))
	if err != nil {
		b.Skip(err)
	}
	// re2-exhaustive.txt.bz2's first blocks (what a scan decodes before
	// the ratio limit refuses it): long walks, little Huffman decoding.
	if re2, err := os.ReadFile(filepath.Join(root, "src/regexp/testdata/re2-exhaustive.txt.bz2")); err == nil {
		b.Run("re2-4MB", func(b *testing.B) {
			buf := &bz2Buffers{}
			for b.Loop() {
				n, err := io.Copy(io.Discard, io.LimitReader(newBzip2Reader(bytes.NewReader(re2), buf, nil), 4<<20))
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(n)
			}
		})
	}
	b.Run("stdlib", func(b *testing.B) {
		for b.Loop() {
			n, err := io.Copy(io.Discard, bzip2.NewReader(bytes.NewReader(in)))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(n)
		}
	})
	b.Run("tollgate", func(b *testing.B) {
		buf := &bz2Buffers{}
		for b.Loop() {
			n, err := io.Copy(io.Discard, newBzip2Reader(bytes.NewReader(in), buf, nil))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(n)
		}
	})
}

// TestBzip2Walk: the segmented walk of an inverse BWT vector gives the
// bytes the serial walk gives when the links form one cycle, and says
// it cannot when they form several (a damaged block).
func TestBzip2Walk(t *testing.T) {
	t.Parallel()
	g := newGen(11)
	// vector links the positions in order's cycle (or cycles: one per
	// cut) with random bytes, marking the links into multiples of stride.
	vector := func(n, stride int, cuts ...int) []uint32 {
		order := g.r.Perm(n)
		tt := make([]uint32, n)
		from := 0
		for _, end := range append(cuts, n) {
			for k := from; k < end; k++ {
				next := order[from+(k+1-from)%(end-from)]
				tt[order[k]] = uint32(g.r.IntN(256)) | uint32(next)<<8
				if next%stride == 0 {
					tt[order[k]] |= bz2Stop
				}
			}
			from = end
		}
		return tt
	}
	for _, tc := range []struct {
		name      string
		n, stride int
		cuts      []int
		ok        bool
	}{
		{name: "one cycle", n: 900000, stride: 900000 / bz2Segments, ok: true},
		{name: "fewer segments than lanes", n: 50000, stride: 20000, ok: true},
		{name: "long segments", n: 300000, stride: 100000, ok: true},
		{name: "odd length", n: 65537, stride: 4096, ok: true},
		{name: "two cycles", n: 100000, stride: 4096, cuts: []int{50000}},
		{name: "a short cycle without a mark", n: 100000, stride: 4096, cuts: []int{99990}},
		{name: "many cycles", n: 100000, stride: 4096, cuts: []int{10, 20, 30, 40000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tt := vector(tc.n, tc.stride, tc.cuts...)
			for _, origPtr := range []int{0, tc.n / 3, tc.n - 1} {
				want := make([]byte, tc.n)
				walkSerial(tt, origPtr, want)
				got := make([]byte, tc.n)
				b := &bz2Buffers{}
				ok := b.walk(tt, origPtr, tc.stride, got)
				if ok != tc.ok {
					t.Fatalf("origin %d: walk = %v, want %v", origPtr, ok, tc.ok)
				}
				if ok && !bytes.Equal(got, want) {
					t.Fatalf("origin %d: first difference from the serial walk at %d", origPtr, firstDiff(got, want))
				}
				// The vector is left as it was but for the mark walk may
				// add to the origin's link.
				walkSerial(tt, origPtr, got)
				if !bytes.Equal(got, want) {
					t.Fatalf("origin %d: walk changed the vector's links", origPtr)
				}
			}
		})
	}
}
