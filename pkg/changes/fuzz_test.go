package changes_test

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/changes"
	"github.com/tollgate-dev/tollgate/pkg/review"
)

// FuzzRender: any two decodable review records render without a crash
// and without a raw control character in either format.
func FuzzRender(f *testing.F) {
	f.Add([]byte(base), []byte(strings.Replace(base, `version: "1.0"`, `version: "2.0\u001b"`, 1)))
	f.Add([]byte(base), []byte(base))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		prev, err := review.Decode(a)
		if err != nil {
			return
		}
		cur, err := review.Decode(b)
		if err != nil {
			return
		}
		d, err := changes.Compute(prev, cur)
		if err != nil {
			t.Fatal(err)
		}
		h, err := d.HTML()
		if err != nil {
			t.Fatal(err)
		}
		for _, out := range []string{string(d.Markdown()), string(h)} {
			if strings.ContainsFunc(out, func(r rune) bool { return (r < 0x20 && r != '\n') || r == 0x7f }) {
				t.Fatalf("raw control character in output:\n%q", out)
			}
		}
	})
}
