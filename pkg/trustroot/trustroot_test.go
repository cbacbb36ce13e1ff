package trustroot_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/invalid"
	"github.com/tollgate-dev/tollgate/pkg/trustroot"
)

func TestOutside(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	src := filepath.Join(root, "source")
	platform := filepath.Join(root, "platform")
	for _, d := range []string{filepath.Join(src, "release"), platform} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{filepath.Join(src, "policy.yaml"), filepath.Join(platform, "policy.yaml")} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// a platform path that is a link into the candidate
	if err := os.Symlink(filepath.Join(src, "policy.yaml"), filepath.Join(platform, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	// the candidate reached through a link
	if err := os.Symlink(src, filepath.Join(root, "src-link")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		candidate []string
		path      string
		refused   bool
	}{
		{"platform policy", []string{src}, filepath.Join(platform, "policy.yaml"), false},
		{"policy in the candidate", []string{src}, filepath.Join(src, "policy.yaml"), true},
		{"relative dot-dot into the candidate", []string{src}, filepath.Join(platform, "..", "source", "policy.yaml"), true},
		{"link into the candidate", []string{src}, filepath.Join(platform, "link.yaml"), true},
		{"candidate named through a link", []string{filepath.Join(root, "src-link")}, filepath.Join(src, "policy.yaml"), true},
		{"missing file in the candidate", []string{src}, filepath.Join(src, "nope", "key.pub"), true},
		{"the candidate dir itself", []string{src}, src, true},
		{"sibling with a common prefix", []string{src}, filepath.Join(root, "source2", "policy.yaml"), false},
		{"artifact dir only", []string{filepath.Join(src, "release")}, filepath.Join(src, "policy.yaml"), false},
		{"empty path", []string{src}, "", false},
		{"no candidate", nil, filepath.Join(src, "policy.yaml"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := trustroot.Outside(tt.candidate, trustroot.Input{Flag: "--policy", Path: tt.path})
			if got := err != nil; got != tt.refused {
				t.Fatalf("refused = %v (%v), want %v", got, err, tt.refused)
			}
			if err != nil && (!errors.Is(err, trustroot.ErrInsideCandidate) || !invalid.Is(err)) {
				t.Fatalf("error %v is not an invalid ErrInsideCandidate", err)
			}
		})
	}
}
