package document_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/document"
)

type spec struct {
	Count int               `json:"count"`
	Items []string          `json:"items,omitempty"`
	Inner map[string]string `json:"inner,omitempty"`
	Deep  *struct {
		Value string `json:"value"`
	} `json:"deep,omitempty"`
}

type doc struct {
	document.TypeMeta `json:",inline"`
	Metadata          document.ObjectMeta `json:"metadata"`
	Spec              spec                `json:"spec"`
}

func TestDecode(t *testing.T) {
	t.Parallel()
	bomb := "a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n"
	for i, prev := 0, "a"; i < 9; i++ {
		name := string(rune('b' + i))
		bomb += name + ": &" + name + " [*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + "]\n"
		prev = name
	}
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{"yaml ok", "apiVersion: tollgate.dev/v1alpha1\nkind: Thing\nmetadata: {name: x}\nspec: {count: 2}\n", ""},
		{"json ok", `{"apiVersion":"tollgate.dev/v1alpha1","kind":"Thing","metadata":{"name":"x"},"spec":{"count":2}}`, ""},
		{"unknown field has path", "apiVersion: tollgate.dev/v1alpha1\nkind: Thing\nmetadata: {name: x}\nspec: {count: 2, colour: red}\n", `unknown field "spec.colour"`},
		{"nested unknown field", "apiVersion: tollgate.dev/v1alpha1\nkind: Thing\nmetadata: {name: x}\nspec: {deep: {value: v, extra: 1}}\n", `unknown field "spec.deep.extra"`},
		{"wrong type has path", "apiVersion: tollgate.dev/v1alpha1\nkind: Thing\nmetadata: {name: x}\nspec: {count: many}\n", "spec.count"},
		{"duplicate key", "apiVersion: tollgate.dev/v1alpha1\nkind: Thing\nmetadata: {name: x}\nspec: {count: 1, count: 2}\n", `key "count" already set`},
		{"wrong kind", "apiVersion: tollgate.dev/v1alpha1\nkind: Other\nmetadata: {name: x}\n", `kind is "Other", want "Thing"`},
		{"wrong apiVersion", "apiVersion: v1\nkind: Thing\n", `apiVersion is "v1"`},
		{"empty", "   \n", "empty document"},
		{"null", "null\n", "empty document"},
		{"not a mapping", "- a\n- b\n", "cannot unmarshal"},
		{"invalid utf-8", "apiVersion: tollgate.dev/v1alpha1\nkind: Thing\nmetadata: {name: \"\xff\"}\n", "not valid UTF-8"},
		{"deep nesting", "apiVersion: tollgate.dev/v1alpha1\nkind: Thing\nspec: {inner: " + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "}\n", "nested deeper than"},
		{"alias bomb", "apiVersion: tollgate.dev/v1alpha1\nkind: Thing\n" + bomb, ""},
		{"syntax error", "apiVersion: [\n", "invalid document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var d doc
			err := document.Decode([]byte(tt.in), "Thing", &d)
			if tt.name == "alias bomb" {
				// must be refused (by the YAML library's alias budget or our
				// checks), quickly, never expanded
				if err == nil {
					t.Fatal("alias bomb accepted")
				}
				return
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if d.Spec.Count != 2 || d.Metadata.Name != "x" {
					t.Fatalf("decoded %+v", d)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if !errors.Is(err, document.ErrInvalid) {
				t.Errorf("err does not wrap ErrInvalid: %v", err)
			}
		})
	}
}

func TestDecodeRejectsOversize(t *testing.T) {
	t.Parallel()
	var d doc
	big := make([]byte, document.MaxSize+1)
	if err := document.Decode(big, "Thing", &d); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v", err)
	}
}

func TestDecodeRejectsDuplicateKeysInJSON(t *testing.T) {
	t.Parallel()
	var d doc
	in := `{"apiVersion":"tollgate.dev/v1alpha1","kind":"Thing","spec":{"count":1,"count":2}}`
	if err := document.Decode([]byte(in), "Thing", &d); err == nil || !strings.Contains(err.Error(), `key "count" already set`) {
		t.Fatalf("err = %v", err)
	}
}

func TestDecodeJSONFastPathRefusesNestedDuplicates(t *testing.T) {
	t.Parallel()
	var d doc
	for _, in := range []string{
		`{"apiVersion":"tollgate.dev/v1alpha1","kind":"Thing","spec":{"inner":{"a":"1","a":"2"}}}`,
		`{"apiVersion":"tollgate.dev/v1alpha1","kind":"Thing","spec":{"items":[{"x":1,"x":2}]}}`,
		`{"apiVersion":"tollgate.dev/v1alpha1","apiVersion":"tollgate.dev/v1alpha1","kind":"Thing"}`,
	} {
		if err := document.Decode([]byte(in), "Thing", &d); err == nil || !strings.Contains(err.Error(), "already set") {
			t.Errorf("%s: err = %v", in, err)
		}
	}
	ok := `{"apiVersion":"tollgate.dev/v1alpha1","kind":"Thing","metadata":{"name":"x"},"spec":{"count":2,"inner":{"a":"1"},"items":["a","a"]}}`
	if err := document.Decode([]byte(ok), "Thing", &d); err != nil {
		t.Fatal(err)
	}
}
