package approve

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/digest"
)

func TestAsk(t *testing.T) {
	t.Parallel()
	doc := []byte("<!-- marker -->\n# Changes to agent\n\n**3 changes since the previous review: 2 would block without an exception.**\n")
	s := &shown{path: "review-changes.md", text: doc, digest: digest.FromBytes(doc)}
	for _, tt := range []struct {
		name, in string
		doc      *shown
		want     bool
		err      bool
		shows    string
	}{
		{"yes", "y\n", s, true, false, "# Changes to agent"},
		{"YES", "YES\n", s, true, false, "Approve r.yaml as alice? [y/N] "},
		{"enter", "\n", s, false, false, s.digest.String()},
		{"no", "n\n", s, false, false, "review-changes.md"},
		{"end of input", "", s, false, false, "Approve"},
		{"no document", "y\n", &shown{}, true, false, "No changes document"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			got, err := ask(strings.NewReader(tt.in), &out, tt.doc, "r.yaml as alice")
			if got != tt.want || (err != nil) != tt.err {
				t.Fatalf("ask = %v, %v; want %v, error %v", got, err, tt.want, tt.err)
			}
			if !strings.Contains(out.String(), tt.shows) {
				t.Fatalf("output %q lacks %q", out.String(), tt.shows)
			}
		})
	}
}

func TestConfirmNeedsTerminalOrYes(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	o := confirmOptions{}
	if ok, err := o.confirm(strings.NewReader("y\n"), &out, &shown{}, "x"); ok || err == nil || !strings.Contains(err.Error(), "pass --yes") {
		t.Fatalf("confirm on a pipe = %v, %v", ok, err)
	}
	o.Yes = true
	if ok, err := o.confirm(strings.NewReader(""), &out, &shown{}, "x"); !ok || err != nil {
		t.Fatalf("confirm --yes = %v, %v", ok, err)
	}
}
