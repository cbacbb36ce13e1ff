package image

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/tollgate-dev/tollgate/internal/testregistry"
)

// buildHello compiles testdata/hello as a static binary.
func buildHello(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "hello")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w -buildid=", "-o", out, "./testdata/hello")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

func spec(bin string) Spec {
	return Spec{
		Name:     "hello",
		Binaries: []Binary{{Platform: v1.Platform{OS: "linux", Architecture: runtime.GOARCH}, Path: bin}},
		Created:  time.Unix(1795000000, 0),
	}
}

func TestBuildIsReproducibleAndRuns(t *testing.T) {
	t.Parallel()
	bin := buildHello(t)
	var digests []v1.Hash
	for i := 0; i < 2; i++ {
		idx, imgs, err := Build(spec(bin))
		if err != nil {
			t.Fatal(err)
		}
		d, err := WriteLayout(filepath.Join(t.TempDir(), "layout"), "example.com/hello:test", idx, imgs)
		if err != nil {
			t.Fatal(err)
		}
		digests = append(digests, d)
	}
	if digests[0] != digests[1] {
		t.Fatalf("two builds differ: %s, %s", digests[0], digests[1])
	}

	// Push to a real registry and read it back.
	_, imgs, err := Build(spec(bin))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(testregistry.Addr(t) + "/tollgate/hello:test")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, imgs[0]); err != nil {
		t.Fatalf("push: %v", err)
	}
	pulled, err := remote.Image(ref)
	if err != nil {
		t.Fatalf("pull: %v", err)
	}
	pd, err := pulled.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if pd != digests[0] {
		t.Fatalf("registry digest %s, built %s", pd, digests[0])
	}

	cf, err := pulled.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.Config.User != "65532:65532" || cf.Config.Entrypoint[0] != "/usr/local/bin/hello" || !cf.Created.Equal(time.Unix(1795000000, 0)) {
		t.Errorf("config: user %q entrypoint %v created %v", cf.Config.User, cf.Config.Entrypoint, cf.Created)
	}

	// Extract the binary from the pulled layer and run it.
	files := layerFiles(t, pulled)
	h, ok := files["usr/local/bin/hello"]
	if !ok {
		t.Fatalf("no usr/local/bin/hello in %v", keys(files))
	}
	if h.hdr.Mode != 0o755 || h.hdr.Uid != 0 || !h.hdr.ModTime.Equal(time.Unix(1795000000, 0)) {
		t.Errorf("binary entry: mode %o uid %d mtime %v", h.hdr.Mode, h.hdr.Uid, h.hdr.ModTime)
	}
	if !strings.Contains(string(files["etc/passwd"].data), "nonroot:x:65532:65532") {
		t.Errorf("etc/passwd: %q", files["etc/passwd"].data)
	}
	exe := filepath.Join(t.TempDir(), "hello")
	if err := os.WriteFile(exe, h.data, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(exe).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "hello from ") {
		t.Fatalf("run extracted binary: %v: %s", err, out)
	}
}

func TestLayoutIndexForSeveralPlatforms(t *testing.T) {
	t.Parallel()
	bin := buildHello(t)
	s := spec(bin)
	s.Binaries = append(s.Binaries, Binary{Platform: v1.Platform{OS: "linux", Architecture: "riscv64"}, Path: bin})
	idx, imgs, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "layout")
	d, err := WriteLayout(dir, "example.com/hello:test", idx, imgs)
	if err != nil {
		t.Fatal(err)
	}
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	top, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	im, err := top.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 || im.Manifests[0].Digest != d {
		t.Fatalf("layout index: %+v, want one entry %s", im.Manifests, d)
	}
	inner, err := top.ImageIndex(d)
	if err != nil {
		t.Fatal(err)
	}
	m, err := inner.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) != 2 || m.Manifests[1].Platform.Architecture != "riscv64" {
		t.Fatalf("platforms: %+v", m.Manifests)
	}
}

func TestBuildRejects(t *testing.T) {
	t.Parallel()
	for name, s := range map[string]Spec{
		"no binaries":    {Name: "x"},
		"path in name":   {Name: "a/b", Binaries: []Binary{{Path: "x"}}},
		"missing binary": {Name: "x", Binaries: []Binary{{Path: filepath.Join(t.TempDir(), "nope")}}},
	} {
		if _, _, err := Build(s); err == nil {
			t.Errorf("%s: Build succeeded", name)
		}
	}
}

type entry struct {
	hdr  *tar.Header
	data []byte
}

func layerFiles(t *testing.T, img v1.Image) map[string]entry {
	t.Helper()
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("layers: %d, %v", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	out := map[string]entry{}
	tr := tar.NewReader(rc)
	var prev string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name <= prev {
			t.Errorf("tar entries not sorted: %s after %s", h.Name, prev)
		}
		prev = h.Name
		var buf bytes.Buffer
		if _, err := io.Copy(&buf, tr); err != nil {
			t.Fatal(err)
		}
		out[h.Name] = entry{hdr: h, data: buf.Bytes()}
	}
}

func keys(m map[string]entry) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
