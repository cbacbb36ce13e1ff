package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tollgate-dev/tollgate/internal/conformance"
	"github.com/tollgate-dev/tollgate/internal/testregistry"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"tollgate": func() { os.Exit(run()) },
	})
}

// TestScript runs the CLI end-to-end tests in testdata/script/*.txtar.
// Scripts see $CONFORMANCE (a copy of the vendored conformance data,
// package internal/conformance), $EXAMPLES (the repository's examples/
// directory) and $REGISTRY (a docker-registry on loopback).
func TestScript(t *testing.T) {
	t.Parallel()
	conformance := conformance.Extract(t, t.TempDir())
	examples, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	registry := testregistry.Addr(t)
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("CONFORMANCE", conformance)
			env.Setenv("EXAMPLES", examples)
			env.Setenv("REGISTRY", registry)
			env.Setenv("SOURCE_DATE_EPOCH", "1795000000")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits": exits,
		},
	})
}

// exits runs a command and asserts its exit code: exits 3 tollgate hash DIR.
// stdout and stderr are kept for the stdout/stderr commands that follow.
func exits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}
