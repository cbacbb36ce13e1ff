package evidence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
)

// SchemaURI identifies the report format; it is the JSON Schema's $id.
const SchemaURI = "https://tollgate.dev/schemas/evidence-report/v1"

// MaxReportSize bounds how much of a report file is read back (64 MiB).
const MaxReportSize = 64 << 20

// Verdict is a check's outcome.
type Verdict string

const (
	// Pass means the check found nothing that blocks.
	Pass Verdict = "pass"
	// Fail means the check found something that blocks the release.
	Fail Verdict = "fail"
	// Error means the check could not decide; the gate treats it as blocking.
	Error Verdict = "error"
)

// Valid reports whether v is one of the three verdicts.
func (v Verdict) Valid() bool { return v == Pass || v == Fail || v == Error }

// Severity ranks a finding.
type Severity string

// Severities, most severe first.
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
	Info     Severity = "info"
)

// Rank orders severities: critical is 4, info 0, unknown -1.
func (s Severity) Rank() int {
	switch s {
	case Critical:
		return 4
	case High:
		return 3
	case Medium:
		return 2
	case Low:
		return 1
	case Info:
		return 0
	}
	return -1
}

// Finding is one thing a check noticed. Class is a stable dotted name
// ("provenance.file-modified", "secrets.literal", "permissions.broadened")
// that policies and audit mappings key on. Fingerprint identifies the
// finding across runs so that exceptions can name it; for secrets it is the
// keyed HMAC of the value, never the value.
type Finding struct {
	Class       string            `json:"class"`
	Severity    Severity          `json:"severity"`
	Fingerprint string            `json:"fingerprint"`
	Path        string            `json:"path,omitempty"`
	Line        int               `json:"line,omitempty"`
	Subject     string            `json:"subject,omitempty"`
	Message     string            `json:"message"`
	Old         string            `json:"old,omitempty"`
	New         string            `json:"new,omitempty"`
	Blocking    bool              `json:"blocking"`
	Attributes  map[string]string `json:"attributes,omitempty"`
}

// Tool names the program that wrote a report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Report is the envelope every check writes.
type Report struct {
	Schema     string            `json:"schema"`
	Check      string            `json:"check"`
	Tool       Tool              `json:"tool"`
	Inputs     map[string]string `json:"inputs"`
	Verdict    Verdict           `json:"verdict"`
	Summary    string            `json:"summary"`
	Findings   []Finding         `json:"findings"`
	StartedAt  time.Time         `json:"startedAt"`
	FinishedAt time.Time         `json:"finishedAt"`
	// Error explains a verdict of "error".
	Error string `json:"error,omitempty"`
	// Data holds check-specific detail (the check documents its shape).
	Data json.RawMessage `json:"data,omitempty"`
}

// Sort orders findings deterministically: blocking first, then severity,
// class, path, line, subject and fingerprint.
func (r *Report) Sort() {
	sort.SliceStable(r.Findings, func(i, j int) bool {
		a, b := r.Findings[i], r.Findings[j]
		if a.Blocking != b.Blocking {
			return a.Blocking
		}
		if a.Severity.Rank() != b.Severity.Rank() {
			return a.Severity.Rank() > b.Severity.Rank()
		}
		if a.Class != b.Class {
			return a.Class < b.Class
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Subject != b.Subject {
			return a.Subject < b.Subject
		}
		return a.Fingerprint < b.Fingerprint
	})
}

// Encode returns the canonical JSON encoding of r: findings sorted, map keys
// sorted, no HTML escaping, two-space indent, one trailing newline. Times
// are UTC with second precision.
func (r *Report) Encode() ([]byte, error) {
	c := *r
	c.Findings = append([]Finding(nil), r.Findings...)
	if c.Findings == nil {
		c.Findings = []Finding{}
	}
	if c.Inputs == nil {
		c.Inputs = map[string]string{}
	}
	if c.Schema == "" {
		c.Schema = SchemaURI
	}
	c.StartedAt = c.StartedAt.UTC().Truncate(time.Second)
	c.FinishedAt = c.FinishedAt.UTC().Truncate(time.Second)
	c.Sort()
	return Canonical(c)
}

// Canonical encodes v as deterministic, indented JSON without HTML escaping
// and with a trailing newline. Raw JSON values inside v are re-indented.
func Canonical(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return buf.Bytes(), nil
}

// Digest returns "sha256:<hex>" of b as a string, for the string maps of
// a report (Inputs); digest.FromBytes is the typed form.
func Digest(b []byte) string { return digest.FromBytes(b).String() }

// FileName is the report's file name in the evidence directory.
func FileName(check string) string { return check + ".json" }

// Write encodes r into dir/<check>.json atomically (temporary file, fsync,
// rename) and returns the path and the digest of the bytes written.
func Write(dir string, r *Report) (string, digest.Digest, error) {
	b, err := r.Encode()
	if err != nil {
		return "", digest.Digest{}, fmt.Errorf("report %s: %w", r.Check, err)
	}
	path := filepath.Join(dir, FileName(r.Check))
	if err := safefile.WriteAtomic(path, b); err != nil {
		return "", digest.Digest{}, fmt.Errorf("report %s: %w", r.Check, err)
	}
	return path, digest.FromBytes(b), nil
}

// ErrDigestMismatch is returned by ReadVerified when a report's bytes do not
// hash to the expected digest.
var ErrDigestMismatch = errors.New("report digest mismatch")

// ReadVerified reads the report at path, checks that its bytes hash to
// wantDigest, and decodes it strictly. The zero wantDigest matches nothing.
func ReadVerified(path string, wantDigest digest.Digest) (*Report, error) {
	b, err := safefile.Read(path, MaxReportSize)
	if err != nil {
		return nil, err
	}
	if got := digest.FromBytes(b); got != wantDigest {
		return nil, fmt.Errorf("%s: %w: file is %s, result says %s", path, ErrDigestMismatch, got, wantDigest)
	}
	var r Report
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: decode report: %w", path, err)
	}
	if !r.Verdict.Valid() {
		return nil, fmt.Errorf("%s: unknown verdict %q", path, r.Verdict)
	}
	return &r, nil
}
