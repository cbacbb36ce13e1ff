package inventory_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/secretgen"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/secrets"
	"github.com/tollgate-dev/tollgate/pkg/secrets/inventory"
)

var testKey = []byte("test-fingerprint-key-0123456789")

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := secretgen.WriteTree(dir, files); err != nil {
		t.Fatal(err)
	}
	return dir
}

func reviewed(refs ...review.SecretReference) *review.ReleaseReview {
	r := review.New("t")
	r.Spec.Secrets = &review.Secrets{FingerprintKey: base64.StdEncoding.EncodeToString(testKey), References: refs}
	return r
}

func TestCheck(t *testing.T) {
	t.Parallel()
	tok := secretgen.New(11).CRCToken("ghp_")
	s, _ := secrets.New(testKey)
	fp := s.Fingerprint([]byte(tok))
	ref := review.SecretReference{Kind: secrets.RefEnv, Name: "ORDERS_TOKEN"}
	exception := func(expires time.Time) review.Exception {
		return review.Exception{ID: "EX-1", Check: "secret-inventory", Fingerprints: []string{fp}, Reason: "test fixture",
			Owner: "sec", Approver: "alice", Granted: now.Add(-time.Hour), Expires: expires}
	}
	tests := []struct {
		name       string
		files      map[string]string
		review     *review.ReleaseReview
		verdict    evidence.Verdict
		classes    []string // classes of blocking findings
		waived     int
		errContain string
	}{
		{name: "clean and as reviewed", files: map[string]string{"a.env": "T=${ORDERS_TOKEN}\n"}, review: reviewed(ref), verdict: evidence.Pass},
		{name: "literal secret", files: map[string]string{"a.env": "T=" + tok + "\n"}, review: reviewed(), verdict: evidence.Fail, classes: []string{"secrets.literal.github-token"}},
		{name: "reference added", files: map[string]string{"a.env": "T=${ORDERS_TOKEN}\nU=${NEW_ONE}\n"}, review: reviewed(ref), verdict: evidence.Fail, classes: []string{secrets.ClassReferenceAdded}},
		{name: "reference removed warns", files: map[string]string{"a.env": "x=1\n"}, review: reviewed(ref), verdict: evidence.Pass},
		// Exceptions are judged by pkg/decision alone (with the approvals
		// the check never sees): the check reports the finding as it is,
		// so its report cannot show a waiver the gate refuses.
		{name: "exception is not judged by the check", files: map[string]string{"a.env": "T=" + tok + "\n"}, verdict: evidence.Fail, classes: []string{"secrets.literal.github-token"},
			review: func() *review.ReleaseReview {
				r := reviewed()
				r.Spec.Exceptions = []review.Exception{exception(now.Add(24 * time.Hour))}
				return r
			}()},
		{name: "unscannable fails closed", files: map[string]string{"m.safetensors": "\x10\x00\x00\x00\x00\x00\x00\x00{"}, review: reviewed(), verdict: evidence.Fail, classes: []string{secrets.ClassUnscannable}},
		{name: "no secrets section", files: map[string]string{"a": "x"}, review: review.New("t"), errContain: "no spec.secrets section"},
		{name: "no key", files: map[string]string{"a": "x"}, review: func() *review.ReleaseReview { r := reviewed(); r.Spec.Secrets.FingerprintKey = ""; return r }(), errContain: "no fingerprint key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, tt.files)
			out, err := inventory.Check(context.Background(), inventory.Input{Artifact: dir, Review: tt.review, ReviewDigest: "sha256:00"})
			if tt.errContain != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errContain) {
					t.Fatalf("err = %v, want %q", err, tt.errContain)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			rep := out.Report
			if rep.Verdict != tt.verdict {
				t.Fatalf("verdict %s, want %s: %+v", rep.Verdict, tt.verdict, rep.Findings)
			}
			var blocking []string
			waived := 0
			for _, f := range rep.Findings {
				if f.Blocking {
					blocking = append(blocking, f.Class)
				}
				if f.Attributes["exception"] != "" {
					waived++
				}
			}
			if strings.Join(blocking, ",") != strings.Join(tt.classes, ",") || waived != tt.waived {
				t.Fatalf("blocking %v waived %d, want %v and %d", blocking, waived, tt.classes, tt.waived)
			}
		})
	}
}

func TestCheckDeterministic(t *testing.T) {
	t.Parallel()
	tok := secretgen.New(12).CRCToken("npm_")
	dir := writeFiles(t, map[string]string{"a.env": "NPM=" + tok + "\n", "b.yaml": "k: ${A}\n", "c/d.json": `{"password": "Sup3rSecretPassw0rd"}`})
	var prev []byte
	for range 3 {
		out, err := inventory.Check(context.Background(), inventory.Input{Artifact: dir, Review: reviewed(), ReviewDigest: "sha256:00"})
		if err != nil {
			t.Fatal(err)
		}
		b, err := out.Report.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if prev != nil && string(b) != string(prev) {
			t.Fatalf("report differs between runs:\n%s\n%s", prev, b)
		}
		prev = b
	}
}

// scanParts scans dir in count parts, each through its encoded form (as
// parts travel between pods), and returns them.
func scanParts(t *testing.T, dir string, count int) []*secrets.Part {
	t.Helper()
	parts := make([]*secrets.Part, 0, count)
	for i := 1; i <= count; i++ {
		s, err := secrets.New(testKey, secrets.WithPart(i, count))
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.ScanPart(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		b, err := p.Encode()
		if err != nil {
			t.Fatal(err)
		}
		q, err := secrets.ParsePart(b)
		if err != nil {
			t.Fatalf("part %d/%d does not parse back: %v", i, count, err)
		}
		parts = append(parts, q)
	}
	return parts
}

// TestCheckOfParts: the secret-inventory report from merged parts is the
// report of a scan, and parts of another tree are refused.
func TestCheckOfParts(t *testing.T) {
	t.Parallel()
	tok := secretgen.New(12).CRCToken("ghp_")
	files := map[string]string{"a.env": "T=" + tok + "\nU=${ORDERS_TOKEN}\n", "b.yaml": "x: ${NEW_ONE}\n", "c.txt": "hello", "d/e.md": "# doc"}
	dir := writeFiles(t, files)
	in := inventory.Input{Artifact: dir, Review: reviewed(), ReviewDigest: "sha256:00", Key: testKey}
	report := func(in inventory.Input) ([]byte, error) {
		out, err := inventory.Check(context.Background(), in)
		if err != nil {
			return nil, err
		}
		return evidence.Canonical(out.Report)
	}
	single, err := report(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{2, 3, 7} {
		in := in
		in.Parts = scanParts(t, dir, n)
		got, err := report(in)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, single) {
			t.Fatalf("%d parts: report differs\n%s\n%s", n, got, single)
		}
	}
	files["f.txt"] = "added after the parts were scanned"
	in.Parts = scanParts(t, dir, 2)
	in.Artifact = writeFiles(t, files)
	if _, err := report(in); err == nil || !errors.Is(err, secrets.ErrInvalidPart) || !strings.Contains(err.Error(), "scanned from another tree") {
		t.Fatalf("parts of another tree: %v", err)
	}
}
