package secrets

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"
	"golang.org/x/sys/unix"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

// Defaults for the bounds a scan enforces.
const (
	// DefaultWindow is how much of a file is held at once; larger files
	// stream through it with an overlap.
	DefaultWindow = 1 << 20
	// DefaultMaxArchiveDepth is how deep archives may nest (an archive in
	// an archive in an artefact is depth 2).
	DefaultMaxArchiveDepth = 3
	// DefaultMaxArchiveBytes bounds the bytes decompressed from one
	// top-level archive, nested archives included.
	DefaultMaxArchiveBytes = 256 << 20
	// DefaultMaxArchiveEntries bounds the members of one top-level archive.
	DefaultMaxArchiveEntries = 10000
	// DefaultMaxHeaderBytes bounds a safetensors JSON header and the
	// string metadata of a GGUF file.
	DefaultMaxHeaderBytes = 64 << 20
	// MinKeySize is the shortest fingerprint key accepted, in bytes.
	MinKeySize = 16

	overlap     = 64 << 10 // longest credential a window boundary cannot split
	backContext = 4 << 10  // context kept before a window for look-behind
	sniffSize   = 8 << 10
	maxLine     = 4 << 10 // bytes of a line parsed for key/value pairs
	maxDecode   = 3       // nested decodings (escapes, base64, hex, URL)
)

// Finding is one literal secret. It never holds the value.
type Finding struct {
	Rule     string            `json:"rule"`
	Severity evidence.Severity `json:"severity"`
	// Path is slash-separated and relative to the scanned root; a member
	// of an archive is "archive.zip!dir/member".
	Path string `json:"path"`
	// Line is 1-based; 0 when the location has no line (GGUF metadata).
	Line int `json:"line"`
	// Location says where inside the file, when not in its plain text:
	// "safetensors header", "gguf metadata", "cells[3].outputs[0]".
	Location    string `json:"location,omitempty"`
	Fingerprint string `json:"fingerprint"`
	// Hint is at most 4 characters of the credential's public prefix.
	Hint string `json:"hint"`
	// Encoding says how the secret was hidden when it was found in a
	// decoded view: "base64", "hex", "url", "escape" (backslash escapes
	// or line continuations), "html" (character references), or the
	// text encoding of a UTF-16 or UTF-32 file ("utf-16le", ...).
	Encoding string `json:"encoding,omitempty"`
}

// Problem is a file or archive member that could not be scanned completely.
type Problem struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Stats counts what a scan read.
type Stats struct {
	Files   int64 `json:"files"`
	Bytes   int64 `json:"bytes"`
	Binary  int64 `json:"binary"`
	Skipped int64 `json:"skipped"`
}

// Result is what Scan found, sorted.
type Result struct {
	Findings   []Finding   `json:"findings"`
	References []Reference `json:"references"`
	Problems   []Problem   `json:"problems"`
	Stats      Stats       `json:"stats"`

	// Set by a partitioned scan (WithPart): the walk summary, how many
	// walk entries are this part's, and (during the walk) the links
	// skipped.
	walk         *Walk
	shareEntries int
	skipped      []string
}

type options struct {
	workers         int
	window          int
	maxArchiveDepth int
	maxArchiveBytes int64
	maxArchiveItems int
	maxHeaderBytes  int64
	maxRatio        int
	// partIndex of partCount (WithPart); 0 when the scan is whole.
	partIndex, partCount int
}

// Option configures a Scanner.
type Option func(*options)

// WithWorkers sets how many files are scanned at once (default: GOMAXPROCS).
func WithWorkers(n int) Option { return func(o *options) { o.workers = n } }

// WithWindow sets the read window in bytes (default DefaultWindow; at
// least 4*64 KiB).
func WithWindow(n int) Option { return func(o *options) { o.window = n } }

// WithArchiveLimits bounds archives: nesting depth, decompressed bytes and
// members per top-level archive. Exceeding one is a Problem.
func WithArchiveLimits(depth int, bytes int64, entries int) Option {
	return func(o *options) { o.maxArchiveDepth, o.maxArchiveBytes, o.maxArchiveItems = depth, bytes, entries }
}

// WithMaxRatio bounds how much larger than its compressed form a
// decompressed stream may grow (beyond its first 256 KiB; default
// DefaultMaxRatio). Exceeding it is a Problem.
func WithMaxRatio(n int) Option { return func(o *options) { o.maxRatio = n } }

// WithMaxHeaderBytes bounds safetensors headers and GGUF metadata.
func WithMaxHeaderBytes(n int64) Option { return func(o *options) { o.maxHeaderBytes = n } }

// Scanner scans files for literal secrets and secret references.
type Scanner struct {
	key []byte
	o   options
}

// New returns a scanner that fingerprints with key (at least MinKeySize
// bytes; see DecodeKey).
func New(key []byte, opts ...Option) (*Scanner, error) {
	if len(key) < MinKeySize {
		return nil, fmt.Errorf("fingerprint key is %d bytes, want at least %d", len(key), MinKeySize)
	}
	o := options{
		workers: runtime.GOMAXPROCS(0), window: DefaultWindow, maxArchiveDepth: DefaultMaxArchiveDepth,
		maxArchiveBytes: DefaultMaxArchiveBytes, maxArchiveItems: DefaultMaxArchiveEntries, maxHeaderBytes: DefaultMaxHeaderBytes,
		maxRatio: DefaultMaxRatio,
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.workers < 1 {
		o.workers = 1
	}
	if o.maxRatio < 2 {
		return nil, fmt.Errorf("decompression ratio limit %d is below 2", o.maxRatio)
	}
	if o.partCount != 0 && (o.partCount < 1 || o.partCount > MaxParts || o.partIndex < 1 || o.partIndex > o.partCount) {
		return nil, fmt.Errorf("scan part %d/%d: want 1 <= I <= N <= %d", o.partIndex, o.partCount, MaxParts)
	}
	if o.window < 4*overlap {
		return nil, fmt.Errorf("scan window %d is smaller than %d bytes", o.window, 4*overlap)
	}
	return &Scanner{key: append([]byte(nil), key...), o: o}, nil
}

// Fingerprint returns the keyed fingerprint of a value:
// "hmac-sha256:<hex>".
func (s *Scanner) Fingerprint(value []byte) string {
	m := hmac.New(sha256.New, s.key)
	m.Write(value)
	return "hmac-sha256:" + hex.EncodeToString(m.Sum(nil))
}

type job struct {
	root, abs, rel string
}

// Scan scans every root (a directory or a file). Paths in the result are
// relative to their root; a root that is a file is named by its base name.
// Files that cannot be read are Problems, not errors; the error is for a
// root that does not exist or a cancelled context.
func (s *Scanner) Scan(ctx context.Context, roots ...string) (*Result, error) {
	// The walk feeds a queue the workers take files from while it runs;
	// the files that cost most (archives and compressed streams) are
	// taken first, so that no long job is left for the end. Each worker
	// keeps what it finds; the parts are joined (and sorted) at the end.
	q := newJobQueue()
	parts := make([]*collected, s.o.workers)
	var wg sync.WaitGroup
	for i := range parts {
		c := &collected{refs: map[refKey]map[string]bool{}}
		parts[i] = c
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{s: s, buf: make([]byte, s.o.window), bz2: bz2Buffers{mapped: true}}
			defer w.close()
			for {
				j, ok := q.pop()
				if !ok {
					return
				}
				if ctx.Err() != nil {
					continue
				}
				c.add(w.scanFile(ctx, j))
			}
		}()
	}
	walked := &Result{}
	walk := s.walk
	if s.o.partCount != 0 {
		walk = s.partWalk
	}
	walkErr := walk(ctx, roots, q.push, walked)
	q.close()
	wg.Wait()
	res := &Result{}
	refs := parts[0].refs
	for i, c := range parts {
		res.Findings = append(res.Findings, c.res.Findings...)
		res.Problems = append(res.Problems, c.res.Problems...)
		res.Stats.Files += c.res.Stats.Files
		res.Stats.Bytes += c.res.Stats.Bytes
		res.Stats.Binary += c.res.Stats.Binary
		if i == 0 {
			continue
		}
		for r, paths := range c.refs {
			if refs[r] == nil {
				refs[r] = paths
				continue
			}
			for p := range paths {
				refs[r][p] = true
			}
		}
	}
	res.Problems = append(res.Problems, walked.Problems...)
	res.Stats.Skipped += walked.Stats.Skipped
	res.walk, res.shareEntries = walked.walk, walked.shareEntries
	if walkErr != nil {
		return nil, walkErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res.References = mergeRefs(refs)
	res.mask()
	res.sort()
	return res, nil
}

// collected is what one worker found.
type collected struct {
	res  Result
	refs map[refKey]map[string]bool
}

func (c *collected) add(fs *fileScan) {
	c.res.Findings = append(c.res.Findings, fs.findings()...)
	c.res.Problems = append(c.res.Problems, fs.problems...)
	for _, r := range fs.refs {
		if c.refs[r] == nil {
			c.refs[r] = map[string]bool{}
		}
		c.refs[r][fs.path] = true
	}
	c.res.Stats.Files++
	c.res.Stats.Bytes += fs.bytes
	if fs.binary {
		c.res.Stats.Binary++
	}
}

// jobQueue hands the walk's files to the workers: the heavy ones (see
// heavy) before the others, each kind in walk order. It is unbounded, so
// the walk never waits for a worker.
type jobQueue struct {
	mu           sync.Mutex
	ready        sync.Cond
	heavy, light jobFIFO
	closed       bool
}

func newJobQueue() *jobQueue {
	q := &jobQueue{}
	q.ready.L = &q.mu
	return q
}

func (q *jobQueue) push(j job) {
	q.mu.Lock()
	if heavy(j.rel) {
		q.heavy.push(j)
	} else {
		q.light.push(j)
	}
	q.mu.Unlock()
	q.ready.Signal()
}

// close ends the queue: pop returns false once it is empty.
func (q *jobQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.ready.Broadcast()
}

// pop returns the next job, waiting for one; false when the queue is
// closed and empty.
func (q *jobQueue) pop() (job, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		if j, ok := q.heavy.pop(); ok {
			return j, true
		}
		if j, ok := q.light.pop(); ok {
			return j, true
		}
		if q.closed {
			return job{}, false
		}
		q.ready.Wait()
	}
}

// jobFIFO is a queue of jobs in fixed blocks: it grows without copying
// what it holds (a walk queues thousands of files), and a block is
// dropped once its jobs are taken.
type jobFIFO struct {
	head, tail *jobBlock
	next       int // the next job of head to take
}

type jobBlock struct {
	jobs [128]job
	n    int
	more *jobBlock
}

func (f *jobFIFO) push(j job) {
	if f.tail == nil || f.tail.n == len(f.tail.jobs) {
		b := &jobBlock{}
		if f.tail == nil {
			f.head = b
		} else {
			f.tail.more = b
		}
		f.tail = b
	}
	f.tail.jobs[f.tail.n] = j
	f.tail.n++
}

func (f *jobFIFO) pop() (job, bool) {
	if f.head != nil && f.next == len(f.head.jobs) && f.head.more != nil {
		f.head, f.next = f.head.more, 0
	}
	if f.head == nil || f.next == f.head.n {
		return job{}, false
	}
	j := f.head.jobs[f.next]
	f.head.jobs[f.next] = job{} // the walk's strings are not kept
	f.next++
	return j, true
}

func (s *Scanner) walk(ctx context.Context, roots []string, emit func(job), res *Result) error {
	for _, root := range roots {
		fi, err := os.Lstat(root)
		if err != nil {
			return fmt.Errorf("scan %s: %w", root, err)
		}
		if !fi.IsDir() {
			if !fi.Mode().IsRegular() {
				res.Problems = append(res.Problems, Problem{Path: fi.Name(), Reason: "not a regular file (" + fi.Mode().Type().String() + ")"})
				continue
			}
			emit(job{root: root, abs: root, rel: fi.Name()})
			continue
		}
		realRoot, err := filepath.EvalSymlinks(root)
		if err != nil {
			return fmt.Errorf("scan %s: %w", root, err)
		}
		base := filepath.Clean(root)
		t := treeWalk{ctx: ctx, root: root, realRoot: realRoot, emit: emit, res: res, buf: make([]byte, 32<<10), cut: len(base) + 1}
		switch base {
		case ".":
			t.cut = 0
		case "/":
			t.cut = 1
		}
		err = t.dir(base, ".", 0)
		if err != nil {
			return fmt.Errorf("scan %s: %w", root, err)
		}
	}
	return nil
}

// dirent is a directory entry: its name and type.
type dirent struct {
	name string
	typ  fs.FileMode
}

// treeWalk walks one root depth first, in name order (as filepath.WalkDir
// does), emitting its regular files and recording what cannot be scanned.
type treeWalk struct {
	ctx            context.Context
	root, realRoot string
	emit           func(job)
	res            *Result
	buf            []byte     // readDir's records
	levels         [][]dirent // the entries of each directory being walked, by depth
	cut            int        // where the name relative to the root starts in a path
}

// dir walks the directory abs, named rel (with slashes) in the result.
func (t *treeWalk) dir(abs, rel string, depth int) error {
	if depth == len(t.levels) {
		t.levels = append(t.levels, nil)
	}
	ents, err := readDir(abs, t.buf, t.levels[depth])
	t.levels[depth] = ents
	if err != nil {
		t.res.Problems = append(t.res.Problems, Problem{Path: rel, Reason: "cannot read: " + errString(err)})
	}
	for _, e := range ents {
		if err := t.ctx.Err(); err != nil {
			return err
		}
		// The name in the result is the path less the root's: no
		// second string.
		p := abs + "/" + e.name
		switch abs {
		case ".":
			p = e.name
		case "/":
			p = "/" + e.name
		}
		r := p[t.cut:]
		switch typ := e.typ; {
		case typ.IsDir():
			// The root's own .git is version control, not part of the
			// artefact (its digest leaves it out); a .git deeper down
			// ships with the artefact and is scanned.
			if r == ".git" {
				continue
			}
			if err := t.dir(p, r, depth+1); err != nil {
				return err
			}
		case typ.IsRegular():
			t.emit(job{root: t.root, abs: p, rel: r})
		case typ&fs.ModeSymlink != 0:
			if why := linkProblem(t.realRoot, p); why != "" {
				t.res.Problems = append(t.res.Problems, Problem{Path: r, Reason: why})
			} else {
				t.res.Stats.Skipped++ // scanned at its target, inside the root
				t.res.skipped = append(t.res.skipped, r)
			}
		default:
			t.res.Problems = append(t.res.Problems, Problem{Path: r, Reason: "not a regular file (" + typ.String() + "); remove it from the artefact"})
		}
	}
	return nil
}

// heavyExt are the extensions of files that take long to scan.
var heavyExt = map[string]bool{".bz2": true, ".xz": true, ".zst": true, ".gz": true, ".tgz": true, ".zip": true,
	".tar": true, ".pack": true, ".whl": true, ".jar": true, ".pdf": true, ".syso": true, ".so": true, ".bin": true}

func heavy(rel string) bool { return heavyExt[strings.ToLower(path.Ext(rel))] }

// linkProblem says why a symbolic link cannot be accepted, or "" for a
// link to a regular file inside the root. Links are not followed.
func linkProblem(realRoot, p string) string {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "broken symbolic link or link loop; remove it from the artefact"
	}
	if r, err := filepath.Rel(realRoot, target); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "symbolic link leaves the artefact root; remove it or copy the file in"
	}
	fi, err := os.Stat(target)
	switch {
	case err != nil:
		return "cannot stat symbolic link target: " + errString(err)
	case fi.IsDir():
		return "symbolic link to a directory is not followed; replace it with the directory"
	case !fi.Mode().IsRegular():
		return "symbolic link to a file that is not regular; remove it from the artefact"
	}
	return ""
}

func (r *Result) sort() {
	sort.Slice(r.Findings, func(i, j int) bool {
		a, b := r.Findings[i], r.Findings[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Location != b.Location {
			return a.Location < b.Location
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Fingerprint < b.Fingerprint
	})
	sort.Slice(r.Problems, func(i, j int) bool {
		if r.Problems[i].Path != r.Problems[j].Path {
			return r.Problems[i].Path < r.Problems[j].Path
		}
		return r.Problems[i].Reason < r.Problems[j].Reason
	})
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	if r.References == nil {
		r.References = []Reference{}
	}
	// Sorted after masking, so that a merge of parts (which sees masked
	// paths only) orders them the same.
	for i := range r.References {
		sort.Strings(r.References[i].Paths)
	}
	if r.Problems == nil {
		r.Problems = []Problem{}
	}
}

// worker owns the buffers of one scanning goroutine.
type worker struct {
	s     *Scanner
	buf   []byte
	sniff [sniffSize]byte
	pairs []pair
	lines []int
	deep  []int
	// scratch joins line-wrapped base64 runs.
	scratch []byte
	// strs collects the strings of a binary file.
	strs []byte
	// zstd is reused across streams (not nested ones: zstdBusy).
	zstd     *zstd.Decoder
	zstdBusy bool
	// bz2 holds the bzip2 decoder's buffers (not nested streams': bz2Busy),
	// mapped outside the heap for a scan's workers (released by close).
	bz2     bz2Buffers
	bz2Busy bool
}

func (w *worker) close() {
	if w.zstd != nil {
		w.zstd.Close()
	}
	w.bz2.close()
}

func (w *worker) scanFile(ctx context.Context, j job) *fileScan {
	fs := &fileScan{s: w.s, path: j.rel}
	fs.scanName(w, j.rel, j.rel)
	// O_NONBLOCK: a path swapped for a FIFO after the walk cannot hang the
	// open; the regular-file check below then refuses it. The file is
	// read with raw system calls (see openRaw): an os.File would first try
	// to add every descriptor to the network poller.
	fd, err := openRaw(j.abs)
	if err != nil {
		fs.problem(j.rel, "cannot open: "+err.Error())
		return fs
	}
	f := &rawFile{fd: fd}
	defer f.Close()
	size, regular, err := f.stat()
	if err != nil || !regular {
		fs.problem(j.rel, "not a regular file")
		return fs
	}
	// Read what the file held when it was opened: a file that grows
	// during the scan cannot keep it running. The holes of a large
	// sparse file are not read (see holeReader).
	r := io.Reader(io.LimitReader(f, size))
	if size > 1<<20 {
		r = &holeReader{f: f, size: size}
	}
	if err := w.scanSource(ctx, fs, &source{name: j.rel, r: r, ra: f, size: size}); err != nil {
		fs.problem(j.rel, errString(err))
	}
	return fs
}

// rawFile reads a regular file with read and pread (rawfile_*.go).
type rawFile struct{ fd int }

// holeReader reads a file up to size, skipping its holes (SEEK_HOLE,
// SEEK_DATA): a hole reads as one NUL byte, where the scanner sees a
// boundary, instead of as gigabytes of zeros. Where the file system does
// not report holes, it reads the file whole.
type holeReader struct {
	f        *rawFile
	size     int64
	off      int64 // next byte to read
	dataEnd  int64 // end of the data extent at off (0: unknown)
	finished bool
}

func (h *holeReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if h.finished || h.off >= h.size {
			return 0, io.EOF
		}
		if h.dataEnd > h.off {
			n, err := h.f.ReadAt(p[:min(int64(len(p)), h.dataEnd-h.off)], h.off)
			h.off += int64(n)
			if err != nil && !errors.Is(err, io.EOF) {
				return n, err
			}
			if n == 0 {
				return 0, io.EOF // the file shrank
			}
			return n, nil
		}
		end, err := unix.Seek(h.f.fd, h.off, unix.SEEK_HOLE)
		if err != nil || end > h.off {
			// Data up to end (or no hole information: read it all).
			if err != nil {
				end = h.size
			}
			h.dataEnd = min(end, h.size)
			continue
		}
		// off is in a hole: it reads as one NUL, then the next data.
		next, err := unix.Seek(h.f.fd, h.off, unix.SEEK_DATA)
		switch {
		case err == unix.ENXIO:
			h.finished = true
		case err != nil || next <= h.off:
			h.dataEnd = h.size
			continue
		default:
			h.off = next
		}
		p[0] = 0
		return 1, nil
	}
}

// scanName scans a file or member name: a file named after a token ships
// the token.
func (fs *fileScan) scanName(w *worker, name, where string) {
	if !mayHide(name) {
		return
	}
	b := []byte(name)
	fs.segment(w, seg{b: b, lo: 0, hi: len(b), fixedLine: -1, location: "file name", mode: modeAnchors, depth: 1, sourceName: where})
}

// mayHide is a cheap test that a name may hold a credential: an escape,
// a long base64 run or a detector's anchor.
func mayHide(name string) bool {
	if strings.ContainsAny(name, `%\&`) {
		return true
	}
	run := 0
	for i := 0; i < len(name); i++ {
		if b64Char[name[i]] {
			if run++; run >= minB64Run {
				return true
			}
		} else {
			run = 0
		}
		if i+1 < len(name) {
			v := uint16(name[i]) | uint16(name[i+1])<<8
			if bigramSet[v>>6]&(1<<(v&63)) != 0 {
				for _, p := range bigramList[bigramIdx[v]] {
					if !p.fold && p.ref == nil && strings.HasPrefix(name[i:], string(p.lit)) {
						return true
					}
				}
			}
		}
	}
	return false
}

// errString renders an error without the absolute path os adds.
func errString(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}

// source is a file or an archive member being scanned.
type source struct {
	name  string
	r     io.Reader
	ra    io.ReaderAt // nil for archive members
	size  int64       // -1 when unknown
	depth int         // archive nesting
	bud   *budget     // nil outside archives
	// encoding is the text encoding transcoded from ("" for UTF-8).
	encoding string
	// gitObject is set once a git object header has been stripped.
	gitObject bool
}

type mode int

const (
	modeSource mode = iota // source code and prose: keyword lines, quoted values
	modeConfig             // YAML, .env, INI, TOML: every line, bare values
	modeJSON               // JSON: key/value pairs from the token stream
	modeKeyed              // decoded or extracted text: keyword lines, bare values
)

func modeOf(name string) mode {
	base := strings.ToLower(path.Base(name))
	switch ext := path.Ext(base); {
	case ext == ".json" || ext == ".ipynb" || ext == ".jsonc":
		return modeJSON
	case strings.HasPrefix(base, ".env"), base == "credentials", base == ".netrc", base == "_netrc", base == "netrc", base == ".npmrc", base == ".pypirc",
		ext == ".yaml", ext == ".yml", ext == ".toml", ext == ".ini", ext == ".cfg", ext == ".conf", ext == ".cnf", ext == ".properties",
		ext == ".env", ext == ".tfvars", ext == ".hcl", ext == ".jsonl",
		// Shell and build files assign bare words: KEY=value.
		ext == ".sh", ext == ".bash", ext == ".zsh", ext == ".ksh", ext == ".bat", ext == ".cmd", ext == ".ps1", ext == ".psm1",
		base == "dockerfile", base == "containerfile", strings.HasSuffix(base, ".dockerfile"), base == "procfile", base == ".envrc",
		base == ".profile", base == ".bashrc", base == ".zshrc":
		return modeConfig
	}
	return modeSource
}

// scanSource sniffs a source and scans it by format. Nothing is skipped
// silently: a format the scanner cannot open is an error (a Problem).
func (w *worker) scanSource(ctx context.Context, fs *fileScan, src *source) error {
	n, err := io.ReadFull(src.r, w.sniff[:])
	eof := err == io.EOF || err == io.ErrUnexpectedEOF
	if err != nil && !eof {
		return fmt.Errorf("read: %w", err)
	}
	// head is the worker's sniff buffer, which a nested scan reuses: rest
	// copies it for the readers that outlive this call's first steps.
	head := w.sniff[:n]
	fs.bytes += int64(n)
	lname := strings.ToLower(src.name)
	rest := func() io.Reader {
		if eof {
			return bytes.NewReader(append([]byte(nil), head...))
		}
		return io.MultiReader(bytes.NewReader(append([]byte(nil), head...)), src.r)
	}
	if k := gitObjectHeader(head); k > 0 && !src.gitObject {
		// A git object (loose, once inflated): "blob 123\x00" then the
		// content.
		inner := *src
		inner.gitObject = true
		body := append([]byte(nil), head[k:]...)
		if eof {
			inner.r = bytes.NewReader(body)
		} else {
			inner.r = io.MultiReader(bytes.NewReader(body), src.r)
		}
		return w.scanSource(ctx, fs, &inner)
	}
	switch {
	case strings.HasSuffix(lname, ".safetensors") || looksSafetensors(head):
		return w.safetensors(ctx, fs, src, head, rest())
	case bytes.HasPrefix(head, []byte("GGUF")):
		return w.gguf(ctx, fs, src, rest())
	case bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return w.zip(ctx, fs, src, rest())
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return w.gzip(ctx, fs, src, rest())
	case len(head) > 262 && string(head[257:262]) == "ustar":
		return w.tar(ctx, fs, src, rest())
	case strings.HasSuffix(lname, ".p12") || strings.HasSuffix(lname, ".pfx"):
		return w.pkcs12(fs, src, rest())
	case bytes.HasPrefix(head, []byte("PACK\x00\x00\x00")) || bytes.HasPrefix(head, []byte("%PDF-")):
		return w.container(ctx, fs, src, rest())
	}
	if kind := compressedFormat(head, eof); kind != "" {
		return w.decompress(ctx, fs, src, kind, rest())
	}
	if name := unsupportedFormat(head); name != "" {
		return fmt.Errorf("%s: the scanner cannot unpack this format, so it cannot tell what it holds; unpack it into the artefact or remove it", name)
	}
	enc, text := sniffText(head)
	switch {
	case enc != "":
		t := *src
		t.r, t.encoding = newTranscoder(rest(), enc), enc
		return w.text(ctx, fs, &t, nil, false)
	case !text:
		fs.binary = true
		return w.binary(ctx, fs, src, rest(), serialised(head))
	case strings.HasSuffix(lname, ".ipynb"):
		return w.notebook(ctx, fs, src, rest())
	}
	return w.text(ctx, fs, src, head, eof)
}

// gitObjectHeader returns the length of a git object header ("blob 12\x00",
// "commit 230\x00", ...) at the start of head, or 0.
func gitObjectHeader(head []byte) int {
	for _, t := range []string{"blob ", "tree ", "commit ", "tag "} {
		if !bytes.HasPrefix(head, []byte(t)) {
			continue
		}
		j := len(t)
		for j < len(head) && j < 32 && head[j] >= '0' && head[j] <= '9' {
			j++
		}
		if j > len(t) && j < len(head) && head[j] == 0 {
			return j + 1
		}
	}
	return 0
}

// container scans a git pack or a PDF: the zlib streams inside it, and
// the strings of the container itself. It is held in memory, within the
// archive byte limit.
func (w *worker) container(ctx context.Context, fs *fileScan, src *source, r io.Reader) error {
	limit := w.s.o.maxArchiveBytes
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if int64(len(b)) > limit {
		return fmt.Errorf("larger than %d bytes; the compressed streams inside it cannot be scanned (raise the archive limit)", limit)
	}
	fs.bytes += int64(len(b)) - int64(min(len(b), sniffSize))
	fs.binary = true
	if err := w.embedded(ctx, fs, src, b); err != nil {
		return err
	}
	ex := &extractor{fs: fs, w: w, name: src.name, min: minCredential}
	ex.extract(b, 0, true)
	ex.flush()
	return ctx.Err()
}

// text streams a text source through the window.
func (w *worker) text(ctx context.Context, fs *fileScan, src *source, head []byte, eof bool) error {
	md := modeOf(src.name)
	buf := w.buf
	n := copy(buf, head)
	carry, lineBase := 0, 1
	single := true
	for {
		final := eof
		if !eof {
			m, err := io.ReadFull(src.r, buf[n:])
			n += m
			fs.bytes += int64(m)
			switch {
			case err == io.EOF || err == io.ErrUnexpectedEOF:
				final, eof = true, true
			case err != nil:
				return fmt.Errorf("read: %w", err)
			}
		}
		hi := n
		if !final {
			hi = n - overlap
		}
		sg := seg{b: buf[:n], lo: carry, hi: hi, lineBase: lineBase, mode: md, sourceName: src.name, encoding: src.encoding}
		if single && final {
			if md == modeJSON && fs.jsonPairs(w, buf[:n], sg) {
				sg.mode = modeAnchors
			}
			if src.depth == 0 {
				fs.structRefs(buf[:n], src.name)
			}
		}
		if sg.mode == modeJSON {
			sg.mode = modeSource // not JSON, or too large to parse whole: parse lines
		}
		fs.segment(w, sg)
		if final {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		single = false
		keep := hi - backContext
		lineBase += bytes.Count(buf[:keep], []byte{'\n'})
		n = copy(buf, buf[keep:n])
		carry = backContext
	}
}

// fileScan collects what one file (and its archive members) yields.
type fileScan struct {
	s    *Scanner
	path string
	hits []hit
	refs []refKey
	// refFound are findings a reference parser made in the segment
	// being scanned (a token pasted as a ${NAME}).
	refFound []pending
	problems []Problem
	bytes    int64
	binary   bool
}

type hit struct {
	Finding
	prio int
	// span is where the match is in the outermost segment scanned (used
	// by Mask, which scans one string).
	span [2]int
}

func (fs *fileScan) problem(p, reason string) {
	fs.problems = append(fs.problems, Problem{Path: p, Reason: reason})
}

func (fs *fileScan) add(f Finding, prio int, span [2]int) {
	fs.hits = append(fs.hits, hit{Finding: f, prio: prio, span: span})
}

// findings deduplicates: one finding per (path, fingerprint, line,
// location), the most specific rule winning; a value also found in the
// file's plain text is not repeated from a decoded view of it.
func (fs *fileScan) findings() []Finding {
	if len(fs.hits) == 0 {
		return nil
	}
	type k struct {
		path, fp, loc string
		line          int
	}
	plain := map[[2]string]bool{}
	for _, h := range fs.hits {
		if h.Location == "" && h.Encoding == "" {
			plain[[2]string{h.Path, h.Fingerprint}] = true
		}
	}
	best := map[k]hit{}
	for _, h := range fs.hits {
		if (h.Location != "" || h.Encoding != "") && plain[[2]string{h.Path, h.Fingerprint}] && strings.HasSuffix(h.Path, ".ipynb") {
			continue
		}
		key := k{h.Path, h.Fingerprint, h.Location, h.Line}
		if b, ok := best[key]; !ok || h.prio > b.prio || (h.prio == b.prio && (h.Rule < b.Rule || (h.Rule == b.Rule && b.Encoding != "" && h.Encoding == ""))) {
			best[key] = h
		}
	}
	out := make([]Finding, 0, len(best))
	for _, h := range best {
		out = append(out, h.Finding)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
