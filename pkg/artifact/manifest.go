package artifact

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/tollgate-dev/tollgate/pkg/digest"
)

// MaxManifestBytes bounds the size of a manifest read from a file.
const MaxManifestBytes = 512 << 20

// ParseManifest decodes and validates a manifest written by `tollgate hash
// --format json` (single pass or merged): known fields only, a valid
// serialization, clean relative names in model-signing order without
// duplicates, non-negative sizes, well-formed digests, and a root that is
// the root digest of its resources.
func ParseManifest(b []byte) (*Manifest, error) {
	if len(b) > MaxManifestBytes {
		return nil, fmt.Errorf("manifest is larger than %d bytes: %w", MaxManifestBytes, ErrInvalidArtifact)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode manifest: %w: %w", err, ErrInvalidArtifact)
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the manifest: %w", ErrInvalidArtifact)
	}
	if err := m.Serialization.validate(); err != nil {
		return nil, fmt.Errorf("manifest: %w: %w", err, ErrInvalidArtifact)
	}
	for i, r := range m.Files {
		name := r.Name
		if m.Serialization.Method == MethodShards {
			p, start, end, ok := splitShard(r.Name)
			if !ok || start < 0 || end <= start || end-start != r.Size || r.Size > m.Serialization.ShardSize {
				return nil, fmt.Errorf("manifest: %q is not a shard path:start:end of its size: %w", r.Name, ErrInvalidArtifact)
			}
			name = p
		}
		if err := validName(name); err != nil {
			return nil, fmt.Errorf("manifest: resource %q: %w: %w", r.Name, err, ErrInvalidArtifact)
		}
		if r.Size < 0 {
			return nil, fmt.Errorf("manifest: resource %s has negative size: %w", r.Name, ErrInvalidArtifact)
		}
		if _, err := digest.ParseSHA256(r.Digest); err != nil {
			return nil, fmt.Errorf("manifest: resource %s: %w: %w", r.Name, err, ErrInvalidArtifact)
		}
		if i > 0 && !lessName(m.Files[i-1].Name, r.Name) {
			return nil, fmt.Errorf("manifest: resources not sorted or duplicated at %s: %w", r.Name, ErrInvalidArtifact)
		}
	}
	root, err := RootDigest(m.Files)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w: %w", err, ErrInvalidArtifact)
	}
	if root != m.Root {
		return nil, fmt.Errorf("manifest: root %s is not the root digest of its files (%s): %w", m.Root, root, ErrInvalidArtifact)
	}
	if m.Files == nil {
		m.Files = []Resource{}
	}
	return &m, nil
}

// ReadManifest reads and parses a manifest file, bounded by
// MaxManifestBytes, and returns it with the digest of the file.
func ReadManifest(path string) (*Manifest, digest.Digest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, digest.Digest{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, digest.Digest{}, err
	}
	if !fi.Mode().IsRegular() {
		return nil, digest.Digest{}, fmt.Errorf("manifest %s is not a regular file: %w", path, ErrInvalidArtifact)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxManifestBytes+1))
	if err != nil {
		return nil, digest.Digest{}, fmt.Errorf("read manifest %s: %w", path, err)
	}
	m, err := ParseManifest(b)
	if err != nil {
		return nil, digest.Digest{}, fmt.Errorf("%s: %w", path, err)
	}
	return m, digest.FromBytes(b), nil
}

// WithManifest supplies a manifest computed earlier (by `tollgate hash`,
// single pass or merged from parts) in place of hashing: when m's
// serialization is exactly the one Hash is asked for, Hash walks the tree,
// checks that its resources (names and sizes) are exactly m's, and returns m
// without reading any file's content. With any other serialization Hash
// hashes as usual. The digests of m are trusted; its file list is not.
func WithManifest(m *Manifest) Option { return func(o *options) { o.manifest = m } }

// checkManifest compares the walked tree with m, by resource names and sizes.
func checkManifest(files []file, o options, m *Manifest) error {
	jobs := jobsOf(files, o)
	have := make(map[string]int64, len(jobs))
	for _, j := range jobs {
		have[j.name(o.method)] = j.end - j.start
	}
	listed := make(map[string]bool, len(m.Files))
	for _, r := range m.Files {
		size, ok := have[r.Name]
		switch {
		case !ok:
			return fmt.Errorf("the manifest lists %s, which is not in the tree: %w", r.Name, ErrInvalidArtifact)
		case size != r.Size:
			return fmt.Errorf("%s has %d bytes in the tree, %d in the manifest: %w", r.Name, size, r.Size, ErrInvalidArtifact)
		}
		listed[r.Name] = true
	}
	for _, j := range jobs {
		if name := j.name(o.method); !listed[name] {
			return fmt.Errorf("%s is in the tree but not in the manifest: %w", name, ErrInvalidArtifact)
		}
	}
	return nil
}

// supplied returns the manifest given with WithManifest when it can stand in
// for hashing files with o, after checking it against the tree.
func supplied(ctx context.Context, files []file, o options, ser Serialization) (*Manifest, bool, error) {
	m := o.manifest
	if m == nil || !sameSerialization(m.Serialization, ser) {
		return nil, false, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	if err := checkManifest(files, o, m); err != nil {
		return nil, false, fmt.Errorf("manifest does not match the artefact: %w", err)
	}
	c := *m
	c.Files = append([]Resource(nil), m.Files...)
	c.Serialization.IgnorePaths = append([]string{}, m.Serialization.IgnorePaths...)
	return &c, true, nil
}
