package image_test

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// TestImagesCarryNothingFromTheHost builds the gate image the way `make
// images` does (hack/images.sh, one platform) and lists its layer: exactly
// the binary, passwd, group, home and tmp. On main the script copied the
// build host's /etc/ssl/certs/ca-certificates.crt into every layer, so the
// digest depended on the machine that built it.
func TestImagesCarryNothingFromTheHost(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds a step binary")
	}
	out := t.TempDir()
	cmd := exec.Command("./hack/images.sh")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "OUT="+out, "NAMES=gate", "PLATFORMS=linux/amd64")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hack/images.sh: %v\n%s", err, b)
	}
	p, err := layout.FromPath(filepath.Join(out, "gate"))
	if err != nil {
		t.Fatal(err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil || len(im.Manifests) != 1 {
		t.Fatalf("layout index: %v, %v", im, err)
	}
	img, err := p.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("layers: %d, %v", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var names []string
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
	}
	want := []string{"etc/", "etc/group", "etc/passwd", "home/", "home/nonroot/", "tmp/", "usr/", "usr/local/", "usr/local/bin/", "usr/local/bin/gate"}
	if !slices.Equal(names, want) {
		t.Fatalf("layer holds %v, want exactly %v", names, want)
	}
}
