package changes_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/secretgen"
	"github.com/tollgate-dev/tollgate/pkg/changes"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/review"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/changes -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the golden file (go test ./pkg/changes -update rewrites it); got:\n%s", name, got)
	}
}

var (
	reviewDigest  = digest.FromBytes([]byte("new review"))
	againstDigest = digest.FromBytes([]byte("previous review"))
)

// TestExampleScenario is the done-when: one prompt edited, one
// MCP tool broadened and one package bumped show as exactly those three
// changes, blocking ones first, in both formats.
func TestExampleScenario(t *testing.T) {
	t.Parallel()
	oldDir, newDir := scenario(t)
	prev, cur := snapshot(t, oldDir), snapshot(t, newDir)
	tests := []struct {
		name   string
		opts   []changes.Option
		golden string
		note   string
	}{
		{"with text diffs", []changes.Option{changes.WithDirs(oldDir, newDir)}, "scenario.md", "+ticket notes. Offer a goodwill voucher"},
		{"without --against-dir", nil, "scenario-nodiff.md", "give --against-dir for the text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := append([]changes.Option{changes.WithDigests(reviewDigest, againstDigest)}, tt.opts...)
			d, err := changes.Compute(prev, cur, opts...)
			if err != nil {
				t.Fatal(err)
			}
			type row struct {
				section  changes.Section
				class    string
				path     string
				blocking bool
			}
			want := []row{
				{changes.SectionPrompts, "provenance.config-changed", "prompts/system.md", true},
				{changes.SectionPermissions, "permissions.broadened", "tools/orders.tools.json", true},
				{changes.SectionLockFiles, "provenance.package-changed", "requirements.txt", false},
			}
			if len(d.Changes) != len(want) {
				t.Fatalf("got %d changes, want exactly %d: %+v", len(d.Changes), len(want), d.Changes)
			}
			for i, w := range want {
				c := d.Changes[i]
				if (row{c.Section, c.Class, c.Path, c.Blocking}) != w {
					t.Errorf("change %d = %+v, want %+v", i, c, w)
				}
			}
			md := d.Markdown()
			golden(t, tt.golden, md)
			if !strings.Contains(string(md), tt.note) {
				t.Errorf("markdown lacks %q", tt.note)
			}
			// blocking first, in the document too
			prompt, perm, pkg := strings.Index(string(md), "## Prompts"), strings.Index(string(md), "## Permissions"), strings.Index(string(md), "## Lock files")
			if prompt < 0 || perm < prompt || pkg < perm {
				t.Errorf("sections out of order: prompts %d, permissions %d, lock files %d", prompt, perm, pkg)
			}
			if n := strings.Count(string(md), "\n## "); n != 3 {
				t.Errorf("markdown has %d sections, want 3", n)
			}
			h1, err := d.HTML()
			if err != nil {
				t.Fatal(err)
			}
			d2, _ := changes.Compute(prev, cur, opts...)
			h2, _ := d2.HTML()
			if !bytes.Equal(h1, h2) || !bytes.Equal(md, d2.Markdown()) {
				t.Error("output is not deterministic")
			}
			if n := strings.Count(string(h1), "<section "); n != 3 {
				t.Errorf("HTML has %d sections, want 3", n)
			}
		})
	}
}

func TestNoChanges(t *testing.T) {
	t.Parallel()
	r := snapshot(t, exampleRelease)
	d, err := changes.Compute(r, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Changes) != 0 || !strings.Contains(string(d.Markdown()), "no changes since the previous review") {
		t.Fatalf("changes of a review against itself: %+v", d.Changes)
	}
}

func mustReview(t *testing.T, edit func(r *review.ReleaseReview)) *review.ReleaseReview {
	t.Helper()
	r, err := review.Decode([]byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(r)
	}
	return r
}

const base = `apiVersion: tollgate.dev/v1alpha1
kind: ReleaseReview
metadata: {name: agent}
spec:
  artifact:
    root: sha256:92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4
    serialization: {method: files, hash_type: sha256, allow_symlinks: false}
  model: {name: org/m, version: "1.0"}
  secrets:
    references:
      - {kind: env, name: ORDERS_API_TOKEN, paths: [mcp.json]}
  exceptions:
    - {id: EX-1, check: provenance, fingerprints: [a], reason: vendor fix, owner: team, approver: alice, granted: 2026-11-01T00:00:00Z, expires: 2026-11-20T00:00:00Z}
    - {id: EX-2, fingerprints: [b], reason: audit, owner: team, approver: alice, granted: 2026-11-01T00:00:00Z, expires: 2026-11-25T00:00:00Z}
    - {id: EX-3, fingerprints: [c], reason: old, owner: team, approver: alice, granted: 2026-11-01T00:00:00Z, expires: 2026-11-28T00:00:00Z}
`

func TestReviewSections(t *testing.T) {
	t.Parallel()
	prev := mustReview(t, nil)
	cur := mustReview(t, func(r *review.ReleaseReview) {
		r.Spec.Model.Version = "1.1"
		r.Spec.Secrets.References = []review.SecretReference{{Kind: "kubernetes-secret", Name: "orders/token", Paths: []string{"deploy/deployment.yaml"}}}
		r.Spec.Exceptions[0].Expires = time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC) // renewed
		r.Spec.Exceptions = append(r.Spec.Exceptions[:2], review.Exception{ID: "EX-4", Check: "secret-inventory",
			Fingerprints: []string{evidence.Digest([]byte("reference\x00kubernetes-secret\x00orders/token"))}, Reason: "rotating",
			Owner: "team", Approver: "bob", Granted: time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC), Expires: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
	})
	d, err := changes.Compute(prev, cur, changes.WithNow(time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]changes.Change{}
	for _, c := range d.Changes {
		got[c.Class+" "+c.Subject] = c
	}
	for key, want := range map[string]struct {
		section  changes.Section
		blocking bool
		waived   string
	}{
		"provenance.model-changed model.version":                 {changes.SectionModel, true, ""},
		"secrets.reference-added kubernetes-secret:orders/token": {changes.SectionSecrets, true, "EX-4"},
		"secrets.reference-removed env:ORDERS_API_TOKEN":         {changes.SectionSecrets, false, ""},
		"review.exception-renewed EX-1":                          {changes.SectionExceptions, false, ""},
		"review.exception-expiring EX-2":                         {changes.SectionExceptions, false, ""},
		"review.exception-removed EX-3":                          {changes.SectionExceptions, false, ""},
		"review.exception-added EX-4":                            {changes.SectionExceptions, false, ""},
	} {
		c, ok := got[key]
		if !ok {
			t.Errorf("no change %s in %+v", key, d.Changes)
			continue
		}
		if c.Section != want.section || c.Blocking != want.blocking || c.WaivedBy != want.waived {
			t.Errorf("%s = section %s blocking %v waived %q, want %+v", key, c.Section, c.Blocking, c.WaivedBy, want)
		}
	}
	if len(got) != 7 {
		t.Errorf("got %d changes, want 7: %+v", len(got), d.Changes)
	}
	if !d.Changes[0].Blocking || !d.Changes[1].Blocking || d.Changes[2].Blocking {
		t.Errorf("blocking changes are not first: %+v", d.Changes)
	}
	golden(t, "sections.md", d.Markdown())
}

// TestHostileValues: names and values from the artefact are masked and
// escaped in both formats; nothing can break out of a table, a code
// block or the page.
func TestHostileValues(t *testing.T) {
	t.Parallel()
	token := secretgen.New(17).CRCToken("ghp_") // a valid GitHub token, as the detectors see it
	prev := mustReview(t, nil)
	cur := mustReview(t, func(r *review.ReleaseReview) {
		r.Spec.Model.Version = "1.1\x1b[31m | <script>alert(1)</script>"
		r.Spec.Secrets.References = append(r.Spec.Secrets.References,
			review.SecretReference{Kind: "env", Name: "X\u202eY", Paths: []string{"https://bob:hunter2hunter2@example.com/" + token}})
	})
	d, err := changes.Compute(prev, cur)
	if err != nil {
		t.Fatal(err)
	}
	h, err := d.HTML()
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"markdown": string(d.Markdown()), "html": string(h)} {
		for _, bad := range []string{"\x1b", "\u202e", token, token[4:], strings.ReplaceAll(token, "_", `\_`), "hunter2hunter2", "<script>"} {
			if strings.Contains(out, bad) {
				t.Errorf("%s output contains %q", name, bad)
			}
		}
		if !strings.Contains(out, `x1b`) || !strings.Contains(out, `u202e`) {
			t.Errorf("%s output does not show the escaped control characters", name)
		}
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	r := mustReview(t, nil)
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		opt  changes.Option
		want string
	}{
		{"nil policy", changes.WithPolicy(nil), "nil policy"},
		{"missing dir", changes.WithDirs(filepath.Join(t.TempDir(), "nope"), ""), "no such file"},
		{"file as dir", changes.WithDirs("", file), "is not a directory"},
		{"zero now", changes.WithNow(time.Time{}), "zero time"},
		{"negative window", changes.WithExpiringWithin(-time.Hour), "not positive"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := changes.Compute(r, r, tt.opt); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := changes.Compute(nil, r); err == nil {
		t.Fatal("nil previous review accepted")
	}
}

// TestPromptDiffRefusesMismatch: an --against-dir whose prompt is not the
// one the previous review recorded gives no (misleading) diff.
func TestPromptDiffRefusesMismatch(t *testing.T) {
	t.Parallel()
	oldDir, newDir := scenario(t)
	prev, cur := snapshot(t, oldDir), snapshot(t, newDir)
	edit(t, oldDir, "prompts/system.md", "Example Corp", "Evil Corp")
	d, err := changes.Compute(prev, cur, changes.WithDirs(oldDir, newDir))
	if err != nil {
		t.Fatal(err)
	}
	c := d.Changes[0]
	if c.Section != changes.SectionPrompts || len(c.Diff) != 0 || len(c.Notes) != 1 || !strings.Contains(c.Notes[0], "not sha256:") {
		t.Fatalf("prompt change = %+v", c)
	}
}
