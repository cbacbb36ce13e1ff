package evidence_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

func TestVerdictOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		findings []evidence.Finding
		want     evidence.Verdict
	}{
		{"none", nil, evidence.Pass},
		{"only warnings", []evidence.Finding{{Class: "a", Severity: evidence.Critical}}, evidence.Pass},
		{"one blocks", []evidence.Finding{{Class: "a"}, {Class: "b", Blocking: true}}, evidence.Fail},
	}
	for _, tt := range tests {
		if got := evidence.VerdictOf(tt.findings); got != tt.want {
			t.Errorf("%s: VerdictOf = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestOneLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"short", "ok", 10, "ok"},
		{"folds newlines", "line one\n\tline  two\r\n", 100, "line one line two"},
		{"escapes controls, drops invalid UTF-8", "a\x00b\x7f\xffc\x1b[31m", 100, `a\x00b\x7fc\x1b[31m`},
		{"escapes bidirectional controls", "evil\u202etxt.exe", 100, `evil\u202etxt.exe`},
		{"cuts on a rune boundary", strings.Repeat("é", 10), 7, "éé…"},
		{"exact fit", "abcde", 5, "abcde"},
	}
	for _, tt := range tests {
		got := evidence.OneLine(tt.in, tt.n)
		if got != tt.want || len(got) > tt.n || !utf8.ValidString(got) {
			t.Errorf("%s: OneLine(%q, %d) = %q, want %q", tt.name, tt.in, tt.n, got, tt.want)
		}
	}
}
