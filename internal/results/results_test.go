package results_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/results"
)

func TestWriterWritesFilesWithoutNewline(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w := results.NewWriter(dir)
	for k, v := range map[string]string{results.Verdict: "pass", results.ReportDigest: "sha256:" + strings.Repeat("a", 64)} {
		if err := w.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Set(results.Summary, "line one\nline two\x00 "+strings.Repeat("é", 200)); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := results.Read(dir, results.Verdict, results.Summary)
	if err != nil {
		t.Fatal(err)
	}
	if got[results.Verdict] != "pass" {
		t.Errorf("verdict = %q", got[results.Verdict])
	}
	s := got[results.Summary]
	if len(s) > results.MaxSummary || strings.ContainsAny(s, "\n\x00") || !strings.HasPrefix(s, `line one line two\x00 `) || !strings.HasSuffix(s, "…") {
		t.Errorf("summary = %q (%d bytes)", s, len(s))
	}
	raw, _ := os.ReadFile(filepath.Join(dir, results.Verdict))
	if string(raw) != "pass" {
		t.Errorf("file = %q", raw)
	}
	if _, err := results.Read(dir, "missing"); err == nil || !strings.Contains(err.Error(), "result missing") {
		t.Errorf("missing err = %v", err)
	}
}

func TestWriterRefusesBudget(t *testing.T) {
	t.Parallel()
	w := results.NewWriter(t.TempDir())
	err := w.Set("big", strings.Repeat("x", results.Budget))
	if !errors.Is(err, results.ErrBudget) {
		t.Fatalf("err = %v", err)
	}
	if err := w.Set("Bad Name", "x"); err == nil {
		t.Fatal("bad name accepted")
	}
}
