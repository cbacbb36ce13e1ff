package review_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/review"
)

const valid = `apiVersion: tollgate.dev/v1alpha1
kind: ReleaseReview
metadata:
  name: agent
spec:
  artifact:
    root: sha256:92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4
    serialization: {method: files, hash_type: sha256, allow_symlinks: false, ignore_paths: [.git]}
    files:
      - {name: signme-1, digest: "sha256:bc9a717db6064a32cbe9eae6fc40651dd6d36ef1757183f590eff2b1765d7ebc", size: 9}
      - {name: signme-2, digest: "sha256:32dcb1f8e1ae52d5963e56a6ba06ab58b424c15ed2a6b70d2feca1d089370028", size: 8}
  model: {name: tiny, version: "1.0"}
  exceptions:
    - id: EX-1
      fingerprints: [abc]
      reason: vendor fix pending
      owner: team-a
      approver: alice
      granted: 2026-11-01T00:00:00Z
      expires: 2026-11-20T00:00:00Z
`

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		edit    func(string) string
		wantErr string
	}{
		{"valid", func(s string) string { return s }, ""},
		{"root does not match files", func(s string) string {
			return strings.Replace(s, "root: sha256:9274", "root: sha256:0274", 1)
		}, "does not match its files"},
		{"bad file digest", func(s string) string { return strings.Replace(s, `"sha256:bc9a`, `"sha256:zz9a`, 1) }, "spec.artifact.files[0] (signme-1)"},
		{"duplicate file", func(s string) string { return strings.Replace(s, "name: signme-2", "name: signme-1", 1) }, "duplicate name signme-1"},
		{"unknown field", func(s string) string {
			return strings.Replace(s, "model: {name: tiny", "model: {colour: red, name: tiny", 1)
		}, `unknown field "spec.model.colour"`},
		{"exception without expiry", func(s string) string { return strings.Replace(s, "      expires: 2026-11-20T00:00:00Z\n", "", 1) }, "expires is required"},
		{"exception without fingerprints", func(s string) string { return strings.Replace(s, "fingerprints: [abc]", "fingerprints: []", 1) }, "fingerprints are required"},
		{"bad time", func(s string) string {
			return strings.Replace(s, "expires: 2026-11-20T00:00:00Z", "expires: next tuesday", 1)
		}, `parsing time "next tuesday"`},
		{"no name", func(s string) string { return strings.Replace(s, "name: agent", "name: \"\"", 1) }, "metadata.name is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := review.Decode([]byte(tt.edit(valid)))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if r.Spec.Model.Name != "tiny" || len(r.Spec.Exceptions) != 1 {
					t.Fatalf("decoded %+v", r.Spec)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestLoadRoundTripAndDigest(t *testing.T) {
	t.Parallel()
	r, err := review.Decode([]byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "review.yaml")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r2, d1, err := review.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	_, d2, _ := review.Load(p)
	if d1 != d2 || d1.Algorithm() != digest.SHA256 || r2.Spec.Artifact.Root != r.Spec.Artifact.Root {
		t.Fatalf("digest %s %s, root %s", d1, d2, r2.Spec.Artifact.Root)
	}
	if _, _, err := review.Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Fatalf("missing file err = %v", err)
	}
}

func TestDetectModel(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "model", "refs"), 0o755))
	must(os.WriteFile(filepath.Join(root, "model", "config.json"), []byte(`{"_name_or_path":"org/m","version":"2.0"}`), 0o644))
	must(os.WriteFile(filepath.Join(root, "model", "refs", "main"), []byte("0123456789abcdef0123456789abcdef01234567\n"), 0o644))
	m := review.DetectModel(root)
	if m.Name != "org/m" || m.Version != "2.0" || m.Revision != "0123456789abcdef0123456789abcdef01234567" || m.Source != "model/config.json" {
		t.Fatalf("model = %+v", m)
	}
	// malformed config is ignored, not fatal
	must(os.WriteFile(filepath.Join(root, "model", "config.json"), []byte(`{not json`), 0o644))
	if m := review.DetectModel(root); m.Name != "" {
		t.Fatalf("model from malformed config = %+v", m)
	}
}
