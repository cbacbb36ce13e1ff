package secrets

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/asn1"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// maxNestedZip bounds a zip inside an archive, which is held in memory
// for random access.
const maxNestedZip = 64 << 20

// errBudget ends an archive whose limits are exceeded.
var errBudget = errors.New("archive limit exceeded")

// budget bounds what one top-level archive may expand to.
type budget struct {
	bytes   int64
	entries int
	limit   int64
	maxN    int
}

func (w *worker) budgetFor(src *source) *budget {
	if src.bud != nil {
		return src.bud
	}
	o := w.s.o
	return &budget{bytes: o.maxArchiveBytes, entries: o.maxArchiveItems, limit: o.maxArchiveBytes, maxN: o.maxArchiveItems}
}

// budgetReader charges every byte read to a budget.
type budgetReader struct {
	r io.Reader
	b *budget
}

func (r *budgetReader) Read(p []byte) (int, error) {
	if r.b.bytes <= 0 {
		return 0, errBudget
	}
	if int64(len(p)) > r.b.bytes {
		p = p[:r.b.bytes]
	}
	n, err := r.r.Read(p)
	r.b.bytes -= int64(n)
	return n, err
}

// limitError is an archive limit that was hit; it names the member and
// ends the whole archive.
type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }

// member scans one archive member as a source of its own, inc levels
// deeper than its parent (gzip wraps one stream and adds no level).
func (w *worker) member(ctx context.Context, fs *fileScan, parent *source, bud *budget, name string, r io.Reader, size int64, inc int) error {
	bud.entries--
	if bud.entries < 0 {
		return &limitError{fmt.Sprintf("%s: more than %d archive members; raise the limit or unpack the archive", parent.name, bud.maxN)}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m := &source{name: parent.name + "!" + name, r: &budgetReader{r: r, b: bud}, size: size, depth: parent.depth + inc, bud: bud}
	fs.scanName(w, name, m.name)
	err := w.scanSource(ctx, fs, m)
	var le *limitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &le), errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, errBudget):
		return &limitError{fmt.Sprintf("%s: more than %d bytes decompressed from one archive (zip bomb?); raise the limit or unpack it", m.name, bud.limit)}
	}
	var re *ratioError
	if errors.As(err, &re) {
		return &limitError{m.name + ": " + re.Error()}
	}
	fs.problem(m.name, err.Error())
	return nil
}

// nested refuses archives deeper than the limit.
func (w *worker) nested(src *source, kind string) error {
	if src.depth >= w.s.o.maxArchiveDepth {
		return fmt.Errorf("%s archive nested deeper than %d levels; not scanned", kind, w.s.o.maxArchiveDepth)
	}
	return nil
}

func (w *worker) zip(ctx context.Context, fs *fileScan, src *source, r io.Reader) error {
	if err := w.nested(src, "zip"); err != nil {
		return err
	}
	bud := w.budgetFor(src)
	ra, size := src.ra, src.size
	if ra == nil || src.depth > 0 {
		// A member: zip needs random access, so hold it (its reader is
		// charged to the budget).
		b, err := io.ReadAll(io.LimitReader(r, maxNestedZip+1))
		if err != nil {
			return err
		}
		if len(b) > maxNestedZip {
			return fmt.Errorf("zip archive inside an archive is larger than %d MiB; unpack it to scan it", maxNestedZip>>20)
		}
		ra, size = bytes.NewReader(b), int64(len(b))
	}
	if n, ok := zipEntries(ra, size); ok && n > bud.entries {
		return &limitError{fmt.Sprintf("%s: zip declares %d members, more than the %d allowed; raise the limit or unpack the archive", src.name, n, bud.maxN)}
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return fmt.Errorf("invalid zip archive: %w", err)
	}
	registerZipMethods(zr)
	fs.zipComments(w, src.name, zr)
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") && f.UncompressedSize64 == 0 && f.CompressedSize64 == 0 {
			continue // a directory
		}
		if f.Flags&0x1 != 0 {
			fs.problem(src.name+"!"+f.Name, "encrypted zip member: the scanner cannot read it; ship it unencrypted or remove it")
			continue
		}
		if f.UncompressedSize64 > ratioGrace && f.UncompressedSize64/uint64(w.s.o.maxRatio) > f.CompressedSize64 {
			// The reader refuses more data than declared, so the declared
			// sizes bound the ratio.
			return &limitError{fmt.Sprintf("%s!%s: expands %d bytes to %d (over %dx; a zip bomb?); unpack it to scan it", src.name, f.Name, f.CompressedSize64, f.UncompressedSize64, w.s.o.maxRatio)}
		}
		rc, err := f.Open()
		if err != nil {
			fs.problem(src.name+"!"+f.Name, "cannot open zip member: "+err.Error())
			continue
		}
		err = w.member(ctx, fs, src, bud, f.Name, rc, int64(f.UncompressedSize64), 1)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// zipEntries reads the member count from the end-of-central-directory
// record (or the zip64 record), so a zip declaring millions of members is
// refused before its directory is parsed.
func zipEntries(ra io.ReaderAt, size int64) (int, bool) {
	n := min(size, 22+65535)
	tail := make([]byte, n)
	if _, err := ra.ReadAt(tail, size-n); err != nil && err != io.EOF {
		return 0, false
	}
	i := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	if i < 0 || i+12 > len(tail) {
		return 0, false
	}
	n16 := binary.LittleEndian.Uint16(tail[i+10:])
	if n16 != 0xffff {
		return int(n16), true
	}
	// zip64: the locator before the record points at the zip64 record,
	// which holds the 64-bit count.
	l := i - 20
	if l < 0 || !bytes.HasPrefix(tail[l:], []byte("PK\x06\x07")) {
		return 0, false
	}
	rec := make([]byte, 56)
	off := binary.LittleEndian.Uint64(tail[l+8:])
	if off > uint64(size) {
		return 0, false
	}
	if _, err := ra.ReadAt(rec, int64(off)); err != nil || !bytes.HasPrefix(rec, []byte("PK\x06\x06")) {
		return 0, false
	}
	return int(min(binary.LittleEndian.Uint64(rec[32:]), math.MaxInt32)), true
}

func (w *worker) gzip(ctx context.Context, fs *fileScan, src *source, r io.Reader) error {
	if err := w.nested(src, "gzip"); err != nil {
		return err
	}
	bud := w.budgetFor(src)
	cr := &countReader{r: r}
	zr, err := gzip.NewReader(cr)
	if err != nil {
		return fmt.Errorf("invalid gzip stream: %w", err)
	}
	defer zr.Close()
	fs.gzipHeader(w, src.name, &zr.Header)
	name := strings.TrimSuffix(strings.TrimSuffix(src.name[strings.LastIndexAny(src.name, "/!")+1:], ".gz"), ".tgz")
	if name == "" {
		name = "content"
	}
	return w.member(ctx, fs, src, bud, name, &ratioReader{r: zr, in: cr.count, limit: w.s.o.maxRatio, kind: "gzip"}, -1, 0)
}

func (w *worker) tar(ctx context.Context, fs *fileScan, src *source, r io.Reader) error {
	if err := w.nested(src, "tar"); err != nil {
		return err
	}
	bud := w.budgetFor(src)
	if src.bud == nil {
		r = &budgetReader{r: r, b: bud}
	}
	cr := &countReader{r: r}
	tr := tar.NewReader(cr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if errors.Is(err, errBudget) {
				return err
			}
			return fmt.Errorf("invalid tar archive: %w", err)
		}
		// Every member with data is scanned, whatever its type: GNU tar
		// extracts contiguous files, sparse files and unknown types as
		// regular files. Directories and links carry no data.
		fs.tarHeader(w, src.name+"!"+h.Name, h)
		if h.Size <= 0 {
			continue
		}
		// A sparse member reads back far more (its holes, as zeros) than
		// the archive holds: bound it like a decompressed stream.
		start := cr.n
		in := func() int64 { return cr.n - start + 512 }
		if err := w.member(ctx, fs, src, bud, h.Name, &ratioReader{r: tr, in: in, limit: w.s.o.maxRatio, kind: "tar member"}, h.Size, 1); err != nil {
			return err
		}
	}
}

// tarHeader scans what a tar header carries besides the name: the link
// target, owner names and PAX records (comments, vendor keys).
func (fs *fileScan) tarHeader(w *worker, name string, h *tar.Header) {
	var b []byte
	for _, kv := range [][2]string{{"linkname", h.Linkname}, {"uname", h.Uname}, {"gname", h.Gname}} {
		if kv[1] != "" {
			b = fmt.Appendf(b, "%s = %s\n", kv[0], kv[1])
		}
	}
	for _, k := range sortedKeys(h.PAXRecords) {
		b = fmt.Appendf(b, "%s = %s\n", k, strings.ReplaceAll(h.PAXRecords[k], "\n", " "))
	}
	if len(b) > 0 {
		fs.segment(w, seg{b: b, lo: 0, hi: len(b), fixedLine: -1, location: "tar header", mode: modeConfig, depth: 1, sourceName: name})
	}
}

// zipComments scans the archive comment and every member's comment: text
// an archive ships besides its members.
func (fs *fileScan) zipComments(w *worker, name string, zr *zip.Reader) {
	var b []byte
	if zr.Comment != "" {
		b = fmt.Appendf(b, "comment = %s\n", strings.ReplaceAll(zr.Comment, "\n", " "))
	}
	for _, f := range zr.File {
		if f.Comment != "" {
			b = fmt.Appendf(b, "%s comment = %s\n", f.Name, strings.ReplaceAll(f.Comment, "\n", " "))
		}
	}
	if len(b) > 0 {
		fs.segment(w, seg{b: b, lo: 0, hi: len(b), fixedLine: -1, location: "zip comment", mode: modeConfig, depth: 1, sourceName: name})
	}
}

// gzipHeader scans what a gzip header carries besides the data: the
// original file name, the comment and the extra field.
func (fs *fileScan) gzipHeader(w *worker, name string, h *gzip.Header) {
	var b []byte
	for _, kv := range [][2]string{{"name", h.Name}, {"comment", h.Comment}, {"extra", string(h.Extra)}} {
		if kv[1] != "" {
			b = fmt.Appendf(b, "%s = %s\n", kv[0], strings.ReplaceAll(kv[1], "\n", " "))
		}
	}
	if len(b) > 0 {
		fs.segment(w, seg{b: b, lo: 0, hi: len(b), fixedLine: -1, location: "gzip header", mode: modeConfig, depth: 1, sourceName: name})
	}
}

// looksSafetensors recognises a safetensors header: a little-endian
// length followed by a JSON object.
func looksSafetensors(head []byte) bool {
	return len(head) >= 10 && head[6] == 0 && head[7] == 0 && head[8] == '{' && head[9] == '"' && binary.LittleEndian.Uint64(head) > 1
}

// safetensors scans the JSON header (with __metadata__) and skips the
// tensor data.
func (w *worker) safetensors(ctx context.Context, fs *fileScan, src *source, head []byte, r io.Reader) error {
	if len(head) < 8 {
		return fmt.Errorf("truncated safetensors file: %d bytes, too short for the 8-byte header length", len(head))
	}
	n := binary.LittleEndian.Uint64(head)
	if n > uint64(w.s.o.maxHeaderBytes) {
		return fmt.Errorf("safetensors header length %d exceeds the %d-byte limit", n, w.s.o.maxHeaderBytes)
	}
	if _, err := io.CopyN(io.Discard, r, 8); err != nil {
		return fmt.Errorf("read safetensors header: %w", err)
	}
	hdr := make([]byte, n)
	got, err := io.ReadFull(r, hdr)
	if err != nil {
		if errors.Is(err, errBudget) {
			return err
		}
		return fmt.Errorf("truncated safetensors header: it declares %d bytes but the file has %d", n, got)
	}
	fs.bytes += int64(got)
	if !json.Valid(hdr) {
		return fmt.Errorf("safetensors header is not valid JSON")
	}
	sg := seg{b: hdr, lo: 0, hi: len(hdr), lineBase: 1, location: "safetensors header", mode: modeJSON, sourceName: src.name}
	if fs.jsonPairs(w, hdr, sg) {
		sg.mode = modeAnchors
	}
	fs.segment(w, sg)
	// Bytes after the last tensor are no tensor's data: a loader ignores
	// them, but they ship. Their strings are scanned.
	if end := tensorDataEnd(hdr); src.ra != nil && src.size > int64(8+n)+end {
		tail := io.NewSectionReader(src.ra, int64(8+n)+end, src.size-int64(8+n)-end)
		ex := &extractor{fs: fs, w: w, name: src.name, min: minCredential}
		b, err := io.ReadAll(io.LimitReader(tail, w.s.o.maxArchiveBytes+1))
		if err != nil {
			return fmt.Errorf("read the bytes after the tensors: %w", err)
		}
		if int64(len(b)) > w.s.o.maxArchiveBytes {
			return fmt.Errorf("more than %d bytes after the last tensor; they cannot be scanned", w.s.o.maxArchiveBytes)
		}
		fs.bytes += int64(len(b))
		ex.extract(b, 0, true)
		ex.flush()
	}
	return ctx.Err()
}

// tensorDataEnd is the end of the tensor data a safetensors header
// declares: the largest data_offsets end.
func tensorDataEnd(hdr []byte) int64 {
	var tensors map[string]json.RawMessage
	if json.Unmarshal(hdr, &tensors) != nil {
		return 0
	}
	var end int64
	for name, raw := range tensors {
		if name == "__metadata__" {
			continue
		}
		var t struct {
			Offsets []int64 `json:"data_offsets"`
		}
		if json.Unmarshal(raw, &t) == nil && len(t.Offsets) == 2 && t.Offsets[1] > end {
			end = t.Offsets[1]
		}
	}
	return end
}

// GGUF value types.
const (
	ggufString = 8
	ggufArray  = 9
)

var ggufSizes = map[uint32]int64{0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}

// gguf reads the metadata key/value section of a GGUF (v2, v3) file,
// scans its strings as "key = value" lines and never reads the weights.
func (w *worker) gguf(ctx context.Context, fs *fileScan, src *source, r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	limit := w.s.o.maxHeaderBytes
	var read int64
	take := func(n int64) ([]byte, error) {
		read += n
		if read > limit {
			return nil, fmt.Errorf("gguf metadata exceeds the %d-byte limit", limit)
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(br, b); err != nil {
			return nil, fmt.Errorf("truncated gguf metadata: %w", err)
		}
		return b, nil
	}
	u32 := func() (uint32, error) {
		b, err := take(4)
		if err != nil {
			return 0, err
		}
		return binary.LittleEndian.Uint32(b), nil
	}
	u64 := func() (uint64, error) {
		b, err := take(8)
		if err != nil {
			return 0, err
		}
		return binary.LittleEndian.Uint64(b), nil
	}
	gstr := func() (string, error) {
		n, err := u64()
		if err != nil {
			return "", err
		}
		if n > uint64(limit) {
			return "", fmt.Errorf("gguf string of %d bytes exceeds the %d-byte limit", n, limit)
		}
		b, err := take(int64(n))
		return string(b), err
	}
	if _, err := take(4); err != nil { // magic
		return err
	}
	version, err := u32()
	if err != nil {
		return err
	}
	if version != 2 && version != 3 {
		return fmt.Errorf("unsupported gguf version %d (want 2 or 3)", version)
	}
	if _, err := u64(); err != nil { // tensor count
		return err
	}
	kvs, err := u64()
	if err != nil {
		return err
	}
	var text bytes.Buffer
	var value func(typ uint32, key string, depth int) error
	value = func(typ uint32, key string, depth int) error {
		switch typ {
		case ggufString:
			s, err := gstr()
			if err != nil {
				return err
			}
			if key != "" {
				text.WriteString(key + " = ")
			}
			text.WriteString(strings.ReplaceAll(s, "\n", " "))
			text.WriteByte('\n')
			return nil
		case ggufArray:
			if depth > 4 {
				return fmt.Errorf("gguf arrays nested deeper than 4")
			}
			et, err := u32()
			if err != nil {
				return err
			}
			n, err := u64()
			if err != nil {
				return err
			}
			if sz, ok := ggufSizes[et]; ok {
				if n > uint64(limit)/uint64(sz) {
					return fmt.Errorf("gguf array of %d elements exceeds the %d-byte limit", n, limit)
				}
				read += int64(n) * sz
				if read > limit {
					return fmt.Errorf("gguf metadata exceeds the %d-byte limit", limit)
				}
				_, err := br.Discard(int(n) * int(sz))
				return err
			}
			if n > uint64(limit) {
				return fmt.Errorf("gguf array of %d elements exceeds the limit", n)
			}
			for i := uint64(0); i < n; i++ {
				if err := value(et, "", depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		sz, ok := ggufSizes[typ]
		if !ok {
			return fmt.Errorf("invalid gguf value type %d", typ)
		}
		_, err := take(sz)
		return err
	}
	if kvs > math.MaxInt32 {
		return fmt.Errorf("gguf declares %d metadata entries", kvs)
	}
	for i := uint64(0); i < kvs; i++ {
		key, err := gstr()
		if err != nil {
			return err
		}
		typ, err := u32()
		if err != nil {
			return err
		}
		if err := value(typ, key, 0); err != nil {
			return fmt.Errorf("gguf metadata %q: %w", key, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	fs.bytes += read
	b := text.Bytes()
	fs.segment(w, seg{b: b, lo: 0, hi: len(b), fixedLine: -1, location: "gguf metadata", mode: modeConfig, sourceName: src.name})
	return nil
}

// pkcs12 reports a PFX key store: an ASN.1 SEQUENCE whose first element
// is version 3 and whose second is a ContentInfo.
func (w *worker) pkcs12(fs *fileScan, src *source, r io.Reader) error {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20+1))
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	fs.bytes += int64(len(b))
	if len(b) > 1<<20 {
		return fmt.Errorf("PKCS#12 file larger than 1 MiB")
	}
	var pfx struct {
		Version  int
		AuthSafe struct {
			ContentType asn1.ObjectIdentifier
			Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
		}
		MacData asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(b, &pfx); err != nil || pfx.Version != 3 {
		fs.binary = true
		return nil
	}
	fs.add(Finding{Rule: RulePKCS12, Severity: ruleTable[RulePKCS12].Severity, Path: src.name, Line: 0, Fingerprint: fs.s.Fingerprint(b)}, 2, [2]int{})
	return nil
}

// notebook scans a Jupyter notebook's JSON and, decoded, each cell's
// source and text outputs.
func (w *worker) notebook(ctx context.Context, fs *fileScan, src *source, r io.Reader) error {
	b, err := io.ReadAll(io.LimitReader(r, int64(len(w.buf))+1))
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if len(b) > len(w.buf) {
		// Too large to decode whole: scan it as streamed text.
		whole := *src
		whole.r = io.MultiReader(bytes.NewReader(b), r)
		return w.text(ctx, fs, &whole, nil, false)
	}
	fs.bytes += int64(len(b))
	sg := seg{b: b, lo: 0, hi: len(b), lineBase: 1, mode: modeJSON, sourceName: src.name}
	if fs.jsonPairs(w, b, sg) {
		sg.mode = modeAnchors
	} else {
		sg.mode = modeSource
	}
	fs.segment(w, sg)
	var nb struct {
		Cells []struct {
			Source  multiline `json:"source"`
			Outputs []struct {
				Text multiline            `json:"text"`
				Data map[string]multiline `json:"data"`
			} `json:"outputs"`
		} `json:"cells"`
	}
	if json.Unmarshal(b, &nb) != nil {
		return nil
	}
	// Cell sources are code (quoted values); outputs are printed text,
	// where "password=..." has no quotes.
	scan := func(text, loc string, md mode) {
		t := []byte(text)
		fs.segment(w, seg{b: t, lo: 0, hi: len(t), lineBase: 1, location: loc, mode: md, sourceName: src.name})
	}
	for i, c := range nb.Cells {
		scan(string(c.Source), fmt.Sprintf("cells[%d].source", i), modeSource)
		for j, o := range c.Outputs {
			t := string(o.Text)
			for _, k := range sortedKeys(o.Data) {
				if strings.HasPrefix(k, "text/") || strings.HasSuffix(k, "json") {
					t += "\n" + string(o.Data[k])
				}
			}
			scan(t, fmt.Sprintf("cells[%d].outputs[%d]", i, j), modeConfig)
		}
	}
	return nil
}

// multiline is a notebook string: one string or a list of lines.
type multiline string

func (m *multiline) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*m = multiline(s)
		return nil
	}
	var l []string
	if json.Unmarshal(b, &l) == nil {
		*m = multiline(strings.Join(l, ""))
		return nil
	}
	return nil // other shapes (images, objects) carry no text
}
