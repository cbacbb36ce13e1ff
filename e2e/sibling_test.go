package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Debug lines the hash command logs about where it runs.
const (
	inSibling = "running in the lean sibling executable"
	inProcess = "hashing in this process"
)

// runAt runs the executable exe with args and env added, and returns what
// it did with its peak resident set in bytes (runTimed: /usr/bin/time; the
// kernel carries the peak across execve, so a delegated command's figure
// covers both images).
func runAt(t *testing.T, exe string, env []string, args ...string) (result, int64) {
	t.Helper()
	m := runTimed(t, "", stepOptions{env: env, timeout: 3 * time.Minute}, exe, args...)
	return m.result, m.maxRSS
}

// copyExe copies the built executable name into dir as as, with mode.
func copyExe(t *testing.T, name, dir, as string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(binDir, name))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, as)
	if err := os.WriteFile(p, b, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // not subject to the umask
		t.Fatal(err)
	}
}

// TestHashSibling: `tollgate hash` runs in bin/hash (the lean sibling of
// the same build) and prints byte for byte what it prints in process, for
// every mode; errors read the same; --help stays in tollgate.
func TestHashSibling(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	tree := filepath.Join(root, "tree")
	writeTree(t, tree, 300)
	parts := filepath.Join(root, "parts")
	if err := os.Mkdir(parts, 0o755); err != nil {
		t.Fatal(err)
	}
	tollgate := filepath.Join(binDir, "tollgate")
	off := []string{"TOLLGATE_NO_SIBLING=1"}
	cases := []struct {
		name string
		args []string
	}{
		{"root digest", []string{"hash", tree}},
		{"global flag first", []string{"--log-format", "json", "hash", tree}},
		{"shards json", []string{"hash", tree, "--serialization", "shards", "--shard-size", "4096", "--format", "json"}},
		{"ignore named like the command", []string{"hash", "--ignore", "hash", tree}},
		{"part", []string{"hash", tree, "--part", "2/3", "-o", "-"}},
		{"missing root", []string{"hash", filepath.Join(root, "nowhere")}},
		{"usage error", []string{"hash", "--bogus", tree}},
		{"two dirs", []string{"hash", tree, tree}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbg := append([]string{"--log-level", "debug"}, tc.args...)
			lean, _ := runAt(t, tollgate, nil, dbg...)
			here, _ := runAt(t, tollgate, off, dbg...)
			if lean.code != here.code || lean.stdout != here.stdout {
				t.Fatalf("sibling and in-process differ:\nsibling: %s\nin process: %s", lean, here)
			}
			if strip(lean.stderr) != strip(here.stderr) {
				t.Fatalf("stderr differs:\nsibling: %s\nin process: %s", lean.stderr, here.stderr)
			}
			if lean.code == 0 && (!strings.Contains(lean.stderr, inSibling) || !strings.Contains(here.stderr, inProcess)) {
				t.Fatalf("want the sibling, then the process, to hash:\n%s\n%s", lean.stderr, here.stderr)
			}
		})
	}
	t.Run("merge", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		for i := 1; i <= 3; i++ {
			if r, _ := runAt(t, tollgate, nil, "hash", tree, "--part", fmt.Sprintf("%d/3", i), "-o", filepath.Join(dir, fmt.Sprintf("p%d.json", i))); r.code != 0 {
				t.Fatal(r)
			}
		}
		whole, _ := runAt(t, tollgate, off, "hash", tree)
		merged, _ := runAt(t, tollgate, nil, "hash", "--merge", dir)
		if whole.code != 0 || merged.stdout != whole.stdout {
			t.Fatalf("merge in the sibling %q, whole in process %q", merged, whole)
		}
	})
	t.Run("help stays in tollgate", func(t *testing.T) {
		t.Parallel()
		r, _ := runAt(t, tollgate, nil, "hash", "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "tollgate hash DIR") {
			t.Fatalf("help should be tollgate's: %s", r)
		}
	})
}

// strip drops the debug lines that say where the command ran and the
// timestamps, which differ by design.
func strip(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, inSibling) || strings.Contains(l, inProcess) || strings.Contains(l, `"level":"debug"`) {
			continue
		}
		if i := strings.Index(l, `"ts":`); i >= 0 {
			l = l[:i]
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// TestHashSiblingRefused: a file named hash next to tollgate runs only if it
// is the hash binary of the same build; otherwise tollgate hashes itself,
// with the right digest, and says why at debug level.
func TestHashSiblingRefused(t *testing.T) {
	t.Parallel()
	tree := filepath.Join(t.TempDir(), "tree")
	writeTree(t, tree, 20)
	want, _ := runAt(t, filepath.Join(binDir, "tollgate"), []string{"TOLLGATE_NO_SIBLING=1"}, "hash", tree)
	if want.code != 0 {
		t.Fatal(want)
	}
	other := filepath.Join(t.TempDir(), "hash")
	build := exec.Command("go", "build", "-ldflags", "-X github.com/tollgate-dev/tollgate/pkg/version.Version=v0.0.0-other", "-o", other, "./cmd/hash")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build another hash: %v\n%s", err, out)
	}
	cases := []struct {
		name   string
		plant  func(t *testing.T, dir string)
		reason string
	}{
		{"a script", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "hash"), []byte("#!/bin/sh\necho sha256:0000\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, "read build information"},
		{"another command of the same build", func(t *testing.T, dir string) {
			copyExe(t, "attest", dir, "hash", 0o755)
		}, "cmd/attest"},
		{"the same hash, writable by all", func(t *testing.T, dir string) {
			copyExe(t, "hash", dir, "hash", 0o777)
		}, "writable by others"},
		{"the same hash, not executable", func(t *testing.T, dir string) {
			copyExe(t, "hash", dir, "hash", 0o644)
		}, "not executable"},
		{"hash of another build", func(t *testing.T, dir string) {
			b, err := os.ReadFile(other)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "hash"), b, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "another build"},
		{"a directory", func(t *testing.T, dir string) {
			if err := os.Mkdir(filepath.Join(dir, "hash"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, "not a regular file"},
		{"none", func(*testing.T, string) {}, "no sibling"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			copyExe(t, "tollgate", dir, "tollgate", 0o755)
			tc.plant(t, dir)
			got, _ := runAt(t, filepath.Join(dir, "tollgate"), nil, "--log-level", "debug", "hash", tree)
			if got.code != 0 || got.stdout != want.stdout {
				t.Fatalf("want %q from tollgate itself, got %s", want.stdout, got)
			}
			if !strings.Contains(got.stderr, inProcess) || !strings.Contains(got.stderr, tc.reason) {
				t.Fatalf("want %q and the reason %q at debug level:\n%s", inProcess, tc.reason, got.stderr)
			}
		})
	}
	t.Run("the same hash, copied", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		copyExe(t, "tollgate", dir, "tollgate", 0o755)
		copyExe(t, "hash", dir, "hash", 0o755)
		got, _ := runAt(t, filepath.Join(dir, "tollgate"), nil, "--log-level", "debug", "hash", tree)
		if got.code != 0 || got.stdout != want.stdout || !strings.Contains(got.stderr, inSibling) {
			t.Fatalf("want the sibling to hash: %s", got)
		}
	})
}

// TestHashSiblingMemory is the memory bar of issue #16: `tollgate hash` on
// 100,000 files peaks under 64 MB (the full binary's initialisers alone
// page in about 38 MB; hashing in process peaks near 90 MB).
func TestHashSiblingMemory(t *testing.T) {
	t.Parallel()
	tree := filepath.Join(t.TempDir(), "tree")
	writeTree(t, tree, 100_000)
	tollgate := filepath.Join(binDir, "tollgate")
	const limit = 64 << 20
	var digest string
	for _, args := range [][]string{
		{"hash", tree},
		{"hash", tree, "--serialization", "shards"},
		{"hash", tree, "--format", "json", "-o", filepath.Join(t.TempDir(), "m.json")},
	} {
		r, rss := runAt(t, tollgate, nil, args...)
		if r.code != 0 {
			t.Fatal(r)
		}
		t.Logf("tollgate %s: peak %.1f MB", strings.Join(args[2:], " "), float64(rss)/(1<<20))
		if rss <= 0 || rss >= limit {
			t.Errorf("tollgate %v: peak %.1f MB, want under 64 MB", args[2:], float64(rss)/(1<<20))
		}
		if len(args) == 2 {
			digest = r.stdout
		}
	}
	r, rss := runAt(t, tollgate, []string{"TOLLGATE_NO_SIBLING=1"}, "hash", tree)
	t.Logf("tollgate hash in process: peak %.1f MB", float64(rss)/(1<<20))
	if r.stdout != digest {
		t.Fatalf("in process %q, sibling %q", r.stdout, digest)
	}
}

// writeTree writes n small files of varied sizes (some empty) under dir,
// 1,000 to a directory, with names as long as a release's.
func writeTree(t *testing.T, dir string, n int) {
	t.Helper()
	buf := bytes.Repeat([]byte("tollgate sibling test data\n"), 100)
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("module-%03d", i/1000))
		if i%1000 == 0 {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		name := filepath.Join(sub, fmt.Sprintf("component-weights-%05d.bin", i))
		if err := os.WriteFile(name, buf[:(i*37)%len(buf)], 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
