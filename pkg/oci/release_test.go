package oci_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/tollgate-dev/tollgate/internal/testregistry"
	"github.com/tollgate-dev/tollgate/pkg/archive"
	"github.com/tollgate-dev/tollgate/pkg/oci"
)

func releaseDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "agent-release")
	for name, body := range map[string]string{
		"release/prompts/system.md": "You are a support agent.\n",
		"review.yaml":               "kind: ReleaseReview\n",
		"policy.yaml":               "kind: ReleasePolicy\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPushPullDir(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	reg := testregistry.Addr(t)
	src := releaseDir(t)
	insecure := oci.WithRegistry(true)

	d1, st, err := oci.PushDir(ctx, src, reg+"/agents/support-release:1.0", insecure)
	if err != nil {
		t.Fatal(err)
	}
	if st.Files != 3 {
		t.Errorf("pushed %+v", st)
	}
	// The same tree pushed again, by digest only, has the same digest.
	d2, _, err := oci.PushDir(ctx, src, reg+"/agents/support-release", insecure)
	if err != nil {
		t.Fatal(err)
	}
	if d1.String() != d2.String() {
		t.Fatalf("digests differ: %s, %s", d1, d2)
	}
	if got := oci.PinnedString(reg+"/agents/support-release:1.0", d1); got != reg+"/agents/support-release:1.0@"+d1.DigestStr() {
		t.Errorf("PinnedString = %s", got)
	}

	dest := filepath.Join(t.TempDir(), "run", "source")
	got, st, err := oci.PullDir(ctx, oci.PinnedString(reg+"/agents/support-release:1.0", d1), dest, archive.DefaultLimits, insecure)
	if err != nil {
		t.Fatal(err)
	}
	if got.DigestStr() != d1.DigestStr() || st.Files != 3 {
		t.Errorf("pulled %s %+v", got, st)
	}
	b, err := os.ReadFile(filepath.Join(dest, "release/prompts/system.md"))
	if err != nil || string(b) != "You are a support agent.\n" {
		t.Fatalf("pulled content %q, %v", b, err)
	}

	// Refusals: tags, non-empty destinations, other artefacts, limits,
	// plain HTTP without the explicit option.
	if _, _, err := oci.PullDir(ctx, reg+"/agents/support-release:1.0", t.TempDir()+"/x", archive.DefaultLimits, insecure); !errors.Is(err, oci.ErrNotPinned) {
		t.Errorf("tag: %v", err)
	}
	if _, _, err := oci.PullDir(ctx, d1.String(), dest, archive.DefaultLimits, insecure); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("non-empty destination: %v", err)
	}
	small := filepath.Join(t.TempDir(), "small")
	if _, _, err := oci.PullDir(ctx, d1.String(), small, archive.Limits{MaxBytes: 10, MaxFiles: 100}, insecure); !errors.Is(err, archive.ErrLimit) {
		t.Errorf("limits: %v", err)
	}
	if _, err := os.Stat(small); !os.IsNotExist(err) {
		t.Errorf("a failed pull left %s", small)
	}
	if entries, _ := os.ReadDir(filepath.Dir(small)); len(entries) != 0 {
		t.Errorf("a failed pull left %v", entries)
	}
	img, _ := random.Image(64, 1)
	ref, _ := name.ParseReference(reg + "/agents/image:1")
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	id, _ := img.Digest()
	if _, _, err := oci.PullDir(ctx, ref.Context().Digest(id.String()).String(), t.TempDir()+"/img", archive.DefaultLimits, insecure); err == nil || !strings.Contains(err.Error(), "media type") {
		t.Errorf("container image: %v", err)
	}
	if _, _, err := oci.PullDir(ctx, d1.String(), t.TempDir()+"/https", archive.DefaultLimits, oci.WithRegistry(false)); err == nil || !strings.Contains(err.Error(), "plain-HTTP") {
		t.Errorf("plain HTTP without the option: %v", err)
	}
	if _, _, err := oci.PushDir(ctx, src, d1.String(), insecure); err == nil || !strings.Contains(err.Error(), "names a digest") {
		t.Errorf("push to a digest: %v", err)
	}
	if _, _, err := oci.PullDir(ctx, ref.Context().Digest("sha256:"+strings.Repeat("0", 64)).String(), t.TempDir()+"/none", archive.DefaultLimits, insecure); err == nil {
		t.Error("unknown digest accepted")
	}
}
