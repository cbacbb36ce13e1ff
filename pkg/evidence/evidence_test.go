package evidence_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

func report() *evidence.Report {
	return &evidence.Report{
		Check:   "provenance",
		Tool:    evidence.Tool{Name: "tollgate", Version: "test"},
		Inputs:  map[string]string{"review": "sha256:1", "artifact": "sha256:2"},
		Verdict: evidence.Fail,
		Summary: "2 findings <&>",
		Findings: []evidence.Finding{
			{Class: "b.info", Severity: evidence.Info, Fingerprint: "2", Message: "later"},
			{Class: "a.block", Severity: evidence.High, Fingerprint: "1", Message: "first", Blocking: true},
		},
		StartedAt:  time.Date(2026, 11, 25, 10, 0, 0, 123, time.FixedZone("x", 3600)),
		FinishedAt: time.Date(2026, 11, 25, 10, 0, 1, 0, time.UTC),
	}
}

func TestEncodeIsCanonical(t *testing.T) {
	t.Parallel()
	a, err := report().Encode()
	if err != nil {
		t.Fatal(err)
	}
	r := report()
	r.Findings[0], r.Findings[1] = r.Findings[1], r.Findings[0]
	b, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Fatalf("finding order changed the encoding:\n%s\n%s", a, b)
	}
	s := string(a)
	for _, want := range []string{`"startedAt": "2026-11-25T09:00:00Z"`, `"summary": "2 findings <&>"`, `"schema": "` + evidence.SchemaURI + `"`} {
		if !strings.Contains(s, want) {
			t.Errorf("encoding lacks %s:\n%s", want, s)
		}
	}
	if strings.Index(s, "a.block") > strings.Index(s, "b.info") {
		t.Error("blocking finding not first")
	}
	if !strings.HasSuffix(s, "}\n") {
		t.Error("no trailing newline")
	}
}

func TestWriteAndReadVerified(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path, digest, err := evidence.Write(dir, report())
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "provenance.json" {
		t.Fatalf("path = %s", path)
	}
	r, err := evidence.ReadVerified(path, digest)
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != evidence.Fail || len(r.Findings) != 2 {
		t.Fatalf("read back %+v", r)
	}
	// one changed byte breaks the digest
	b, _ := os.ReadFile(path)
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), "later", "LATER", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := evidence.ReadVerified(path, digest); !errors.Is(err, evidence.ErrDigestMismatch) {
		t.Fatalf("err = %v, want digest mismatch", err)
	}
}

func TestReadVerifiedRejects(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) (string, digest.Digest) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p, digest.FromBytes([]byte(content))
	}
	tests := []struct {
		name, content, wantErr string
	}{
		{"unknown field", `{"check":"x","verdict":"pass","extra":1}`, `unknown field "extra"`},
		{"unknown verdict", `{"check":"x","verdict":"maybe"}`, `unknown verdict "maybe"`},
		{"not json", `verdict: pass`, "decode report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, d := write(tt.name+".json", tt.content)
			if _, err := evidence.ReadVerified(p, d); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
