package makefile_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// installers are commands that change the machine: none may run in
// `make test`.
var installers = regexp.MustCompile(`(^|[\s;&|(])(sudo|apt-get|apt|dpkg|snap|pip3?|npm|curl|wget)\s`)

// dryRun returns the commands `make -n target` would run in the
// repository root.
func dryRun(t *testing.T, target string) []string {
	t.Helper()
	cmd := exec.Command("make", "-n", target)
	cmd.Dir = "../.."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make -n %s: %v\n%s", target, err, out)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// TestMakeTestInstallsNothing: `make test` once ran apt-get as a side
// effect of testing. Now it only checks for the Debian packages (make
// deps installs them), builds nothing outside the repository, and runs
// the pinned linter and every test.
func TestMakeTestInstallsNothing(t *testing.T) {
	t.Parallel()
	lines := dryRun(t, "test")
	joined := strings.Join(lines, "\n")
	for _, l := range lines {
		if installers.MatchString(l) {
			t.Errorf("make test would run an installer: %s", l)
		}
		if strings.Contains(l, "install-deps") && !strings.Contains(l, "install-deps.sh --check") {
			t.Errorf("make test would run install-deps without --check: %s", l)
		}
	}
	for _, want := range []string{"install-deps.sh --check", "golangci-lint", " run ./...", "go test -count=1", "./...", "verify-schemas.sh"} {
		if !strings.Contains(joined, want) {
			t.Errorf("make test does not run %q:\n%s", want, joined)
		}
	}
	// The linter is the pinned one, cached by version in a git-ignored dir.
	if !regexp.MustCompile(`\.cache/tools/golangci-lint-v2\.\d+\.\d+-go[0-9.]+/golangci-lint run`).MatchString(joined) {
		t.Errorf("make test does not run the cached, pinned golangci-lint:\n%s", joined)
	}
	// make deps is where installing happens.
	if deps := strings.Join(dryRun(t, "deps"), "\n"); !strings.Contains(deps, "install-deps.sh") || strings.Contains(deps, "--check") {
		t.Errorf("make deps does not run the installer:\n%s", deps)
	}
}

// TestCheckDepsRunsNoInstaller runs the check `make test` runs with
// apt-get, apt, dpkg and sudo replaced by programs that record being
// called: whether the packages are present or not, none is.
func TestCheckDepsRunsNoInstaller(t *testing.T) {
	t.Parallel()
	bin := t.TempDir()
	calls := filepath.Join(t.TempDir(), "calls")
	for _, name := range []string{"apt-get", "apt", "dpkg", "sudo"} {
		script := "#!/bin/sh\necho " + name + " \"$@\" >> " + calls + "\nexit 0\n"
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(root, "hack", "install-deps.sh"), "--check")
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil && !strings.Contains(string(out), "make deps") {
		t.Fatalf("install-deps.sh --check failed without saying to run make deps: %v\n%s", err, out)
	}
	if b, err := os.ReadFile(calls); err == nil {
		t.Fatalf("install-deps.sh --check ran an installer:\n%s", b)
	}
}
