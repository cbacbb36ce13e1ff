package artifact

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
)

// Method names a serialization, as model-signing spells it.
type Method string

const (
	// MethodFiles hashes each file whole.
	MethodFiles Method = "files"
	// MethodShards hashes each file in shards of ShardSize bytes.
	MethodShards Method = "shards"
)

// DefaultShardSize is model-signing's default shard size (1 GB, decimal).
const DefaultShardSize int64 = 1_000_000_000

// AlwaysIgnored are the root-relative paths model-signing ignores in every
// model, recorded in the serialization so that verification can repeat them.
var AlwaysIgnored = []string{".git", ".gitattributes", ".github", ".gitignore"}

// ErrInvalidArtifact marks every error caused by the artefact's content or
// shape (as opposed to the caller's options or the context).
var ErrInvalidArtifact = invalid.New("invalid artefact")

// Serialization records how a Manifest was computed.
type Serialization struct {
	Method        Method   `json:"method"`
	HashType      string   `json:"hash_type"`
	ShardSize     int64    `json:"shard_size,omitempty"`
	AllowSymlinks bool     `json:"allow_symlinks"`
	IgnorePaths   []string `json:"ignore_paths"`
}

// Resource is one hashed item: a file, or a shard "path:start:end".
type Resource struct {
	Name   string `json:"name"`
	Digest string `json:"digest"`
	Size   int64  `json:"size"`
}

// Manifest is the identity of an artefact.
type Manifest struct {
	Root          string        `json:"root"`
	Serialization Serialization `json:"serialization"`
	Files         []Resource    `json:"files"`
}

// Algorithm returns the per-resource algorithm name model-signing writes in
// its predicate: "sha256" for files, "sha256-sharded-N" for shards.
func (s Serialization) Algorithm() string {
	if s.Method == MethodShards {
		return "sha256-sharded-" + strconv.FormatInt(s.ShardSize, 10)
	}
	return "sha256"
}

// Lookup returns the resource with the given name.
func (m *Manifest) Lookup(name string) (Resource, bool) {
	i := sort.Search(len(m.Files), func(i int) bool { return !lessName(m.Files[i].Name, name) })
	if i < len(m.Files) && m.Files[i].Name == name {
		return m.Files[i], true
	}
	return Resource{}, false
}

// RootDigest computes the root digest of resources in model-signing's order.
// It sorts a copy; resources must carry "sha256:<hex>" digests.
func RootDigest(resources []Resource) (string, error) {
	sorted := append([]Resource(nil), resources...)
	SortResources(sorted)
	h := sha256.New()
	for _, r := range sorted {
		d, err := digest.ParseSHA256(r.Digest)
		if err != nil {
			return "", fmt.Errorf("resource %s: %w", r.Name, err)
		}
		h.Write(d.Raw())
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// SortResources orders resources as model-signing does: by path component,
// then (for shards) by numeric start and end offsets.
func SortResources(rs []Resource) {
	sort.SliceStable(rs, func(i, j int) bool { return lessName(rs[i].Name, rs[j].Name) })
}

// lessName compares resource names the way Python compares PurePosixPath
// (component lists) and model-signing's Shard tuples (path, start, end).
func lessName(a, b string) bool {
	pa, sa, ea, oka := splitShard(a)
	pb, sb, eb, okb := splitShard(b)
	if !oka || !okb {
		pa, pb = a, b
	}
	if c := comparePath(pa, pb); c != 0 {
		return c < 0
	}
	if oka && okb {
		if sa != sb {
			return sa < sb
		}
		return ea < eb
	}
	return a < b
}

// comparePath compares slash-separated paths component by component (a
// prefix first), without allocating: sorting 100,000 names split them into
// a third of everything a hash allocated.
func comparePath(a, b string) int {
	for {
		ca, ra, moreA := strings.Cut(a, "/")
		cb, rb, moreB := strings.Cut(b, "/")
		if c := strings.Compare(ca, cb); c != 0 {
			return c
		}
		switch {
		case !moreA && !moreB:
			return 0
		case !moreA:
			return -1
		case !moreB:
			return 1
		}
		a, b = ra, rb
	}
}

// splitShard splits "path:start:end"; ok is false for a plain path.
func splitShard(name string) (path string, start, end int64, ok bool) {
	j := strings.LastIndexByte(name, ':')
	if j < 0 {
		return name, 0, 0, false
	}
	i := strings.LastIndexByte(name[:j], ':')
	if i < 0 {
		return name, 0, 0, false
	}
	s, err1 := strconv.ParseInt(name[i+1:j], 10, 64)
	e, err2 := strconv.ParseInt(name[j+1:], 10, 64)
	if err1 != nil || err2 != nil {
		return name, 0, 0, false
	}
	return name[:i], s, e, true
}
