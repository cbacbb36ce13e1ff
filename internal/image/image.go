package image

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// User and Group are the numeric ids the image runs as.
const (
	User  = 65532
	Group = 65532
)

// BinDir is where the binary is installed in the image.
const BinDir = "/usr/local/bin"

// MaxBinary bounds the size of a binary put in an image.
const MaxBinary = 512 << 20

// Binary is one platform's build of the binary.
type Binary struct {
	Platform v1.Platform // OS and Architecture (and Variant)
	Path     string      // the static executable on disk
}

// Spec describes an image.
type Spec struct {
	Name     string    // binary name, also the image's last path element
	Binaries []Binary  // one per platform; more than one makes an index
	CABundle string    // optional PEM CA bundle, installed as /etc/ssl/certs/ca-certificates.crt
	Created  time.Time // all timestamps; zero is the Unix epoch
	Source   string    // optional org.opencontainers.image.source label
	Version  string    // optional org.opencontainers.image.version label
}

// Build returns the image, or an index of images when Spec has more than one
// binary.
func Build(s Spec) (v1.ImageIndex, []v1.Image, error) {
	if s.Name == "" || strings.ContainsAny(s.Name, "/\\") {
		return nil, nil, fmt.Errorf("image name %q: want a plain binary name", s.Name)
	}
	if len(s.Binaries) == 0 {
		return nil, nil, fmt.Errorf("image %s: no binaries", s.Name)
	}
	created := s.Created.UTC()
	if created.IsZero() {
		created = time.Unix(0, 0).UTC()
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	var imgs []v1.Image
	for _, b := range s.Binaries {
		img, err := buildOne(s, b, created)
		if err != nil {
			return nil, nil, err
		}
		p := b.Platform
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
		imgs = append(imgs, img)
	}
	return idx, imgs, nil
}

func buildOne(s Spec, b Binary, created time.Time) (v1.Image, error) {
	bin, err := readBounded(b.Path, MaxBinary)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", s.Name, err)
	}
	files := []file{
		{name: "etc/passwd", mode: 0o644, data: []byte(fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:/home/nonroot:/sbin/nologin\n", User, Group))},
		{name: "etc/group", mode: 0o644, data: []byte(fmt.Sprintf("root:x:0:\nnonroot:x:%d:\n", Group))},
		{name: "home/nonroot", mode: 0o700, dir: true, uid: User, gid: Group},
		{name: "tmp", mode: 0o1777, dir: true},
		{name: strings.TrimPrefix(path.Join(BinDir, s.Name), "/"), mode: 0o755, data: bin},
	}
	env := []string{"PATH=" + BinDir, "HOME=/home/nonroot"}
	if s.CABundle != "" {
		ca, err := readBounded(s.CABundle, 4<<20)
		if err != nil {
			return nil, fmt.Errorf("image %s: CA bundle: %w", s.Name, err)
		}
		files = append(files, file{name: "etc/ssl/certs/ca-certificates.crt", mode: 0o644, data: ca})
		env = append(env, "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt")
	}
	tb, err := tarFiles(files, created)
	if err != nil {
		return nil, err
	}
	layer, err := layerFrom(tb)
	if err != nil {
		return nil, fmt.Errorf("image %s: layer: %w", s.Name, err)
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:     layer,
		MediaType: types.OCILayer,
		History:   v1.History{Created: v1.Time{Time: created}, CreatedBy: "tollgate image: " + s.Name, Comment: "static binary, nonroot user"},
	})
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", s.Name, err)
	}
	labels := map[string]string{"org.opencontainers.image.title": s.Name}
	if s.Source != "" {
		labels["org.opencontainers.image.source"] = s.Source
	}
	if s.Version != "" {
		labels["org.opencontainers.image.version"] = s.Version
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = b.Platform.OS, b.Platform.Architecture, b.Platform.Variant
	cf.Created = v1.Time{Time: created}
	cf.Config = v1.Config{
		User:       fmt.Sprintf("%d:%d", User, Group),
		Entrypoint: []string{path.Join(BinDir, s.Name)},
		Env:        env,
		WorkingDir: "/home/nonroot",
		Labels:     labels,
	}
	return mutate.ConfigFile(img, cf)
}

// layerFrom makes a gzip layer of an uncompressed tar. go-containerregistry
// compresses with a zero gzip header, so the layer digest is stable.
func layerFrom(b []byte) (v1.Layer, error) {
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

type file struct {
	name     string
	mode     int64
	data     []byte
	dir      bool
	uid, gid int
}

// tarFiles writes files, with every parent directory, sorted by name.
func tarFiles(files []file, mtime time.Time) ([]byte, error) {
	all := map[string]file{}
	for _, f := range files {
		all[f.name] = f
		for d := path.Dir(f.name); d != "."; d = path.Dir(d) {
			if _, ok := all[d]; !ok {
				all[d] = file{name: d, mode: 0o755, dir: true}
			}
		}
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		f := all[n]
		h := &tar.Header{Name: n, Mode: f.mode, ModTime: mtime, Uid: f.uid, Gid: f.gid, Format: tar.FormatPAX}
		if f.dir {
			h.Typeflag, h.Name = tar.TypeDir, n+"/"
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("tar %s: %w", n, err)
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, fmt.Errorf("tar %s: %w", n, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func readBounded(p string, limit int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", p, limit)
	}
	return b, nil
}

// WriteLayout writes idx as an OCI image layout in dir (replacing what is
// there), its manifest annotated with ref, and returns the index digest of
// the image: the digest to pin (a single-platform build pins the image
// manifest instead).
func WriteLayout(dir, ref string, idx v1.ImageIndex, imgs []v1.Image) (v1.Hash, error) {
	if err := os.RemoveAll(dir); err != nil {
		return v1.Hash{}, err
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("write layout %s: %w", dir, err)
	}
	ann := layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": ref})
	if len(imgs) == 1 {
		if err := p.AppendImage(imgs[0], ann); err != nil {
			return v1.Hash{}, fmt.Errorf("write layout %s: %w", dir, err)
		}
		return imgs[0].Digest()
	}
	if err := p.AppendIndex(idx, ann); err != nil {
		return v1.Hash{}, fmt.Errorf("write layout %s: %w", dir, err)
	}
	return idx.Digest()
}
