package runner

import (
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	vars := map[string]string{"A": "a", "EMPTY": "", "B": "$(A)"}
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"$(A)", "a"},
		{"x=$(A)/$(A)", "x=a/a"},
		{"$(EMPTY)", ""},
		{"$(UNDEFINED)", "$(UNDEFINED)"},
		{"$$(A)", "$(A)"},
		{"$$", "$"},
		{"$", "$"},
		{"a$b", "a$b"},
		{"$(A", "$(A"},
		{"$()", "$()"},
		{"$(B)", "$(A)"}, // values are not expanded again
	}
	for _, tt := range tests {
		if got := expand(tt.in, vars); got != tt.want {
			t.Errorf("expand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMapResultsDir(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/tekton/results", "/L"},
		{"--results-dir=/tekton/results", "--results-dir=/L"},
		{"/tekton/results/verdict", "/L/verdict"},
		{"/tekton/resultsx", "/tekton/resultsx"},
		{"x/tekton/results", "x/tekton/results"},
		{"a=/tekton/results,b=/tekton/results", "a=/tekton/results,b=/L"},
	}
	for _, tt := range tests {
		if got := mapResultsDir(tt.in, "/L"); got != tt.want {
			t.Errorf("mapResultsDir(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBinaryName(t *testing.T) {
	for in, want := range map[string]string{
		"ghcr.io/tollgate-dev/tollgate/provenance@sha256:abc": "provenance",
		"example.com:5000/x/gate:v1":                          "gate",
		"gate":                                                "gate",
		"localhost:5000/attest:latest@sha256:00":              "attest",
	} {
		if got := binaryName(in); got != want {
			t.Errorf("binaryName(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzExpand checks that expansion never panics, leaves strings without
// "$" alone, and never produces a reference it was not given.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{"$(A)", "$$(A)", "$(A", "x$", "$()$(B)", "--k=$(A)/$(UNDEFINED)"} {
		f.Add(s)
	}
	vars := map[string]string{"A": "alpha", "B": ""}
	f.Fuzz(func(t *testing.T, s string) {
		got := expand(s, vars)
		if !strings.Contains(s, "$") && got != s {
			t.Fatalf("expand(%q) = %q without a $", s, got)
		}
		if strings.Count(got, "alpha") < strings.Count(s, "alpha") {
			t.Fatalf("expand(%q) = %q lost text", s, got)
		}
	})
}
