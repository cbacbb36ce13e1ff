package cli

import "testing"

func TestAsksForHelp(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want bool
	}{
		{[]string{"DIR"}, false},
		{[]string{"--help"}, true},
		{[]string{"DIR", "-h"}, true},
		{[]string{"--version"}, true},
		{[]string{"--help=true", "DIR"}, true},
		{[]string{"--", "--help"}, false},
		{[]string{"--ignore", "help", "DIR"}, false},
	}
	for _, tc := range cases {
		if got := asksForHelp(tc.args); got != tc.want {
			t.Errorf("asksForHelp(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}
