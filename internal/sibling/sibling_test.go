package sibling

import (
	"slices"
	"strings"
	"testing"
)

func info(path string, settings ...string) *buildInfo {
	bi := &buildInfo{goVersion: "go1.26.8", path: path, mod: "github.com/tollgate-dev/tollgate\t(devel)\t"}
	bi.settings = slices.Sorted(slices.Values(settings))
	return bi
}

func TestSameBuild(t *testing.T) {
	t.Parallel()
	self := info("github.com/tollgate-dev/tollgate/cmd/tollgate", "-trimpath=true", "vcs.revision=abc", "-ldflags=-X v=1")
	cases := []struct {
		name  string
		other func() *buildInfo
		want  string // "" accepts
	}{
		{"same build, settings in another order", func() *buildInfo {
			return info("github.com/tollgate-dev/tollgate/cmd/hash", "-ldflags=-X v=1", "vcs.revision=abc", "-trimpath=true")
		}, ""},
		{"another command", func() *buildInfo {
			return info("github.com/tollgate-dev/tollgate/cmd/attest", "-trimpath=true", "vcs.revision=abc", "-ldflags=-X v=1")
		}, "want \"github.com/tollgate-dev/tollgate/cmd/hash\""},
		{"another module", func() *buildInfo {
			bi := info("github.com/tollgate-dev/tollgate/cmd/hash", "-trimpath=true", "vcs.revision=abc", "-ldflags=-X v=1")
			bi.mod = "github.com/tollgate-dev/tollgate\tv1.2.3\th1:abc="
			return bi
		}, "another module version"},
		{"another Go", func() *buildInfo {
			bi := info("github.com/tollgate-dev/tollgate/cmd/hash", "-trimpath=true", "vcs.revision=abc", "-ldflags=-X v=1")
			bi.goVersion = "go1.25.0"
			return bi
		}, "built with go1.25.0"},
		{"another commit", func() *buildInfo {
			return info("github.com/tollgate-dev/tollgate/cmd/hash", "-trimpath=true", "vcs.revision=abd", "-ldflags=-X v=1")
		}, "another build"},
		{"another version stamp", func() *buildInfo {
			return info("github.com/tollgate-dev/tollgate/cmd/hash", "-trimpath=true", "vcs.revision=abc", "-ldflags=-X v=2")
		}, "another build"},
		{"a setting missing", func() *buildInfo {
			return info("github.com/tollgate-dev/tollgate/cmd/hash", "vcs.revision=abc", "-ldflags=-X v=1")
		}, "another build"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := sameBuild(self, tc.other(), "hash")
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("want accepted, got %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("want an error with %q, got %v", tc.want, err)
			}
		})
	}
}

// TestExecRefuses covers the paths that keep the command in this process
// without starting anything (the test binary has no sibling named hash).
func TestExecRefuses(t *testing.T) {
	t.Setenv(EnvParent, "")
	t.Setenv(EnvDisable, "1")
	if err := Exec("tollgate", "hash", nil); err != ErrDisabled { //nolint:errorlint // the sentinel itself
		t.Fatalf("disabled: %v", err)
	}
	t.Setenv(EnvDisable, "")
	t.Setenv(EnvParent, "tollgate")
	if err := Exec("tollgate", "hash", nil); err == nil || !strings.Contains(err.Error(), "already running as the sibling") {
		t.Fatalf("no second delegation: %v", err)
	}
	t.Setenv(EnvParent, "")
	if err := Exec("tollgate", "no-such-sibling-"+strings.Repeat("x", 8), nil); err == nil || !strings.Contains(err.Error(), "no sibling") {
		t.Fatalf("absent: %v", err)
	}
}
