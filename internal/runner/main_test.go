package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as a step binary: copied into a bin
// directory as "fakestep", it runs fakeStep instead of the tests.
func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == "fakestep" {
		os.Exit(fakeStep(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// fakeStep understands --results-dir=DIR, --set=NAME=VALUE (a result),
// --write=FILE (a file holding its own name), --sleep=DURATION, --kill (SIGKILL
// itself, a crash) and --exit=N.
func fakeStep(args []string) int {
	dir := ""
	code := 0
	for _, a := range args {
		k, v, _ := strings.Cut(a, "=")
		switch k {
		case "--results-dir":
			dir = v
		case "--set":
			name, val, _ := strings.Cut(v, "=")
			if err := os.WriteFile(filepath.Join(dir, name), []byte(val), 0o644); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 4
			}
		case "--write":
			if err := os.WriteFile(v, []byte(filepath.Base(v)), 0o644); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 4
			}
		case "--sleep":
			d, err := time.ParseDuration(v)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 4
			}
			time.Sleep(d)
		case "--kill":
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		case "--exit":
			n, err := strconv.Atoi(v)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 4
			}
			code = n
		default:
			fmt.Fprintln(os.Stderr, "fakestep: unknown argument", a)
			return 2
		}
	}
	fmt.Println("fakestep ran")
	return code
}

// fakeBinDir returns a directory holding this test binary as "fakestep".
func fakeBinDir(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dst := filepath.Join(dir, "fakestep")
	if err := os.Link(exe, dst); err != nil {
		b, err := os.ReadFile(exe)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
