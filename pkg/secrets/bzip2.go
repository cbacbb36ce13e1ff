package secrets

import (
	"bufio"
	"errors"
	"io"
)

// A bzip2 decoder. The standard library's expands a block as it is read,
// so a block that turns out to break the ratio limit has been expanded
// (and scanned) up to the limit before it is refused: megabytes of work
// for a small file. This one inverts a block's Burrows-Wheeler transform
// into a byte buffer first, which tells the block's decoded length before
// a byte of it is produced; a block that would take the stream past its
// ratio limit is refused there. The run-length expansion is then a
// sequential pass over that buffer, and the buffers are kept from one
// stream to the next.
//
// Decoding follows the reference implementation (bzip2 1.0.8): after a
// run's count byte, the next byte starts a new run. Randomised blocks
// (deprecated since bzip2 0.9.5) are refused.

const (
	bz2BlockMagic = 0x314159265359
	bz2EndMagic   = 0x177245385090
	bz2MaxCode    = 20      // longest Huffman code
	bz2MaxRun     = 2 << 20 // longest RUNA/RUNB run (the reference's bound)
	bz2MaxGroups  = 6
	bz2GroupSize  = 50
)

// bz2Error is a structurally invalid stream.
type bz2Error string

func (e bz2Error) Error() string { return "invalid bzip2 stream: " + string(e) }

// bz2Buffers are the large buffers of a decoder, kept by a worker.
type bz2Buffers struct {
	tt  []uint32 // inverse BWT vector: byte in the low 8 bits, next index above
	out []byte   // the block in pre-run-length order
	// The segments of a walk (see walk).
	scratch []byte
	chunks  []bz2Chunk
	segs    []bz2Segment
	// mapped buffers (a worker's: see reserve) are released by release.
	mapped  bool
	release func()
}

// bz2MaxBlock is the largest block, at level 9.
const bz2MaxBlock = 900000

// reserve makes tt, out and scratch large enough for blocks of
// blockSize. A worker's buffers (mapped) are mapped once, at the largest
// block size, outside the Go heap on huge pages (see mapHuge); others
// are allocated on the heap.
func (b *bz2Buffers) reserve(blockSize int) {
	if cap(b.tt) >= blockSize && cap(b.out) >= blockSize && cap(b.scratch) >= walkScratch(blockSize) {
		return
	}
	if b.mapped && b.release == nil {
		ttBytes := 4 * bz2MaxBlock
		if m, release, err := mapHuge(ttBytes + bz2MaxBlock + walkScratch(bz2MaxBlock)); err == nil {
			b.tt = uint32s(m[:ttBytes:ttBytes])
			b.out = m[ttBytes : ttBytes+bz2MaxBlock : ttBytes+bz2MaxBlock]
			b.scratch = m[ttBytes+bz2MaxBlock:]
			b.release = release
			return
		}
	}
	if cap(b.tt) < blockSize {
		b.tt = make([]uint32, blockSize)
	}
	if cap(b.out) < blockSize {
		b.out = make([]byte, blockSize)
	}
	if cap(b.scratch) < walkScratch(blockSize) {
		b.scratch = make([]byte, walkScratch(blockSize))
	}
}

// close releases mapped buffers; b must not be used after.
func (b *bz2Buffers) close() {
	if b.release != nil {
		b.release()
		*b = bz2Buffers{}
	}
}

// bzip2Reader decodes a bzip2 file: one stream or several concatenated.
type bzip2Reader struct {
	r    io.ByteReader
	acc  uint64 // bits not yet consumed are the low nbit bits
	nbit uint
	err  error // sticky
	// read counts the compressed bytes taken from r: exact, where a
	// count of what r itself read would include a buffer's read-ahead.
	read int64

	buf       *bz2Buffers
	blockSize int
	started   bool // the first stream header was read
	// check, when set, is told each block's decoded length before the
	// block yields a byte; an error it returns ends the stream.
	check func(n int64) error
	// floor, when set, is told a lower bound of each block's decoded
	// length before the block is inverted (the costly part of decoding
	// it); an error it returns ends the stream. The scan's ratio check
	// refuses a bomb there, without inverting the block over the ratio.
	floor func(n int64) error

	// The block being expanded.
	blk              []byte // pre-run-length bytes
	pos              int    // next byte of blk
	last             int    // byte of the current run, -1 for none
	same             int    // bytes of the current run seen (up to 4)
	repeat           int    // copies of last still to write
	crc, wantCRC     uint32 // block CRC so far, and as recorded
	streamCRC        uint32 // combined block CRCs of the stream
	inBlock          bool
	done             bool
	quirkCountThenRe bool // a zero count followed by its run's byte (see quirk)
}

// newBzip2Reader returns a decoder reading r, with buf's buffers (nil:
// its own). check, if not nil, vets each block's decoded length first.
func newBzip2Reader(r io.Reader, buf *bz2Buffers, check func(n int64) error) *bzip2Reader {
	br, ok := r.(io.ByteReader)
	if !ok {
		br = bufio.NewReader(r)
	}
	if buf == nil {
		buf = &bz2Buffers{}
	}
	return &bzip2Reader{r: br, buf: buf, check: check, last: -1}
}

// need makes at least k (<= 56) bits available; false at the end of the
// input (a truncated stream) or on a read error.
func (z *bzip2Reader) need(k uint) bool {
	for z.nbit < k {
		c, err := z.r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			if z.err == nil {
				z.err = err
			}
			return false
		}
		z.acc = z.acc<<8 | uint64(c)
		z.nbit += 8
		z.read++
	}
	return true
}

// compressed returns how many compressed bytes were read.
func (z *bzip2Reader) compressed() int64 { return z.read }

// bits reads k (<= 56) bits, most significant first; 0 once z.err is set.
func (z *bzip2Reader) bits(k uint) uint64 {
	if !z.need(k) {
		return 0
	}
	z.nbit -= k
	return (z.acc >> z.nbit) & (1<<k - 1)
}

func (z *bzip2Reader) bit() bool { return z.bits(1) == 1 }

// streamHeader reads "BZh" and the level digit (after "BZ" when magic is
// false).
func (z *bzip2Reader) streamHeader(magic bool) error {
	if magic && z.bits(16) != 'B'<<8|'Z' {
		return z.fail(bz2Error("bad magic value"))
	}
	if z.bits(8) != 'h' {
		return z.fail(bz2Error("not Huffman-coded"))
	}
	level := int(z.bits(8))
	if z.err != nil {
		return z.err
	}
	if level < '1' || level > '9' {
		return z.fail(bz2Error("invalid compression level"))
	}
	z.blockSize = 100000 * (level - '0')
	z.streamCRC = 0
	return nil
}

func (z *bzip2Reader) fail(err error) error {
	if z.err == nil {
		z.err = err
	}
	return z.err
}

func (z *bzip2Reader) Read(p []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	if z.done {
		return 0, io.EOF
	}
	if !z.started {
		if err := z.streamHeader(true); err != nil {
			return 0, err
		}
		z.started = true
	}
	for len(p) > 0 {
		if z.inBlock {
			n := z.expand(p)
			z.crc = bz2CRC(z.crc, p[:n])
			if n > 0 {
				return n, nil
			}
			// The block is spent.
			z.inBlock = false
			if z.crc != z.wantCRC {
				return 0, z.fail(bz2Error("block checksum mismatch"))
			}
			z.streamCRC = (z.streamCRC<<1 | z.streamCRC>>31) ^ z.crc
		}
		if err := z.next(); err != nil {
			return 0, err
		}
		if z.done {
			return 0, io.EOF
		}
	}
	return 0, nil
}

// next reads the next block, or the end of the stream and the header of
// a stream concatenated to it; it sets z.done at the end of the input.
func (z *bzip2Reader) next() error {
	switch z.bits(48) {
	case bz2BlockMagic:
		return z.block()
	case bz2EndMagic:
		want := uint32(z.bits(32))
		if z.err != nil {
			return z.err
		}
		if want != z.streamCRC {
			return z.fail(bz2Error("stream checksum mismatch"))
		}
		// Another stream may follow, byte-aligned.
		z.nbit -= z.nbit % 8
		if z.nbit == 0 {
			c, err := z.r.ReadByte()
			if errors.Is(err, io.EOF) {
				z.done = true
				return nil
			}
			if err != nil {
				return z.fail(err)
			}
			z.acc, z.nbit = uint64(c), 8
			z.read++
		}
		if z.bits(8) != 'B' || z.bits(8) != 'Z' {
			return z.fail(bz2Error("bad magic value in a concatenated stream"))
		}
		return z.streamHeader(false)
	}
	return z.fail(bz2Error("bad block magic"))
}

// block reads one block and inverts its transforms up to the run-length
// encoding, which expand undoes as the block is read.
func (z *bzip2Reader) block() error {
	z.wantCRC = uint32(z.bits(32))
	if z.bit() {
		return z.fail(bz2Error("randomised blocks are not supported"))
	}
	origPtr := int(z.bits(24))

	// The bytes in use: a 16x16 bitmap.
	var symbols [256]byte
	nsym := 0
	ranges := z.bits(16)
	for i := range 16 {
		if ranges&(0x8000>>i) == 0 {
			continue
		}
		used := z.bits(16)
		for j := range 16 {
			if used&(0x8000>>j) != 0 {
				symbols[nsym] = byte(16*i + j)
				nsym++
			}
		}
	}
	if z.err != nil {
		return z.err
	}
	if nsym == 0 {
		return z.fail(bz2Error("no symbols in a block"))
	}
	alpha := nsym + 2 // RUNA, RUNB, the MTF positions 1..nsym-1, end of block

	ngroups := int(z.bits(3))
	if ngroups < 2 || ngroups > bz2MaxGroups {
		return z.fail(bz2Error("invalid number of Huffman tables"))
	}
	nsel := int(z.bits(15))
	if nsel == 0 {
		return z.fail(bz2Error("no Huffman table selectors"))
	}
	selectors := make([]uint8, nsel)
	var mtfGroups [bz2MaxGroups]uint8
	for i := range mtfGroups {
		mtfGroups[i] = uint8(i)
	}
	for i := range selectors {
		k := 0
		for z.bit() {
			if k++; k >= ngroups {
				return z.fail(bz2Error("Huffman table selector out of range"))
			}
		}
		if z.err != nil {
			return z.err
		}
		g := mtfGroups[k]
		copy(mtfGroups[1:k+1], mtfGroups[:k])
		mtfGroups[0] = g
		selectors[i] = g
	}

	tables := make([]bz2Huffman, ngroups)
	var lengths [258]uint8
	for t := range tables {
		l := int(z.bits(5))
		for s := range alpha {
			for {
				if l < 1 || l > bz2MaxCode {
					return z.fail(bz2Error("Huffman code length out of range"))
				}
				if !z.bit() {
					break
				}
				if z.bit() {
					l--
				} else {
					l++
				}
			}
			lengths[s] = uint8(l)
		}
		if z.err != nil {
			return z.err
		}
		if err := tables[t].build(lengths[:alpha]); err != nil {
			return z.fail(err)
		}
	}

	// Huffman and MTF decoding, the RUNA/RUNB runs expanded.
	z.buf.reserve(z.blockSize)
	tt := z.buf.tt[:z.blockSize]
	var counts [256]int
	var mtf [256]byte
	copy(mtf[:], symbols[:nsym])
	n, run, runWeight := 0, 0, 1
	sel, left := 0, 0
	var h *bz2Huffman
	for {
		if left == 0 {
			if sel >= nsel {
				return z.fail(bz2Error("more symbols than the selectors cover"))
			}
			h, left = &tables[selectors[sel]], bz2GroupSize
			sel++
		}
		left--
		v, ok := z.decode(h)
		if !ok {
			return z.fail(bz2Error("invalid Huffman code"))
		}
		if v < 2 { // RUNA (1) or RUNB (2), in bijective base 2
			run += runWeight << v
			runWeight <<= 1
			if run > bz2MaxRun {
				return z.fail(bz2Error("run too long"))
			}
			continue
		}
		if run > 0 {
			if run > z.blockSize-n {
				return z.fail(bz2Error("block longer than its level allows"))
			}
			b := mtf[0]
			counts[b] += run
			for i := n; i < n+run; i++ {
				tt[i] = uint32(b)
			}
			n += run
			run, runWeight = 0, 1
		}
		if v == alpha-1 {
			break // end of block
		}
		// MTF position v-1.
		k := v - 1
		if k >= nsym {
			return z.fail(bz2Error("MTF index out of range"))
		}
		b := mtf[k]
		copy(mtf[1:k+1], mtf[:k])
		mtf[0] = b
		if n >= z.blockSize {
			return z.fail(bz2Error("block longer than its level allows"))
		}
		tt[n] = uint32(b)
		counts[b]++
		n++
	}
	if origPtr >= n {
		return z.fail(bz2Error("BWT origin out of range"))
	}

	// The block expands to 4n/5 bytes at least: a run's count byte (at
	// most one in five of the n) may stand for no byte.
	if z.floor != nil {
		if err := z.floor(int64(n - n/5)); err != nil {
			return z.fail(err)
		}
	}

	// Inverse BWT: link every position to the next, then walk the links
	// from the origin into a byte buffer (see walk).
	sum := 0
	for b := range counts {
		sum, counts[b] = sum+counts[b], sum
	}
	// Every stride-th position starts a segment of the walk: the link
	// leading to it is marked.
	stride := max(n/bz2Segments, bz2MinSegment)
	for lo := 0; lo < n; lo += stride {
		b := tt[lo] & 0xff
		tt[counts[b]] |= uint32(lo)<<8 | bz2Stop
		counts[b]++
		for i := lo + 1; i < min(lo+stride, n); i++ {
			b := tt[i] & 0xff
			tt[counts[b]] |= uint32(i) << 8
			counts[b]++
		}
	}
	out := z.buf.out[:n]
	if n < 4*bz2MinSegment || !z.buf.walk(tt[:n], origPtr, stride, out) {
		walkSerial(tt[:n], origPtr, out)
	}

	// The block's length once its runs (four equal bytes and a count)
	// are expanded.
	length, last, same := int64(n), -1, 0
	for _, c := range out {
		switch {
		case same == 4:
			length += int64(c) - 1
			last, same = -1, 0
		case int(c) == last:
			same++
		default:
			last, same = int(c), 1
		}
	}

	if z.check != nil {
		if err := z.check(length); err != nil {
			return z.fail(err)
		}
	}
	z.blk, z.pos, z.last, z.same, z.repeat, z.crc, z.inBlock = out, 0, -1, 0, 0, 0, true
	return nil
}

// expand writes the next bytes of the block into p and returns how many.
func (z *bzip2Reader) expand(p []byte) int {
	n := 0
	for n < len(p) {
		if z.repeat > 0 {
			k := min(z.repeat, len(p)-n)
			c := byte(z.last)
			for i := n; i < n+k; i++ {
				p[i] = c
			}
			n += k
			if z.repeat -= k; z.repeat == 0 {
				z.last = -1
			}
			continue
		}
		if z.pos >= len(z.blk) {
			break
		}
		c := z.blk[z.pos]
		z.pos++
		if z.same == 4 {
			z.repeat, z.same = int(c), 0
			if c == 0 {
				z.last = -1
				if z.pos < len(z.blk) && int(z.blk[z.pos]) == int(z.blk[z.pos-2]) {
					z.quirkCountThenRe = true
				}
			}
			continue
		}
		if int(c) == z.last {
			z.same++
		} else {
			z.last, z.same = int(c), 1
		}
		p[n] = c
		n++
	}
	return n
}

// bz2Huffman decodes one table's canonical Huffman code.
type bz2Huffman struct {
	minLen, maxLen uint
	limit          [bz2MaxCode + 1]int32 // largest code of each length
	base           [bz2MaxCode + 1]int32 // code - base = index into perm
	perm           [258]uint16           // symbols by code
}

func (h *bz2Huffman) build(lengths []uint8) error {
	var count [bz2MaxCode + 1]int32
	h.minLen, h.maxLen = bz2MaxCode, 1
	for _, l := range lengths {
		count[l]++
		h.minLen, h.maxLen = min(h.minLen, uint(l)), max(h.maxLen, uint(l))
	}
	k := 0
	for l := h.minLen; l <= h.maxLen; l++ {
		for s, sl := range lengths {
			if uint(sl) == l {
				h.perm[k] = uint16(s)
				k++
			}
		}
	}
	code, idx := int32(0), int32(0)
	for l := h.minLen; l <= h.maxLen; l++ {
		h.base[l] = code - idx
		code += count[l]
		idx += count[l]
		if code > 1<<l {
			return bz2Error("over-subscribed Huffman code")
		}
		h.limit[l] = code - 1
		code <<= 1
	}
	return nil
}

// decode reads one symbol with h.
func (z *bzip2Reader) decode(h *bz2Huffman) (int, bool) {
	if !z.need(h.maxLen) {
		return 0, false
	}
	v := int32((z.acc >> (z.nbit - h.maxLen)) & (1<<h.maxLen - 1))
	for l := h.minLen; l <= h.maxLen; l++ {
		c := v >> (h.maxLen - l)
		if c <= h.limit[l] {
			z.nbit -= l
			return int(h.perm[c-h.base[l]]), true
		}
	}
	return 0, false
}

// bz2CRCTable is CRC-32 (polynomial 0x04c11db7) most significant bit
// first, as bzip2 computes it.
var bz2CRCTable = func() (t [256]uint32) {
	for i := range t {
		c := uint32(i) << 24
		for range 8 {
			if c&0x80000000 != 0 {
				c = c<<1 ^ 0x04c11db7
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

func bz2CRC(crc uint32, b []byte) uint32 {
	crc = ^crc
	for _, c := range b {
		crc = bz2CRCTable[byte(crc>>24)^c] ^ crc<<8
	}
	return ^crc
}

// The inverse BWT walk follows one link at a time from the origin: each
// load depends on the one before and most miss the cache, so a single
// walk waits on memory. Cut into segments that start at marked
// positions, it is walked by several lanes at once, whose loads overlap;
// the segments are then joined in the order the links give.
const (
	bz2Lanes             = 8         // segments walked at once
	bz2Segments          = 64        // marked positions per block (about)
	bz2MinSegment        = 4096      // shortest stride between marks
	bz2ChunkSize         = 4096      // bytes a lane writes before taking more room
	bz2Next              = 1<<20 - 1 // the next index (above the byte): blocks are under 2^20
	bz2Stop       uint32 = 1 << 31   // the link leads to a segment's start
)

// walkScratch is the scratch room a walk of a block of n bytes may take:
// the block, and a partly filled chunk for each segment (up to
// n/stride+1 of them, and the first's).
func walkScratch(n int) int {
	return n + (min(n/bz2MinSegment, bz2Segments)+3)*bz2ChunkSize
}

// bz2Chunk is a run of a segment's bytes in the scratch buffer.
type bz2Chunk struct {
	off, n int32
	next   int32 // the segment's next chunk, -1 for none
}

// bz2Segment is one segment of a walk: the position it starts at, its
// first chunk, and the segment that follows it.
type bz2Segment struct {
	start       uint32
	first, next int32
}

// walk writes the block (tt's bytes in link order from origPtr) into out
// from segments walked at once. tt's links into the positions that are
// multiples of stride are marked with bz2Stop; walk marks the link into
// the first position too, for the walk only. It reports false, having
// written nothing certain, when the links do not form one cycle through
// every position (a damaged block): walkSerial then gives what the
// reference decoder gives.
func (b *bz2Buffers) walk(tt []uint32, origPtr, stride int, out []byte) bool {
	n := len(tt)
	first := (tt[origPtr] >> 8) & bz2Next // the position of out[0]
	segs := b.segs[:0]
	for lo := 0; lo < n; lo += stride {
		segs = append(segs, bz2Segment{start: uint32(lo), first: -1, next: -1})
	}
	firstSeg := int32(int(first) / stride)
	if int(first)%stride != 0 {
		firstSeg = int32(len(segs))
		segs = append(segs, bz2Segment{start: first, first: -1, next: -1})
		tt[origPtr] |= bz2Stop
		defer func() { tt[origPtr] &^= bz2Stop }()
	}
	segOf := func(p uint32) int32 {
		switch {
		case p == first:
			return firstSeg
		case int(p)%stride == 0:
			return int32(int(p) / stride)
		}
		return -1
	}
	need := n + len(segs)*bz2ChunkSize
	if cap(b.scratch) < need {
		b.scratch = make([]byte, walkScratch(n))
	}
	scratch := b.scratch[:need]
	chunks := b.chunks[:0]
	defer func() { b.chunks, b.segs = chunks, segs }()

	type lane struct {
		p      uint32
		seg    int32
		chunk  int32 // index in chunks
		w, end int   // next byte and end of the chunk in scratch
	}
	var lanes [bz2Lanes]lane
	bump := 0
	// room starts a chunk; false when the scratch buffer is spent.
	room := func() (int32, bool) {
		if bump+bz2ChunkSize > len(scratch) {
			return 0, false
		}
		chunks = append(chunks, bz2Chunk{off: int32(bump), next: -1})
		bump += bz2ChunkSize
		return int32(len(chunks) - 1), true
	}
	taken := 0
	// take starts the next segment on l; false when none is left.
	take := func(l *lane) bool {
		if taken >= len(segs) {
			return false
		}
		c, ok := room()
		if !ok {
			return false
		}
		s := int32(taken)
		taken++
		segs[s].first = c
		*l = lane{p: segs[s].start, seg: s, chunk: c, w: int(chunks[c].off), end: int(chunks[c].off) + bz2ChunkSize}
		return true
	}
	active := 0
	for active < bz2Lanes && take(&lanes[active]) {
		active++
	}
	for active > 0 {
		for li := 0; li < active; li++ {
			l := &lanes[li]
			x := tt[l.p]
			scratch[l.w] = byte(x)
			l.w++
			l.p = (x >> 8) & bz2Next
			if x&bz2Stop == 0 && l.w < l.end {
				continue
			}
			chunks[l.chunk].n = int32(l.w) - chunks[l.chunk].off
			if x&bz2Stop == 0 {
				// The chunk is full: go on in another.
				c, ok := room()
				if !ok {
					return false
				}
				chunks[l.chunk].next = c
				l.chunk, l.w, l.end = c, int(chunks[c].off), int(chunks[c].off)+bz2ChunkSize
				continue
			}
			// The segment ends where another starts.
			next := segOf(l.p)
			if next < 0 {
				return false
			}
			segs[l.seg].next = next
			if !take(l) {
				active--
				lanes[li] = lanes[active]
				li--
			}
		}
	}
	if taken < len(segs) {
		return false
	}
	// Join the segments from first's: one cycle through them all. (The
	// segments' links are a permutation too: a walk from first's that
	// returns to it early has missed some.)
	w, s := 0, firstSeg
	for i := range segs {
		if s < 0 || (i > 0 && s == firstSeg) {
			return false
		}
		for c := segs[s].first; c >= 0; c = chunks[c].next {
			k := chunks[c]
			if int(k.n) > n-w {
				return false
			}
			w += copy(out[w:], scratch[k.off:k.off+k.n])
		}
		s = segs[s].next
	}
	return w == n && s == firstSeg
}

// walkSerial follows tt's links from origPtr one at a time, the way the
// reference decoder does.
func walkSerial(tt []uint32, origPtr int, out []byte) {
	p := (tt[origPtr] >> 8) & bz2Next
	for i := range out {
		x := tt[p]
		out[i] = byte(x)
		p = (x >> 8) & bz2Next
	}
}
