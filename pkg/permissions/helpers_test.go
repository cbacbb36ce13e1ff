package permissions

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

// writeTree writes files (path → content) under a new temporary dir.
func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(c, "->"); ok {
			if err := os.Symlink(target, full); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func scanFiles(t testing.TB, files map[string]string) *Snapshot {
	t.Helper()
	s, err := Scan(context.Background(), writeTree(t, files))
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return s
}

// want is an expected change: surface, subject, kind and severity.
type want struct {
	surface, subject, kind string
	sev                    evidence.Severity
}

func (w want) String() string {
	return w.surface + " | " + w.subject + " | " + w.kind + " | " + string(w.sev)
}

// diffFiles scans two trees and returns the changes as wants, sorted.
func diffFiles(t testing.TB, base, cand map[string]string) ([]Change, []string) {
	t.Helper()
	changes := Diff(scanFiles(t, base), scanFiles(t, cand))
	got := make([]string, len(changes))
	for i, c := range changes {
		subject := c.Subject
		if c.Surface == SurfaceRBAC || c.Surface == SurfaceActions || strings.HasPrefix(c.Subject, "mcp ") {
			subject += " " + c.Action
		}
		if c.Surface == SurfaceRBAC {
			subject += " " + c.Scope
		}
		got[i] = want{c.Surface, subject, c.Kind, c.Severity}.String()
	}
	sort.Strings(got)
	return changes, got
}

func wantStrings(ws []want) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.String()
	}
	sort.Strings(out)
	return out
}

// replace returns files with one file's content edited.
func replace(files map[string]string, path, from, to string) map[string]string {
	out := map[string]string{}
	for k, v := range files {
		out[k] = v
	}
	if !strings.Contains(out[path], from) {
		panic("fixture " + path + " does not contain " + from)
	}
	out[path] = strings.Replace(out[path], from, to, 1)
	return out
}

func with(files map[string]string, path, content string) map[string]string {
	out := map[string]string{}
	for k, v := range files {
		out[k] = v
	}
	if content == "" {
		delete(out, path)
	} else {
		out[path] = content
	}
	return out
}
