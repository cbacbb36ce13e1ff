package runner

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The first directory holding the step binary or tollgate decides: the
// running tollgate's directory wins over a stale ./bin of older step
// binaries (which once made `tollgate run` call a fetch without
// --hash-parts).
func TestBinaryDirectoryOrder(t *testing.T) {
	t.Parallel()
	exe, stale, empty := t.TempDir(), t.TempDir(), t.TempDir()
	for _, f := range []string{filepath.Join(exe, "tollgate"), filepath.Join(stale, "fetch"), filepath.Join(stale, "tollgate")} {
		if err := os.WriteFile(f, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(empty, "fetch"), []byte("not executable"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		dirs []string
		step string
		want []string
	}{
		{"running tollgate before stale bin", []string{exe, stale}, "fetch", []string{filepath.Join(exe, "tollgate"), "fetch"}},
		{"step binary first when its directory comes first", []string{stale, exe}, "fetch", []string{filepath.Join(stale, "fetch")}},
		{"not executable is skipped", []string{empty, exe}, "fetch", []string{filepath.Join(exe, "tollgate"), "fetch"}},
		{"tollgate itself", []string{exe}, "tollgate", []string{filepath.Join(exe, "tollgate")}},
		{"nothing", []string{empty}, "gate", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := &run{opts: Options{BinDirs: tc.dirs}}
			if got := r.binary(tc.step); !slices.Equal(got, tc.want) {
				t.Fatalf("binary(%q) = %q, want %q", tc.step, got, tc.want)
			}
		})
	}
}
