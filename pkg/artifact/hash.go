package artifact

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unicode/utf8"
)

// Progress receives hashing progress. Implementations must be safe for
// concurrent use.
type Progress interface {
	// Start is called once with the total number of bytes to hash.
	Start(totalBytes int64)
	// Add is called as bytes are hashed.
	Add(n int64)
	// Finish is called once when hashing ends, successfully or not.
	Finish()
}

type options struct {
	method        Method
	shardSize     int64
	ignore        []string
	allowSymlinks bool
	workers       int
	bufSize       int
	maxFiles      int
	progress      Progress
	open          func(path string) (*os.File, error)
	manifest      *Manifest
	root          string // set by walk: the artefact root as given
}

// Option configures Hash.
type Option func(*options)

// WithMethod selects the serialization (default MethodFiles).
func WithMethod(m Method) Option { return func(o *options) { o.method = m } }

// WithShardSize sets the shard size for MethodShards (default DefaultShardSize).
func WithShardSize(n int64) Option { return func(o *options) { o.shardSize = n } }

// WithIgnore adds root-relative paths (files or directories) to ignore, in
// addition to AlwaysIgnored.
func WithIgnore(paths ...string) Option {
	return func(o *options) { o.ignore = append(o.ignore, paths...) }
}

// WithAllowSymlinks hashes symbolic links to regular files inside the root
// as the file they point to. Links that leave the root are always refused.
func WithAllowSymlinks(allow bool) Option { return func(o *options) { o.allowSymlinks = allow } }

// WithWorkers sets the number of concurrent hashing workers (default: one
// per CPU).
func WithWorkers(n int) Option { return func(o *options) { o.workers = n } }

// WithMaxFiles bounds the number of files walked (default 1,000,000).
func WithMaxFiles(n int) Option { return func(o *options) { o.maxFiles = n } }

// WithProgress reports progress to p.
func WithProgress(p Progress) Option { return func(o *options) { o.progress = p } }

// defaultBufSize is the per-worker read buffer. Profiles (BenchmarkBufSize)
// show 128-512 KiB ahead of 1 MiB: a buffer that stays in the core's L2
// cache between the copy out of the page cache and the SHA-256 pass saves a
// trip to memory, while the syscall count stays negligible.
const defaultBufSize = 256 << 10

// progressBatch is how many bytes a worker hashes before it reports them, so
// the shared progress bar's lock is taken a few times per second, not per read.
const progressBatch = 16 << 20

// file is one regular file found by the walk: what hashing needs of it and
// nothing more (no os.FileInfo is kept: at 100,000 files the retained stat
// results were most of the live heap).
type file struct {
	name  string // slash-separated, relative to the root
	path  string // the link target for allowed symlinks; "" is root/name
	size  int64
	mtime int64 // modification time, Unix nanoseconds
}

// job is one resource to hash: a whole file or one shard of it.
type job struct {
	f          *file
	start, end int64
	index      int
}

// sha256Size is the length of a raw SHA-256 digest.
const sha256Size = sha256.Size

// sum is a raw SHA-256 digest: digests stay raw until the manifest is
// written, so hashing allocates no string per resource.
type sum = [sha256Size]byte

// Hash walks root and returns its manifest.
func Hash(ctx context.Context, root string, opts ...Option) (*Manifest, error) {
	o, ignore, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	files, err := walk(ctx, root, ignore, &o)
	if err != nil {
		return nil, err
	}
	if m, ok, err := supplied(ctx, files, o, o.serialization(ignore)); err != nil || ok {
		return m, err
	}
	jobs := jobsOf(files, o)
	digests, err := hashJobs(ctx, jobs, o)
	if err != nil {
		return nil, err
	}
	resources, root := resourcesOf(jobs, digests, o.method)
	ser := o.serialization(ignore)
	if ser.IgnorePaths == nil {
		ser.IgnorePaths = []string{}
	}
	return &Manifest{Root: root, Serialization: ser, Files: resources}, nil
}

// newOptions applies and validates opts and returns the normalised ignore set.
func newOptions(opts []Option) (options, []string, error) {
	o := options{method: MethodFiles, shardSize: DefaultShardSize, workers: runtime.NumCPU(), bufSize: defaultBufSize, maxFiles: 1_000_000, open: openNonBlocking}
	for _, opt := range opts {
		opt(&o)
	}
	switch o.method {
	case MethodFiles, MethodShards:
	default:
		return o, nil, fmt.Errorf("unknown serialization %q (want files or shards)", o.method)
	}
	if o.method == MethodShards && o.shardSize <= 0 {
		return o, nil, fmt.Errorf("shard size must be positive, got %d", o.shardSize)
	}
	if o.workers < 1 {
		o.workers = 1
	}
	ignore, err := normaliseIgnore(o.ignore)
	return o, ignore, err
}

// serialization records the options in the manifest.
func (o options) serialization(ignore []string) Serialization {
	ser := Serialization{Method: o.method, HashType: "sha256", AllowSymlinks: o.allowSymlinks, IgnorePaths: ignore}
	if o.method == MethodShards {
		ser.ShardSize = o.shardSize
	}
	return ser
}

// jobsOf lists the resources of files: one per file, or one per shard, in
// the order of files (which walk sorts as the plan does).
func jobsOf(files []file, o options) []job {
	n := len(files)
	if o.method == MethodShards {
		n = 0
		for i := range files {
			n += int((files[i].size + o.shardSize - 1) / o.shardSize)
		}
	}
	jobs := make([]job, 0, n)
	for i := range files {
		f := &files[i]
		if o.method == MethodFiles {
			jobs = append(jobs, job{f: f, start: 0, end: f.size, index: len(jobs)})
			continue
		}
		for start := int64(0); start < f.size; start += o.shardSize {
			end := min(start+o.shardSize, f.size)
			jobs = append(jobs, job{f: f, start: start, end: end, index: len(jobs)})
		}
	}
	return jobs
}

// name is the resource name of a job: the path, or "path:start:end".
func (j job) name(m Method) string {
	if m == MethodShards {
		return shardName(j.f.name, j.start, j.end)
	}
	return j.f.name
}

// hashJobs hashes jobs (whose index fields number them 0..n-1) and returns
// their raw digests by index, with progress over their total size.
func hashJobs(ctx context.Context, jobs []job, o options) ([]sum, error) {
	if o.progress != nil {
		var total int64
		for _, j := range jobs {
			total += j.end - j.start
		}
		o.progress.Start(total)
		defer o.progress.Finish()
	}
	return hashAll(ctx, jobs, o)
}

// resourcesOf names the hashed jobs and returns them as resources in
// model-signing's order, with the root digest. The digest strings share one
// allocation (and, in shards mode, so do the shard names): a manifest of
// 100,000 resources is a handful of allocations, not 300,000.
func resourcesOf(jobs []job, digests []sum, m Method) ([]Resource, string) {
	names := newArena(len(jobs), m == MethodShards)
	for _, j := range jobs {
		names.addName(j.f.name, j.start, j.end)
	}
	return newResources(len(jobs), names.get, func(i int) int64 { return jobs[i].end - jobs[i].start }, digests)
}

// nameArena holds resource names: file names as they are, shard names
// "path:start:end" written into one string.
type nameArena struct {
	shards bool
	b      strings.Builder
	ends   []int
	plain  []string
	s      string
}

func newArena(n int, shards bool) *nameArena {
	a := &nameArena{shards: shards}
	if shards {
		a.ends = make([]int, 0, n)
	} else {
		a.plain = make([]string, 0, n)
	}
	return a
}

func (a *nameArena) addName(name string, start, end int64) {
	if !a.shards {
		a.plain = append(a.plain, name)
		return
	}
	var num [20]byte
	a.b.WriteString(name)
	a.b.WriteByte(':')
	a.b.Write(strconv.AppendInt(num[:0], start, 10))
	a.b.WriteByte(':')
	a.b.Write(strconv.AppendInt(num[:0], end, 10))
	a.ends = append(a.ends, a.b.Len())
}

func (a *nameArena) get(i int) string {
	if !a.shards {
		return a.plain[i]
	}
	if a.s == "" && a.b.Len() > 0 {
		a.s = a.b.String()
	}
	start := 0
	if i > 0 {
		start = a.ends[i-1]
	}
	return a.s[start:a.ends[i]]
}

// digestLen is the length of "sha256:<hex>".
const digestLen = len("sha256:") + 2*sha256Size

// newResources builds n resources from their names, sizes and raw digests,
// sorts them in model-signing's order and returns them with the root
// digest. The digest strings are substrings of one allocation.
func newResources(n int, name func(int) string, size func(int) int64, digests []sum) ([]Resource, string) {
	var b strings.Builder
	b.Grow(n * digestLen)
	var hexBuf [2 * sha256Size]byte
	for i := range n {
		b.WriteString("sha256:")
		hex.Encode(hexBuf[:], digests[i][:])
		b.Write(hexBuf[:])
	}
	all := b.String()
	out := make([]Resource, n)
	for i := range out {
		out[i] = Resource{Name: name(i), Digest: all[i*digestLen : (i+1)*digestLen], Size: size(i)}
	}
	// The walk and the plan list resources in model-signing's order already;
	// only unusual names (a file named like a shard) need the sort.
	order := make([]int, 0)
	if !slices.IsSortedFunc(out, func(a, b Resource) int { return cmpName(a.Name, b.Name) }) {
		order = make([]int, n)
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return lessName(out[order[a]].Name, out[order[b]].Name) })
		sorted := make([]Resource, n)
		for i, k := range order {
			sorted[i] = out[k]
		}
		out = sorted
	}
	h := sha256.New()
	for i := range out {
		k := i
		if len(order) > 0 {
			k = order[i]
		}
		h.Write(digests[k][:])
	}
	var root sum
	h.Sum(root[:0])
	return out, "sha256:" + hex.EncodeToString(root[:])
}

// cmpName is lessName as a three-way comparison.
func cmpName(a, b string) int {
	switch {
	case lessName(a, b):
		return -1
	case lessName(b, a):
		return 1
	}
	return 0
}

// normaliseIgnore cleans user ignore paths, adds AlwaysIgnored, and returns
// a sorted, de-duplicated list of root-relative slash paths.
func normaliseIgnore(user []string) ([]string, error) {
	set := map[string]bool{}
	for _, p := range AlwaysIgnored {
		set[p] = true
	}
	for _, p := range user {
		c := path.Clean(filepath.ToSlash(p))
		if c == "." || c == ".." || strings.HasPrefix(c, "../") || path.IsAbs(c) {
			return nil, fmt.Errorf("ignore path %q must be relative to the artefact root and inside it", p)
		}
		set[c] = true
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

func ignored(name string, ignore []string) bool {
	for _, p := range ignore {
		if name == p || strings.HasPrefix(name, p+"/") {
			return true
		}
	}
	return false
}

// walk lists the regular files under root, sorted by path component (the
// order of the part plan and, but for names that look like shards, of
// model-signing).
func walk(ctx context.Context, root string, ignore []string, o *options) ([]file, error) {
	o.root = root
	info, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("artefact root: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("artefact root %s is not a directory: %w", root, ErrInvalidArtifact)
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("artefact root: %w", err)
	}
	realRoot, err = filepath.Abs(realRoot)
	if err != nil {
		return nil, fmt.Errorf("artefact root: %w", err)
	}
	var files []file
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		name := filepath.ToSlash(rel)
		if !utf8.ValidString(name) {
			return fmt.Errorf("file name %q is not valid UTF-8: %w", name, ErrInvalidArtifact)
		}
		if ignored(name, ignore) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		mode := d.Type()
		switch {
		case mode.IsDir():
			return nil
		case mode.IsRegular():
			fi, err := d.Info()
			if err != nil {
				return fmt.Errorf("stat %s: %w", name, err)
			}
			files = append(files, file{name: name, size: fi.Size(), mtime: fi.ModTime().UnixNano()})
		case mode&fs.ModeSymlink != 0:
			f, err := resolveLink(realRoot, p, name, o.allowSymlinks)
			if err != nil {
				return err
			}
			files = append(files, *f)
		default:
			return fmt.Errorf("%s is a %s, not a regular file or directory: %w", name, describeMode(mode), ErrInvalidArtifact)
		}
		if len(files) > o.maxFiles {
			return fmt.Errorf("artefact has more than %d files: %w", o.maxFiles, ErrInvalidArtifact)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// WalkDir visits entries in lexical order, which is already path
	// component order; sorting makes the invariant explicit and cheap.
	cmp := func(a, b file) int { return comparePath(a.name, b.name) }
	if !slices.IsSortedFunc(files, cmp) {
		slices.SortStableFunc(files, cmp)
	}
	return slices.Clip(files), nil
}

func resolveLink(realRoot, p, name string, allow bool) (*file, error) {
	if !allow {
		return nil, fmt.Errorf("%s is a symbolic link; pass --allow-symlinks to hash links that stay inside the root: %w", name, ErrInvalidArtifact)
	}
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) || strings.Contains(err.Error(), "too many links") {
			return nil, fmt.Errorf("%s is a symbolic link loop: %w", name, ErrInvalidArtifact)
		}
		return nil, fmt.Errorf("%s: broken symbolic link: %w", name, ErrInvalidArtifact)
	}
	target, err = filepath.Abs(target)
	if err != nil {
		return nil, err
	}
	if target != realRoot && !strings.HasPrefix(target, realRoot+string(filepath.Separator)) {
		return nil, fmt.Errorf("%s is a symbolic link to %s, outside the artefact root: %w", name, target, ErrInvalidArtifact)
	}
	fi, err := os.Stat(target)
	if err != nil {
		return nil, fmt.Errorf("stat %s: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is a symbolic link to a %s; only links to regular files are hashed: %w", name, describeMode(fi.Mode().Type()), ErrInvalidArtifact)
	}
	return &file{name: name, path: target, size: fi.Size(), mtime: fi.ModTime().UnixNano()}, nil
}

func describeMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	case m.IsDir():
		return "directory"
	case m&fs.ModeIrregular != 0:
		return "irregular file"
	}
	return "special file"
}

func hashAll(ctx context.Context, jobs []job, o options) ([]sum, error) {
	out := make([]sum, len(jobs))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan job)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	fail := func(err error) {
		once.Do(func() { firstErr = err; cancel() })
	}
	workers := min(o.workers, max(len(jobs), 1))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, o.bufSize)
			h := sha256.New()
			for j := range ch {
				if err := hashRange(ctx, j, buf, h, &out[j.index], o); err != nil {
					fail(err)
				}
			}
		}()
	}
	// Largest first (longest-processing-time scheduling): a big file met
	// last would leave the other workers idle while one hashes it alone.
	order := make([]int32, len(jobs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		return cmp.Compare(jobs[b].end-jobs[b].start, jobs[a].end-jobs[a].start)
	})
feed:
	for _, i := range order {
		j := jobs[i]
		select {
		case ch <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(ch)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// hashRange hashes [start, end) of one file into d, refusing files that are
// not regular at open time or whose size or mtime changed since the walk. h
// and buf are the worker's own, reused for every job.
func hashRange(ctx context.Context, j job, buf []byte, h hash.Hash, d *sum, o options) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	progress := o.progress
	p := j.f.path
	if p == "" {
		p = filepath.Join(o.root, filepath.FromSlash(j.f.name))
	}
	f, err := o.open(p)
	if err != nil {
		return fmt.Errorf("open %s: %w", j.f.name, err)
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", j.f.name, err)
	}
	if !before.Mode().IsRegular() {
		return fmt.Errorf("%s is no longer a regular file: %w", j.f.name, ErrInvalidArtifact)
	}
	if changed(j.f, before) {
		return fmt.Errorf("%s changed while the artefact was being hashed (size %d → %d): %w", j.f.name, j.f.size, before.Size(), ErrInvalidArtifact)
	}
	adviseSequential(f, j.start, j.end-j.start)
	h.Reset()
	var unreported int64
	if progress != nil {
		defer func() { progress.Add(unreported) }()
	}
	off := j.start
	for off < j.end {
		if err := ctx.Err(); err != nil {
			return err
		}
		m, err := f.ReadAt(buf[:min(int64(len(buf)), j.end-off)], off)
		if m > 0 {
			h.Write(buf[:m])
			off += int64(m)
			if unreported += int64(m); progress != nil && unreported >= progressBatch {
				progress.Add(unreported)
				unreported = 0
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", j.f.name, err)
		}
	}
	if progress != nil && unreported > 0 {
		progress.Add(unreported)
		unreported = 0
	}
	after, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", j.f.name, err)
	}
	if off != j.end || changed(j.f, after) {
		return fmt.Errorf("%s changed while the artefact was being hashed (size %d → %d): %w", j.f.name, j.f.size, after.Size(), ErrInvalidArtifact)
	}
	h.Sum(d[:0])
	return nil
}

func changed(f *file, now os.FileInfo) bool {
	return f.size != now.Size() || f.mtime != now.ModTime().UnixNano()
}

// openNonBlocking opens for reading with O_NONBLOCK: if the path was swapped
// for a FIFO since the walk, open returns at once instead of waiting for a
// writer (the regular-file check after it then refuses it).
func openNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
