package secretgen

import (
	"bytes"
	"compress/bzip2"
	"container/heap"
	"fmt"
	"io"
	"sort"
)

// Bzip2 compresses b into a bzip2 stream (one block; b must be under
// 100 kB). The standard library only decompresses bzip2, and the corpus
// needs bzip2 files without running a tool; the result is checked by
// decompressing it with compress/bzip2.
func Bzip2(b []byte) []byte {
	if len(b) == 0 || len(b) > 100_000 {
		panic(fmt.Sprintf("secretgen: Bzip2 takes 1 to 100000 bytes, got %d", len(b)))
	}
	var w bitWriter
	w.bytes([]byte("BZh9"))
	crc := bzCRC(b)
	w.bits(0x314159, 24)
	w.bits(0x265359, 24)
	w.bits(uint64(crc), 32)
	w.bits(0, 1) // not randomised

	data := rle1(b)
	last, orig := bwt(data)
	w.bits(uint64(orig), 24)

	// Symbol map: which bytes occur.
	var used [256]bool
	for _, c := range data {
		used[c] = true
	}
	var ranges uint16
	for i := 0; i < 16; i++ {
		for j := 0; j < 16; j++ {
			if used[i*16+j] {
				ranges |= 1 << (15 - i)
			}
		}
	}
	w.bits(uint64(ranges), 16)
	var unseqToSeq [256]int
	n := 0
	for i := 0; i < 16; i++ {
		if ranges&(1<<(15-i)) == 0 {
			continue
		}
		var bits uint16
		for j := 0; j < 16; j++ {
			if used[i*16+j] {
				bits |= 1 << (15 - j)
			}
		}
		w.bits(uint64(bits), 16)
	}
	for c := 0; c < 256; c++ {
		if used[c] {
			unseqToSeq[c] = n
			n++
		}
	}
	// Move-to-front and zero-run coding (RUNA=0, RUNB=1).
	mtf := make([]int, n)
	for i := range mtf {
		mtf[i] = i
	}
	var syms []int
	zeros := 0
	flush := func() {
		for zeros > 0 {
			if zeros&1 == 1 {
				syms = append(syms, 0)
				zeros = (zeros - 1) / 2
			} else {
				syms = append(syms, 1)
				zeros = (zeros - 2) / 2
			}
		}
	}
	for _, c := range last {
		s := unseqToSeq[c]
		k := 0
		for mtf[k] != s {
			k++
		}
		copy(mtf[1:k+1], mtf[:k])
		mtf[0] = s
		if k == 0 {
			zeros++
			continue
		}
		flush()
		syms = append(syms, k+1)
	}
	flush()
	alpha := n + 2
	syms = append(syms, n+1) // end of block

	lengths := huffmanLengths(syms, alpha)
	codes := canonical(lengths)
	const groups = 2
	selectors := (len(syms) + 49) / 50
	w.bits(groups, 3)
	w.bits(uint64(selectors), 15)
	for range selectors {
		w.bits(0, 1) // table 0, move-to-front coded
	}
	for range groups {
		cur := lengths[0]
		w.bits(uint64(cur), 5)
		for _, l := range lengths {
			for cur < l {
				w.bits(0b10, 2)
				cur++
			}
			for cur > l {
				w.bits(0b11, 2)
				cur--
			}
			w.bits(0, 1)
		}
	}
	for _, s := range syms {
		w.bits(uint64(codes[s]), lengths[s])
	}
	w.bits(0x177245, 24)
	w.bits(0x385090, 24)
	w.bits(uint64(crc), 32) // one block: the stream CRC is rotl(0,1)^crc
	out := w.done()
	got, err := io.ReadAll(bzip2.NewReader(bytes.NewReader(out)))
	if err != nil || !bytes.Equal(got, b) {
		panic(fmt.Sprintf("secretgen: bzip2 round trip failed: %v", err))
	}
	return out
}

// rle1 is bzip2's first run-length encoding: four equal bytes are
// followed by the count of further repeats (0-251).
func rle1(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		j := i
		for j < len(b) && b[j] == b[i] && j-i < 255 {
			j++
		}
		run := j - i
		if run >= 4 {
			out = append(out, b[i], b[i], b[i], b[i], byte(run-4))
		} else {
			out = append(out, b[i:j]...)
		}
		i = j
	}
	return out
}

// bwt returns the last column of the sorted rotations of b and the row of
// b itself.
func bwt(b []byte) ([]byte, int) {
	n := len(b)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(x, y int) bool {
		a, c := idx[x], idx[y]
		for k := 0; k < n; k++ {
			p, q := b[(a+k)%n], b[(c+k)%n]
			if p != q {
				return p < q
			}
		}
		return a < c
	})
	last := make([]byte, n)
	orig := 0
	for i, r := range idx {
		last[i] = b[(r+n-1)%n]
		if r == 0 {
			orig = i
		}
	}
	return last, orig
}

type hnode struct {
	freq, sym  int
	left, rite *hnode
}

type hheap []*hnode

func (h hheap) Len() int { return len(h) }
func (h hheap) Less(i, j int) bool {
	if h[i].freq != h[j].freq {
		return h[i].freq < h[j].freq
	}
	return h[i].sym < h[j].sym
}
func (h hheap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *hheap) Push(x any)   { *h = append(*h, x.(*hnode)) }
func (h *hheap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// huffmanLengths returns Huffman code lengths (1 to 20) for the symbols,
// every symbol of the alphabet counted at least once.
func huffmanLengths(syms []int, alpha int) []int {
	freq := make([]int, alpha)
	for _, s := range syms {
		freq[s]++
	}
	for scale := 1; ; scale *= 2 {
		h := &hheap{}
		for s, f := range freq {
			heap.Push(h, &hnode{freq: f/scale + 1, sym: s})
		}
		next := alpha
		for h.Len() > 1 {
			a, b := heap.Pop(h).(*hnode), heap.Pop(h).(*hnode)
			heap.Push(h, &hnode{freq: a.freq + b.freq, sym: next, left: a, rite: b})
			next++
		}
		lengths := make([]int, alpha)
		var walk func(n *hnode, d int)
		walk = func(n *hnode, d int) {
			if n.left == nil {
				lengths[n.sym] = max(d, 1)
				return
			}
			walk(n.left, d+1)
			walk(n.rite, d+1)
		}
		walk(heap.Pop(h).(*hnode), 0)
		ok := true
		for _, l := range lengths {
			ok = ok && l <= 20
		}
		if ok {
			return lengths
		}
	}
}

// canonical assigns canonical codes to lengths, as bzip2 decoders do.
func canonical(lengths []int) []uint32 {
	codes := make([]uint32, len(lengths))
	code := uint32(0)
	for l := 1; l <= 20; l++ {
		for s, sl := range lengths {
			if sl == l {
				codes[s] = code
				code++
			}
		}
		code <<= 1
	}
	return codes
}

// bzCRC is bzip2's CRC-32: polynomial 0x04c11db7, most significant bit
// first.
func bzCRC(b []byte) uint32 {
	crc := ^uint32(0)
	for _, c := range b {
		crc ^= uint32(c) << 24
		for range 8 {
			if crc&0x80000000 != 0 {
				crc = crc<<1 ^ 0x04c11db7
			} else {
				crc <<= 1
			}
		}
	}
	return ^crc
}

// bitWriter writes bits most significant first.
type bitWriter struct {
	out  []byte
	acc  uint64
	nacc int
}

func (w *bitWriter) bits(v uint64, n int) {
	for i := n - 1; i >= 0; i-- {
		w.acc = w.acc<<1 | (v>>uint(i))&1
		w.nacc++
		if w.nacc == 8 {
			w.out = append(w.out, byte(w.acc))
			w.acc, w.nacc = 0, 0
		}
	}
}

func (w *bitWriter) bytes(b []byte) {
	for _, c := range b {
		w.bits(uint64(c), 8)
	}
}

func (w *bitWriter) done() []byte {
	if w.nacc > 0 {
		w.out = append(w.out, byte(w.acc<<uint(8-w.nacc)))
		w.acc, w.nacc = 0, 0
	}
	return w.out
}
