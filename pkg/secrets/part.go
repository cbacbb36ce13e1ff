package secrets

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
	"github.com/tollgate-dev/tollgate/pkg/version"
)

// PartAPIVersion and PartKind name the scan part format.
const (
	PartAPIVersion = "tollgate.dev/v1alpha1"
	PartKind       = "SecretScanPart"
)

// MaxParts bounds the number of parts a scan is split into (the same
// bound as a partitioned hash).
const MaxParts = artifact.MaxParts

// MaxPartBytes bounds a scan part read from a file.
const MaxPartBytes = 256 << 20

// ErrInvalidPart marks a scan part that is malformed, altered, or does not
// agree with the parts it is merged with.
var ErrInvalidPart = invalid.New("invalid secret scan part")

// WithPart restricts a scan to the contents of part index (1-based) of
// count. Every part walks the whole root; the walk's entries (regular
// files, links and files that cannot be scanned) are assigned to parts by
// the hash partitioner's rule (artifact.Plan: largest first, each to the
// part with the fewest bytes so far), and a part reads, and reports, only
// its own entries. Merging the N parts (Scanner.Merge) gives exactly the
// result of one scan. New refuses 1 <= index <= count <= MaxParts broken,
// and a partitioned Scan takes exactly one root.
func WithPart(index, count int) Option {
	return func(o *options) {
		o.partIndex, o.partCount = index, count
		if count == 0 {
			o.partCount = -1 // refused by New, not taken for a whole scan
		}
	}
}

// ScannerConfig is everything besides the files that decides a scan's
// result; the parts of one scan and the merging scanner must agree on it.
type ScannerConfig struct {
	Version         string `json:"version"`
	Rules           string `json:"rules"`
	Window          int    `json:"window"`
	MaxArchiveDepth int    `json:"maxArchiveDepth"`
	MaxArchiveBytes int64  `json:"maxArchiveBytes"`
	MaxArchiveItems int    `json:"maxArchiveEntries"`
	MaxHeaderBytes  int64  `json:"maxHeaderBytes"`
	MaxRatio        int    `json:"maxRatio"`
}

// Walk identifies what a part's walk saw: the number of entries and a
// digest over their names, kinds and sizes (names are not listed: a file
// named after a credential must not travel in a part).
type Walk struct {
	Entries int    `json:"entries"`
	Digest  string `json:"digest"`
}

// Part is the result of one part of a partitioned scan. Like a report, it
// holds no secret value: findings carry fingerprints and hints, paths are
// masked. MAC (HMAC-SHA-256 under a key derived from the fingerprint key)
// binds it to the fingerprint key and detects any change.
type Part struct {
	APIVersion string        `json:"apiVersion"`
	Kind       string        `json:"kind"`
	Index      int           `json:"index"`
	Count      int           `json:"count"`
	Scanner    ScannerConfig `json:"scanner"`
	Walk       Walk          `json:"walk"`
	// Entries is how many of the walk's entries are this part's share.
	Entries int    `json:"entries"`
	Result  Result `json:"result"`
	MAC     string `json:"mac"`
}

// walkEntry is one entry of a partitioned walk.
type walkEntry struct {
	name string
	size int64
	kind byte // 'f' file, 'p' problem, 's' skipped link
	j    job
	p    Problem
}

// partWalk is the walk of a partitioned scan: it walks the whole root,
// plans the shares and sends only this part's files to jobs; res gets this
// part's walk problems and skipped links and the walk summary.
func (s *Scanner) partWalk(ctx context.Context, roots []string, emit func(job), res *Result) error {
	if len(roots) != 1 {
		return fmt.Errorf("a partitioned scan takes one root, got %d", len(roots))
	}
	entries, w, err := s.walkEntries(ctx, roots[0])
	if err != nil {
		return err
	}
	list := make([]artifact.FileSize, 0, len(entries))
	for _, e := range entries {
		if len(list) == 0 || list[len(list)-1].Name != e.name {
			list = append(list, artifact.FileSize{Name: e.name, Size: e.size})
		}
	}
	plan, err := artifact.Plan(list, artifact.Serialization{Method: artifact.MethodFiles}, s.o.partCount)
	if err != nil {
		return fmt.Errorf("plan %d parts: %w", s.o.partCount, err)
	}
	res.walk = &w
	for _, e := range entries {
		if plan[e.name] != s.o.partIndex {
			continue
		}
		res.shareEntries++
		switch e.kind {
		case 'f':
			if err := ctx.Err(); err != nil {
				return err
			}
			emit(e.j)
		case 'p':
			res.Problems = append(res.Problems, e.p)
		case 's':
			res.Stats.Skipped++
		}
	}
	return nil
}

// walkEntries walks root as a scan does, without reading any file, and
// returns its entries sorted by name and the walk summary.
func (s *Scanner) walkEntries(ctx context.Context, root string) ([]walkEntry, Walk, error) {
	var files []job
	walked := &Result{}
	err := s.walk(ctx, []string{root}, func(j job) { files = append(files, j) }, walked)
	if err != nil {
		return nil, Walk{}, err
	}
	entries := make([]walkEntry, 0, len(files)+len(walked.Problems)+len(walked.skipped))
	for _, j := range files {
		var size int64
		if fi, err := os.Lstat(j.abs); err == nil {
			size = fi.Size()
		}
		entries = append(entries, walkEntry{name: j.rel, size: size, kind: 'f', j: j})
	}
	for _, p := range walked.Problems {
		entries = append(entries, walkEntry{name: p.Path, kind: 'p', p: p})
	}
	for _, name := range walked.skipped {
		entries = append(entries, walkEntry{name: name, kind: 's'})
	}
	sort.Slice(entries, func(a, b int) bool {
		if entries[a].name != entries[b].name {
			return entries[a].name < entries[b].name
		}
		if entries[a].kind != entries[b].kind {
			return entries[a].kind < entries[b].kind
		}
		return entries[a].p.Reason < entries[b].p.Reason
	})
	h := sha256.New()
	for _, e := range entries {
		fmt.Fprintf(h, "%c\x00%s\x00%d\x00%s\n", e.kind, e.name, e.size, e.p.Reason)
	}
	return entries, Walk{Entries: len(entries), Digest: "sha256:" + hex.EncodeToString(h.Sum(nil))}, nil
}

// WalkOf walks root as every part of a partitioned scan does, reading no
// file, and returns the summary the parts record: a merge is for root only
// when their Walk equals it.
func (s *Scanner) WalkOf(ctx context.Context, root string) (Walk, error) {
	_, w, err := s.walkEntries(ctx, root)
	return w, err
}

// config is the scanner's ScannerConfig.
func (s *Scanner) config() ScannerConfig {
	h := sha256.New()
	for _, r := range Rules() {
		fmt.Fprintf(h, "%s\x00%s\x00%s\n", r.ID, r.Severity, r.Description)
	}
	return ScannerConfig{
		Version: version.String(), Rules: "sha256:" + hex.EncodeToString(h.Sum(nil)),
		Window: s.o.window, MaxArchiveDepth: s.o.maxArchiveDepth, MaxArchiveBytes: s.o.maxArchiveBytes,
		MaxArchiveItems: s.o.maxArchiveItems, MaxHeaderBytes: s.o.maxHeaderBytes, MaxRatio: s.o.maxRatio,
	}
}

// ScanPart scans this scanner's part (see WithPart) of root and returns it
// sealed with the fingerprint key.
func (s *Scanner) ScanPart(ctx context.Context, root string) (*Part, error) {
	if s.o.partCount == 0 {
		return nil, errors.New("scan part: the scanner has no part (WithPart)")
	}
	res, err := s.Scan(ctx, root)
	if err != nil {
		return nil, err
	}
	p := &Part{APIVersion: PartAPIVersion, Kind: PartKind, Index: s.o.partIndex, Count: s.o.partCount,
		Scanner: s.config(), Walk: *res.walk, Entries: res.shareEntries, Result: *res}
	p.MAC, err = s.mac(p)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// mac returns the seal of p (its MAC field left out).
func (s *Scanner) mac(p *Part) (string, error) {
	c := *p
	c.MAC = ""
	b, err := json.Marshal(&c)
	if err != nil {
		return "", fmt.Errorf("encode scan part: %w", err)
	}
	k := hmac.New(sha256.New, s.key)
	k.Write([]byte("tollgate secret scan part seal v1"))
	m := hmac.New(sha256.New, k.Sum(nil))
	m.Write(b)
	return "hmac-sha256:" + hex.EncodeToString(m.Sum(nil)), nil
}

// Encode writes p as JSON.
func (p *Part) Encode() ([]byte, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode scan part: %w", err)
	}
	return append(b, '\n'), nil
}

// ParsePart decodes and checks the form of one scan part: known fields
// only, the expected apiVersion and kind, 1 <= index <= count <= MaxParts,
// counts that add up. Whether it is intact and agrees with the other
// parts is Merge's job.
func ParsePart(b []byte) (*Part, error) {
	if len(b) > MaxPartBytes {
		return nil, fmt.Errorf("scan part is larger than %d bytes: %w", MaxPartBytes, ErrInvalidPart)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Part
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("decode scan part: %w: %w", err, ErrInvalidPart)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after the scan part: %w", ErrInvalidPart)
	}
	bad := func(format string, a ...any) (*Part, error) {
		return nil, fmt.Errorf("scan part %d/%d: %s: %w", p.Index, p.Count, fmt.Sprintf(format, a...), ErrInvalidPart)
	}
	switch {
	case p.APIVersion != PartAPIVersion || p.Kind != PartKind:
		return nil, fmt.Errorf("apiVersion %q kind %q, want %s %s: %w", p.APIVersion, p.Kind, PartAPIVersion, PartKind, ErrInvalidPart)
	case p.Count < 1 || p.Count > MaxParts || p.Index < 1 || p.Index > p.Count:
		return bad("want 1 <= index <= count <= %d", MaxParts)
	case p.Walk.Entries < 0 || p.Entries < 0 || p.Entries > p.Walk.Entries:
		return bad("entry counts %d of %d do not add up", p.Entries, p.Walk.Entries)
	case !strings.HasPrefix(p.Walk.Digest, "sha256:") || len(p.Walk.Digest) != 71:
		return bad("walk digest %q is not sha256:<hex>", p.Walk.Digest)
	case !strings.HasPrefix(p.MAC, "hmac-sha256:") || len(p.MAC) != 76:
		return bad("seal %q is not hmac-sha256:<hex>", p.MAC)
	}
	st := p.Result.Stats
	if st.Files < 0 || st.Bytes < 0 || st.Binary < 0 || st.Skipped < 0 || st.Binary > st.Files || st.Files+st.Skipped > int64(p.Entries) {
		return bad("stats %+v do not fit %d entries", st, p.Entries)
	}
	return &p, nil
}

// ReadPart reads and parses a scan part file (a regular file, at most
// MaxPartBytes).
func ReadPart(path string) (*Part, error) {
	b, err := safefile.Read(path, MaxPartBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", path, err, ErrInvalidPart)
	}
	p, err := ParsePart(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// Merge joins the parts of one partitioned scan into the result a single
// scan of the root gives, byte for byte once encoded. It refuses parts
// sealed with another fingerprint key or altered since, parts that
// disagree (count, scanner version, rules or limits, the walk), parts
// this scanner would not have produced (other rules or limits), and a
// missing or duplicated part. names labels each part in errors (a file
// name); it may be nil.
func (s *Scanner) Merge(parts []*Part, names []string) (*Result, error) {
	label := func(i int) string {
		if i < len(names) {
			return names[i]
		}
		return "part " + strconv.Itoa(parts[i].Index) + "/" + strconv.Itoa(parts[i].Count)
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("no scan parts to merge: %w", ErrInvalidPart)
	}
	want := s.config()
	first := parts[0]
	seen := map[int]int{}
	entries := 0
	for i, p := range parts {
		mac, err := s.mac(p)
		if err != nil {
			return nil, err
		}
		switch {
		case !hmac.Equal([]byte(mac), []byte(p.MAC)):
			return nil, fmt.Errorf("%s: seal does not verify: the part was altered, or scanned with another fingerprint key: %w", label(i), ErrInvalidPart)
		case p.Count != first.Count:
			return nil, fmt.Errorf("%s: part %d/%d, but %s is part %d/%d: different part counts: %w", label(i), p.Index, p.Count, label(0), first.Index, first.Count, ErrInvalidPart)
		case p.Scanner != want:
			return nil, fmt.Errorf("%s: scanned with %+v, this scanner is %+v (version, rule set or limits differ): %w", label(i), p.Scanner, want, ErrInvalidPart)
		case p.Walk != first.Walk:
			return nil, fmt.Errorf("%s: walked %d entries (%s), %s walked %d (%s): the parts saw different files: %w",
				label(i), p.Walk.Entries, p.Walk.Digest, label(0), first.Walk.Entries, first.Walk.Digest, ErrInvalidPart)
		}
		if j, dup := seen[p.Index]; dup {
			return nil, fmt.Errorf("%s: part %d/%d appears twice (also %s): %w", label(i), p.Index, p.Count, label(j), ErrInvalidPart)
		}
		seen[p.Index] = i
		entries += p.Entries
	}
	var missing []string
	for i := 1; i <= first.Count; i++ {
		if _, ok := seen[i]; !ok {
			missing = append(missing, strconv.Itoa(i))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing scan part(s) %s of %d: %w", strings.Join(missing, ", "), first.Count, ErrInvalidPart)
	}
	if entries != first.Walk.Entries {
		return nil, fmt.Errorf("the parts' shares hold %d entries, the walk %d: %w", entries, first.Walk.Entries, ErrInvalidPart)
	}
	res := &Result{}
	refs := map[refKey][]string{}
	for _, p := range parts {
		r := p.Result
		res.Findings = append(res.Findings, r.Findings...)
		res.Problems = append(res.Problems, r.Problems...)
		for _, ref := range r.References {
			k := refKey{ref.Kind, ref.Name}
			refs[k] = append(refs[k], ref.Paths...)
		}
		res.Stats.Files += r.Stats.Files
		res.Stats.Bytes += r.Stats.Bytes
		res.Stats.Binary += r.Stats.Binary
		res.Stats.Skipped += r.Stats.Skipped
	}
	res.References = make([]Reference, 0, len(refs))
	for k, paths := range refs {
		res.References = append(res.References, Reference{Kind: k.kind, Name: k.name, Paths: paths})
	}
	sort.Slice(res.References, func(i, j int) bool {
		if res.References[i].Kind != res.References[j].Kind {
			return res.References[i].Kind < res.References[j].Kind
		}
		return res.References[i].Name < res.References[j].Name
	})
	res.sort()
	return res, nil
}
