package permissions

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2"
	kyaml "k8s.io/apimachinery/pkg/util/yaml"
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

// fromUTF16 returns b as UTF-8 when it starts with a UTF-16 or UTF-32
// byte-order mark (YAML parsers, kubectl's among them, read those
// encodings), and b itself otherwise.
func fromUTF16(b []byte) ([]byte, error) {
	var units []uint16
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE, 0, 0}), bytes.HasPrefix(b, []byte{0, 0, 0xFE, 0xFF}):
		return nil, fmt.Errorf("%w: UTF-32 text: convert it to UTF-8", ErrInvalid)
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		if len(b)%2 != 0 {
			return nil, fmt.Errorf("%w: UTF-16 text of an odd length", ErrInvalid)
		}
		be := b[0] == 0xFE
		units = make([]uint16, 0, len(b)/2-1)
		for i := 2; i+1 < len(b); i += 2 {
			if be {
				units = append(units, uint16(b[i])<<8|uint16(b[i+1]))
			} else {
				units = append(units, uint16(b[i+1])<<8|uint16(b[i]))
			}
		}
	default:
		return b, nil
	}
	out := make([]byte, 0, len(units))
	for _, r := range utf16.Decode(units) {
		if r == utf8.RuneError {
			return nil, fmt.Errorf("%w: UTF-16 text with an unpaired surrogate", ErrInvalid)
		}
		out = utf8.AppendRune(out, r)
	}
	return out, nil
}

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
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if len(strict) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, strict[0])
	}
	return v, nil
}

// decodeYAML decodes a YAML stream (one or more documents) split with
// Kubernetes' own reader (k8s.io/apimachinery/pkg/util/yaml), as kubectl
// splits it: a separator line that carries content ("--- {kind: Role}") is
// an error, never a document silently lost. Duplicate keys and excessive
// aliasing are refused by sigs.k8s.io/yaml; empty documents are dropped.
func decodeYAML(b []byte) ([]any, error) {
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: not valid UTF-8", ErrInvalid)
	}
	r := kyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	var docs []any
	for i := 1; ; i++ {
		p, err := r.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: document %d: %w", ErrInvalid, i, err)
		}
		if i > MaxDocuments {
			return nil, fmt.Errorf("%w: more than %d YAML documents", ErrInvalid, MaxDocuments)
		}
		if len(bytes.TrimSpace(p)) == 0 {
			continue
		}
		js, err := yaml.YAMLToJSONStrict(p)
		if err != nil {
			return nil, fmt.Errorf("%w: document %d: %w", ErrInvalid, i, err)
		}
		if len(js) > 4*MaxFileSize {
			return nil, fmt.Errorf("%w: document %d expands to more than %d bytes", ErrInvalid, i, 4*MaxFileSize)
		}
		if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
			continue
		}
		v, err := decodeJSON(js)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		docs = append(docs, v)
	}
}

// decodeTOML decodes a TOML document (Codex config.toml) with
// github.com/pelletier/go-toml/v2, which refuses duplicate keys and
// tables, then re-reads it as JSON so the same depth and UTF-8 bounds
// apply. Dates and times become RFC 3339 strings.
func decodeTOML(b []byte) (any, error) {
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: not valid UTF-8", ErrInvalid)
	}
	if tomlDepth(b) > MaxDepth {
		return nil, fmt.Errorf("%w: nested deeper than %d levels", ErrInvalid, MaxDepth)
	}
	var v map[string]any
	if err := toml.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	js, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return decodeJSON(js)
}

// tomlDepth bounds TOML nesting before parsing: the deepest nesting of
// arrays and inline tables outside strings, and the most dotted parts of
// a key.
func tomlDepth(b []byte) int {
	depth, deepest, dots := 0, 0, 0
	var quote byte
	for i := 0; i < len(b); i++ {
		c := b[i]
		if quote != 0 {
			switch {
			case c == '\\' && quote == '"':
				i++
			case c == quote || c == '\n':
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'':
			quote = c
		case '#':
			for i < len(b) && b[i] != '\n' {
				i++
			}
			dots = 0
		case '[', '{':
			depth++
		case ']', '}':
			depth = max(0, depth-1)
		case '.':
			dots++
		case '\n', '=', ',':
			dots = 0
		}
		deepest = max(deepest, depth+dots)
	}
	return deepest
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

// jsoncFile reports whether a client reads the file as JSON with
// comments: VS Code and its forks (.vscode/, .cursor/, workspaces), Zed,
// and .jsonc files.
func jsoncFile(rel string) bool {
	return strings.HasPrefix(rel, ".vscode/") || strings.Contains(rel, "/.vscode/") ||
		strings.HasPrefix(rel, ".cursor/") || strings.Contains(rel, "/.cursor/") ||
		strings.HasPrefix(rel, ".zed/") || strings.Contains(rel, "/.zed/") ||
		strings.HasSuffix(rel, ".jsonc") || strings.HasSuffix(rel, ".code-workspace")
}

// stripJSONC blanks the comments (// and /* */) and trailing commas of
// JSON with comments outside strings, keeping every other byte (and so
// every offset and line) where it was; ok is false when there were none
// or a comment is unterminated.
func stripJSONC(b []byte) ([]byte, bool) {
	out := append([]byte(nil), b...)
	changed := false
	lastComma := -1
	for i := 0; i < len(out); i++ {
		switch c := out[i]; {
		case c == '"':
			for i++; i < len(out) && out[i] != '"'; i++ {
				if out[i] == '\\' {
					i++
				}
			}
			lastComma = -1
		case c == '/' && i+1 < len(out) && out[i+1] == '/':
			for ; i < len(out) && out[i] != '\n'; i++ {
				out[i] = ' '
			}
			changed = true
		case c == '/' && i+1 < len(out) && out[i+1] == '*':
			j := bytes.Index(out[i+2:], []byte("*/"))
			if j < 0 {
				return nil, false
			}
			for k := i; k < i+2+j+2; k++ {
				if out[k] != '\n' {
					out[k] = ' '
				}
			}
			i += 2 + j + 1
			changed = true
		case c == ',':
			lastComma = i
		case c == '}' || c == ']':
			if lastComma >= 0 {
				out[lastComma] = ' '
				changed = true
			}
			lastComma = -1
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			lastComma = -1
		}
	}
	return out, changed
}

// isList reports whether m is a Kubernetes List (kind: List, items: [...]).
func isList(m map[string]any) bool { return str(m["kind"]) == "List" }

// anyItem reports whether an item of the List m satisfies is.
func anyItem(m map[string]any, is func(map[string]any) bool) bool {
	for _, it := range arr(m["items"]) {
		if is(obj(it)) {
			return true
		}
	}
	return false
}

// eachItem reads, with read, every item of the List m that is accepts (a
// List inside a List too, when read recurses), naming the failing item.
func eachItem(rel string, m map[string]any, is func(map[string]any) bool, read func(string, map[string]any) error) error {
	for i, it := range arr(m["items"]) {
		if o := obj(it); is(o) {
			if err := read(rel, o); err != nil {
				return fmt.Errorf("items[%d]: %w", i, err)
			}
		}
	}
	return nil
}
