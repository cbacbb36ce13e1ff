package oci

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/tollgate-dev/tollgate/pkg/archive"
)

// Media types of a directory pushed with PushDir: an OCI image manifest
// with this artifactType, the empty config, and one uncompressed tar layer
// (model weights do not compress; an uncompressed layer streams at disk
// speed both ways).
const (
	DirArtifactType   = "application/vnd.tollgate.release.v1"
	DirLayerMediaType = "application/vnd.oci.image.layer.v1.tar"
	// TitleAnnotation names the layer, as ORAS does.
	TitleAnnotation = "org.opencontainers.image.title"
)

// ErrNotPinned is returned by PullDir for a reference without a digest.
var ErrNotPinned = errors.New("reference is not pinned by digest")

// tarOverhead bounds the tar framing per member (header, PAX records,
// padding) when the layer size is checked against the limits.
const tarOverhead = 3 << 10

// PushDir packs dir with archive.Write (sorted, zero times, uid/gid 0,
// sanitised modes: the same tree gives the same digest) and pushes it to
// ref: a tag (repo:tag) is set to the pushed manifest; a bare repository
// gets the manifest by digest only. It returns the digest reference.
func PushDir(ctx context.Context, dir, ref string, opts ...Option) (name.Digest, archive.Stats, error) {
	o := collect(opts)
	var st archive.Stats
	tag, repo, err := pushTarget(ref, o.name)
	if err != nil {
		return name.Digest{}, st, err
	}
	tmp, err := os.CreateTemp("", "tollgate-push-*.tar")
	if err != nil {
		return name.Digest{}, st, fmt.Errorf("oci: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	st, err = archive.Write(io.MultiWriter(tmp, h), dir)
	if err != nil {
		return name.Digest{}, st, err
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return name.Digest{}, st, fmt.Errorf("oci: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return name.Digest{}, st, fmt.Errorf("oci: %w", err)
	}
	layer := fileLayer{path: tmp.Name(), size: size, digest: v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}}
	cfg := static.NewLayer([]byte("{}"), EmptyMediaType)
	ro := o.remoteOptions(ctx)
	for _, l := range []v1.Layer{cfg, layer} {
		if err := remote.WriteLayer(repo, l, ro...); err != nil {
			return name.Digest{}, st, fmt.Errorf("oci: upload to %s: %w", repo, err)
		}
	}
	cd, _ := cfg.Digest()
	m := manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		ArtifactType:  DirArtifactType,
		Config:        v1.Descriptor{MediaType: EmptyMediaType, Digest: cd, Size: 2},
		Layers: []v1.Descriptor{{
			MediaType:   DirLayerMediaType,
			Digest:      layer.digest,
			Size:        size,
			Annotations: map[string]string{TitleAnnotation: filepath.Base(filepath.Clean(dir)) + ".tar"},
		}},
	}
	b, err := json.Marshal(m)
	if err != nil {
		return name.Digest{}, st, fmt.Errorf("oci: encode manifest: %w", err)
	}
	md, _, err := v1.SHA256(bytes.NewReader(b))
	if err != nil {
		return name.Digest{}, st, err
	}
	var dst name.Reference = repo.Digest(md.String())
	if tag != nil {
		dst = *tag
	}
	if err := remote.Put(dst, rawManifest{b, types.OCIManifestSchema1}, ro...); err != nil {
		return name.Digest{}, st, fmt.Errorf("oci: push %s: %w", dst, err)
	}
	return repo.Digest(md.String()), st, nil
}

// pushTarget parses a push reference: repo:tag or a bare repository.
func pushTarget(ref string, nopts []name.Option) (*name.Tag, name.Repository, error) {
	if strings.Contains(ref, "@") {
		return nil, name.Repository{}, fmt.Errorf("oci: push reference %q names a digest; give a repository or repository:tag", ref)
	}
	if t, err := name.NewTag(ref, append([]name.Option{name.StrictValidation}, nopts...)...); err == nil {
		return &t, t.Context(), nil
	}
	r, err := name.NewRepository(ref, append([]name.Option{name.StrictValidation}, nopts...)...)
	if err != nil {
		return nil, name.Repository{}, fmt.Errorf("oci: push reference %q: %w", ref, err)
	}
	return nil, r, nil
}

// PinnedString returns ref's tag (if any) with the digest: repo:tag@sha256:…
// for a tag, repo@sha256:… for a bare repository.
func PinnedString(ref string, d name.Digest) string {
	if t, err := name.NewTag(ref, name.StrictValidation); err == nil {
		return t.String() + "@" + d.DigestStr()
	}
	return d.String()
}

// fileLayer is an uncompressed layer backed by a file whose digest is known.
type fileLayer struct {
	path   string
	size   int64
	digest v1.Hash
}

func (l fileLayer) Digest() (v1.Hash, error)             { return l.digest, nil }
func (l fileLayer) DiffID() (v1.Hash, error)             { return l.digest, nil }
func (l fileLayer) Compressed() (io.ReadCloser, error)   { return os.Open(l.path) }
func (l fileLayer) Uncompressed() (io.ReadCloser, error) { return os.Open(l.path) }
func (l fileLayer) Size() (int64, error)                 { return l.size, nil }
func (l fileLayer) MediaType() (types.MediaType, error)  { return DirLayerMediaType, nil }

// PullDir fetches the directory artefact ref, which must be pinned by
// digest (repo@sha256:… or repo:tag@sha256:…; the digest wins), and
// extracts it into dest within lim. dest must not exist or be an empty
// directory. The tree is extracted into a sibling directory and renamed into
// place only after the layer's digest verified, so a failed pull leaves
// nothing at dest.
func PullDir(ctx context.Context, ref, dest string, lim archive.Limits, opts ...Option) (name.Digest, archive.Stats, error) {
	o := collect(opts)
	var st archive.Stats
	if !strings.Contains(ref, "@") {
		return name.Digest{}, st, fmt.Errorf("oci: %q: %w: pull REF@sha256:<digest> (tags can move)", ref, ErrNotPinned)
	}
	d, err := name.NewDigest(ref, o.name...)
	if err != nil {
		return name.Digest{}, st, fmt.Errorf("oci: reference %q: %w", ref, err)
	}
	if err := emptyOrMissing(dest); err != nil {
		return d, st, err
	}
	ro := o.remoteOptions(ctx)
	got, err := remote.Get(d, ro...)
	if err != nil {
		return d, st, fmt.Errorf("oci: fetch %s: %w", d, err)
	}
	if h, _, _ := v1.SHA256(bytes.NewReader(got.Manifest)); h.String() != d.DigestStr() {
		return d, st, fmt.Errorf("oci: %s: manifest digest mismatch (%s)", d, h)
	}
	layer, err := dirLayer(got.Manifest, lim)
	if err != nil {
		return d, st, fmt.Errorf("oci: %s: %w", d, err)
	}
	rl, err := remote.Layer(d.Context().Digest(layer.Digest.String()), ro...)
	if err != nil {
		return d, st, fmt.Errorf("oci: fetch layer %s: %w", layer.Digest, err)
	}
	rc, err := rl.Compressed()
	if err != nil {
		return d, st, fmt.Errorf("oci: fetch layer %s: %w", layer.Digest, err)
	}
	defer rc.Close()
	parent := filepath.Dir(filepath.Clean(dest))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return d, st, fmt.Errorf("oci: %w", err)
	}
	stage, err := os.MkdirTemp(parent, "."+filepath.Base(dest)+".partial-")
	if err != nil {
		return d, st, fmt.Errorf("oci: %w", err)
	}
	defer os.RemoveAll(stage)
	// The registry stream is verified against the layer digest and size as
	// it is read: hash it here too and check before anything is kept.
	h := sha256.New()
	body := io.TeeReader(io.LimitReader(rc, layer.Size+1), h)
	st, err = archive.Extract(body, stage, lim)
	if err != nil {
		return d, st, fmt.Errorf("oci: %s: %w", d, err)
	}
	if _, err := io.Copy(io.Discard, body); err != nil {
		return d, st, fmt.Errorf("oci: read layer %s: %w", layer.Digest, err)
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != layer.Digest.String() {
		return d, st, fmt.Errorf("oci: layer %s: digest mismatch (%s)", layer.Digest, got)
	}
	if err := os.Chmod(stage, 0o755); err != nil {
		return d, st, fmt.Errorf("oci: %w", err)
	}
	if err := os.Rename(stage, dest); err != nil {
		return d, st, fmt.Errorf("oci: %w", err)
	}
	return d, st, nil
}

func emptyOrMissing(dest string) error {
	entries, err := os.ReadDir(dest)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("oci: destination: %w", err)
	case len(entries) > 0:
		return fmt.Errorf("oci: destination %s is not empty", dest)
	}
	return nil
}

// dirLayer checks a manifest is a directory artefact within lim and returns
// its one layer.
func dirLayer(b []byte, lim archive.Limits) (v1.Descriptor, error) {
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return v1.Descriptor{}, fmt.Errorf("decode manifest: %w", err)
	}
	switch {
	case m.MediaType != types.OCIManifestSchema1:
		return v1.Descriptor{}, fmt.Errorf("manifest media type %q, want %s", m.MediaType, types.OCIManifestSchema1)
	case m.ArtifactType != DirArtifactType:
		return v1.Descriptor{}, fmt.Errorf("artifact type %q, want %s (push it with tollgate push)", m.ArtifactType, DirArtifactType)
	case len(m.Layers) != 1 || m.Layers[0].MediaType != DirLayerMediaType:
		return v1.Descriptor{}, fmt.Errorf("manifest does not hold exactly one %s layer", DirLayerMediaType)
	}
	l := m.Layers[0]
	limit := lim.MaxBytes + int64(lim.MaxFiles)*tarOverhead + 1024
	if l.Size < 0 || l.Size > limit {
		return v1.Descriptor{}, fmt.Errorf("layer of %d bytes, outside 0..%d: %w", l.Size, limit, archive.ErrLimit)
	}
	return l, nil
}
