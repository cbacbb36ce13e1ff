package permissions_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/permissions"
	"github.com/tollgate-dev/tollgate/pkg/review"
)

// TestReviewRoundTrip: a snapshot written into a review record (YAML) and
// read back compares equal to a fresh scan, with the full content kept.
func TestReviewRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../examples/agent-release/release")); err != nil {
		t.Fatal(err)
	}
	// Numbers, unicode and escapes that YAML could reshape.
	extra := `{"tools": [{"name": "calc", "description": "Adds numbers \u00e9 \"quoted\" <b>&</b>",
	  "inputSchema": {"type": "object", "properties": {"a": {"type": "number", "maximum": 1e3, "minimum": -0.5, "multipleOf": 0.25},
	  "b": {"type": "integer", "maximum": 9007199254740993}, "c": {"enum": [null, true, "yes", "1", 1]}}}}]}`
	if err := os.WriteFile(filepath.Join(dir, "tools", "calc.tools.json"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	snap, err := permissions.Scan(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := artifact.Hash(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	r := review.New("support-agent")
	r.Spec.Artifact = *m
	r.Spec.Permissions = snap
	b, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := review.Decode(b)
	if err != nil {
		t.Fatalf("decode review: %v\n%s", err, b)
	}
	if c := permissions.Diff(back.Spec.Permissions, snap); len(c) != 0 {
		t.Errorf("review round trip shows changes: %+v", c)
	}
	if len(back.Spec.Permissions.Grants) != len(snap.Grants) || len(back.Spec.Permissions.Sources) != len(snap.Sources) {
		t.Errorf("round trip kept %d grants and %d sources of %d and %d", len(back.Spec.Permissions.Grants), len(back.Spec.Permissions.Sources), len(snap.Grants), len(snap.Sources))
	}
}
