package secrets

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// extractRef is extract as it was, a byte at a time: the reference the
// eight-byte version must match.
func (x *extractor) extractRef(b []byte, from int, eof bool) int {
	i := from
	for {
		for i < len(b) && !printableByte[b[i]] {
			for i+8 <= len(b) && b[i] == 0 && binary.LittleEndian.Uint64(b[i:]) == 0 {
				i += 8
			}
			if i < len(b) && !printableByte[b[i]] {
				i++
			}
		}
		if i >= len(b) {
			return len(b)
		}
		s := i
		for i < len(b) && printableByte[b[i]] && i-s < maxString {
			i++
		}
		if i == len(b) && !eof {
			return s
		}
		if i-s >= x.min {
			x.strings(b, s, i)
			continue
		}
		if i+1 >= len(b) || b[i] != 0 || !printableByte[b[i+1]] {
			continue
		}
		s = i - 1
		j := s
		for j+1 < len(b) && printableByte[b[j]] && b[j+1] == 0 && (j-s)/2 < maxString {
			j += 2
		}
		if (j-s)/2 < x.min {
			continue
		}
		if j+1 >= len(b) && !eof {
			return s
		}
		u := make([]byte, 0, (j-s)/2)
		for k := s; k < j; k += 2 {
			u = append(u, b[k])
		}
		x.add(u)
		i = j
	}
}

// extractBoth runs both extractors on b and returns what each wrote and
// where each stopped. The text buffer is large enough that no flush (a
// scan) happens.
func extractBoth(b []byte, from int, eof bool, minLen int, pairing bool) (got, want []byte, gotStop, wantStop int) {
	x := &extractor{min: minLen, pairing: pairing, text: make([]byte, 0, 4<<20)}
	gotStop = x.extract(b, from, eof)
	y := &extractor{min: minLen, pairing: pairing, text: make([]byte, 0, 4<<20)}
	wantStop = y.extractRef(b, from, eof)
	return x.text, y.text, gotStop, wantStop
}

// binaryLike returns n bytes mixing what binaries hold: random bytes,
// zero runs, printable runs of every length, UTF-16LE strings, length
// prefixes, tabs and bytes of 0x80 and over.
func binaryLike(r *rand.Rand, n int) []byte {
	b := make([]byte, 0, n+64)
	for len(b) < n {
		switch r.IntN(6) {
		case 0:
			for k := r.IntN(20); k > 0; k-- {
				b = append(b, byte(r.IntN(256)))
			}
		case 1:
			b = append(b, make([]byte, r.IntN(40))...)
		case 2:
			for k := r.IntN(30); k > 0; k-- {
				b = append(b, byte(0x20+r.IntN(0x5f)))
			}
		case 3:
			for k := r.IntN(14); k > 0; k-- {
				b = append(b, byte('a'+r.IntN(26)), 0)
			}
		case 4:
			l := 8 + r.IntN(12)
			b = append(b, byte(l))
			for range l {
				b = append(b, byte('A'+r.IntN(26)))
			}
		case 5:
			b = append(b, '\t', 0x7e, 0x7f, 0x80, 0xff, 0x1f, ' ')
		}
	}
	return b[:n]
}

func TestPrintable8(t *testing.T) {
	t.Parallel()
	checkLanes(t, "printable8", printable8, printableByte)
}

func TestExtractMatchesReference(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(9, 10))
	long := append(append(binaryLike(r, 100), bytes.Repeat([]byte("k"), maxString+21)...), binaryLike(r, 100)...)
	wide := append(binaryLike(r, 50), bytes.Repeat([]byte("w\x00"), maxString+5)...)
	for i := range 302 {
		var b []byte
		switch i {
		case 300:
			b = long // a run cut at maxString
		case 301:
			b = wide // a UTF-16 string cut at maxString
		default:
			b = binaryLike(r, r.IntN(3000))
		}
		from := 0
		if len(b) > 0 {
			from = r.IntN(len(b))
		}
		for _, eof := range []bool{true, false} {
			for _, minLen := range []int{minString, minCredential} {
				got, want, gs, ws := extractBoth(b, from, eof, minLen, minLen == minString)
				if gs != ws || !bytes.Equal(got, want) {
					t.Fatalf("input %d (from %d, eof %v, min %d): stopped at %d, want %d; wrote %q, want %q", i, from, eof, minLen, gs, ws, got, want)
				}
			}
		}
	}
}

func FuzzExtract(f *testing.F) {
	r := rand.New(rand.NewPCG(11, 12))
	f.Add(binaryLike(r, 200), 0, true)
	f.Add([]byte("\x00\x00s\x00e\x00c\x00r\x00e\x00t\x00\x00\x00password=hunter2\x01"), 3, false)
	f.Fuzz(func(t *testing.T, b []byte, from int, eof bool) {
		if len(b) > 1<<16 {
			return
		}
		from = min(max(from, 0), len(b))
		for _, minLen := range []int{minString, minCredential} {
			got, want, gs, ws := extractBoth(b, from, eof, minLen, minLen == minString)
			if gs != ws || !bytes.Equal(got, want) {
				t.Fatalf("from %d, eof %v, min %d: stopped at %d, want %d; wrote %q, want %q", from, eof, minLen, gs, ws, got, want)
			}
		}
	})
}
