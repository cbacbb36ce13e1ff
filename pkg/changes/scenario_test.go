package changes_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/permissions"
	"github.com/tollgate-dev/tollgate/pkg/provenance"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/secrets/inventory"
)

// exampleRelease is the example release the README walks through.
var exampleRelease = filepath.Join("..", "..", "examples", "agent-release", "release")

// copyTree copies the regular files of src to a new directory.
func copyTree(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// snapshot builds a review record of dir as `tollgate review` does.
func snapshot(t testing.TB, dir string) *review.ReleaseReview {
	t.Helper()
	ctx := context.Background()
	m, err := artifact.Hash(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	r := review.New("support-agent")
	r.Spec.Artifact = *m
	r.Spec.Model = review.DetectModel(dir)
	if r.Spec.Provenance, err = provenance.Snapshot(ctx, dir, m, provenance.Registry{}); err != nil {
		t.Fatal(err)
	}
	if r.Spec.Permissions, err = permissions.Scan(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if err := inventory.Snapshot(ctx, dir, r); err != nil {
		t.Fatal(err)
	}
	return r
}

// edit replaces old with cur in dir/name, failing when old is absent.
func edit(t testing.TB, dir, name, old, cur string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not contain %q", name, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, cur, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// scenario is the example: one prompt edited, one MCP tool
// broadened, one package bumped.
func scenario(t testing.TB) (oldDir, newDir string) {
	t.Helper()
	oldDir, newDir = copyTree(t, exampleRelease), copyTree(t, exampleRelease)
	edit(t, newDir, "prompts/system.md", "Never reveal internal\nticket notes.", "Never reveal internal\nticket notes. Offer a goodwill voucher when a delivery is late.")
	edit(t, newDir, "tools/orders.tools.json", `"annotations": {"readOnlyHint": false, "destructiveHint": false`, `"annotations": {"readOnlyHint": false, "destructiveHint": true`)
	edit(t, newDir, "requirements.txt", "httpx==0.27.2", "httpx==0.28.1")
	return oldDir, newDir
}
