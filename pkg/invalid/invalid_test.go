package invalid_test

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/invalid"
)

func TestIs(t *testing.T) {
	t.Parallel()
	sentinel := invalid.New("invalid thing")
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain", errors.New("disk full"), false},
		{"sentinel", sentinel, true},
		{"wrapped sentinel", fmt.Errorf("policy p.yaml: %w: required is 0", sentinel), true},
		{"Wrap", invalid.Wrap(errors.New("required is 0")), true},
		{"Wrap keeps the cause", fmt.Errorf("x: %w", invalid.Wrap(os.ErrNotExist)), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := invalid.Is(tc.err); got != tc.want {
				t.Fatalf("Is(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
	if !errors.Is(fmt.Errorf("a: %w", sentinel), sentinel) {
		t.Fatal("errors.Is lost the sentinel")
	}
	if !errors.Is(invalid.Wrap(os.ErrNotExist), os.ErrNotExist) {
		t.Fatal("Wrap hides the cause")
	}
	if invalid.Wrap(nil) != nil {
		t.Fatal("Wrap(nil) != nil")
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"sha256:abc", 80, `"sha256:abc"`},
		{"a\nb", 80, `"a\nb"`},
		{"0123456789", 4, `"0123"…`},
	} {
		if got := invalid.Quote(tc.in, tc.n); got != tc.want {
			t.Errorf("Quote(%q, %d) = %s, want %s", tc.in, tc.n, got, tc.want)
		}
	}
}
