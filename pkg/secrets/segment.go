package secrets

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"sort"
	"strings"
)

// seg is a piece of text to scan: b is the buffer, and only what starts in
// [lo, hi) is reported (the rest is look-behind and look-ahead context).
type seg struct {
	b          []byte
	lo, hi     int
	lineBase   int // line number of b[0]
	fixedLine  int // > 0: every finding is reported at this line
	location   string
	encoding   string
	mode       mode
	depth      int
	sourceName string
	// span, in a decoded view, is the region of the outermost segment
	// the view decodes: a match anywhere in the view masks all of it.
	span *[2]int
	// loose matches tokens glued to their neighbours (strings of a
	// binary); see detector.loose.
	loose bool
}

const modeAnchors mode = -1 // anchors and references only: pairs were parsed already

// pattern is one literal the single pass over a segment looks for.
type pattern struct {
	lit  []byte // exact, or lower case when fold
	fold bool
	dets []*detector                           // anchor: detectors tried in order
	ref  func(fs *fileScan, b []byte, pos int) // reference parser
}

// The patterns are indexed by their first two bytes: a bitset answers
// "could a pattern start here" for 8 KiB, then a table lists candidates.
var (
	bigramSet  [1024]uint64
	bigramIdx  [65536]uint8
	bigramList = [][]*pattern{nil}
	// tailSet holds the second and third bytes of every pattern of three
	// bytes or more; bigramShort marks the lists holding a shorter
	// pattern, which the tail cannot rule out.
	tailSet     [1024]uint64
	bigramShort = []bool{false}
	// strideSet lets the scan test every other position: a pattern at
	// an even offset shows its first bigram there, one at an odd offset
	// its second bigram at the next (even) offset; a two-byte pattern at
	// an odd offset shows as (any byte, its first byte) at the previous
	// one. A hit at j makes j-1, j and j+1 candidates.
	strideSet [1024]uint64
	// triSet holds (hashed) the first three bytes of every pattern, and
	// of a two-byte pattern followed by any byte: strideNext checks a hit
	// against it before returning, so that a common bigram ("re", "//")
	// costs a return only where a pattern may really start.
	triSet [1024]uint64
)

// triHash maps three bytes (the low 24 bits of t) into triSet.
func triHash(t uint32) uint32 { return (t * 0x9e3779b1) >> 16 }

func setTri(a, b, c byte) {
	h := triHash(uint32(a) | uint32(b)<<8 | uint32(c)<<16)
	triSet[h>>6] |= 1 << (h & 63)
}

func setBigram(set *[1024]uint64, a, b byte) {
	v := uint16(a) | uint16(b)<<8
	set[v>>6] |= 1 << (v & 63)
}

func addPattern(p *pattern) {
	var firsts [][2]byte
	if p.fold {
		for _, a := range []byte{lower(p.lit[0]), upper(p.lit[0])} {
			for _, c := range []byte{lower(p.lit[1]), upper(p.lit[1])} {
				firsts = append(firsts, [2]byte{a, c})
			}
		}
	} else {
		firsts = [][2]byte{{p.lit[0], p.lit[1]}}
	}
	thirds := []byte{}
	switch {
	case len(p.lit) < 3:
		for c := range 256 {
			thirds = append(thirds, byte(c))
		}
	case p.fold:
		thirds = append(thirds, lower(p.lit[2]), upper(p.lit[2]))
	default:
		thirds = append(thirds, p.lit[2])
	}
	for _, f := range firsts {
		for _, c := range thirds {
			setTri(f[0], f[1], c)
		}
	}
	for _, f := range firsts {
		v := uint16(f[0]) | uint16(f[1])<<8
		if bigramSet[v>>6]&(1<<(v&63)) != 0 && containsPattern(bigramList[bigramIdx[v]], p) {
			continue
		}
		bigramSet[v>>6] |= 1 << (v & 63)
		if bigramIdx[v] == 0 {
			bigramIdx[v] = uint8(len(bigramList))
			bigramList = append(bigramList, nil)
			bigramShort = append(bigramShort, false)
		}
		bigramList[bigramIdx[v]] = append(bigramList[bigramIdx[v]], p)
		if len(p.lit) < 3 {
			bigramShort[bigramIdx[v]] = true
		}
		setBigram(&strideSet, f[0], f[1])
		if len(p.lit) < 3 {
			for x := range 256 {
				setBigram(&strideSet, byte(x), f[0])
			}
		}
	}
	if len(p.lit) >= 3 {
		seconds, thirds := []byte{p.lit[1]}, []byte{p.lit[2]}
		if p.fold {
			seconds, thirds = []byte{lower(p.lit[1]), upper(p.lit[1])}, []byte{lower(p.lit[2]), upper(p.lit[2])}
		}
		for _, a := range seconds {
			for _, c := range thirds {
				setBigram(&tailSet, a, c)
				setBigram(&strideSet, a, c)
			}
		}
	}
}

func containsPattern(l []*pattern, p *pattern) bool {
	for _, q := range l {
		if q == p {
			return true
		}
	}
	return false
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 32
	}
	return c
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 32
	}
	return c
}

// hasPrefixFold reports whether b starts with the lower-case lit, ignoring
// ASCII case.
func hasPrefixFold(b, lit []byte) bool {
	if len(b) < len(lit) {
		return false
	}
	for i, c := range lit {
		if lower(b[i]) != c {
			return false
		}
	}
	return true
}

// keywords select the lines of source files that are parsed for pairs.
var keywords = []string{"pass", "pwd", "secret", "token", "key", "credential", "auth"}

func init() {
	anchors := map[string]*pattern{}
	var order []string
	for _, d := range detectors {
		for _, a := range d.anchors {
			if anchors[a] == nil {
				anchors[a] = &pattern{lit: []byte(a)}
				order = append(order, a)
			}
			anchors[a].dets = append(anchors[a].dets, d)
		}
	}
	for _, a := range order {
		addPattern(anchors[a])
	}
	for _, r := range refPatterns {
		addPattern(&pattern{lit: []byte(r.lit), ref: r.fn})
	}
	for _, k := range keywords {
		addPattern(&pattern{lit: []byte(k), fold: true})
	}
}

// lineCounter turns offsets into line numbers, cheaply for rising offsets.
type lineCounter struct {
	b         []byte
	pos, line int
}

func (c *lineCounter) at(off int) int {
	if off < c.pos {
		c.pos, c.line = 0, 0
	}
	c.line += bytes.Count(c.b[c.pos:off], []byte{'\n'})
	c.pos = off
	return c.line
}

type pending struct {
	off, end int // the match in the segment
	f        Finding
	pri      int
}

// segment scans one piece of text in one pass: anchored detectors,
// references, and the lines to parse for key/value pairs; then the
// decoded views of it (see normalise.go).
func (fs *fileScan) segment(w *worker, sg seg) {
	b := sg.b
	var found []pending
	var starts, deep []int
	if sg.depth == 0 {
		starts, deep = w.lines[:0], w.deep[:0]
	}
	lastLine := -1
	pairsMode := sg.mode == modeSource || sg.mode == modeConfig || sg.mode == modeKeyed
	keyLines := sg.mode == modeSource || sg.mode == modeKeyed
	end := min(sg.hi, len(b)-1)
	next := sg.lo // the first position not yet tried
	limit := min(end, len(b)-2)
	for j := sg.lo; ; j += 2 {
		if j = strideNext(b, j, limit); j > limit {
			break
		}
		for i := max(j-1, next); i <= j+1 && i < end; i++ {
			next = i + 1
			v := uint16(b[i]) | uint16(b[i+1])<<8
			if bigramSet[v>>6]&(1<<(v&63)) == 0 {
				continue
			}
			idx := bigramIdx[v]
			if !bigramShort[idx] {
				if i+2 >= len(b) {
					continue
				}
				t := uint16(b[i+1]) | uint16(b[i+2])<<8
				if tailSet[t>>6]&(1<<(t&63)) == 0 {
					continue
				}
			}
		patterns:
			for _, p := range bigramList[idx] {
				switch {
				case p.fold:
					if pairsMode && hasPrefixFold(b[i:], p.lit) {
						ls := lineStart(b, i)
						if keyLines && ls != lastLine {
							starts = append(starts, ls)
							lastLine = ls
						}
						if i-ls >= maxLine/2 {
							// Deep in a long line: parse from the key.
							if ks := keyStart(b, i); ks > ls && (len(deep) == 0 || deep[len(deep)-1] != ks) {
								deep = append(deep, ks)
							}
						}
					}
				case !bytes.HasPrefix(b[i:], p.lit):
				case p.ref != nil:
					if sg.depth == 0 {
						p.ref(fs, b, i)
					}
				default:
					for _, d := range p.dets {
						start, stop, val, r, ok := d.match(b, i)
						if !ok && (sg.loose || d.checksummed) && d.loose != nil {
							start, stop, val, r, ok = d.loose(b, i)
						}
						if !ok {
							continue
						}
						if val == nil {
							val = b[start:stop]
						}
						if r == "" {
							r = d.rule
						}
						found = append(found, pending{off: i, end: stop, pri: 2, f: Finding{Rule: r, Fingerprint: fs.s.Fingerprint(val), Hint: string(b[start : start+min(d.hint, 4)])}})
						// The match may start before the anchor (a URL's
						// scheme) or after it (a client's -p argument).
						found[len(found)-1].off = start
						i = max(i, stop-1)
						next = i + 1
						break patterns
					}
				}
			}
		}
	}
	if sg.mode == modeConfig {
		for i := lineStart(b, sg.lo); i < sg.hi; {
			starts = append(starts, i)
			k := bytes.IndexByte(b[i:], '\n')
			if k < 0 {
				break
			}
			i += k + 1
		}
	}
	if len(fs.refFound) > 0 {
		found = append(found, fs.refFound...)
		fs.refFound = fs.refFound[:0]
	}
	if sg.mode != modeAnchors {
		found = fs.pairs(w, sg, starts, deep, found)
	}
	if sg.depth == 0 {
		w.lines, w.deep = starts[:0], deep[:0]
	}
	sort.Slice(found, func(i, j int) bool { return found[i].off < found[j].off })
	fs.record(sg, found)
	if sg.depth < maxDecode {
		fs.views(w, sg)
	}
}

// strideNext returns the first of j, j+2, j+4, ... up to limit (and
// below len(b)-1) where the bigram at that position is in strideSet, or a
// position past limit. It tests four positions per 8-byte load.
func strideNext(b []byte, j, limit int) int {
	for ; j+8 <= len(b) && j+6 <= limit; j += 8 {
		x := binary.LittleEndian.Uint64(b[j:])
		v0, v1, v2, v3 := uint16(x), uint16(x>>16), uint16(x>>32), uint16(x>>48)
		hit := strideSet[v0>>6]>>(v0&63)&1 |
			strideSet[v1>>6]>>(v1&63)&1<<1 |
			strideSet[v2>>6]>>(v2&63)&1<<2 |
			strideSet[v3>>6]>>(v3&63)&1<<3
		for ; hit != 0; hit &= hit - 1 {
			k := j + 2*bits.TrailingZeros64(hit)
			if k == 0 || k+7 > len(b) {
				return k
			}
			// A pattern may start at k-1, k or k+1 only if one of the
			// trigrams there is in triSet.
			u := binary.LittleEndian.Uint64(b[k-1:])
			h0, h1, h2 := triHash(uint32(u)&0xffffff), triHash(uint32(u>>8)&0xffffff), triHash(uint32(u>>16)&0xffffff)
			if triSet[h0>>6]>>(h0&63)&1|triSet[h1>>6]>>(h1&63)&1|triSet[h2>>6]>>(h2&63)&1 != 0 {
				return k
			}
		}
	}
	for ; j <= limit; j += 2 {
		if v := uint16(b[j]) | uint16(b[j+1])<<8; strideSet[v>>6]&(1<<(v&63)) != 0 {
			return j
		}
	}
	return j
}

// keyStart returns where the key holding the keyword at pos starts: back
// over key characters and an opening quote.
func keyStart(b []byte, pos int) int {
	s := pos
	for s > 0 && pos-s < 128 && keyChars[b[s-1]] {
		s--
	}
	if s > 0 && (b[s-1] == '"' || b[s-1] == '\'') {
		s--
	}
	return s
}

// views scans the decoded views of a segment: escape regions and encoded
// runs (see normalise.go). Each view is a segment one level deeper,
// reported at the line it starts on.
func (fs *fileScan) views(w *worker, sg seg) {
	b := sg.b
	lc := lineCounter{b: b}
	lineOf := func(off int) int {
		if sg.fixedLine != 0 {
			return sg.fixedLine
		}
		return sg.lineBase + lc.at(off)
	}
	spanOf := func(s, e int) *[2]int {
		if sg.span != nil {
			return sg.span
		}
		return &[2]int{s, e}
	}
	var regs []region
	regs = escapeRegions(b, sg.lo, sg.hi, regs)
	for _, r := range regs {
		d := unescape(b[r.start:r.end], nil)
		if bytes.Equal(d, b[r.start:r.end]) {
			continue
		}
		md := modeSource
		if sg.mode == modeConfig {
			md = modeConfig
		}
		fs.segment(w, seg{b: d, lo: 0, hi: len(d), fixedLine: lineOf(r.start), location: sg.location, encoding: r.enc,
			mode: md, depth: sg.depth + 1, sourceName: sg.sourceName, span: spanOf(r.start, r.end)})
	}
	var scratch []byte
	if sg.depth == 0 {
		scratch = w.scratch
	}
	scratch = encodedRuns(b, sg.lo, sg.hi, scratch, func(r encodedRun) {
		fs.segment(w, seg{b: r.text, lo: 0, hi: len(r.text), fixedLine: lineOf(r.start), location: sg.location, encoding: r.enc,
			mode: modeConfig, depth: sg.depth + 1, sourceName: sg.sourceName, span: spanOf(r.start, r.end)})
	})
	if sg.depth == 0 {
		w.scratch = scratch
	}
}

// lineStart returns the start of the line holding pos, looking back at
// most maxLine/2 bytes.
func lineStart(b []byte, pos int) int {
	from := max(0, pos-maxLine/2)
	if k := bytes.LastIndexByte(b[from:pos], '\n'); k >= 0 {
		return from + k + 1
	}
	return from
}

// pairs parses the key/value pairs on the lines starting at starts
// (sorted) and from the keys at deep (keywords far into long lines, each
// parsed for one short window), and classifies them.
func (fs *fileScan) pairs(w *worker, sg seg, starts, deep []int, found []pending) []pending {
	b := sg.b
	var prs []pair
	if sg.depth == 0 { // decoded segments nest inside the loop below
		prs = w.pairs[:0]
	}
	lc := lineCounter{b: b}
	parse := func(ls, width int) {
		le := min(len(b), ls+width)
		if k := bytes.IndexByte(b[ls:le], '\n'); k >= 0 {
			le = ls + k
		}
		prs = linePairs(string(b[ls:le]), sg.mode == modeConfig || sg.mode == modeKeyed, prs[:0])
		for _, p := range prs {
			abs := ls + p.off
			if abs < sg.lo || abs >= sg.hi {
				continue
			}
			found = fs.classify(w, sg, p, abs, func() int { return sg.lineBase + lc.at(abs) }, found)
			if namedSecret(p) {
				if q, ok := siblingValue(b, ls, le, prs); ok && q.off >= sg.lo && q.off < sg.hi {
					q.key = p.value
					found = fs.classify(w, sg, q, q.off, func() int { return sg.lineBase + lc.at(q.off) }, found)
				}
			}
		}
	}
	last := -1
	for _, ls := range starts {
		if ls != last {
			parse(ls, maxLine)
			last = ls
		}
	}
	for _, ks := range deep {
		parse(ks, 1280)
	}
	if sg.depth == 0 {
		w.pairs = prs
	}
	return found
}

// classify turns one pair into findings. A value that decodes (base64,
// URL encoding) is classified decoded when that names a secret, so the
// fingerprint is the secret's own; the decoded text is also rescanned.
func (fs *fileScan) classify(w *worker, sg seg, p pair, abs int, line func() int, found []pending) []pending {
	end := abs + len(p.value)
	if p.dq && strings.IndexByte(p.value, '\\') >= 0 {
		// A double-quoted value means what its escapes decode to.
		p.value = string(unescape([]byte(p.value), nil))
	}
	var d, enc string
	if sg.depth < maxDecode {
		d, enc = decodeValue(p.value)
	}
	if d != "" {
		// The value is what it decodes to: a placeholder encoded is
		// still a placeholder.
		if r, v := classifyPair(pair{key: p.key, value: d, quoted: true}); r != "" {
			found = append(found, pending{off: abs, end: end, pri: rulePriority(r), f: Finding{Rule: r, Fingerprint: fs.s.Fingerprint([]byte(v)), Encoding: enc}})
		}
		fixed := sg.fixedLine
		if fixed == 0 {
			fixed = line()
		}
		span := sg.span
		if span == nil {
			span = &[2]int{abs, end}
		}
		db := []byte(d)
		fs.segment(w, seg{b: db, lo: 0, hi: len(db), fixedLine: fixed, location: sg.location, encoding: enc, mode: modeConfig, depth: sg.depth + 1, sourceName: sg.sourceName, span: span})
		return found
	}
	if r, v := classifyPair(p); r != "" {
		found = append(found, pending{off: abs, end: end, pri: rulePriority(r), f: Finding{Rule: r, Fingerprint: fs.s.Fingerprint([]byte(v))}})
		return found
	}
	// A credential passed as a URL's query parameter (?api_key=...) or
	// as an assignment inside a string ("--password=...", an argument
	// list's "PGPASSWORD=...") is a pair of its own inside the value.
	inner := queryPairs(p.value)
	if p.quoted && inner == nil && len(p.value) <= maxLine && strings.IndexByte(p.value, '=') > 0 && !strings.Contains(p.value, "://") {
		inner = linePairs(p.value, true, nil)
		for i := range inner {
			inner[i].quoted = false // a bare word inside the string
		}
	}
	for _, q := range inner {
		if r, v := classifyPair(q); r != "" {
			off := min(abs+q.off, end)
			found = append(found, pending{off: off, end: min(off+len(q.value), end), pri: rulePriority(r), f: Finding{Rule: r, Fingerprint: fs.s.Fingerprint([]byte(v))}})
		}
	}
	return found
}

func rulePriority(r string) int {
	if r == RuleGenericSecret || r == RuleGenericPassword {
		return 1
	}
	return 2
}

// jsonPairs walks a JSON document's token stream and classifies every
// string value under its key (array elements under the array's key). It
// reports false when b is not JSON, so the caller parses lines instead.
func (fs *fileScan) jsonPairs(w *worker, b []byte, sg seg) bool {
	if !json.Valid(b) {
		return false
	}
	type frame struct {
		obj, wantKey bool
		key, parent  string
		// flag is the previous element of an array when it is a
		// command-line flag ("--api-key"): the element after it is
		// the flag's value, classified under the flag's name.
		flag string
		// named is the secret an object names under a name key
		// ({"name": "API_SECRET", "value": …}); value is a value key's
		// string seen before the name, and at its offset.
		named, value string
		at           int
	}
	var stack []frame
	var found []pending
	lc := lineCounter{b: b}
	for pos := 0; ; {
		kind, start, end, escaped := jsonToken(b, pos)
		if kind == 0 {
			break
		}
		pos = end
		var top *frame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		cur := ""
		if top != nil {
			cur = top.key
			if !top.obj {
				cur = top.parent
			}
		}
		switch kind {
		case jsonOpenObject, jsonOpenArray, jsonClose:
			if top != nil && !top.obj {
				top.flag = ""
			}
			if kind != jsonClose {
				stack = append(stack, frame{obj: kind == jsonOpenObject, wantKey: kind == jsonOpenObject, parent: cur})
				continue
			}
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].obj {
				stack[len(stack)-1].wantKey = true
			}
		case jsonString:
			v := jsonStringValue(b[start:end], escaped)
			if top != nil && top.obj && top.wantKey {
				top.key, top.wantKey = v, false
				continue
			}
			if top != nil && top.obj {
				top.wantKey = true
			}
			at := start // the string's opening quote
			key := cur
			if top != nil && !top.obj {
				if top.flag != "" {
					key = top.flag
				}
				top.flag = ""
				if len(v) > 1 && len(v) <= 64 && v[0] == '-' && strings.IndexByte(v, '=') < 0 {
					top.flag = v
				}
			}
			found = fs.classify(w, sg, pair{key: key, value: v, quoted: true}, at, func() int { return sg.lineBase + lc.at(at) }, found)
			if top != nil && top.obj {
				found = fs.namedJSON(w, sg, top.key, v, at, &top.named, &top.value, &top.at, lc.at, found)
			}
		default:
			if top != nil && top.obj {
				top.wantKey = true
			}
			if top != nil && !top.obj {
				top.flag = ""
			}
		}
	}
	fs.record(sg, found)
	return true
}

// record turns the matches of one segment into findings: location, severity,
// encoding, and the 1-based line (fixed for single-line sources, none for
// GGUF metadata).
func (fs *fileScan) record(sg seg, found []pending) {
	lc := lineCounter{b: sg.b}
	for _, p := range found {
		f := p.f
		f.Path, f.Location, f.Severity = sg.sourceName, sg.location, ruleTable[f.Rule].Severity
		if f.Encoding == "" {
			f.Encoding = sg.encoding
		}
		switch {
		case sg.fixedLine > 0:
			f.Line = sg.fixedLine
		case sg.fixedLine < 0:
			f.Line = 0 // no lines here (GGUF metadata)
		default:
			f.Line = sg.lineBase + lc.at(p.off)
		}
		span := [2]int{p.off, p.end}
		if sg.span != nil {
			span = *sg.span
		}
		fs.add(f, p.pri, span)
	}
}
