package sign

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

// StatementType is the in-toto Statement v1 type, the one tollgate writes.
// StatementTypeV01 is what `cosign attest-blob` still writes; its layout
// (subject, predicateType, predicate) is the same, so it is read too.
const (
	StatementType    = "https://in-toto.io/Statement/v1"
	StatementTypeV01 = "https://in-toto.io/Statement/v0.1"
)

// Subject is an in-toto resource descriptor with a digest.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// Statement is an in-toto Statement v1 with a raw predicate.
type Statement struct {
	Type          string          `json:"_type"`
	Subject       []Subject       `json:"subject"`
	PredicateType string          `json:"predicateType"`
	Predicate     json.RawMessage `json:"predicate"`
}

// NewStatement encodes a statement about one subject, name at digest
// ("sha256:<hex>"), canonically (sorted keys, no HTML escaping).
func NewStatement(name, digest, predicateType string, predicate any) ([]byte, error) {
	hexd, err := artifact.DecodeDigest(digest)
	if err != nil || !strings.HasPrefix(digest, "sha256:") {
		return nil, fmt.Errorf("statement subject %s: digest %q is not sha256:<64 hex digits>", name, digest)
	}
	p, err := evidence.Canonical(predicate)
	if err != nil {
		return nil, fmt.Errorf("statement predicate: %w", err)
	}
	st := Statement{
		Type:          StatementType,
		Subject:       []Subject{{Name: name, Digest: map[string]string{"sha256": fmt.Sprintf("%x", hexd)}}},
		PredicateType: predicateType,
		Predicate:     json.RawMessage(p),
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(st); err != nil {
		return nil, fmt.Errorf("encode statement: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// MaxStatementSize bounds a statement read back from a bundle (4 MiB).
const MaxStatementSize = 4 << 20

// ParseStatement decodes a statement (v1 or v0.1) and checks its type and that it has
// a subject with a sha256 digest. It does not verify anything: pass it
// the payload pkg/trust returned after verifying the bundle.
func ParseStatement(b []byte) (*Statement, error) {
	if len(b) > MaxStatementSize {
		return nil, fmt.Errorf("statement is larger than %d bytes", MaxStatementSize)
	}
	var st Statement
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("decode in-toto statement: %w", err)
	}
	if st.Type != StatementType && st.Type != StatementTypeV01 {
		return nil, fmt.Errorf("statement _type is %q, want %q", st.Type, StatementType)
	}
	if len(st.Subject) == 0 {
		return nil, fmt.Errorf("statement has no subject")
	}
	for i, s := range st.Subject {
		d, ok := s.Digest["sha256"]
		if !ok || len(d) != 64 || strings.ToLower(d) != d {
			return nil, fmt.Errorf("statement subject[%d] (%s) has no lowercase hex sha256 digest", i, s.Name)
		}
	}
	return &st, nil
}

// HasSubject reports whether the statement is about digest ("sha256:<hex>").
func (st *Statement) HasSubject(digest string) bool {
	hexd, ok := strings.CutPrefix(digest, "sha256:")
	if !ok {
		return false
	}
	for _, s := range st.Subject {
		if s.Digest["sha256"] == hexd {
			return true
		}
	}
	return false
}
