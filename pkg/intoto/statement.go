package intoto

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tollgate-dev/tollgate/pkg/digest"
)

// StatementType is the in-toto Statement v1 type, the one tollgate writes.
// StatementTypeV01 is what `cosign attest-blob` still writes; its layout
// (subject, predicateType, predicate) is the same, so it is read too.
const (
	StatementType    = "https://in-toto.io/Statement/v1"
	StatementTypeV01 = "https://in-toto.io/Statement/v0.1"
)

// PayloadType is the DSSE payload type of in-toto statements.
const PayloadType = "application/vnd.in-toto+json"

// MaxSize bounds a statement read back from a bundle (4 MiB).
const MaxSize = 4 << 20

// Subject is an in-toto resource descriptor with a digest: algorithm to
// lowercase hex, as the specification spells it.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// Statement is an in-toto Statement with a raw predicate.
type Statement struct {
	Type          string          `json:"_type"`
	Subject       []Subject       `json:"subject"`
	PredicateType string          `json:"predicateType"`
	Predicate     json.RawMessage `json:"predicate"`
}

// New encodes a statement about one subject, name at d (a SHA-256
// digest), and any more subjects (each name at a SHA-256 digest), with
// predicate encoded as JSON.
func New(name string, d digest.Digest, predicateType string, predicate any, more ...Subject) ([]byte, error) {
	if d.Algorithm() != digest.SHA256 {
		return nil, fmt.Errorf("statement subject %s: digest %q is not sha256", name, d)
	}
	subjects := []Subject{NewSubject(name, d)}
	for _, s := range more {
		if _, err := s.SHA256(); err != nil {
			return nil, fmt.Errorf("statement subject %s: %w", s.Name, err)
		}
		subjects = append(subjects, s)
	}
	p, err := encode(predicate)
	if err != nil {
		return nil, fmt.Errorf("statement predicate: %w", err)
	}
	return encode(Statement{
		Type:          StatementType,
		Subject:       subjects,
		PredicateType: predicateType,
		Predicate:     p,
	})
}

// NewSubject is the subject name at d.
func NewSubject(name string, d digest.Digest) Subject {
	return Subject{Name: name, Digest: map[string]string{string(d.Algorithm()): d.Hex()}}
}

// encode is compact JSON without HTML escaping and without the trailing
// newline json.Encoder adds.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Parse decodes a statement (v1 or v0.1) of at most MaxSize bytes and
// checks its type and that every subject has a lowercase hex SHA-256
// digest.
func Parse(b []byte) (*Statement, error) {
	if len(b) > MaxSize {
		return nil, fmt.Errorf("statement is larger than %d bytes", MaxSize)
	}
	var st Statement
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("decode in-toto statement: %w", err)
	}
	if st.Type != StatementType && st.Type != StatementTypeV01 {
		return nil, fmt.Errorf("statement _type is %q, want %q", st.Type, StatementType)
	}
	if len(st.Subject) == 0 {
		return nil, errors.New("statement has no subject")
	}
	for i, s := range st.Subject {
		if _, err := s.SHA256(); err != nil {
			return nil, fmt.Errorf("statement subject[%d] (%s) has no lowercase hex sha256 digest", i, s.Name)
		}
	}
	return &st, nil
}

// SHA256 is the subject's SHA-256 digest.
func (s Subject) SHA256() (digest.Digest, error) {
	h, ok := s.Digest[string(digest.SHA256)]
	if !ok {
		return digest.Digest{}, fmt.Errorf("subject %s has no sha256 digest", s.Name)
	}
	return digest.ParseSHA256(string(digest.SHA256) + ":" + h)
}

// String names the subject for messages: `"name" sha256:<hex>`.
func (s Subject) String() string {
	d, err := s.SHA256()
	if err != nil {
		return fmt.Sprintf("%q", s.Name)
	}
	return fmt.Sprintf("%q %s", s.Name, d)
}

// HasSubject reports whether the statement is about d.
func (st *Statement) HasSubject(d digest.Digest) bool {
	if d.IsZero() {
		return false
	}
	for _, s := range st.Subject {
		if s.Digest[string(d.Algorithm())] == d.Hex() {
			return true
		}
	}
	return false
}
