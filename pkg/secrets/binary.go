package secrets

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

const (
	minString     = 4 // shortest printable run kept from serialised data
	minCredential = 8 // shortest printable run kept from other binaries
	// maxString bounds one string taken from a binary file; a longer
	// printable run is cut (its parts overlap by one overlap).
	maxString = 64 << 10
	// DefaultMaxRatio bounds how much larger than its compressed form a
	// decompressed stream may grow (beyond its first 256 KiB) before it
	// is refused as a bomb: 100, as Apache Tika's SecureContentHandler.
	DefaultMaxRatio = 100
	ratioGrace      = 256 << 10
	// maxEmbedded bounds the compressed streams looked for inside one
	// binary file (git packs, PDFs).
	maxEmbedded = 100000
)

// printableByte is what a string extracted from a binary holds.
var printableByte = func() *charset {
	c := chars(" -~")
	c['\t'] = true
	return c
}()

// printableOrNUL is printableByte and the NUL byte.
var printableOrNUL = func() *charset {
	c := *printableByte
	c[0] = true
	return &c
}()

// binary scans a binary stream for the strings in it: printable ASCII
// runs, UTF-16LE runs, and strings behind a one- or four-byte length
// prefix (pickle, marshal, protobuf). Each string is a line of a text
// scanned in configuration mode; a string that names a secret followed by
// another string is also written as "key = value". Findings have no line
// and the location "binary strings".
func (w *worker) binary(ctx context.Context, fs *fileScan, src *source, r io.Reader, pairing bool) error {
	buf := w.buf
	ex := &extractor{fs: fs, w: w, name: src.name, text: w.strs[:0], pairing: pairing, min: minCredential}
	if pairing {
		ex.min = minString
	}
	defer func() { w.strs = ex.text[:0] }()
	n, carry := 0, 0
	for {
		m, err := io.ReadFull(r, buf[n:])
		n += m
		fs.bytes += int64(m)
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return fmt.Errorf("read: %w", err)
		}
		stop := ex.extract(buf[:n], carry, eof)
		if eof {
			ex.flush()
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		// Keep the unfinished string (and the four bytes before it, a
		// possible length prefix) for the next window.
		keep := max(0, stop-4)
		if n-keep > maxString {
			keep = n - maxString
		}
		carry = stop - keep
		if carry < 0 {
			carry = 0
		}
		n = copy(buf, buf[keep:n])
	}
}

// extractor collects the strings of a binary file into a text buffer.
type extractor struct {
	fs   *fileScan
	w    *worker
	name string
	text []byte
	prev []byte // the previous string, when it may be a key
	// pairing writes "key = value" for consecutive strings: only in
	// serialised data (pickles, marshal), where a dict is stored as
	// key, value, key, value. In an executable, neighbouring strings
	// are unrelated.
	pairing bool
	// min is the shortest run kept: minString where strings pair up
	// (a key may be short), minCredential elsewhere.
	min int
}

// serialised reports whether head starts a pickle (protocol 2 to 5) or a
// CPython .pyc file, whose consecutive strings pair keys with values.
func serialised(head []byte) bool {
	return (len(head) >= 2 && head[0] == 0x80 && head[1] >= 2 && head[1] <= 5) ||
		(len(head) >= 16 && head[2] == '\r' && head[3] == '\n' && head[1] < 0x20)
}

// extract pulls the strings out of b starting at from and returns where
// the unfinished last string starts (len(b) when none is unfinished).
func (x *extractor) extract(b []byte, from int, eof bool) int {
	i := from
	k := x.min
	for {
		// Only strings of k characters or more are kept: a run of k
		// printable bytes, or a UTF-16LE string of k characters (printable
		// and NUL bytes in turn). One starting in b[i:i+k] holds that
		// window's last byte, so where that byte is neither printable nor
		// NUL, none starts there, and no run reaches past it: the scan
		// resumes at i+k, as it would after the nonprintable byte.
		for i+k <= len(b) && !printableOrNUL[b[i+k-1]] {
			i += k
		}
		i = nextPrintable(b, i)
		if i >= len(b) {
			return len(b)
		}
		s := i
		i = printableEnd(b, i, min(len(b), s+maxString))
		if i == len(b) && !eof {
			return s
		}
		if i-s >= x.min {
			x.strings(b, s, i)
			continue
		}
		// UTF-16LE: printable, NUL, printable, NUL... starting at the last
		// character of a short run.
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

// nextPrintable returns the first position from i holding a printable
// byte (printableByte), or len(b). It tests eight bytes at a time.
func nextPrintable(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		if m := printable8(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < len(b) && !printableByte[b[i]] {
		i++
	}
	return i
}

// printableEnd returns the first position from i, below end, that does
// not hold a printable byte, or end.
func printableEnd(b []byte, i, end int) int {
	for ; i+8 <= end; i += 8 {
		if m := ^printable8(binary.LittleEndian.Uint64(b[i:])) & msb8; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < end && printableByte[b[i]] {
		i++
	}
	return i
}

// printable8 sets the top bit of every byte of the little-endian word x
// that is printable (printableByte: ' ' to '~', and tab), and clears the
// rest; see nonB64 for the method.
func printable8(x uint64) uint64 {
	y := x &^ msb8
	text := (y + lsb8*(0x80-' ')) &^ (y + lsb8*(0x7f-'~'))
	tab := ^((y ^ lsb8*'\t') + lsb8*0x7f)
	return (text | tab) &^ x & msb8
}

// strings adds the run b[s:e] and the strings a length prefix marks in
// it: a one-byte length before the run or as its first or second
// character (pickle SHORT_BINUNICODE, marshal short strings, protobuf),
// or a four-byte little-endian length before it (pickle BINUNICODE,
// marshal strings).
func (x *extractor) strings(b []byte, s, e int) {
	run := b[s:e]
	best := run
	// A candidate is written only when a detector could not see its
	// bounds in the run: a letter or digit glued to either end.
	glued := func(from, to int) bool {
		return (from > s && alnum[b[from-1]]) || (to < e && alnum[b[to]])
	}
	if s > 0 {
		if l := int(b[s-1]); l >= 8 && s+l < e && glued(s, s+l) {
			best = b[s : s+l]
			x.add(best)
		}
	}
	// A printable length byte (or type byte and length) glued to the
	// front: the string must then end where the run does.
	for p := s; p <= s+1 && p < e; p++ {
		if l := int(b[p]); l >= 8 && p+1+l == e {
			best = b[p+1 : e]
			x.add(best)
			break
		}
	}
	if s >= 4 {
		if l := int(binary.LittleEndian.Uint32(b[s-4 : s])); l >= 8 && l < e-s && glued(s, s+l) {
			best = b[s : s+l]
			x.add(best)
		}
	}
	x.addPaired(run, best)
}

// add writes one string as a line.
func (x *extractor) add(s []byte) {
	x.text = append(x.text, s...)
	x.text = append(x.text, '\n')
	if len(x.text) >= 1<<20 {
		x.flush()
	}
}

// addPaired writes a run, and "key = value" when the previous string
// names a secret.
func (x *extractor) addPaired(run, best []byte) {
	x.add(run)
	if !x.pairing {
		return
	}
	if x.prev != nil {
		x.text = append(x.text, x.prev...)
		x.text = append(x.text, " = "...)
		x.text = append(x.text, best...)
		x.text = append(x.text, '\n')
		x.prev = nil
	}
	if len(best) <= 64 && mayNameSecret(best) && allIn(string(best), keyChars) {
		if ok, _ := secretKey(string(best)); ok {
			x.prev = append(x.prev[:0], best...)
		}
	}
}

// mayNameSecret is a cheap test that b may hold a secret's key word: one
// of the keywords, ignoring case.
func mayNameSecret(b []byte) bool {
	for i := 0; i+2 < len(b); i++ {
		switch b[i] | 0x20 {
		case 'p', 's', 't', 'k', 'c', 'a':
			for _, k := range keywordBytes {
				if hasPrefixFold(b[i:], k) {
					return true
				}
			}
		}
	}
	return false
}

var keywordBytes = func() [][]byte {
	out := make([][]byte, len(keywords))
	for i, k := range keywords {
		out[i] = []byte(k)
	}
	return out
}()

// flush scans the collected strings.
func (x *extractor) flush() {
	if len(x.text) == 0 {
		return
	}
	b := x.text
	x.fs.segment(x.w, seg{b: b, lo: 0, hi: len(b), fixedLine: -1, location: "binary strings", mode: modeKeyed, sourceName: x.name, loose: true})
	x.text = x.text[:0]
}

// registerZipMethods lets a zip archive use bzip2 (12), zstd (93) and xz
// (95) members, besides store and deflate.
func registerZipMethods(zr *zip.Reader) {
	for method, kind := range map[uint16]string{12: "bzip2", 93: "zstd", 95: "xz"} {
		zr.RegisterDecompressor(method, func(r io.Reader) io.ReadCloser {
			d, closeFn, err := decompressor(kind, r)
			if err != nil {
				return io.NopCloser(&errReader{err})
			}
			return &readCloser{Reader: d, close: closeFn}
		})
	}
}

type errReader struct{ err error }

func (e *errReader) Read([]byte) (int, error) { return 0, e.err }

type readCloser struct {
	io.Reader
	close func()
}

func (r *readCloser) Close() error {
	r.close()
	return nil
}

// Compressed formats, by magic number.
var (
	magicBzip2 = []byte("BZh")
	magicXZ    = []byte{0xfd, '7', 'z', 'X', 'Z', 0}
	magicZstd  = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// unsupported names archive and compression formats the scanner cannot
// open: a file in one of them is reported, never passed as scanned.
var unsupported = []struct {
	magic []byte
	name  string
}{
	{[]byte{'7', 'z', 0xbc, 0xaf, 0x27, 0x1c}, "7-Zip archive"},
	{[]byte("Rar!\x1a\x07"), "RAR archive"},
	{[]byte{0x04, 0x22, 0x4d, 0x18}, "LZ4 frame"},
	{[]byte("LZIP"), "lzip stream"},
	{[]byte{0x1f, 0x9d}, "compress (.Z) stream"},
	{[]byte{0x1f, 0xa0}, "LZH (.Z) stream"},
	{[]byte("MSCF\x00\x00\x00\x00"), "Microsoft Cabinet archive"},
	{[]byte("xar!"), "xar archive"},
	{[]byte{0x89, 'L', 'Z', 'O', 0, '\r', '\n', 0x1a, '\n'}, "lzop stream"},
}

func unsupportedFormat(head []byte) string {
	for _, u := range unsupported {
		if bytes.HasPrefix(head, u.magic) {
			return u.name
		}
	}
	return ""
}

func isBzip2(h []byte) bool {
	return len(h) >= 10 && bytes.HasPrefix(h, magicBzip2) && h[3] >= '1' && h[3] <= '9' &&
		(bytes.Equal(h[4:10], []byte("1AY&SY")) || bytes.Equal(h[4:10], []byte{0x17, 0x72, 0x45, 0x38, 0x50, 0x90}))
}

// zlibHeader reports whether h starts with a zlib header (deflate, window
// up to 32 KiB, no preset dictionary, valid check bits).
func zlibHeader(h []byte) bool {
	return len(h) >= 2 && h[0]&0x0f == 8 && h[0]>>4 <= 7 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 && h[1]&0x20 == 0
}

// zlibTrial decides whether a head with a zlib header is a zlib stream:
// it must inflate without error (it may end early when the head is only
// the start of the file).
func zlibTrial(h []byte, whole bool) bool {
	zr, err := zlib.NewReader(bytes.NewReader(h))
	if err != nil {
		return false
	}
	n, err := io.Copy(io.Discard, io.LimitReader(zr, 1<<20))
	switch {
	case err == nil:
		return n > 0 || whole
	case errors.Is(err, io.ErrUnexpectedEOF):
		return !whole && n > 0
	}
	return false
}

// compressed reports the compression format of a head, if any.
func compressedFormat(h []byte, whole bool) string {
	switch {
	case isBzip2(h):
		return "bzip2"
	case bytes.HasPrefix(h, magicXZ):
		return "xz"
	case bytes.HasPrefix(h, magicZstd):
		return "zstd"
	case zlibHeader(h) && zlibTrial(h, whole):
		return "zlib"
	}
	return ""
}

// errRatio ends a stream that decompresses far beyond its size.
type ratioError struct {
	kind    string
	in, out int64
	limit   int
}

func (e *ratioError) Error() string {
	return fmt.Sprintf("%s stream expands %d bytes to more than %d (over %dx; a decompression bomb?); unpack it to scan it", e.kind, e.in, e.out, e.limit)
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// byteCountReader is a countReader over a bytes.Reader that decompressors
// read byte by byte, so the count is exactly the stream's length.
type byteCountReader struct {
	r *bytes.Reader
	n int64
}

func (c *byteCountReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *byteCountReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

// ratioReader refuses a decompressed stream that grows beyond ratio
// times the compressed bytes read (after a grace of one MiB).
type ratioReader struct {
	r     io.Reader
	in    func() int64 // compressed bytes read so far
	out   int64
	limit int
	kind  string
	err   error
}

// Read returns what it read and keeps an error for the next call, so that
// io.ReadFull, which drops an error returned with a full buffer, cannot
// lose it.
func (r *ratioReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.r.Read(p)
	r.out += int64(n)
	switch in := max(r.in(), 1); {
	case r.out > ratioGrace && r.out > int64(r.limit)*in:
		r.err = &ratioError{kind: r.kind, in: in, out: r.out, limit: r.limit}
	case errors.Is(err, io.ErrUnexpectedEOF):
		// A truncated stream must not pass for the end of the file.
		r.err = fmt.Errorf("truncated %s stream: it ends before its end marker", r.kind)
	case err != nil && err != io.EOF:
		r.err = err
	default:
		return n, err
	}
	if n > 0 {
		return n, nil
	}
	return 0, r.err
}

// ahead refuses n bytes the stream is known to produce next (a bzip2
// block, whose length is known before it is expanded) when the ratio
// check would refuse them once read: the compressed count cannot grow
// while a block is expanded.
func (r *ratioReader) ahead(n int64) error {
	out := r.out + n
	if in := max(r.in(), 1); out > ratioGrace && out > int64(r.limit)*in {
		return &ratioError{kind: r.kind, in: in, out: out, limit: r.limit}
	}
	return nil
}

func (c *countReader) count() int64     { return c.n }
func (c *byteCountReader) count() int64 { return c.n }

// decompressor opens a decompressing reader of kind over r, its memory
// bounded.
func decompressor(kind string, r io.Reader) (io.Reader, func(), error) {
	switch kind {
	case "bzip2":
		return newBzip2Reader(r, nil, nil), func() {}, nil
	case "xz":
		xr, err := xz.NewReader(r)
		if err != nil {
			return nil, nil, fmt.Errorf("invalid xz stream: %w", err)
		}
		return xr, func() {}, nil
	case "zstd":
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxWindow(64<<20), zstd.WithDecoderMaxMemory(DefaultMaxArchiveBytes))
		if err != nil {
			return nil, nil, fmt.Errorf("invalid zstd stream: %w", err)
		}
		return zr, zr.Close, nil
	case "zlib":
		zr, err := zlib.NewReader(r)
		if err != nil {
			return nil, nil, fmt.Errorf("invalid zlib stream: %w", err)
		}
		return zr, func() { zr.Close() }, nil
	case "deflate":
		fr := flate.NewReader(r)
		return fr, func() { fr.Close() }, nil
	}
	return nil, nil, fmt.Errorf("unknown compression %s", kind)
}

// decompressor reuses the worker's zstd decoder and bzip2 buffers (they
// are large) unless a stream nested in a stream of the same kind is
// already using them. A bzip2 stream's blocks are vetted by check before
// they are expanded.
func (w *worker) decompressor(kind string, r io.Reader, check func(int64) error) (io.Reader, func(), error) {
	switch {
	case kind == "bzip2":
		if w.bz2Busy {
			return newBzip2Reader(r, nil, check), func() {}, nil
		}
		w.bz2Busy = true
		return newBzip2Reader(r, &w.bz2, check), func() { w.bz2Busy = false }, nil
	case kind == "zstd" && !w.zstdBusy:
		if w.zstd == nil {
			d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
				zstd.WithDecoderMaxWindow(64<<20), zstd.WithDecoderMaxMemory(DefaultMaxArchiveBytes))
			if err != nil {
				return nil, nil, fmt.Errorf("zstd decoder: %w", err)
			}
			w.zstd = d
		}
		if err := w.zstd.Reset(r); err != nil {
			return nil, nil, fmt.Errorf("invalid zstd stream: %w", err)
		}
		w.zstdBusy = true
		return w.zstd, func() { w.zstdBusy = false }, nil
	}
	return decompressor(kind, r)
}

// decompress scans the decompressed content of a bzip2, xz, zstd or zlib
// stream as a member of src (no archive level added), charged to src's
// archive budget and bounded in ratio.
func (w *worker) decompress(ctx context.Context, fs *fileScan, src *source, kind string, r io.Reader) error {
	if err := w.nested(src, kind); err != nil {
		return err
	}
	bud := w.budgetFor(src)
	cr := &countReader{r: r}
	rr := &ratioReader{in: cr.count, limit: w.s.o.maxRatio, kind: kind}
	dr, closeFn, err := w.decompressor(kind, cr, rr.ahead)
	if err != nil {
		return err
	}
	defer closeFn()
	rr.r = dr
	if z, ok := dr.(*bzip2Reader); ok {
		// The decoder counts the bytes it took, without the read-ahead
		// of its buffer, so that a block over the ratio is refused
		// before it is expanded.
		rr.in = z.compressed
		z.floor = rr.ahead
	}
	base := src.name[strings.LastIndexAny(src.name, "/!")+1:]
	name := base
	for _, ext := range []string{".bz2", ".xz", ".zst", ".zstd", ".zz", ".zlib", ".tbz2", ".txz", ".tzst"} {
		if strings.HasSuffix(strings.ToLower(base), ext) {
			name = base[:len(base)-len(ext)]
			break
		}
	}
	if name == "" || name == base {
		name = "content"
	}
	return w.member(ctx, fs, src, bud, name, rr, -1, 0)
}

// embedded scans the zlib streams inside a git pack or a PDF: every
// offset holding a zlib header that inflates is scanned as a member
// named "zlib@<offset>". Failed candidates are not streams and are
// skipped.
func (w *worker) embedded(ctx context.Context, fs *fileScan, src *source, b []byte) error {
	if err := w.nested(src, "zlib"); err != nil {
		return err
	}
	bud := w.budgetFor(src)
	tries := 0
	for i := 0; i+2 < len(b) && tries < maxEmbedded; {
		k := bytes.IndexByte(b[i:], 0x78)
		if k < 0 {
			break
		}
		i += k
		if !zlibHeader(b[i:]) {
			i++
			continue
		}
		tries++
		cr := &byteCountReader{r: bytes.NewReader(b[i:])}
		zr, err := zlib.NewReader(cr)
		if err != nil {
			i++
			continue
		}
		var probe [1]byte
		if n, err := zr.Read(probe[:]); n == 0 && err != nil {
			zr.Close()
			i++
			continue
		}
		rest := io.MultiReader(bytes.NewReader(probe[:1]), zr)
		bud.entries++ // embedded streams are not archive members
		err = w.member(ctx, fs, src, bud, fmt.Sprintf("zlib@%d", i), &tolerant{r: &ratioReader{r: rest, in: cr.count, limit: w.s.o.maxRatio, kind: "zlib"}}, -1, 0)
		zr.Close()
		var le *limitError
		if errors.As(err, &le) || errors.Is(err, context.Canceled) {
			return err
		}
		i += max(1, int(cr.n))
	}
	return nil
}

// tolerant ends an embedded stream quietly at its first decoding error:
// what inflated so far is scanned; limits still apply.
type tolerant struct{ r io.Reader }

func (t *tolerant) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	var re *ratioError
	if err != nil && err != io.EOF && !errors.As(err, &re) && !errors.Is(err, errBudget) && !errors.Is(err, context.Canceled) {
		return n, io.EOF
	}
	return n, err
}
