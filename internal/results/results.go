package results

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

// Names of the results every check writes (docs/design.md, "Results contract").
const (
	Verdict           = "verdict"
	ReportDigest      = "report-digest"
	Summary           = "summary"
	ArtifactDigest    = "artifact-digest"
	AttestationDigest = "attestation-digest"
)

// TektonDir is where Tekton expects results.
const TektonDir = "/tekton/results"

// Budget is the number of bytes all results of one step may use together.
// Tekton's termination message is 4096 bytes including JSON framing; we
// keep a margin for it.
const Budget = 3072

// MaxSummary is the longest summary, in bytes.
const MaxSummary = evidence.MaxSummary

// ErrBudget is returned when results would exceed Budget.
var ErrBudget = errors.New("results exceed the termination-message budget")

// nameRE follows Tekton's result names (upper case for Chains type hints
// such as ARTIFACT_DIGEST).
var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$`)

// Writer collects results and writes them to a directory.
type Writer struct {
	dir    string
	values map[string]string
}

// NewWriter returns a Writer for dir ("" means TektonDir).
func NewWriter(dir string) *Writer {
	if dir == "" {
		dir = TektonDir
	}
	return &Writer{dir: dir, values: map[string]string{}}
}

// Dir returns the results directory.
func (w *Writer) Dir() string { return w.dir }

// Set records a result. Summaries are cut to MaxSummary bytes on a rune
// boundary and newlines are folded so the summary stays one line.
func (w *Writer) Set(name, value string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("result name %q is not valid", name)
	}
	if name == Summary {
		value = evidence.OneLine(value, MaxSummary)
	}
	w.values[name] = value
	return w.check()
}

func (w *Writer) check() error {
	total := 0
	for k, v := range w.values {
		total += len(k) + len(v) + 32 // JSON framing per result
	}
	if total > Budget {
		return fmt.Errorf("%w: %d of %d bytes", ErrBudget, total, Budget)
	}
	return nil
}

// Flush writes every result to its file. Result files are written whole,
// without a trailing newline, as Tekton and Argo read them.
func (w *Writer) Flush() error {
	if err := w.check(); err != nil {
		return err
	}
	if err := os.MkdirAll(w.dir, 0o755); err != nil {
		return fmt.Errorf("create results dir: %w", err)
	}
	names := make([]string, 0, len(w.values))
	for k := range w.values {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if err := os.WriteFile(filepath.Join(w.dir, k), []byte(w.values[k]), 0o644); err != nil {
			return fmt.Errorf("write result %s: %w", k, err)
		}
	}
	return nil
}

// Read reads the named results from dir. A missing file is an error naming
// the result.
func Read(dir string, names ...string) (map[string]string, error) {
	out := map[string]string{}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, fmt.Errorf("result %s: %w", n, err)
		}
		if len(b) > Budget {
			return nil, fmt.Errorf("result %s: larger than %d bytes", n, Budget)
		}
		out[n] = strings.TrimRight(string(b), "\n")
	}
	return out, nil
}
