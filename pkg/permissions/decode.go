package permissions

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"unicode/utf8"

	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/tollgate-dev/tollgate/pkg/document"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
)

// Bounds on untrusted input.
const (
	// MaxFileSize bounds one permission file (4 MiB). A larger file named
	// like a permission file is an error; a larger file recognised only by
	// content is skipped and listed in Snapshot.Skipped.
	MaxFileSize = 4 << 20
	// MaxDepth bounds nesting of a file, schemas included.
	MaxDepth = 48
	// MaxDescription bounds one tool or skill description (64 KiB): more
	// than any reviewer reads.
	MaxDescription = 64 << 10
	// MaxDocuments bounds the documents in one YAML stream.
	MaxDocuments = 1000
	// MaxGrants bounds the grants of one snapshot.
	MaxGrants = 200000
)

// ErrInvalid marks input that cannot be read as a permission file.
var ErrInvalid = invalid.New("invalid permission file")

// decodeJSON decodes one JSON document strictly: valid UTF-8, no duplicate
// keys, nesting bounded. Integers stay int64.
func decodeJSON(b []byte) (any, error) {
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: not valid UTF-8", ErrInvalid)
	}
	if err := checkDepth(b); err != nil {
		return nil, err
	}
	var v any
	strict, err := kjson.UnmarshalStrict(b, &v, kjson.DisallowDuplicateFields)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if len(strict) > 0 {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, strict[0])
	}
	return v, nil
}

var docSep = regexp.MustCompile(`(?m)^---[ \t]*(#.*)?\r?$`)

// decodeYAML decodes a YAML stream (one or more documents separated by
// "---" lines). Duplicate keys and excessive aliasing are refused by
// sigs.k8s.io/yaml; empty documents are dropped.
func decodeYAML(b []byte) ([]any, error) {
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: not valid UTF-8", ErrInvalid)
	}
	parts := docSep.Split(string(b), -1)
	if len(parts) > MaxDocuments {
		return nil, fmt.Errorf("%w: more than %d YAML documents", ErrInvalid, MaxDocuments)
	}
	var docs []any
	for i, p := range parts {
		if len(bytes.TrimSpace([]byte(p))) == 0 {
			continue
		}
		js, err := yaml.YAMLToJSONStrict([]byte(p))
		if err != nil {
			return nil, fmt.Errorf("%w: document %d: %v", ErrInvalid, i+1, err)
		}
		if len(js) > 4*MaxFileSize {
			return nil, fmt.Errorf("%w: document %d expands to more than %d bytes", ErrInvalid, i+1, 4*MaxFileSize)
		}
		if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
			continue
		}
		v, err := decodeJSON(js)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		docs = append(docs, v)
	}
	return docs, nil
}

// checkDepth rejects JSON nested deeper than MaxDepth without decoding it.
func checkDepth(js []byte) error {
	if document.Depth(js, MaxDepth) > MaxDepth {
		return fmt.Errorf("%w: nested deeper than %d levels", ErrInvalid, MaxDepth)
	}
	return nil
}

// Accessors over decoded JSON (map[string]any, []any, string, bool,
// int64, float64). They never panic on unexpected shapes.

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func arr(v any) []any {
	a, _ := v.([]any)
	return a
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func boolean(v any) (value, ok bool) {
	b, ok := v.(bool)
	return b, ok
}

// strs returns the strings of a JSON array; non-strings are an error
// because a rule list with a non-string entry is not what a reviewer saw.
func strs(v any, what string) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	a, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%w: %s must be a list of strings", ErrInvalid, what)
	}
	out := make([]string, 0, len(a))
	for i, e := range a {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("%w: %s[%d] must be a string", ErrInvalid, what, i)
		}
		out = append(out, s)
	}
	return out, nil
}

// keys returns the sorted keys of m.
func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
