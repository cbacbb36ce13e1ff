package secrets

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/review"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
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
	tok := newGen(11).crcToken("ghp_")
	s, _ := New(testKey)
	fp := s.Fingerprint([]byte(tok))
	ref := review.SecretReference{Kind: RefEnv, Name: "ORDERS_TOKEN"}
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
		{name: "reference added", files: map[string]string{"a.env": "T=${ORDERS_TOKEN}\nU=${NEW_ONE}\n"}, review: reviewed(ref), verdict: evidence.Fail, classes: []string{ClassReferenceAdded}},
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
		{name: "unscannable fails closed", files: map[string]string{"m.safetensors": "\x10\x00\x00\x00\x00\x00\x00\x00{"}, review: reviewed(), verdict: evidence.Fail, classes: []string{ClassUnscannable}},
		{name: "no secrets section", files: map[string]string{"a": "x"}, review: review.New("t"), errContain: "no spec.secrets section"},
		{name: "no key", files: map[string]string{"a": "x"}, review: func() *review.ReleaseReview { r := reviewed(); r.Spec.Secrets.FingerprintKey = ""; return r }(), errContain: "no fingerprint key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, tt.files)
			out, err := Check(context.Background(), CheckInput{Artifact: dir, Review: tt.review, ReviewDigest: "sha256:00"})
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
	tok := newGen(12).crcToken("npm_")
	dir := writeFiles(t, map[string]string{"a.env": "NPM=" + tok + "\n", "b.yaml": "k: ${A}\n", "c/d.json": `{"password": "Sup3rSecretPassw0rd"}`})
	var prev []byte
	for range 3 {
		out, err := Check(context.Background(), CheckInput{Artifact: dir, Review: reviewed(), ReviewDigest: "sha256:00"})
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

func TestDecodeKey(t *testing.T) {
	t.Parallel()
	k, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		in   string
		size int
		err  error
	}{
		{k + "\n", 32, nil},
		{"raw-key-material-0123456789", 27, nil},
		{"short", 0, ErrNoKey},
	} {
		got, err := DecodeKey([]byte(tt.in))
		if !errors.Is(err, tt.err) || len(got) != tt.size {
			t.Errorf("DecodeKey(%q) = %d bytes, %v", tt.in, len(got), err)
		}
	}
}
