package sibling_test

import (
	"testing"

	"github.com/tollgate-dev/tollgate/internal/sibling"
)

func TestServes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		keep []string
		want bool
	}{
		{[]string{"DIR"}, nil, true},
		{[]string{"--help"}, nil, false},
		{[]string{"DIR", "-h"}, nil, false},
		{[]string{"--version"}, nil, false},
		{[]string{"-v"}, nil, false},
		{[]string{"--help=true", "DIR"}, nil, false},
		{[]string{"--", "--help"}, nil, true},
		{[]string{"--ignore", "help", "DIR"}, nil, true},
		{[]string{"DIR", "--review", "r.yaml"}, []string{"review"}, false},
		{[]string{"DIR", "--review=r.yaml"}, []string{"review"}, false},
		{[]string{"DIR", "--reviewer", "x"}, []string{"review"}, true},
		{[]string{"--", "--review"}, []string{"review"}, true},
		{[]string{"DIR", "--review", "r.yaml"}, nil, true},
	}
	for _, tc := range cases {
		if got := sibling.Serves(tc.args, tc.keep...); got != tc.want {
			t.Errorf("Serves(%q, %q) = %v, want %v", tc.args, tc.keep, got, tc.want)
		}
	}
}
