package document_test

import (
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/document"
)

// FuzzDecode feeds arbitrary bytes to the strict decoder: it must return
// (an error or a document), never panic or hang.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("apiVersion: tollgate.dev/v1alpha1\nkind: Thing\nmetadata: {name: x}\nspec: {count: 2}\n"))
	f.Add([]byte(`{"apiVersion":"tollgate.dev/v1alpha1","kind":"Thing","spec":{"items":["a"]}}`))
	f.Add([]byte("a: &a [1]\nb: [*a, *a]\n"))
	f.Add([]byte("[[[[[[[[[[]]]]]]]]]]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var d doc
		_ = document.Decode(b, "Thing", &d)
	})
}
