package secrets

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
)

// Finding classes.
const (
	ClassLiteralPrefix    = "secrets.literal."
	ClassReferenceAdded   = "secrets.reference-added"
	ClassReferenceRemoved = "secrets.reference-removed"
	ClassUnscannable      = "secrets.unscannable"
)

// ErrNoKey is returned when no fingerprint key is available.
var ErrNoKey = invalid.New("no fingerprint key")

// NewKey returns a fresh random fingerprint key, base64 encoded, as
// `tollgate review` records it.
func NewKey() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate fingerprint key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// DecodeKey reads a fingerprint key: base64 (as `tollgate review` writes
// it) or, failing that, the raw bytes; at least MinKeySize bytes either
// way. Surrounding white space is ignored.
func DecodeKey(b []byte) ([]byte, error) {
	s := strings.TrimSpace(string(b))
	if d, err := base64.StdEncoding.DecodeString(s); err == nil && len(d) >= MinKeySize {
		return d, nil
	}
	if len(s) >= MinKeySize {
		return []byte(s), nil
	}
	return nil, fmt.Errorf("%w: the key must be at least %d bytes (base64 or raw)", ErrNoKey, MinKeySize)
}

// Where is where f was found: its path, the line when known, and the
// location inside the file (a member, a key) in parentheses.
func (f *Finding) Where() string {
	where := f.Path
	if f.Line > 0 {
		where = fmt.Sprintf("%s:%d", f.Path, f.Line)
	}
	if f.Location != "" {
		where += " (" + f.Location + ")"
	}
	return where
}

// Findings converts a scan result into evidence findings: literal secrets
// and unscannable files, all blocking.
func Findings(res *Result) []evidence.Finding {
	out := make([]evidence.Finding, 0, len(res.Findings)+len(res.Problems))
	for _, f := range res.Findings {
		msg := fmt.Sprintf("literal %s in %s", ruleTable[f.Rule].Description, f.Where())
		if f.Encoding != "" {
			msg += ", " + f.Encoding + "-encoded"
		}
		attrs := map[string]string{"rule": f.Rule}
		if f.Hint != "" {
			attrs["hint"] = f.Hint
		}
		if f.Encoding != "" {
			attrs["encoding"] = f.Encoding
		}
		out = append(out, evidence.Finding{
			Class: ClassLiteralPrefix + f.Rule, Severity: f.Severity, Fingerprint: f.Fingerprint,
			Path: f.Path, Line: f.Line, Subject: f.Location, Message: msg + "; remove it and reference a secret store instead, then rotate it",
			Blocking: true, Attributes: attrs,
		})
	}
	for _, p := range res.Problems {
		out = append(out, evidence.Finding{
			Class: ClassUnscannable, Severity: evidence.High, Fingerprint: PlainFingerprint("unscannable", p.Path, p.Reason),
			Path: p.Path, Message: "cannot scan " + p.Path + ": " + p.Reason + "; a file the scanner cannot read could hide a secret",
			Blocking: true,
		})
	}
	return out
}

// PlainFingerprint identifies a non-secret finding (a secret reference, a
// file not scanned): the sha256 of parts, unkeyed.
func PlainFingerprint(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return "sha256:" + hex.EncodeToString(h[:])
}
