package artifact

import (
	"bytes"
	"cmp"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
)

// PartAPIVersion and PartKind name the part manifest format.
const (
	PartAPIVersion = "tollgate.dev/v1alpha1"
	PartKind       = "HashPart"
)

// MaxParts bounds the number of parts an artefact is split into.
const MaxParts = 1024

// MaxPartBytes bounds the size of a part manifest read from a file: room for
// a million-file list.
const MaxPartBytes = 512 << 20

// ErrInvalidPart marks a part manifest that is malformed or does not agree
// with the other parts it is merged with.
var ErrInvalidPart = invalid.New("invalid hash part")

// FileSize is one file of the artefact, by name and size: the input of the
// part plan.
type FileSize struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// Part is the manifest of one share of an artefact: the inputs of the plan
// (serialization, the complete file list with sizes, index and count) and the
// digests of this share's resources. Index is 1-based: part 1/N .. N/N.
type Part struct {
	APIVersion    string        `json:"apiVersion"`
	Kind          string        `json:"kind"`
	Index         int           `json:"index"`
	Count         int           `json:"count"`
	Serialization Serialization `json:"serialization"`
	Files         []FileSize    `json:"files"`
	Resources     []Resource    `json:"resources"`
}

// planUnit is one resource of the plan: a whole file or one shard of it,
// by the index of its file in the file list.
type planUnit struct {
	file  int32
	start int64
	size  int64
}

// MaxResources bounds the number of resources (files or shards) a plan
// covers, so a hostile part manifest (a huge size, a tiny shard) cannot make
// the merge allocate without limit.
const MaxResources = 1 << 21

// countUnits returns the number of resources of a file list, or an error
// past MaxResources.
func countUnits(files []FileSize, ser Serialization) (int, error) {
	n := 0
	for _, f := range files {
		if ser.Method != MethodShards {
			n++
		} else if f.Size > 0 {
			s := (f.Size-1)/ser.ShardSize + 1
			if s > MaxResources {
				return 0, fmt.Errorf("%s has more than %d shards", f.Name, MaxResources)
			}
			n += int(s)
		}
		if n > MaxResources {
			return 0, fmt.Errorf("more than %d files or shards", MaxResources)
		}
	}
	return n, nil
}

// planUnits lists the resources of a file list, in the order of files.
func planUnits(files []FileSize, ser Serialization) ([]planUnit, error) {
	n, err := countUnits(files, ser)
	if err != nil {
		return nil, err
	}
	out := make([]planUnit, 0, n)
	for i, f := range files {
		if ser.Method != MethodShards {
			out = append(out, planUnit{file: int32(i), size: f.Size})
			continue
		}
		for start := int64(0); start < f.Size; start += ser.ShardSize {
			out = append(out, planUnit{file: int32(i), start: start, size: min(ser.ShardSize, f.Size-start)})
		}
	}
	return out, nil
}

// unitName is the resource name of a unit: the file name, or
// "path:start:end" in shards mode.
func unitName(files []FileSize, ser Serialization, u planUnit) string {
	if ser.Method != MethodShards {
		return files[u.file].Name
	}
	return shardName(files[u.file].Name, u.start, u.start+u.size)
}

func shardName(name string, start, end int64) string {
	return name + ":" + strconv.FormatInt(start, 10) + ":" + strconv.FormatInt(end, 10)
}

// Plan assigns every resource of files to one of count parts, balanced by
// bytes: largest first, each to the part with the fewest bytes so far (then
// the fewest resources, then the lowest index). It is a pure function of the
// file list, the serialization and count, so every part and the merge compute
// the same plan. The result maps resource name to its 1-based part.
func Plan(files []FileSize, ser Serialization, count int) (map[string]int, error) {
	units, owners, err := planOwners(files, ser, count)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(units))
	for i, u := range units {
		out[unitName(files, ser, u)] = int(owners[i])
	}
	return out, nil
}

// planOwners is Plan by unit: the units of files in file-list order and the
// 1-based part of each. Ties in size go in model-signing's order of the
// resource names, computed without building them.
func planOwners(files []FileSize, ser Serialization, count int) ([]planUnit, []int32, error) {
	if count < 1 || count > MaxParts {
		return nil, nil, fmt.Errorf("part count must be between 1 and %d, got %d", MaxParts, count)
	}
	if ser.Method == MethodShards && ser.ShardSize <= 0 {
		return nil, nil, fmt.Errorf("shard size must be positive, got %d", ser.ShardSize)
	}
	units, err := planUnits(files, ser)
	if err != nil {
		return nil, nil, err
	}
	order := make([]int32, len(units))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		ua, ub := units[a], units[b]
		if ua.size != ub.size {
			return cmp.Compare(ub.size, ua.size)
		}
		if ser.Method != MethodShards {
			return cmpName(files[ua.file].Name, files[ub.file].Name)
		}
		// canonical shard names compare by path, then start
		if c := comparePath(files[ua.file].Name, files[ub.file].Name); c != 0 {
			return c
		}
		return cmp.Compare(ua.start, ub.start)
	})
	loads := make(partLoads, count)
	for i := range loads {
		loads[i].index = i + 1
	}
	owners := make([]int32, len(units))
	for _, i := range order {
		// loads is a min-heap: loads[0] is the lightest part.
		loads[0].bytes += units[i].size
		loads[0].units++
		owners[i] = int32(loads[0].index)
		heap.Fix(&loads, 0)
	}
	return units, owners, nil
}

// partLoad is what the plan has given one part so far.
type partLoad struct {
	bytes int64
	units int
	index int
}

// partLoads is a min-heap of parts by bytes, then resources, then index.
type partLoads []partLoad

func (h partLoads) Len() int { return len(h) }
func (h partLoads) Less(i, j int) bool {
	if h[i].bytes != h[j].bytes {
		return h[i].bytes < h[j].bytes
	}
	if h[i].units != h[j].units {
		return h[i].units < h[j].units
	}
	return h[i].index < h[j].index
}
func (h partLoads) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *partLoads) Push(x any)   { *h = append(*h, x.(partLoad)) }
func (h *partLoads) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// HashPart walks root and hashes only the resources that the plan assigns to
// part index (1-based) of count. Options are those of Hash.
func HashPart(ctx context.Context, root string, index, count int, opts ...Option) (*Part, error) {
	if count < 1 || count > MaxParts || index < 1 || index > count {
		return nil, fmt.Errorf("part %d/%d: want 1 <= I <= N <= %d", index, count, MaxParts)
	}
	o, ignore, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	files, err := walk(ctx, root, ignore, &o)
	if err != nil {
		return nil, err
	}
	ser := o.serialization(ignore)
	list := fileSizes(files)
	_, owners, err := planOwners(list, ser, count)
	if err != nil {
		return nil, err
	}
	// walk sorts files as the list is sorted, so the jobs are the plan's
	// units in the same order.
	jobs := jobsOf(files, o)
	if len(jobs) != len(owners) {
		return nil, fmt.Errorf("part %d/%d: %d resources walked, %d planned", index, count, len(jobs), len(owners))
	}
	var mine []job
	for i, j := range jobs {
		if int(owners[i]) == index {
			j.index = len(mine)
			mine = append(mine, j)
		}
	}
	digests, err := hashJobs(ctx, mine, o)
	if err != nil {
		return nil, err
	}
	resources, _ := resourcesOf(mine, digests, o.method)
	return &Part{APIVersion: PartAPIVersion, Kind: PartKind, Index: index, Count: count,
		Serialization: ser, Files: list, Resources: resources}, nil
}

// fileSizes is the plan's input: the walked files by name and size, in
// walk (path component) order.
func fileSizes(files []file) []FileSize {
	out := make([]FileSize, len(files))
	for i, f := range files {
		out[i] = FileSize{Name: f.name, Size: f.size}
	}
	return out
}

// ParsePart decodes and validates one part manifest: known fields only, the
// expected apiVersion and kind, 1 <= index <= count <= MaxParts, a sorted
// file list without duplicates or negative sizes, and well-formed digests.
// Whether the parts agree is Merge's job.
func ParsePart(b []byte) (*Part, error) {
	if len(b) > MaxPartBytes {
		return nil, fmt.Errorf("part manifest is larger than %d bytes: %w", MaxPartBytes, ErrInvalidPart)
	}
	var c collector
	h, err := decodePart(bytes.NewReader(b), &c)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", err, ErrInvalidPart)
	}
	p := h
	p.Files, p.Resources = c.p.Files, c.p.Resources
	if err := checkHeader(&p); err != nil {
		return nil, err
	}
	for i, f := range p.Files {
		var prev FileSize
		if i > 0 {
			prev = p.Files[i-1]
		}
		if err := checkFile(&p, i, prev, f); err != nil {
			return nil, err
		}
	}
	for _, r := range p.Resources {
		if _, err := digest.ParseSHA256(r.Digest); err != nil {
			return nil, fmt.Errorf("part %d/%d: resource %s: %w: %w", p.Index, p.Count, r.Name, err, ErrInvalidPart)
		}
	}
	return &p, nil
}

// ReadPart reads and parses a part manifest file, bounded by MaxPartBytes.
func ReadPart(path string) (*Part, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file: %w", path, ErrInvalidPart)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxPartBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	p, err := ParsePart(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// Merge joins the parts of one artefact into the manifest a single Hash
// computes, byte for byte. It refuses parts that disagree (serialization,
// shard size, ignore set, file list, count), a missing or duplicated part,
// and any part whose resources are not exactly the ones the plan gives it
// (a resource missing, added, renamed, resized, or belonging to another part).
func Merge(parts []*Part) (*Manifest, error) {
	var m merger
	for _, p := range parts {
		if err := m.add(p); err != nil {
			return nil, err
		}
	}
	return m.manifest()
}

// MergeFiles is Merge over part manifest files, each streamed (one file
// or resource decoded at a time): only the first part's file list is kept,
// every other list is compared with it entry by entry, and digests are held
// raw. Merging 100,000 files in 4 parts holds one file list, not four JSON
// documents. The files must list the header fields before the file list and
// the file list before the resources, as tollgate hash --part writes them.
func MergeFiles(paths ...string) (*Manifest, error) {
	var m merger
	for _, path := range paths {
		if err := m.addFile(path); err != nil {
			return nil, err
		}
	}
	return m.manifest()
}

// merger checks parts against the first one and collects their digests by
// plan unit.
type merger struct {
	started    bool
	count      int
	firstIndex int
	ser        Serialization
	files      []FileSize
	building   bool // the current part is the first: its file list is kept
	seen       []bool
	units      []planUnit
	owners     []int32
	start      []int32 // per file: the index of its first unit
	digests    []sum
	got        []bool
}

// add merges an in-memory part.
func (m *merger) add(p *Part) error {
	if err := m.header(p); err != nil {
		return err
	}
	for i, f := range p.Files {
		if err := m.file(p, i, f); err != nil {
			return err
		}
	}
	if err := m.filesDone(p, len(p.Files)); err != nil {
		return err
	}
	for _, r := range p.Resources {
		if err := m.resource(p, r); err != nil {
			return err
		}
	}
	return nil
}

// addFile streams a part manifest file into the merge.
func (m *merger) addFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file: %w", path, ErrInvalidPart)
	}
	if fi.Size() > MaxPartBytes {
		return fmt.Errorf("%s: part manifest is larger than %d bytes: %w", path, MaxPartBytes, ErrInvalidPart)
	}
	if _, err := decodePart(io.LimitReader(f, MaxPartBytes), &mergeSink{m: m}); err != nil {
		if !errors.Is(err, ErrInvalidPart) {
			err = fmt.Errorf("%w: %w", err, ErrInvalidPart)
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// header checks a part's count, index and serialization against the first
// part's (the first part sets them).
func (m *merger) header(p *Part) error {
	if !m.started {
		if p.Count < 1 || p.Count > MaxParts {
			return fmt.Errorf("part %d/%d: want 1 <= index <= count <= %d: %w", p.Index, p.Count, MaxParts, ErrInvalidPart)
		}
		m.started, m.building = true, true
		m.count, m.firstIndex, m.ser = p.Count, p.Index, p.Serialization
		m.seen = make([]bool, p.Count+1)
	}
	count := m.count
	if p.Count != count {
		return fmt.Errorf("part %d/%d and part %d/%d have different counts: %w", m.firstIndex, count, p.Index, p.Count, ErrInvalidPart)
	}
	if p.Index < 1 || p.Index > count {
		return fmt.Errorf("part %d/%d is out of range: %w", p.Index, count, ErrInvalidPart)
	}
	if m.seen[p.Index] {
		return fmt.Errorf("part %d/%d appears twice: %w", p.Index, count, ErrInvalidPart)
	}
	m.seen[p.Index] = true
	if !sameSerialization(p.Serialization, m.ser) {
		return fmt.Errorf("part %d/%d was hashed with a different serialization (%s) than part %d/%d (%s): %w",
			p.Index, count, describeSer(p.Serialization), m.firstIndex, count, describeSer(m.ser), ErrInvalidPart)
	}
	return nil
}

// file takes entry i of a part's file list: kept (and validated) for the
// first part, compared with the first part's for the others.
func (m *merger) file(p *Part, i int, f FileSize) error {
	if m.building {
		var prev FileSize
		if i > 0 {
			prev = m.files[i-1]
		}
		if err := checkFile(p, i, prev, f); err != nil {
			return err
		}
		m.files = append(m.files, f)
		return nil
	}
	if i >= len(m.files) || m.files[i] != f {
		return m.differentFiles(p)
	}
	return nil
}

func (m *merger) differentFiles(p *Part) error {
	return fmt.Errorf("part %d/%d lists a different set of files than part %d/%d (the tree differs between the pods): %w",
		p.Index, m.count, m.firstIndex, m.count, ErrInvalidPart)
}

// filesDone ends a part's file list: the first one plans the merge.
func (m *merger) filesDone(p *Part, n int) error {
	if !m.building {
		if n != len(m.files) {
			return m.differentFiles(p)
		}
		return nil
	}
	m.building = false
	units, owners, err := planOwners(m.files, m.ser, m.count)
	if err != nil {
		return fmt.Errorf("%w: %w", err, ErrInvalidPart)
	}
	m.files = slices.Clip(m.files)
	m.units, m.owners = units, owners
	m.start = make([]int32, len(m.files)+1)
	m.start[len(m.files)] = int32(len(units))
	for i := len(units) - 1; i >= 0; i-- {
		m.start[units[i].file] = int32(i)
	}
	for i := len(m.files) - 1; i >= 0; i-- {
		if m.files[i].Size == 0 && m.ser.Method == MethodShards {
			m.start[i] = m.start[i+1] // an empty file has no shard
		}
	}
	m.digests = make([]sum, len(units))
	m.got = make([]bool, len(units))
	return nil
}

// resource takes one digest of a part.
func (m *merger) resource(p *Part, r Resource) error {
	count := m.count
	u, ok := m.unitOf(r.Name)
	switch {
	case !ok:
		return fmt.Errorf("part %d/%d has a digest for %s, which is not in the file list: %w", p.Index, count, r.Name, ErrInvalidPart)
	case int(m.owners[u]) != p.Index:
		return fmt.Errorf("part %d/%d has a digest for %s, which belongs to part %d: %w", p.Index, count, r.Name, m.owners[u], ErrInvalidPart)
	case m.got[u]:
		return fmt.Errorf("part %d/%d has two digests for %s: %w", p.Index, count, r.Name, ErrInvalidPart)
	case r.Size != m.units[u].size:
		return fmt.Errorf("part %d/%d records %s with size %d, the file list says %d: %w", p.Index, count, r.Name, r.Size, m.units[u].size, ErrInvalidPart)
	}
	d, err := digest.ParseSHA256(r.Digest)
	if err != nil {
		return fmt.Errorf("part %d/%d: resource %s: %w: %w", p.Index, count, r.Name, err, ErrInvalidPart)
	}
	copy(m.digests[u][:], d.Raw())
	m.got[u] = true
	return nil
}

// unitOf finds the plan unit a resource name stands for, by its canonical
// name only.
func (m *merger) unitOf(name string) (int, bool) {
	files, ser := m.files, m.ser
	path := name
	var start, end int64
	if ser.Method == MethodShards {
		var ok bool
		if path, start, end, ok = splitShard(name); !ok {
			return 0, false
		}
	}
	i, found := slices.BinarySearchFunc(files, path, func(f FileSize, p string) int { return comparePath(f.Name, p) })
	if !found || files[i].Name != path {
		return 0, false
	}
	if ser.Method != MethodShards {
		return int(m.start[i]), true
	}
	if start < 0 || start%ser.ShardSize != 0 || start >= files[i].Size || end != min(start+ser.ShardSize, files[i].Size) || name != shardName(path, start, end) {
		return 0, false
	}
	return int(m.start[i]) + int(start/ser.ShardSize), true
}

// manifest checks that every part and every digest is there and returns
// the merged manifest.
func (m *merger) manifest() (*Manifest, error) {
	if !m.started {
		return nil, fmt.Errorf("no parts to merge: %w", ErrInvalidPart)
	}
	count := m.count
	var missing []string
	for i := 1; i <= count; i++ {
		if !m.seen[i] {
			missing = append(missing, strconv.Itoa(i))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing part(s) %s of %d: %w", strings.Join(missing, ", "), count, ErrInvalidPart)
	}
	files, ser := m.files, m.ser
	for u, ok := range m.got {
		if !ok {
			return nil, fmt.Errorf("part %d/%d lacks the digest of %s: %w", m.owners[u], count, unitName(files, ser, m.units[u]), ErrInvalidPart)
		}
	}
	names := newArena(len(m.units), ser.Method == MethodShards)
	for _, u := range m.units {
		f := files[u.file]
		names.addName(f.Name, u.start, u.start+u.size)
	}
	resources, root := newResources(len(m.units), names.get, func(i int) int64 { return m.units[i].size }, m.digests)
	ser.IgnorePaths = append([]string{}, ser.IgnorePaths...)
	return &Manifest{Root: root, Serialization: ser, Files: resources}, nil
}

func sameSerialization(a, b Serialization) bool {
	return a.Method == b.Method && a.HashType == b.HashType && a.ShardSize == b.ShardSize &&
		a.AllowSymlinks == b.AllowSymlinks && slices.Equal(a.IgnorePaths, b.IgnorePaths)
}

func describeSer(s Serialization) string {
	d := string(s.Method)
	if s.Method == MethodShards {
		d += " of " + strconv.FormatInt(s.ShardSize, 10) + " bytes"
	}
	d += ", ignoring [" + strings.Join(s.IgnorePaths, " ") + "]"
	if s.AllowSymlinks {
		d += ", symlinks allowed"
	}
	return d
}

// validate checks a serialization read from a file.
func (s Serialization) validate() error {
	switch s.Method {
	case MethodFiles:
		if s.ShardSize != 0 {
			return fmt.Errorf("files serialization with a shard size %d", s.ShardSize)
		}
	case MethodShards:
		if s.ShardSize <= 0 {
			return fmt.Errorf("shard size must be positive, got %d", s.ShardSize)
		}
	default:
		return fmt.Errorf("unknown serialization %q", s.Method)
	}
	if s.HashType != "sha256" {
		return fmt.Errorf("unknown hash type %q", s.HashType)
	}
	for _, p := range s.IgnorePaths {
		if err := validName(p); err != nil {
			return fmt.Errorf("ignore path %q: %w", p, err)
		}
	}
	return nil
}

// validName accepts a clean, relative, slash-separated UTF-8 path.
func validName(name string) error {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "\x00") || !validUTF8(name) {
		return errors.New("not a relative UTF-8 path")
	}
	for _, c := range strings.Split(name, "/") {
		if c == "" || c == "." || c == ".." {
			return errors.New("not a clean relative path")
		}
	}
	return nil
}

func validUTF8(s string) bool { return utf8.ValidString(s) }
