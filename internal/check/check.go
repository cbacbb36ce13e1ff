package check

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"time"

	"github.com/tollgate-dev/tollgate/internal/results"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
	"github.com/tollgate-dev/tollgate/pkg/version"
)

// Outcome is what a check function returns (evidence.Outcome: checks in
// pkg/ return it without importing this package).
type Outcome = evidence.Outcome

// Func runs a check.
type Func func(ctx context.Context) (*evidence.Outcome, error)

// Env says where a check writes and how it stamps its report.
type Env struct {
	EvidenceDir string
	ResultsDir  string
	// Stamp returns the time written into the report (startedAt,
	// finishedAt): cli.Clock's Stamp. nil means the wall clock. It never
	// decides anything.
	Stamp func() time.Time
	// SARIF also writes the findings as <check>.sarif (evidence.SARIF)
	// and pins its digest in the report's inputs ("sarif"). A SARIF log
	// left by an earlier run is removed first, so that it never outlives
	// this run's verdict.
	SARIF bool
	// Seed names extra results (beyond verdict, report-digest and summary)
	// that are written empty before the check starts, because a later task
	// references them.
	Seed []string
}

// Run runs fn as check name and writes its report, its SARIF log (when
// env.SARIF) and its results: the one way every check, attest and the gate
// report. It returns fn's error (after writing verdict=error) or an error
// writing the output.
func Run(ctx context.Context, env Env, name string, fn Func) (*evidence.Report, error) {
	now := env.Stamp
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	if env.EvidenceDir == "" {
		return nil, errors.New("--evidence-dir is required")
	}
	// Fail-closed results first: a check that crashes or is killed after
	// this point leaves verdict=error and empty digests, which the gate
	// blocks on, instead of no results (which would stop a Tekton pipeline
	// before the gate could report).
	seed := results.NewWriter(env.ResultsDir)
	_ = seed.Set(results.Verdict, string(evidence.Error))
	_ = seed.Set(results.ReportDigest, "")
	_ = seed.Set(results.Summary, name+": error: the check did not finish (it crashed or was stopped before writing its results)")
	for _, n := range env.Seed {
		if err := seed.Set(n, ""); err != nil {
			return nil, err
		}
	}
	if err := seed.Flush(); err != nil {
		return nil, fmt.Errorf("write initial results: %w", err)
	}
	var (
		out    *Outcome
		runErr error
	)
	sarifPath := filepath.Join(env.EvidenceDir, evidence.SARIFFileName(name))
	if env.SARIF {
		if err := os.Remove(sarifPath); err != nil && !errors.Is(err, os.ErrNotExist) {
			runErr = fmt.Errorf("remove the SARIF log of an earlier run: %w", err)
		}
	}
	started := now()
	if runErr == nil {
		out, runErr = fn(ctx)
	}
	if runErr == nil && (out == nil || out.Report == nil) {
		runErr = errors.New("check returned no report")
	}
	var rep *evidence.Report
	extra := map[string]string{}
	if runErr != nil {
		rep = &evidence.Report{
			Verdict: evidence.Error,
			Summary: evidence.OneLine(name+": error: "+runErr.Error(), evidence.MaxSummary),
			Error:   runErr.Error(),
		}
		if out != nil && out.Report != nil {
			rep.Inputs = out.Report.Inputs
		}
	} else {
		rep = out.Report
		for k, v := range out.Results {
			extra[k] = v
		}
		if !rep.Verdict.Valid() {
			runErr = fmt.Errorf("check %s returned unknown verdict %q", name, rep.Verdict)
			rep.Verdict = evidence.Error
		}
	}
	rep.Check = name
	rep.Tool = evidence.Tool{Name: "tollgate", Version: version.String()}
	rep.StartedAt = started
	rep.FinishedAt = now()
	if env.SARIF && rep.Verdict != evidence.Error {
		if err := writeSARIF(sarifPath, rep); err != nil {
			runErr = err
			rep.Verdict, rep.Error = evidence.Error, err.Error()
			rep.Summary = evidence.OneLine(name+": error: "+err.Error(), evidence.MaxSummary)
		}
	}

	w := results.NewWriter(env.ResultsDir)
	_, digest, werr := evidence.Write(env.EvidenceDir, rep)
	if werr != nil {
		// The report could not be written: the check cannot vouch for
		// anything. Say so in the results, which are tiny.
		rep.Verdict = evidence.Error
		rep.Summary = evidence.OneLine(name+": error: cannot write evidence report: "+werr.Error(), evidence.MaxSummary)
		_ = w.Set(results.Verdict, string(evidence.Error))
		_ = w.Set(results.Summary, rep.Summary)
		_ = w.Flush()
		return rep, errors.Join(runErr, werr)
	}
	_ = w.Set(results.Verdict, string(rep.Verdict))
	_ = w.Set(results.ReportDigest, digest.String())
	_ = w.Set(results.Summary, rep.Summary)
	for k, v := range extra {
		if err := w.Set(k, v); err != nil {
			return rep, errors.Join(runErr, err)
		}
	}
	if err := w.Flush(); err != nil {
		return rep, errors.Join(runErr, err)
	}
	return rep, runErr
}

// writeSARIF writes the report's findings as SARIF and pins the digest in
// its inputs.
func writeSARIF(path string, rep *evidence.Report) error {
	b, err := evidence.SARIF(rep.Findings)
	if err != nil {
		return fmt.Errorf("SARIF: %w", err)
	}
	if err := safefile.WriteAtomic(path, b); err != nil {
		return err
	}
	rep.Inputs = maps.Clone(rep.Inputs)
	if rep.Inputs == nil {
		rep.Inputs = map[string]string{}
	}
	rep.Inputs["sarif"] = evidence.Digest(b)
	return nil
}
