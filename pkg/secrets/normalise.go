package secrets

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"io"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// The normalisation layer. Every detector runs on raw text and on the
// decoded views of it, bounded in depth (maxDecode) and in size:
//
//   - escape views: a line holding a backslash escape (\xNN, \uNNNN,
//     \UNNNNNNNN, \u{N}, octal, \/), a percent-encoded byte or an HTML
//     numeric entity that decodes to a character a credential can hold, or
//     ending in a backslash line continuation, is decoded whole (JSON,
//     YAML double-quoted, C, Go, Python, JavaScript and shell escapes,
//     URL percent-encoding, HTML entities; continuation lines joined) and
//     scanned again;
//   - encoded runs: a run of 24 or more base64 characters (standard or
//     URL alphabet, line-wrapped runs joined) or 32 or more hex digits,
//     anywhere in the text, that decodes to text is scanned again;
//   - text encodings: UTF-16 and UTF-32 files (with or without a byte
//     order mark) are transcoded to UTF-8 before scanning;
//   - binary files: printable strings (ASCII and UTF-16LE, and strings
//     behind a length prefix) are extracted and scanned, keys followed by
//     values paired up;
//   - compressed streams (gzip, bzip2, xz, zstd, zlib) are decompressed
//     within the archive limits, as archive members are.
//
// A finding in a decoded view carries the encoding ("escape", "url",
// "html", "base64", "hex") and the line the view starts on.

const (
	minB64Run    = 24       // shortest base64 run decoded outside a key/value pair
	minHexRun    = 32       // shortest hex run decoded
	maxRegion    = 16 << 10 // bytes either side of an escape decoded with it
	maxJoinedRun = 64 << 10 // longest line-wrapped base64 run joined
)

// escByte marks the bytes that can start an escape worth decoding.
var escByte = [256]bool{'\\': true, '%': true, '&': true}

// credChar reports whether an escape decodes to a byte a credential (or
// a nested escape) can hold: printable ASCII except space and quotes.
func credChar(v rune) bool {
	return v > ' ' && v < 0x7f && v != '"' && v != '\'' && v != '`'
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// hexValue parses n hex digits at b[i:].
func hexValue(b []byte, i, n int) (rune, bool) {
	if i+n > len(b) {
		return 0, false
	}
	var v rune
	for k := 0; k < n; k++ {
		d, ok := unhex(b[i+k])
		if !ok {
			return 0, false
		}
		v = v<<4 | rune(d)
	}
	return v, true
}

// escapeAt decodes the escape starting at b[i] (a backslash, "%" or "&")
// and returns the rune it stands for, its length in b, and whether it is
// one; cont is true for a backslash line continuation.
func escapeAt(b []byte, i int) (r rune, n int, cont, ok bool) {
	if i+1 >= len(b) {
		return 0, 0, false, false
	}
	switch b[i] {
	case '%':
		v, ok := hexValue(b, i+1, 2)
		return v, 3, false, ok
	case '&':
		if b[i+1] != '#' {
			return namedEntity(b, i)
		}
		j, base := i+2, rune(10)
		if j < len(b) && (b[j] == 'x' || b[j] == 'X') {
			j, base = j+1, 16
		}
		s := j
		var v rune
		for j < len(b) && j-s < 8 {
			d, ok := unhex(b[j])
			if !ok || (base == 10 && d > 9) {
				break
			}
			v = v*base + rune(d)
			j++
		}
		if j == s || j >= len(b) || b[j] != ';' || v > utf8.MaxRune {
			return 0, 0, false, false
		}
		return v, j + 1 - i, false, true
	}
	switch c := b[i+1]; {
	case c == 'x':
		v, ok := hexValue(b, i+2, 2)
		return v, 4, false, ok
	case c == 'u' && i+2 < len(b) && b[i+2] == '{':
		j := i + 3
		var v rune
		for j < len(b) && j-i < 12 && b[j] != '}' {
			d, ok := unhex(b[j])
			if !ok {
				return 0, 0, false, false
			}
			v = v<<4 | rune(d)
			j++
		}
		if j >= len(b) || b[j] != '}' || j == i+3 || v > utf8.MaxRune {
			return 0, 0, false, false
		}
		return v, j + 1 - i, false, true
	case c == 'u':
		v, ok := hexValue(b, i+2, 4)
		if ok && utf16.IsSurrogate(v) {
			if lo, ok2 := hexValue(b, i+8, 4); ok2 && i+7 < len(b) && b[i+6] == '\\' && b[i+7] == 'u' {
				if d := utf16.DecodeRune(v, lo); d != utf8.RuneError {
					return d, 12, false, true
				}
			}
		}
		return v, 6, false, ok
	case c == 'U':
		v, ok := hexValue(b, i+2, 8)
		return v, 10, false, ok && v <= utf8.MaxRune
	case c >= '0' && c <= '7':
		j, v := i+1, rune(0)
		for j < len(b) && j-i <= 3 && b[j] >= '0' && b[j] <= '7' {
			v = v*8 + rune(b[j]-'0')
			j++
		}
		return v, j - i, false, true
	case c == '/':
		return '/', 2, false, true
	case c == '\n':
		return 0, 2, true, true
	case c == '\r' && i+2 < len(b) && b[i+2] == '\n':
		return 0, 3, true, true
	}
	return 0, 0, false, false
}

// htmlNamed are the HTML5 named character references that stand for a
// printable ASCII character: "ghp&lowbar;…" is "ghp_…" to a browser.
var htmlNamed = map[string]rune{
	"lowbar": '_', "UnderBar": '_', "period": '.', "plus": '+', "sol": '/', "equals": '=',
	"colon": ':', "commat": '@', "num": '#', "dollar": '$', "percnt": '%', "amp": '&', "AMP": '&',
	"excl": '!', "quest": '?', "ast": '*', "midast": '*', "lpar": '(', "rpar": ')', "comma": ',',
	"semi": ';', "Hat": '^', "grave": '`', "DiacriticalGrave": '`', "lsqb": '[', "lbrack": '[',
	"rsqb": ']', "rbrack": ']', "lcub": '{', "lbrace": '{', "rcub": '}', "rbrace": '}',
	"verbar": '|', "vert": '|', "VerticalLine": '|', "bsol": '\\', "quot": '"', "QUOT": '"',
	"apos": '\'', "lt": '<', "LT": '<', "gt": '>', "GT": '>', "tilde": '~', "nbsp": ' ',
}

// namedEntity decodes an HTML named character reference (&name;) at b[i].
func namedEntity(b []byte, i int) (r rune, n int, cont, ok bool) {
	j := i + 1
	for j < len(b) && j-i <= 17 && (b[j] >= 'a' && b[j] <= 'z' || b[j] >= 'A' && b[j] <= 'Z') {
		j++
	}
	if j == i+1 || j >= len(b) || b[j] != ';' {
		return 0, 0, false, false
	}
	v, ok := htmlNamed[string(b[i+1:j])]
	return v, j + 1 - i, false, ok
}

// simpleEscapes are the one-character escapes of JSON, YAML, C and the
// scripting languages.
var simpleEscapes = [256]byte{'n': '\n', 't': '\t', 'r': '\r', '\\': '\\', '"': '"', '\'': '\'', 'b': '\b', 'f': '\f',
	'a': '\a', 'v': '\v', 'e': 0x1b, ' ': ' ', '`': '`', '$': '$'}

// unescape decodes every escape in b (see escapeAt, plus the
// one-character escapes and YAML's \N \_ \L \P); a continuation joins the
// next line without its leading white space. Unknown escapes stay as
// written.
func unescape(b []byte, out []byte) []byte {
	out = out[:0]
	for i := 0; i < len(b); {
		c := b[i]
		if !escByte[c] {
			out = append(out, c)
			i++
			continue
		}
		r, n, cont, ok := escapeAt(b, i)
		switch {
		case cont:
			i += n
			for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
				i++
			}
			continue
		case ok:
			out = utf8.AppendRune(out, r)
			i += n
			continue
		}
		if c == '\\' && i+1 < len(b) {
			switch d := b[i+1]; {
			case simpleEscapes[d] != 0:
				out = append(out, simpleEscapes[d])
				i += 2
				continue
			case d == 'N':
				out = utf8.AppendRune(out, 0x85)
				i += 2
				continue
			case d == '_':
				out = utf8.AppendRune(out, 0xa0)
				i += 2
				continue
			case d == 'L' || d == 'P':
				out = append(out, '\n')
				i += 2
				continue
			}
		}
		out = append(out, c)
		i++
	}
	return out
}

// escapeTrigger reports whether the escape at b[i] hides a credential
// character (or continues a line inside a token), so that its line is
// worth decoding.
func escapeTrigger(b []byte, i int) bool {
	r, n, cont, ok := escapeAt(b, i)
	if !ok {
		return false
	}
	if b[i] == '%' && (i == 0 || !alnum[b[i-1]] && b[i-1] != '%') && (i+n >= len(b) || !alnum[b[i+n]] && b[i+n] != '%') {
		// "%2d items": a format verb, not a character of an encoded
		// token, which sits next to the token's other characters.
		return false
	}
	if cont {
		// "abc\" + newline + "def": a token split over lines.
		if i == 0 || !credChar(rune(b[i-1])) {
			return false
		}
		j := i + n
		for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
			j++
		}
		return j < len(b) && credChar(rune(b[j]))
	}
	return credChar(r)
}

// region is a span of a segment decoded as one view.
type region struct {
	start, end int
	enc        string
}

// escapeRegions returns the lines of b holding an escape that starts in
// [lo, hi), each extended over its continuation lines, bounded by
// maxRegion either side of the escapes, merged and sorted.
func escapeRegions(b []byte, lo, hi int, out []region) []region {
	out = out[:0]
	for _, c := range []byte{'\\', '%', '&'} {
		for i := lo; i < hi; {
			k := bytes.IndexByte(b[i:hi], c)
			if k < 0 {
				break
			}
			i += k
			if escapeTrigger(b, i) {
				s := lineStart(b, i)
				if i-s > maxRegion {
					s = i - maxRegion
				}
				e := i
				for {
					k := bytes.IndexByte(b[e:min(len(b), i+maxRegion)], '\n')
					if k < 0 {
						e = min(len(b), i+maxRegion)
						break
					}
					e += k
					// A continuation: "\\\n" or "\\\r\n" ends the line.
					if (e > 0 && b[e-1] == '\\') || (e > 1 && b[e-1] == '\r' && b[e-2] == '\\') {
						e++
						continue
					}
					break
				}
				enc := "escape"
				switch c {
				case '%':
					enc = "url"
				case '&':
					enc = "html"
				}
				out = append(out, region{s, e, enc})
				i = e
				continue
			}
			i++
		}
	}
	if len(out) < 2 {
		return out
	}
	// Sort by start (insertion: few regions) and merge overlaps.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].start < out[j-1].start; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	m := out[:1]
	for _, r := range out[1:] {
		last := &m[len(m)-1]
		if r.start <= last.end {
			last.end = max(last.end, r.end)
			if last.enc != r.enc {
				last.enc = "escape"
			}
			continue
		}
		m = append(m, r)
	}
	return m
}

// b64Char is the union of the standard and URL base64 alphabets.
var b64Char = chars("A-Za-z0-9+/_-")

// encodedRun is a base64 or hex run found in a segment, with its decoded
// text.
type encodedRun struct {
	start, end int
	enc        string
	text       []byte
}

// encodedRuns finds the base64 and hex runs starting in [lo, hi) that
// decode to text. Runs wrapped over lines (MIME, PEM-like, YAML block
// scalars) are joined.
func encodedRuns(b []byte, lo, hi int, scratch []byte, visit func(encodedRun)) []byte {
	for i := lo; i < hi; {
		// Skip ahead: a run of minB64Run characters starting at i or
		// later covers b[i+minB64Run-1]; it starts at i only when all of
		// b[i:i+minB64Run] are in the alphabet, and after the last byte
		// there that is not otherwise. (A run that began before i is
		// taken from i.)
		j := i + minB64Run - 1
		if j >= len(b) {
			break
		}
		if k := lastNonB64(b, i, j); k >= i {
			i = k + 1
			continue
		}
		s, e := i, j+1
		for e < len(b) && b64Char[b[e]] {
			e++
		}
		i = e
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

// lastNonB64 returns the last position in b[i:j+1] that does not hold a
// base64 character (b64Char), or i-1. It tests eight bytes at a time.
func lastNonB64(b []byte, i, j int) int {
	k := j
	for ; k-7 >= i; k -= 8 {
		if m := nonB64(binary.LittleEndian.Uint64(b[k-7:])); m != 0 {
			return k - 7 + (63-bits.LeadingZeros64(m))>>3
		}
	}
	for k >= i && b64Char[b[k]] {
		k--
	}
	return k
}

// Bytes of a word: every byte 0x01, every byte 0x80.
const (
	lsb8 = 0x0101010101010101
	msb8 = 0x8080808080808080
)

// nonB64 sets the top bit of every byte of the little-endian word x that
// is not a base64 character (b64Char: A-Z a-z 0-9 + / - _), and clears
// the rest. Each test works on bytes below 0x80, where no sum carries
// into the next byte; a byte of 0x80 or more is never base64.
func nonB64(x uint64) uint64 {
	y := x &^ msb8
	// y in [lo, hi]: y+(0x80-lo) reaches the top bit, y+(0x7f-hi) does
	// not. y == c: y^c is zero, and only zero plus 0x7f stays below it.
	// '+' (0x2b) to '9' (0x39) holds + - / and the digits, and also ','
	// and '.': y|2 is '.' for those two bytes and no other.
	sym := (y + lsb8*(0x80-'+')) &^ (y + lsb8*(0x7f-'9'))
	notCommaDot := ((y | lsb8*2) ^ lsb8*'.') + lsb8*0x7f
	l := y | lsb8*0x20 // either case
	letter := (l + lsb8*(0x80-'a')) &^ (l + lsb8*(0x7f-'z'))
	under := ^((y ^ lsb8*'_') + lsb8*0x7f)
	ok := sym&notCommaDot | letter | under
	return (^ok | x) & msb8
}

// lineOnly reports whether b[s] starts its line, after white space or an
// opening quote.
func lineOnly(b []byte, s int) bool {
	for k := s - 1; k >= 0; k-- {
		switch b[k] {
		case '\n':
			return true
		case ' ', '\t', '"', '\'', '|', '>', ':', '-':
			continue
		}
		return false
	}
	return true
}

// decodeRun decodes a base64 or hex run when it decodes to text.
func decodeRun(run []byte) ([]byte, string) {
	if len(run) >= minHexRun && len(run)%2 == 0 && allHex(run) {
		// Check the first bytes before decoding all of it.
		var head [4]byte
		if _, err := hex.Decode(head[:], run[:8]); err != nil || !textual(head[:], false) {
			return nil, ""
		}
		d := make([]byte, len(run)/2)
		if _, err := hex.Decode(d, run); err == nil && textual(d, true) {
			return d, "hex"
		}
		return nil, ""
	}
	if len(run) < minB64Run {
		return nil, ""
	}
	std := bytes.ContainsAny(run, "+/")
	url := bytes.ContainsAny(run, "-_")
	enc := base64.RawStdEncoding
	switch {
	case std && url:
		return nil, ""
	case url:
		enc = base64.RawURLEncoding
	}
	if len(run)%4 == 1 {
		run = run[:len(run)-1]
	}
	var head [6]byte
	if _, err := enc.Decode(head[:], run[:8]); err != nil {
		return nil, ""
	}
	kind := wrappedKind(head[:])
	if kind == "" && !textual(head[:], false) {
		return nil, ""
	}
	d := make([]byte, enc.DecodedLen(len(run)))
	n, err := enc.Decode(d, run)
	if err != nil {
		return nil, ""
	}
	d = d[:n]
	switch kind {
	case "":
		if textual(d, true) {
			return d, "base64"
		}
	case encUTF16LE:
		// PowerShell -EncodedCommand: base64 of UTF-16LE text.
		t, err := io.ReadAll(io.LimitReader(newTranscoder(bytes.NewReader(d), encUTF16LE), maxWrapped))
		if err == nil && textual(t, true) {
			return t, "base64+utf-16"
		}
	default:
		// base64 of a compressed stream: Helm release secrets, data URLs.
		if t := inflateSmall(kind, d); t != nil {
			return t, "base64+" + kind
		}
	}
	return nil, ""
}

// maxWrapped bounds what a compressed or UTF-16 payload inside a base64
// run may expand to.
const maxWrapped = 1 << 20

// wrappedKind recognises the start of a payload that base64 often
// wraps: UTF-16LE text or a compressed stream.
func wrappedKind(h []byte) string {
	switch {
	case len(h) >= 2 && h[0] == 0x1f && h[1] == 0x8b:
		return "gzip"
	case len(h) >= 3 && string(h[:3]) == "BZh":
		return "bzip2"
	case len(h) >= 6 && string(h[:6]) == string(magicXZ):
		return "xz"
	case len(h) >= 4 && string(h[:4]) == string(magicZstd):
		return "zstd"
	case zlibHeader(h):
		return "zlib"
	case len(h) >= 6 && h[1] == 0 && h[3] == 0 && h[5] == 0 && h[0] >= 0x20 && h[0] < 0x7f:
		return encUTF16LE
	}
	return ""
}

// inflateSmall decompresses a payload of kind, within maxWrapped and the
// default expansion ratio, and returns it when it is text.
func inflateSmall(kind string, d []byte) []byte {
	var r io.Reader = bytes.NewReader(d)
	var closeFn func()
	if kind == "gzip" {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil
		}
		r, closeFn = zr, func() { zr.Close() }
	} else {
		dr, c, err := decompressor(kind, r)
		if err != nil {
			return nil
		}
		r, closeFn = dr, c
	}
	defer closeFn()
	in := int64(len(d))
	t, err := io.ReadAll(&ratioReader{r: io.LimitReader(r, maxWrapped), in: func() int64 { return in }, limit: DefaultMaxRatio, kind: kind})
	if err != nil || !textual(t, true) {
		return nil
	}
	return t
}

func allHex(b []byte) bool {
	for _, c := range b {
		if !hexAny[c] {
			return false
		}
	}
	return true
}

// textual reports whether b reads as text: valid UTF-8 (a rune cut at
// the end is allowed unless whole) without control characters other than
// tab, newline and carriage return.
func textual(b []byte, whole bool) bool {
	if whole && len(b) < 8 {
		return false
	}
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			if !whole && len(b)-i < 4 && utf8.RuneStart(c) {
				return true // a rune cut by the sample
			}
			return false
		}
		if r >= 0x80 && r <= 0x9f {
			return false
		}
		i += n
	}
	return true
}

// Text encodings a file may be read in.
const (
	encUTF16LE = "utf-16le"
	encUTF16BE = "utf-16be"
	encUTF32LE = "utf-32le"
	encUTF32BE = "utf-32be"
)

// sniffText classifies the first bytes of a file: enc names a UTF-16 or
// UTF-32 encoding to transcode; text is true for text (UTF-8, ASCII,
// Latin-1) including text with a few stray NUL or control bytes. Anything
// else is binary.
func sniffText(h []byte) (enc string, text bool) {
	nul := bytes.IndexByte(h, 0) >= 0
	switch {
	case !nul:
		// No NUL: 8-bit text (a byte order mark without the NULs of
		// UTF-16 text before ASCII is not one).
		return "", true
	case bytes.HasPrefix(h, []byte{0xff, 0xfe, 0, 0}):
		return encUTF32LE, true
	case bytes.HasPrefix(h, []byte{0, 0, 0xfe, 0xff}):
		return encUTF32BE, true
	case bytes.HasPrefix(h, []byte{0xff, 0xfe}):
		return encUTF16LE, true
	case bytes.HasPrefix(h, []byte{0xfe, 0xff}):
		return encUTF16BE, true
	}
	n := len(h) &^ 3
	if n >= 8 {
		var z [4]int
		for i := 0; i < n; i++ {
			if h[i] == 0 {
				z[i&3]++
			}
		}
		q := n / 4
		hi, lo := q*9/10, q/10
		switch {
		case z[1] >= hi && z[2] >= hi && z[3] >= hi && z[0] <= lo:
			return encUTF32LE, true
		case z[0] >= hi && z[1] >= hi && z[2] >= hi && z[3] <= lo:
			return encUTF32BE, true
		}
		even, odd, pairs := z[0]+z[2], z[1]+z[3], n/2
		switch {
		case odd >= pairs*4/10 && even <= pairs/20:
			return encUTF16LE, true
		case even >= pairs*4/10 && odd <= pairs/20:
			return encUTF16BE, true
		}
	}
	// Text with a few stray control bytes (a prompt with a NUL in it):
	// at most 1% of control bytes and mostly valid UTF-8.
	ctrl, bad := 0, 0
	for i := 0; i < len(h); {
		c := h[i]
		if c < 0x80 {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1b {
				ctrl++
			}
			i++
			continue
		}
		r, sz := utf8.DecodeRune(h[i:])
		if r == utf8.RuneError && sz <= 1 {
			bad++
		}
		i += sz
	}
	return "", ctrl*100 <= len(h) && bad*100 <= len(h)
}

// transcoder turns a UTF-16 or UTF-32 stream into UTF-8. A byte order
// mark is dropped; unpaired surrogates and invalid code points become
// U+FFFD.
type transcoder struct {
	r      io.Reader
	unit   int
	big    bool
	in     []byte
	have   int
	out    []byte
	hiSurr rune
	first  bool
	err    error
}

func newTranscoder(r io.Reader, enc string) *transcoder {
	t := &transcoder{r: r, in: make([]byte, 16<<10), first: true}
	switch enc {
	case encUTF16LE:
		t.unit = 2
	case encUTF16BE:
		t.unit, t.big = 2, true
	case encUTF32LE:
		t.unit = 4
	default:
		t.unit, t.big = 4, true
	}
	return t
}

func (t *transcoder) Read(p []byte) (int, error) {
	for len(t.out) == 0 {
		if t.err != nil {
			return 0, t.err
		}
		n, err := t.r.Read(t.in[t.have:])
		t.have += n
		if err != nil {
			t.err = err
			if err == io.EOF && t.have%t.unit != 0 {
				t.have -= t.have % t.unit // a cut code unit at the end
			}
		}
		whole := t.have - t.have%t.unit
		t.out = t.decode(t.in[:whole], t.out[:0])
		t.have = copy(t.in, t.in[whole:t.have])
	}
	n := copy(p, t.out)
	t.out = t.out[n:]
	return n, nil
}

func (t *transcoder) decode(b, out []byte) []byte {
	for i := 0; i+t.unit <= len(b); i += t.unit {
		var r rune
		switch {
		case t.unit == 2 && t.big:
			r = rune(b[i])<<8 | rune(b[i+1])
		case t.unit == 2:
			r = rune(b[i+1])<<8 | rune(b[i])
		case t.big:
			r = rune(b[i])<<24 | rune(b[i+1])<<16 | rune(b[i+2])<<8 | rune(b[i+3])
		default:
			r = rune(b[i+3])<<24 | rune(b[i+2])<<16 | rune(b[i+1])<<8 | rune(b[i])
		}
		if t.first {
			t.first = false
			if r == 0xfeff {
				continue
			}
		}
		if t.unit == 2 {
			switch {
			case r >= 0xd800 && r < 0xdc00:
				if t.hiSurr != 0 {
					out = utf8.AppendRune(out, utf8.RuneError)
				}
				t.hiSurr = r
				continue
			case r >= 0xdc00 && r < 0xe000:
				if t.hiSurr != 0 {
					r = utf16.DecodeRune(t.hiSurr, r)
					t.hiSurr = 0
				} else {
					r = utf8.RuneError
				}
			default:
				if t.hiSurr != 0 {
					out = utf8.AppendRune(out, utf8.RuneError)
					t.hiSurr = 0
				}
			}
		}
		if r < 0 || r > utf8.MaxRune {
			r = utf8.RuneError
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}
