package document

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/tollgate-dev/tollgate/pkg/invalid"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
)

// APIVersion is the apiVersion of every tollgate document.
const APIVersion = "tollgate.dev/v1alpha1"

// MaxSize bounds a document file (64 MiB, JSON); MaxYAMLSize bounds YAML
// documents (16 MiB), whose decoding costs far more memory. A review record
// takes about 350 bytes of JSON per artefact file, so JSON records cover
// artefacts of well over 100,000 files.
const (
	MaxSize     = 64 << 20
	MaxYAMLSize = 16 << 20
)

// MaxDepth bounds nesting of a document.
const MaxDepth = 64

// ErrInvalid marks documents that cannot be accepted.
var ErrInvalid = invalid.New("invalid document")

// TypeMeta is the apiVersion and kind every document carries.
type TypeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

// ObjectMeta is the metadata every document carries.
type ObjectMeta struct {
	Name        string            `json:"name"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// ReadFile reads and decodes the file at path into out, which must be a
// pointer to a struct with TypeMeta fields; kind is the expected kind.
func ReadFile(path, kind string, out any) ([]byte, error) {
	if fi, err := os.Stat(path); err == nil {
		switch {
		case !fi.Mode().IsRegular():
			return nil, fmt.Errorf("%s: %w: not a regular file", path, ErrInvalid)
		case fi.Size() > MaxSize:
			return nil, fmt.Errorf("%s: %w: larger than %d bytes", path, ErrInvalid, MaxSize)
		}
	}
	b, err := safefile.Read(path, MaxSize)
	if err != nil {
		return nil, err
	}
	if err := Decode(b, kind, out); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// Decode decodes YAML or JSON bytes strictly into out and checks apiVersion
// and kind.
func Decode(b []byte, kind string, out any) error {
	if len(b) > MaxSize {
		return fmt.Errorf("%w: larger than %d bytes", ErrInvalid, MaxSize)
	}
	if !utf8.Valid(b) {
		return fmt.Errorf("%w: not valid UTF-8", ErrInvalid)
	}
	js, err := toJSON(b)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if err := checkDepth(js); err != nil {
		return err
	}
	var tm TypeMeta
	if err := kjson.UnmarshalCaseSensitivePreserveInts(js, &tm); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if tm.APIVersion != APIVersion {
		return fmt.Errorf("%w: apiVersion is %q, want %q", ErrInvalid, tm.APIVersion, APIVersion)
	}
	if tm.Kind != kind {
		return fmt.Errorf("%w: kind is %q, want %q", ErrInvalid, tm.Kind, kind)
	}
	strict, err := kjson.UnmarshalStrict(js, out, kjson.DisallowUnknownFields)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if len(strict) > 0 {
		msgs := make([]string, len(strict))
		for i, e := range strict {
			msgs[i] = e.Error()
		}
		return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(msgs, "; "))
	}
	return nil
}

// toJSON converts YAML (or JSON, a subset) to JSON, rejecting duplicate
// keys. The YAML library refuses documents with excessive aliasing.
func toJSON(b []byte) ([]byte, error) {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return nil, errors.New("empty document")
	}
	if trimmed[0] == '{' && json.Valid(trimmed) {
		// JSON needs no YAML round trip (which costs several kilobytes per
		// value); only duplicate keys remain to be refused.
		if err := checkDuplicateKeys(trimmed); err != nil {
			return nil, err
		}
		return trimmed, nil
	}
	if len(b) > MaxYAMLSize {
		return nil, fmt.Errorf("YAML document larger than %d bytes; write large records as JSON", MaxYAMLSize)
	}
	js, err := yaml.YAMLToJSONStrict(b)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
		return nil, errors.New("empty document")
	}
	return js, nil
}

// checkDuplicateKeys walks valid JSON and refuses an object that repeats a
// key, as the YAML path does.
func checkDuplicateKeys(js []byte) error {
	dec := json.NewDecoder(bytes.NewReader(js))
	type frame struct {
		object bool
		keys   map[string]bool
		key    bool // the next string token is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if top != nil && top.object {
					top.key = true
				}
				stack = append(stack, &frame{object: t == '{', keys: map[string]bool{}, key: t == '{'})
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		case string:
			if top != nil && top.object && top.key {
				if top.keys[t] {
					return fmt.Errorf("duplicate key: key %q already set in map", t)
				}
				top.keys[t] = true
				top.key = false
				continue
			}
		}
		if top != nil && top.object {
			top.key = true
		}
	}
}

// checkDepth rejects JSON nested deeper than MaxDepth without decoding it.
func checkDepth(js []byte) error {
	if d := Depth(js, MaxDepth); d > MaxDepth {
		return fmt.Errorf("%w: nested deeper than %d levels", ErrInvalid, MaxDepth)
	}
	return nil
}

// Depth returns the nesting depth of JSON (or JSON-like) text without
// decoding it, stopping as soon as it exceeds limit.
func Depth(js []byte, limit int) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range js {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > deepest {
				deepest = depth
				if deepest > limit {
					return deepest
				}
			}
		case '}', ']':
			depth--
		}
	}
	return deepest
}

// Encode renders a document as YAML with a trailing newline. Field order
// follows the Go struct, so the output is deterministic.
func Encode(v any) ([]byte, error) {
	b, err := yaml.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return b, nil
}
