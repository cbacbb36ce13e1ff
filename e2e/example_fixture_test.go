package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/results"
)

// checkSteps are the three check binaries, in pipeline order.
var checkSteps = []string{"provenance", "secret-inventory", "permission-diff"}

// exampleFixture is the reviewed example release: a copy of
// examples/agent-release/release, an attestor and an approver key pair, a
// policy trusting them, and the review record `tollgate review` wrote for
// the copy. Each test case copies the artefact again and changes only
// what it injects, so the review and policy stay valid.
type exampleFixture struct {
	dir    string // holds everything below
	art    string // the reviewed artefact
	review string // review record
	policy string // release policy
	botKey string // attestor private key (unencrypted)
}

// newExampleFixture builds the fixture in a fresh temporary directory.
func newExampleFixture(t *testing.T) *exampleFixture {
	t.Helper()
	dir := t.TempDir()
	f := &exampleFixture{
		dir:    dir,
		art:    filepath.Join(dir, "art"),
		review: filepath.Join(dir, "rel", "review.yaml"),
		policy: filepath.Join(dir, "policy.yaml"),
		botKey: filepath.Join(dir, "bot.key"),
	}
	copyTree(t, filepath.Join("..", "examples", "agent-release", "release"), f.art)
	for _, who := range []string{"alice", "bot"} {
		mustRun(t, dir, "tollgate", "keygen", "--unencrypted", "--output-prefix", filepath.Join(dir, who))
	}
	var p strings.Builder
	p.WriteString("apiVersion: tollgate.dev/v1alpha1\nkind: ReleasePolicy\nmetadata: {name: release-policy}\nspec:\n")
	p.WriteString("  approvals:\n    required: 1\n    separationOfDuties: true\n    approvers:\n    - name: alice\n      publicKey: |\n")
	p.WriteString(indentLines(mustReadFile(t, filepath.Join(dir, "alice.pub")), "        "))
	p.WriteString("  attestors:\n  - name: release-bot\n    publicKey: |\n")
	p.WriteString(indentLines(mustReadFile(t, filepath.Join(dir, "bot.pub")), "      "))
	mustWriteFile(t, f.policy, p.String())
	mustRun(t, dir, "tollgate", "review", f.art, "-o", f.review, "--name", "support-agent")
	return f
}

// approve signs the review record as alice.
func (f *exampleFixture) approve(t *testing.T) {
	t.Helper()
	mustRun(t, f.dir, "tollgate", "approve", "--yes", f.review, "--policy", f.policy, "--key", filepath.Join(f.dir, "alice.key"))
}

// copyArtifact copies the reviewed artefact to dir/art and returns it.
func (f *exampleFixture) copyArtifact(t *testing.T, dir string) string {
	t.Helper()
	art := filepath.Join(dir, "art")
	copyTree(t, f.art, art)
	return art
}

// checkArgs are the arguments of one check step writing to out/ev and
// out/r/<step>.
func (f *exampleFixture) checkArgs(step, art, out string) []string {
	return []string{"--artifact", art, "--review", f.review, "--policy", f.policy,
		"--evidence-dir", filepath.Join(out, "ev"), "--results-dir", filepath.Join(out, "r", step),
		"--log-format", "console"}
}

// measured is one finished command and what it cost.
type measured struct {
	result
	elapsed time.Duration
	maxRSS  int64 // peak resident set, bytes
}

// stepOptions changes how runMeasured starts a command.
type stepOptions struct {
	env     []string
	cred    *syscall.Credential // run as this user (needs root)
	timeout time.Duration       // kill after this; default two minutes
}

// runMeasured runs a built binary like run does and also reports its wall
// time and peak RSS. The peak comes from /usr/bin/time (make deps installs
// it): a child that this Go program starts itself inherits, at execve, the
// test process's own peak (the child shares its memory until then), so
// its rusage would measure the test, not the step. A command that outlives
// its timeout is killed, with its process group, and fails the test.
func runMeasured(t *testing.T, dir string, o stepOptions, name string, args ...string) measured {
	t.Helper()
	return runTimed(t, dir, o, filepath.Join(binDir, name), args...)
}

// runTimed is runMeasured for the executable at exe (a copy elsewhere too).
func runTimed(t *testing.T, dir string, o stepOptions, exe string, args ...string) measured {
	t.Helper()
	name := filepath.Base(exe)
	rssDir, err := os.MkdirTemp("", "tollgate-rss-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(rssDir)
	if err := os.Chmod(rssDir, 0o777); err != nil { // the step may run as another user
		t.Fatal(err)
	}
	rssFile := filepath.Join(rssDir, "rss")
	cmd := exec.Command("/usr/bin/time", append([]string{"-q", "-f", "%M", "-o", rssFile, exe}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "SOURCE_DATE_EPOCH=1795000000", "TOLLGATE_BIN_DIR="+binDir), o.env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: o.cred}
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	timeout := o.timeout
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(timeout):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		if werr := <-done; werr != nil {
			t.Logf("%s killed: %v", name, werr)
		}
		t.Fatalf("%s %s: still running after %s: unbounded time", name, strings.Join(args, " "), timeout)
	}
	m := measured{result: result{stdout: so.String(), stderr: se.String()}, elapsed: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		m.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", name, err)
	}
	b, err := os.ReadFile(rssFile)
	if err != nil {
		t.Fatalf("%s: /usr/bin/time wrote no peak: %v", name, err)
	}
	// the last line is the figure; a line before it reports a signal
	lines := strings.Fields(string(b))
	if len(lines) == 0 {
		t.Fatalf("%s: /usr/bin/time wrote an empty peak", name)
	}
	kb, err := strconv.ParseInt(lines[len(lines)-1], 10, 64)
	if err != nil {
		t.Fatalf("%s: /usr/bin/time: %q: %v", name, b, err)
	}
	m.maxRSS = kb << 10
	return m
}

// mustRun runs a binary and fails the test unless it exits 0.
func mustRun(t *testing.T, dir, name string, args ...string) result {
	t.Helper()
	r := run(t, dir, nil, name, args...)
	if r.code != 0 {
		t.Fatalf("%s %s: %s", name, strings.Join(args, " "), r)
	}
	return r
}

// readResults reads every result file a step wrote (missing ones are absent).
func readResults(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, n := range []string{results.Verdict, results.ReportDigest, results.Summary, results.ArtifactDigest, results.AttestationDigest} {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err == nil {
			out[n] = string(b)
		}
	}
	return out
}

func fileDigest(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

func mustReadFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustWriteFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func indentLines(s, prefix string) string {
	lines := strings.SplitAfter(strings.TrimRight(s, "\n"), "\n")
	return prefix + strings.Join(lines, prefix) + "\n"
}

// sha256Hex is the lowercase hex SHA-256 of b.
func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
