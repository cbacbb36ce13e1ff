package check_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/check"
	"github.com/tollgate-dev/tollgate/internal/results"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

func env(t *testing.T) check.Env {
	d := t.TempDir()
	at := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	return check.Env{EvidenceDir: filepath.Join(d, "evidence"), ResultsDir: filepath.Join(d, "results"), Stamp: func() time.Time { return at }}
}

func TestRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		fn          check.Func
		wantVerdict string
		wantErr     bool
		wantSummary string
	}{
		{"pass", func(context.Context) (*evidence.Outcome, error) {
			return &evidence.Outcome{Report: &evidence.Report{Verdict: evidence.Pass, Summary: "ok"}, Results: map[string]string{"artifact-digest": "sha256:x"}}, nil
		}, "pass", false, "ok"},
		{"fail is not an error", func(context.Context) (*evidence.Outcome, error) {
			return &evidence.Outcome{Report: &evidence.Report{Verdict: evidence.Fail, Summary: "1 blocking", Findings: []evidence.Finding{{Class: "x", Blocking: true}}}}, nil
		}, "fail", false, "1 blocking"},
		{"internal error writes verdict=error", func(context.Context) (*evidence.Outcome, error) {
			return nil, errors.New("read weights/shard-2.safetensors: i/o error")
		}, "error", true, "demo: error: read weights/shard-2.safetensors: i/o error"},
		{"no report is an error", func(context.Context) (*evidence.Outcome, error) { return nil, nil }, "error", true, "demo: error: check returned no report"},
		{"unknown verdict is an error", func(context.Context) (*evidence.Outcome, error) {
			return &evidence.Outcome{Report: &evidence.Report{Verdict: "maybe"}}, nil
		}, "error", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := env(t)
			_, err := check.Run(context.Background(), e, "demo", tt.fn)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			got, rerr := results.Read(e.ResultsDir, results.Verdict, results.ReportDigest, results.Summary)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if got[results.Verdict] != tt.wantVerdict {
				t.Errorf("verdict = %s, want %s", got[results.Verdict], tt.wantVerdict)
			}
			if tt.wantSummary != "" && got[results.Summary] != tt.wantSummary {
				t.Errorf("summary = %q, want %q", got[results.Summary], tt.wantSummary)
			}
			d, err := digest.ParseSHA256(got[results.ReportDigest])
			if err != nil {
				t.Fatal(err)
			}
			r, err := evidence.ReadVerified(filepath.Join(e.EvidenceDir, "demo.json"), d)
			if err != nil {
				t.Fatal(err)
			}
			if string(r.Verdict) != tt.wantVerdict || r.Check != "demo" {
				t.Errorf("report = %+v", r)
			}
		})
	}
}

func TestRunUnwritableEvidenceStillWritesErrorVerdict(t *testing.T) {
	t.Parallel()
	e := env(t)
	// a regular file where the evidence directory should be: like a full or
	// read-only evidence disk, the report cannot be written
	if err := os.MkdirAll(filepath.Dir(e.EvidenceDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.EvidenceDir, []byte("not a dir"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := check.Run(context.Background(), e, "demo", func(context.Context) (*evidence.Outcome, error) {
		return &evidence.Outcome{Report: &evidence.Report{Verdict: evidence.Pass, Summary: "ok"}}, nil
	})
	if err == nil {
		t.Fatal("want an error")
	}
	// callers print the returned report: it must not still say pass
	if rep.Verdict != evidence.Error || !strings.Contains(rep.Summary, "cannot write evidence report") {
		t.Fatalf("returned report = %s %q", rep.Verdict, rep.Summary)
	}
	got, rerr := results.Read(e.ResultsDir, results.Verdict, results.Summary)
	if rerr != nil {
		t.Fatal(rerr)
	}
	if got[results.Verdict] != "error" || !strings.Contains(got[results.Summary], "cannot write evidence report") {
		t.Fatalf("results = %v", got)
	}
}

func TestRunIsDeterministic(t *testing.T) {
	t.Parallel()
	at := time.Unix(1795000000, 0)
	var digests []string
	for range 2 {
		d := t.TempDir()
		e := check.Env{EvidenceDir: d, ResultsDir: d, Stamp: func() time.Time { return at }}
		if _, err := check.Run(context.Background(), e, "demo", func(context.Context) (*evidence.Outcome, error) {
			return &evidence.Outcome{Report: &evidence.Report{Verdict: evidence.Pass, Summary: "ok"}}, nil
		}); err != nil {
			t.Fatal(err)
		}
		got, _ := results.Read(d, results.ReportDigest)
		digests = append(digests, got[results.ReportDigest])
	}
	if digests[0] != digests[1] {
		t.Fatalf("digests differ: %v", digests)
	}
}

// A check that dies while it runs (a crash, an OOM kill) leaves the results
// written before it started: verdict=error and empty digests, which the gate
// blocks on; Tekton then still reaches the gate instead of failing the run
// on a missing result reference.
func TestRunWritesFailClosedResultsFirst(t *testing.T) {
	t.Parallel()
	e := env(t)
	e.Seed = []string{results.ArtifactDigest}
	var during map[string]string
	_, err := check.Run(context.Background(), e, "provenance", func(context.Context) (*check.Outcome, error) {
		var err error
		during, err = results.Read(e.ResultsDir, results.Verdict, results.ReportDigest, results.Summary, results.ArtifactDigest)
		if err != nil {
			t.Fatalf("results while the check runs: %v", err)
		}
		return &check.Outcome{Report: &evidence.Report{Verdict: evidence.Pass, Summary: "ok"}, Results: map[string]string{results.ArtifactDigest: "sha256:" + strings.Repeat("a", 64)}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if during[results.Verdict] != "error" || during[results.ReportDigest] != "" || during[results.ArtifactDigest] != "" || !strings.Contains(during[results.Summary], "did not finish") {
		t.Errorf("results while running: %v", during)
	}
	after, _ := results.Read(e.ResultsDir, results.Verdict, results.ArtifactDigest)
	if after[results.Verdict] != "pass" || after[results.ArtifactDigest] != "sha256:"+strings.Repeat("a", 64) {
		t.Errorf("results after: %v", after)
	}
}
