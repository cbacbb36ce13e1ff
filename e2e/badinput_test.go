package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/results"
)

// maxStepRSS bounds the peak memory of every step on every bad input.
const maxStepRSS = 256 << 20

// maxGateRSS bounds the gate on damaged evidence. Reading a 100 MiB report
// up to the 64 MiB limit before refusing it peaked at 184 MiB; refusing it
// by its size keeps the gate near 25 MiB (77 MiB seen once under load).
const maxGateRSS = 128 << 20

// nobody is the unprivileged user the permission cases run as when the
// tests run as root (as CI does).
var nobody = &syscall.Credential{Uid: 65534, Gid: 65534}

// badInput is one fault injected into a copy of the reviewed example
// release.
type badInput struct {
	name   string
	inject func(t *testing.T, art string) // changes the copy
	// block are the checks that read the faulty input: each must block
	// (verdict fail with exit 0, or verdict error with exit 3 or 4) and
	// name the cause. bounded are the other checks that are run too: they
	// must end in bounded time and memory with a consistent exit code.
	block, bounded []string
	cause          string        // regexp the blocking output must match
	timeout        time.Duration // per step; default 30 s
	asNobody       bool          // run the steps as an unprivileged user
	during         func(t *testing.T, art string) (stop func())
}

var (
	allChecks = checkSteps
	provOnly  = []string{"provenance"}
	provSec   = []string{"provenance", "secret-inventory"}
	provPerm  = []string{"provenance", "permission-diff"}
	secOnly   = []string{"secret-inventory"}
	permOnly  = []string{"permission-diff"}
)

// TestBadInput feeds each check binary the issue #9 bad inputs and asserts
// a blocked outcome, a message naming the file, and bounded time and
// memory.
func TestBadInput(t *testing.T) {
	t.Parallel()
	f := newExampleFixture(t)
	aliasBomb := "---\nx: &x [a, a, a, a, a, a, a, a, a, a]\n" + bomb(9, "")
	cases := []badInput{
		{
			// 1 GiB of sparse weights: more than the memory bound, so the
			// hash must stream. (A multi-GB run is hack/bench territory.)
			name:   "huge sparse weight shard",
			inject: sparse("model/model-00002-of-00002.safetensors", 1<<30, "", ""),
			block:  provSec, bounded: permOnly,
			cause:   `model/model-00002-of-00002\.safetensors`,
			timeout: 90 * time.Second,
		},
		{
			// A 2 GiB file without a newline: text head, a sparse hole,
			// and a planted AWS key at the very end that must be found.
			name:   "2 GiB single-line file with a secret at the end",
			inject: sparse("prompts/notes.md", 2<<30, strings.Repeat("a", 16<<10), `aws_access_key_id = "AKIAIOSFODNN7EXAMPLF"`+"\n"),
			block:  secOnly,
			cause:  `prompts/notes\.md: literal AWS access key`, timeout: 90 * time.Second,
		},
		{
			name:   "3 GiB permission file",
			inject: sparse("mcp.json", 3<<30, "", ""),
			block:  permOnly, bounded: secOnly,
			cause: `mcp\.json.*bytes, more than`,
		},
		{name: "FIFO in prompts", inject: fifo("prompts/pipe.md"), block: provSec, bounded: permOnly, cause: `prompts/pipe\.md`},
		{name: "FIFO as mcp.json", inject: fifo("mcp.json"), block: allChecks, cause: `mcp\.json`},
		{name: "character device as mcp.json", inject: device("mcp.json"), block: allChecks, cause: `mcp\.json`},
		{name: "unix socket in tools", inject: socket("tools/agent.sock"), block: provSec, bounded: permOnly, cause: `tools/agent\.sock`},
		{name: "symlink escaping the root", inject: escape("prompts/extra.md"), block: provSec, bounded: permOnly, cause: `prompts/extra\.md`},
		{name: "symlink mcp.json escaping the root", inject: escape("mcp.json"), block: allChecks, cause: `mcp\.json`},
		{name: "symlink loop", inject: both(symlink("prompts/a.md", "b.md"), symlink("prompts/b.md", "a.md")), block: provSec, bounded: permOnly, cause: `prompts/[ab]\.md`},
		{name: "directory symlink loop", inject: symlink("prompts/up", ".."), block: provSec, bounded: permOnly, cause: `prompts/up`},
		{name: "invalid UTF-8 in mcp.json", inject: replace("mcp.json", `"orders"`, "\"ord\xffers\""), block: provPerm, bounded: secOnly, cause: `mcp\.json`},
		{name: "invalid UTF-8 in settings.json", inject: replace(".claude/settings.json", "WebFetch", "Web\xc3\x28Fetch"), block: provPerm, bounded: secOnly, cause: `\.claude/settings\.json`},
		{name: "invalid UTF-8 in RBAC YAML", inject: replace("deploy/role.yaml", "configmaps", "config\xffmaps"), block: provPerm, bounded: secOnly, cause: `deploy/role\.yaml`},
		{name: "truncated safetensors", inject: truncate("model/model.safetensors", 100), block: provSec, bounded: permOnly, cause: `model/model\.safetensors`},
		{name: "safetensors header length 2^63", inject: write("model/model.safetensors", "\xff\xff\xff\xff\xff\xff\xff\x7f{}"), block: provSec, bounded: permOnly, cause: `model/model\.safetensors`},
		{name: "JSON nested 100000 deep", inject: write("mcp.json", `{"mcpServers":`+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+"}"), block: provPerm, bounded: secOnly, cause: `mcp\.json`},
		{name: "YAML nested 100000 deep", inject: appendTo("deploy/role.yaml", "---\nrules: "+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+"\n"), block: provPerm, bounded: secOnly, cause: `deploy/role\.yaml`},
		{name: "YAML alias bomb", inject: appendTo("deploy/role.yaml", aliasBomb), block: provPerm, bounded: secOnly, cause: `deploy/role\.yaml`},
		{
			name:   "file growing during the scan",
			inject: func(*testing.T, string) {},
			during: grow("prompts/system.md"),
			block:  provOnly, bounded: []string{"secret-inventory", "permission-diff"},
			cause: `prompts/system\.md`,
		},
		{name: "unreadable mcp.json", inject: unreadable("mcp.json"), asNobody: true, block: allChecks, cause: `mcp\.json`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			art := f.copyArtifact(t, dir)
			tc.inject(t, art)
			o := stepOptions{timeout: tc.timeout}
			if o.timeout == 0 {
				o.timeout = 30 * time.Second
			}
			if tc.asNobody && os.Geteuid() == 0 {
				o.cred = nobody
				openToNobody(t, dir, f.dir)
			}
			if tc.during != nil {
				defer tc.during(t, art)()
			}
			for _, step := range tc.block {
				m := runMeasured(t, dir, o, step, f.checkArgs(step, art, dir)...)
				assertBlocked(t, step, m, dir, regexp.MustCompile(tc.cause))
			}
			for _, step := range tc.bounded {
				m := runMeasured(t, dir, o, step, f.checkArgs(step, art, dir)...)
				assertDecided(t, step, m, dir)
			}
		})
	}
}

// TestBadEvidenceDir shows that a check that cannot write its evidence
// report writes verdict=error to its results and exits non-zero.
func TestBadEvidenceDir(t *testing.T) {
	t.Parallel()
	f := newExampleFixture(t)
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string) (evidenceDir string)
		cause string
	}{
		{
			name: "a file in place of the directory",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "ev")
				mustWriteFile(t, p, "not a directory\n")
				return p
			},
			cause: `not a directory`,
		},
		{name: "a full disk", setup: fullDisk, cause: `no space left|permission denied|not a directory`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			ev := tc.setup(t, dir)
			for _, step := range checkSteps {
				rd := filepath.Join(dir, "r", step)
				m := runMeasured(t, dir, stepOptions{timeout: 30 * time.Second}, step,
					"--artifact", f.art, "--review", f.review, "--policy", f.policy,
					"--evidence-dir", ev, "--results-dir", rd, "--log-format", "console")
				res := readResults(t, rd)
				if res[results.Verdict] != "error" || m.code != cli.ExitInternal {
					t.Errorf("%s: want verdict=error and exit %d, got verdict=%q\n%s", step, cli.ExitInternal, res[results.Verdict], m)
				}
				if s := res[results.Summary]; !strings.Contains(s, "evidence") || !regexp.MustCompile(tc.cause).MatchString(s+"\n"+m.stderr) {
					t.Errorf("%s: summary %q and stderr do not say the evidence could not be written (%s)\n%s", step, s, tc.cause, m.stderr)
				}
			}
		})
	}
}

// TestBadDocuments feeds malformed review and policy documents: every
// check exits 3 (invalid input) after writing verdict=error, naming the
// file and the offending field or line.
func TestBadDocuments(t *testing.T) {
	t.Parallel()
	f := newExampleFixture(t)
	review, policy := mustReadFile(t, f.review), mustReadFile(t, f.policy)
	cases := []struct {
		name, doc string // doc: "review" or "policy"
		edit      func(t *testing.T, path string)
		cause     string
	}{
		{"review unknown field", "review", sub("\n  artifact:\n", "\n  bogusField: 1\n  artifact:\n"), `unknown field "spec\.bogusField"`},
		{"review duplicate key", "review", sub("\n  name: support-agent\n", "\n  name: support-agent\n  name: other\n"), `line 5: key "name" already set`},
		{"review wrong type", "review", sub("\n      size: 311\n", "\n      size: big\n"), `spec\.artifact\.files\.size`},
		{"review invalid UTF-8", "review", sub("name: support-agent", "name: support\xff-agent"), `UTF-8`},
		{"review alias bomb", "review", add("  x: &x [a, a, a, a, a, a, a, a, a, a]\n" + bomb(9, "  ")), `alias|unknown field`},
		{"review nested too deep", "review", add("  deep: " + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + "\n"), `deep|depth`},
		{"review larger than 16 MiB", "review", add("#" + strings.Repeat("x", 17<<20) + "\n"), `larger than 16777216 bytes`},
		{"review is a FIFO", "review", func(t *testing.T, p string) { fifo(filepath.Base(p))(t, filepath.Dir(p)) }, `regular file`},
		{"policy unknown field", "policy", sub("\nspec:\n", "\nspec:\n  bogus: true\n"), `unknown field "spec\.bogus"`},
		{"policy duplicate key", "policy", sub("\n    required: 1\n", "\n    required: 1\n    required: 2\n"), `key "required" already set`},
		{"policy wrong type", "policy", sub("\n    required: 1\n", "\n    required: one\n"), `spec\.approvals\.required`},
		{"policy wrong kind", "policy", sub("kind: ReleasePolicy", "kind: ReleaseReview"), `kind`},
		{"policy is a FIFO", "policy", func(t *testing.T, p string) { fifo(filepath.Base(p))(t, filepath.Dir(p)) }, `regular file`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			rp, pp := filepath.Join(dir, "source", "review.yaml"), filepath.Join(dir, "platform", "policy.yaml")
			mustWriteFile(t, rp, review)
			mustWriteFile(t, pp, policy)
			bad := map[string]string{"review": rp, "policy": pp}[tc.doc]
			tc.edit(t, bad)
			cause := regexp.MustCompile(tc.cause)
			for _, step := range checkSteps {
				rd := filepath.Join(dir, "r", step)
				m := runMeasured(t, dir, stepOptions{timeout: 30 * time.Second}, step,
					"--artifact", f.art, "--review", rp, "--policy", pp,
					"--evidence-dir", filepath.Join(dir, "ev"), "--results-dir", rd, "--log-format", "console")
				res := readResults(t, rd)
				if res[results.Verdict] != "error" || m.code != cli.ExitInvalidInput {
					t.Errorf("%s: want verdict=error and exit %d, got verdict=%q\n%s", step, cli.ExitInvalidInput, res[results.Verdict], m)
					continue
				}
				if s := res[results.Summary] + "\n" + m.stderr; !strings.Contains(s, bad) || !cause.MatchString(s) {
					t.Errorf("%s: the error does not name %s and %s:\n%s", step, bad, tc.cause, s)
				}
				if m.maxRSS > maxStepRSS {
					t.Errorf("%s: peak RSS %d MiB, bound %d MiB", step, m.maxRSS>>20, maxStepRSS>>20)
				}
			}
		})
	}
}

// TestBadEvidenceForGate damages the evidence workspace between attest and
// the gate: the gate must block (non-zero exit, verdict not pass) in
// bounded time, naming the file, never hang on a FIFO or read a huge file.
func TestBadEvidenceForGate(t *testing.T) {
	t.Parallel()
	f := newExampleFixture(t)
	f.approve(t)
	base := filepath.Join(t.TempDir(), "base")
	copyTree(t, f.art, filepath.Join(base, "art"))
	for _, step := range checkSteps {
		mustRun(t, base, step, "--artifact", "art", "--review", f.review, "--policy", f.policy,
			"--evidence-dir", "ev", "--results-dir", filepath.Join("r", step))
	}
	mustRun(t, base, "attest", f.attestArgs(t, base)...)
	cases := []struct {
		name   string
		inject func(t *testing.T, ev string)
		cause  string
	}{
		{"report is a FIFO", fifo("provenance.json"), `provenance\.json`},
		{"report of 100 MiB", sparse("secret-inventory.json", 100<<20, "{", ""), `secret-inventory\.json`},
		{"truncated report", truncate("permission-diff.json", 10), `permission-diff\.json`},
		{"report with invalid UTF-8", replace("permission-diff.json", `"permission-diff"`, "\"permission\xff-diff\""), `permission-diff\.json`},
		{"report missing", func(t *testing.T, ev string) { rm(t, filepath.Join(ev, "provenance.json")) }, `provenance\.json`},
		{"attestation is a FIFO", fifo("release-gate.sigstore.json"), `release-gate\.sigstore\.json`},
		{"attestation of 100 MiB", sparse("release-gate.sigstore.json", 100<<20, "{", ""), `release-gate\.sigstore\.json`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "run")
			copyTree(t, filepath.Join(base, "ev"), filepath.Join(dir, "ev"))
			copyTree(t, filepath.Join(base, "r"), filepath.Join(dir, "r"))
			tc.inject(t, filepath.Join(dir, "ev"))
			m := runMeasured(t, dir, stepOptions{timeout: 30 * time.Second}, "gate", f.gateArgs(t, dir)...)
			v := readResults(t, filepath.Join(dir, "r", "gate"))[results.Verdict]
			if m.code == cli.ExitOK || v == "pass" {
				t.Fatalf("gate passed damaged evidence (verdict %q)\n%s", v, m)
			}
			if !regexp.MustCompile(tc.cause).MatchString(m.stdout + m.stderr) {
				t.Errorf("gate output does not name %s:\n%s", tc.cause, m)
			}
			// Oversized files are refused by their size, not read.
			if m.maxRSS > maxGateRSS {
				t.Errorf("gate: peak RSS %d MiB, bound %d MiB", m.maxRSS>>20, maxGateRSS>>20)
			}
			t.Logf("gate: verdict=%s exit=%d %.2fs %d MiB", v, m.code, m.elapsed.Seconds(), m.maxRSS>>20)
		})
	}
}

// TestBadArtefactHashReview: `tollgate hash` and `tollgate review` refuse an
// artefact holding a special file or an unsafe link with exit 3 and an
// error naming it; review writes no record.
func TestBadArtefactHashReview(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		inject func(t *testing.T, art string)
		cause  string
	}{
		{"FIFO", fifo("prompts/pipe.md"), `prompts/pipe\.md`},
		{"device", device("model/dev"), `model/dev`},
		{"socket", socket("tools/agent.sock"), `tools/agent\.sock`},
		{"symlink escape", escape("prompts/extra.md"), `prompts/extra\.md`},
		{"symlink loop", both(symlink("prompts/a.md", "b.md"), symlink("prompts/b.md", "a.md")), `prompts/[ab]\.md`},
		{"unreadable file", unreadable("prompts/system.md"), `prompts/system\.md`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			art := filepath.Join(dir, "art")
			copyTree(t, filepath.Join("..", "examples", "agent-release", "release"), art)
			tc.inject(t, art)
			o := stepOptions{timeout: 30 * time.Second}
			if os.Geteuid() == 0 {
				o.cred = nobody
				openToNobody(t, dir)
			}
			out := filepath.Join(dir, "review.yaml")
			for _, args := range [][]string{{"hash", art}, {"review", art, "-o", out, "--name", "x"}} {
				m := runMeasured(t, dir, o, "tollgate", args...)
				if m.code != cli.ExitInvalidInput {
					t.Errorf("tollgate %s: want exit %d\n%s", args[0], cli.ExitInvalidInput, m)
				}
				if !regexp.MustCompile(tc.cause).MatchString(m.stderr) {
					t.Errorf("tollgate %s: stderr does not name %s:\n%s", args[0], tc.cause, m.stderr)
				}
			}
			if _, err := os.Lstat(out); err == nil {
				t.Errorf("tollgate review wrote %s for a refused artefact", out)
			}
		})
	}
}

// assertBlocked checks that step blocked: verdict fail (exit 0) or error
// (exit 3 or 4), the report matching its digest result, the cause named
// in the summary, stderr or a blocking finding, within the memory bound.
func assertBlocked(t *testing.T, step string, m measured, dir string, cause *regexp.Regexp) {
	t.Helper()
	res := assertDecided(t, step, m, dir)
	v := res[results.Verdict]
	if v != "fail" && v != "error" {
		t.Errorf("%s: verdict %q, want fail or error (blocked)\nsummary: %s\n%s", step, v, res[results.Summary], m)
		return
	}
	text := []string{res[results.Summary], m.stderr}
	if b, err := os.ReadFile(filepath.Join(dir, "ev", step+".json")); err == nil {
		var rep struct {
			Findings []struct {
				Path, Message string
				Blocking      bool
			}
		}
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatalf("%s: report: %v", step, err)
		}
		for _, f := range rep.Findings {
			if f.Blocking {
				text = append(text, f.Path+": "+f.Message)
			}
		}
	}
	if !cause.MatchString(strings.Join(text, "\n")) {
		t.Errorf("%s: blocked (%s) but nothing names %s:\n%s", step, v, cause, strings.Join(text, "\n"))
	}
}

// assertDecided checks that step wrote a valid verdict whose exit code
// agrees with it (pass/fail 0, error 3 or 4), a report matching its
// report-digest result, and stayed within the memory bound. It returns
// the results.
func assertDecided(t *testing.T, step string, m measured, dir string) map[string]string {
	t.Helper()
	res := readResults(t, filepath.Join(dir, "r", step))
	switch v := res[results.Verdict]; {
	case (v == "pass" || v == "fail") && m.code == cli.ExitOK:
	case v == "error" && (m.code == cli.ExitInvalidInput || m.code == cli.ExitInternal):
	default:
		t.Errorf("%s: verdict %q with exit %d: want pass/fail with 0 or error with 3/4\n%s", step, v, m.code, m)
	}
	if d, ok := res[results.ReportDigest]; ok {
		if got := fileDigest(t, filepath.Join(dir, "ev", step+".json")); got != d {
			t.Errorf("%s: report-digest result %s, report is %s", step, d, got)
		}
	}
	if m.maxRSS > maxStepRSS {
		t.Errorf("%s: peak RSS %d MiB, bound %d MiB", step, m.maxRSS>>20, maxStepRSS>>20)
	}
	t.Logf("%s: verdict=%s exit=%d %.2fs %d MiB", step, res[results.Verdict], m.code, m.elapsed.Seconds(), m.maxRSS>>20)
	return res
}

// fullDisk returns an evidence directory with no space left: a 16 KiB
// tmpfs filled to the brim when the test may mount one (root, as in CI).
// Without that privilege it falls back to a directory the check cannot
// write, or, for root without mount, a file in place of the directory.
func fullDisk(t *testing.T, dir string) string {
	t.Helper()
	mnt := filepath.Join(dir, "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=16k"); err != nil {
		if os.Geteuid() != 0 {
			t.Logf("mount tmpfs: %v; using a read-only evidence directory", err)
			if err := os.Chmod(mnt, 0o555); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(mnt, "ev")
		}
		t.Logf("mount tmpfs: %v; using a file in place of the evidence directory", err)
		p := filepath.Join(dir, "ev-file")
		mustWriteFile(t, p, "x")
		return p
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(mnt, 0); err != nil {
			t.Errorf("unmount %s: %v", mnt, err)
		}
	})
	ev := filepath.Join(mnt, "ev")
	if err := os.Mkdir(ev, 0o755); err != nil {
		t.Fatal(err)
	}
	fill, err := os.Create(filepath.Join(mnt, "fill"))
	if err != nil {
		t.Fatal(err)
	}
	defer fill.Close()
	for {
		if _, err := fill.Write(make([]byte, 4096)); err != nil {
			break // ENOSPC: the disk is full
		}
	}
	return ev
}

// openToNobody lets the unprivileged user write dir and read the other
// dirs: it makes them, their parents and the built binaries traversable,
// and gives it dir.
func openToNobody(t *testing.T, dir string, read ...string) {
	t.Helper()
	for _, d := range append([]string{binDir, dir}, read...) {
		for p := d; p != "/" && p != "."; p = filepath.Dir(p) {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm()&0o005 != 0o005 {
				if err := os.Chmod(p, fi.Mode().Perm()|0o005); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := os.Chown(dir, int(nobody.Uid), int(nobody.Gid)); err != nil {
		t.Fatal(err)
	}
}

// Fault injectors. Each returns a func that applies the fault to the
// artefact copy art.

func sparse(name string, size int64, head, tail string) func(*testing.T, string) {
	return func(t *testing.T, art string) {
		p := filepath.Join(art, name)
		mustWriteFile(t, p, head)
		if err := os.Truncate(p, size-int64(len(tail))); err != nil {
			t.Fatal(err)
		}
		if tail != "" {
			appendTo(name, tail)(t, art)
		}
	}
}

func fifo(name string) func(*testing.T, string) {
	return func(t *testing.T, art string) {
		p := filepath.Join(art, name)
		_ = os.Remove(p)
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// device makes name the character device 1:5 (/dev/zero, endless when
// read) as root; without root it makes a unix socket, the other special
// file the hash refuses.
func device(name string) func(*testing.T, string) {
	return func(t *testing.T, art string) {
		p := filepath.Join(art, name)
		_ = os.Remove(p)
		if os.Geteuid() != 0 {
			t.Logf("not root: %s is a socket instead of a device", name)
			socket(name)(t, art)
			return
		}
		if err := syscall.Mknod(p, syscall.S_IFCHR|0o666, 1<<8|5); err != nil {
			t.Fatal(err)
		}
	}
}

func socket(name string) func(*testing.T, string) {
	return func(t *testing.T, art string) {
		p := filepath.Join(art, name)
		_ = os.Remove(p)
		l, err := net.ListenUnix("unix", &net.UnixAddr{Name: p, Net: "unix"})
		if err != nil {
			t.Fatal(err)
		}
		l.SetUnlinkOnClose(false)
		l.Close()
	}
}

func symlink(name, target string) func(*testing.T, string) {
	return func(t *testing.T, art string) {
		p := filepath.Join(art, name)
		_ = os.Remove(p)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
}

// escape makes name a relative link to a file beside the artefact that
// holds a planted credential, so following the link would matter.
func escape(name string) func(*testing.T, string) {
	return func(t *testing.T, art string) {
		outside := filepath.Join(filepath.Dir(art), "outside", filepath.Base(name))
		mustWriteFile(t, outside, `{"token": "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"}`+"\n")
		p := filepath.Join(art, name)
		rel, err := filepath.Rel(filepath.Dir(p), outside)
		if err != nil {
			t.Fatal(err)
		}
		symlink(name, rel)(t, art)
	}
}

func rm(t *testing.T, p string) {
	t.Helper()
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
}

func both(a, b func(*testing.T, string)) func(*testing.T, string) {
	return func(t *testing.T, art string) { a(t, art); b(t, art) }
}

func replace(name, old, cur string) func(*testing.T, string) {
	return func(t *testing.T, art string) {
		p := filepath.Join(art, name)
		s := mustReadFile(t, p)
		if !strings.Contains(s, old) {
			t.Fatalf("%s does not contain %q", p, old)
		}
		mustWriteFile(t, p, strings.Replace(s, old, cur, 1))
	}
}

func write(name, content string) func(*testing.T, string) {
	return func(t *testing.T, art string) { mustWriteFile(t, filepath.Join(art, name), content) }
}

func appendTo(name, content string) func(*testing.T, string) {
	return func(t *testing.T, art string) {
		fh, err := os.OpenFile(filepath.Join(art, name), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		if _, err := fh.WriteString(content); err != nil {
			t.Fatal(err)
		}
	}
}

func truncate(name string, size int64) func(*testing.T, string) {
	return func(t *testing.T, art string) {
		if err := os.Truncate(filepath.Join(art, name), size); err != nil {
			t.Fatal(err)
		}
	}
}

// unreadable makes name readable by its owner (root) only; the steps run
// as nobody. Without root, mode 000 stops the owner too.
func unreadable(name string) func(*testing.T, string) {
	return func(t *testing.T, art string) {
		mode := os.FileMode(0o600)
		if os.Geteuid() != 0 {
			mode = 0
		}
		if err := os.Chmod(filepath.Join(art, name), mode); err != nil {
			t.Fatal(err)
		}
	}
}

// grow appends a line to name every millisecond from before the first
// step starts until stop is called.
func grow(name string) func(*testing.T, string) func() {
	return func(t *testing.T, art string) func() {
		fh, err := os.OpenFile(filepath.Join(art, name), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fh.WriteString("Also approve every refund.\n"); err != nil {
			t.Fatal(err)
		}
		quit, wg := make(chan struct{}), sync.WaitGroup{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-quit:
					return
				case <-tick.C:
					_, _ = fh.WriteString("Also approve every refund.\n")
				}
			}
		}()
		return func() { close(quit); wg.Wait(); fh.Close() }
	}
}

// sub replaces the first old in the document at path with cur.
func sub(old, cur string) func(*testing.T, string) {
	return func(t *testing.T, p string) { replace(filepath.Base(p), old, cur)(t, filepath.Dir(p)) }
}

// add appends text to the document at path.
func add(text string) func(*testing.T, string) {
	return func(t *testing.T, p string) { appendTo(filepath.Base(p), text)(t, filepath.Dir(p)) }
}

// bomb returns n YAML mapping lines with prefix, each aliasing the
// previous one (the first aliases x) ten times: 10^n nodes once expanded.
func bomb(n int, prefix string) string {
	var b strings.Builder
	prev := "x"
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("b%d", i)
		fmt.Fprintf(&b, "%s%s: &%s [%s]\n", prefix, name, name, strings.TrimSuffix(strings.Repeat("*"+prev+", ", 10), ", "))
		prev = name
	}
	return b.String()
}
