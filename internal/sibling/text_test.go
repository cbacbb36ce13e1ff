package sibling

import (
	"encoding/binary"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

// The helpers in text.go stand in for the standard library's; each must
// agree with what it replaces.

func TestItoa(t *testing.T) {
	t.Parallel()
	for _, n := range []uint64{0, 1, 9, 10, 99, 100, 4096, 1 << 48, math.MaxUint64} {
		if got, want := itoa(n), strconv.FormatUint(n, 10); got != want {
			t.Errorf("itoa(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"github.com/x/cmd/tollgate", `"github.com/x/cmd/tollgate"`},
		{"", `""`},
		{`a"b\c`, `"a\"b\\c"`},
		{"line\nforged\x1b[2J\x7f\xff", `"line\x0aforged\x1b[2J\x7f\xff"`},
	}
	for _, tc := range cases {
		if got := quote(tc.in); got != tc.want {
			t.Errorf("quote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestStringHelpers(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "a", "/a/b/c", "abc/", "//", "no slash", "x\ty\tz"} {
		if got, want := lastIndexByte(s, '/'), strings.LastIndexByte(s, '/'); got != want {
			t.Errorf("lastIndexByte(%q) = %d, want %d", s, got, want)
		}
		for _, p := range []string{"", "a", "/a", s, s + "x"} {
			if got, want := hasPrefix(s, p), strings.HasPrefix(s, p); got != want {
				t.Errorf("hasPrefix(%q, %q) = %v, want %v", s, p, got, want)
			}
		}
		b, a, ok := cut(s, '\t')
		wb, wa, wok := strings.Cut(s, "\t")
		if b != wb || a != wa || ok != wok {
			t.Errorf("cut(%q) = %q, %q, %v, want %q, %q, %v", s, b, a, ok, wb, wa, wok)
		}
		if got, want := spaced(s), strings.ReplaceAll(s, "\t", " "); got != want {
			t.Errorf("spaced(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestLittleEndian(t *testing.T) {
	t.Parallel()
	b := []byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}
	le := binary.LittleEndian
	if le16(b) != le.Uint16(b) || le32(b) != le.Uint32(b) || le64(b) != le.Uint64(b) {
		t.Fatalf("le16/32/64 = %#x %#x %#x, want %#x %#x %#x", le16(b), le32(b), le64(b), le.Uint16(b), le.Uint32(b), le.Uint64(b))
	}
}

func TestUvarint(t *testing.T) {
	t.Parallel()
	cases := [][]byte{
		nil, {0}, {1}, {0x7f}, {0x80}, {0x80, 0x01}, {0xff, 0xff, 0x03},
		binary.AppendUvarint(nil, math.MaxUint64),
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02},       // overflows in the 10th byte
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, // 11 bytes
		{0x80, 0x80, 0x80},
	}
	for _, b := range cases {
		n, w := uvarint(b)
		wn, ww := binary.Uvarint(b)
		if n != wn || w != ww {
			t.Errorf("uvarint(%x) = %d, %d, want %d, %d", b, n, w, wn, ww)
		}
	}
}

func FuzzUvarint(f *testing.F) {
	f.Add([]byte{0x80, 0x01})
	f.Add(binary.AppendUvarint(nil, math.MaxUint64))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, w := uvarint(b)
		if wn, ww := binary.Uvarint(b); n != wn || w != ww {
			t.Fatalf("uvarint(%x) = %d, %d, want %d, %d", b, n, w, wn, ww)
		}
	})
}

func TestWrap(t *testing.T) {
	t.Parallel()
	err := wrap("read ELF header", io.EOF)
	if err.Error() != "read ELF header: EOF" || !errors.Is(err, io.EOF) {
		t.Fatalf("wrap = %v (is EOF: %v)", err, errors.Is(err, io.EOF))
	}
}
