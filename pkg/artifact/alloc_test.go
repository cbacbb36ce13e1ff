package artifact_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/artifact"
)

// allocTree writes n small files in directories of 100.
func allocTree(t *testing.T, n int) string {
	t.Helper()
	root := t.TempDir()
	for i := range n {
		dir := filepath.Join(root, fmt.Sprintf("d%03d", i/100))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%05d.md", i)), []byte(fmt.Sprint(i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestHashAllocationsPerFile bounds what hashing costs per file, so a change
// that brings back per-file allocations (retained stat results, hex strings,
// name maps, a manifest built twice) fails here rather than as a peak-memory
// regression at 100,000 files (README "Hashing in parts": under 64 MB). The
// bounds sit ~25% over what this code measures (allocations: walk ~4, hash
// ~6 per file; bytes: ~1.1 KB per file, most of it short-lived stat and
// directory entries; retained: the manifest's ~150 bytes per file).
func TestHashAllocationsPerFile(t *testing.T) { //nolint:paralleltest // counts process-wide allocations (runtime.MemStats)
	const n = 2000
	root := allocTree(t, n)
	ctx := context.Background()
	for _, tt := range []struct {
		name          string
		run           func() any
		allocs, bytes float64 // per file
	}{
		{"files", func() any { m, _ := artifact.Hash(ctx, root); return m }, 15, 2300},
		{"shards", func() any {
			m, _ := artifact.Hash(ctx, root, artifact.WithMethod(artifact.MethodShards), artifact.WithShardSize(2))
			return m
		}, 22, 3400},
		{"part", func() any { p, _ := artifact.HashPart(ctx, root, 1, 4); return p }, 10, 1600},
	} {
		var keep any
		allocs := testing.AllocsPerRun(3, func() { keep = tt.run() }) / n
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		keep = tt.run()
		runtime.ReadMemStats(&after)
		bytes := float64(after.TotalAlloc-before.TotalAlloc) / n
		if keep == nil {
			t.Fatal("no result")
		}
		t.Logf("%s: %.1f allocations and %.0f bytes per file", tt.name, allocs, bytes)
		if allocs > tt.allocs {
			t.Errorf("%s: %.1f allocations per file, want at most %.0f", tt.name, allocs, tt.allocs)
		}
		if bytes > tt.bytes {
			t.Errorf("%s: %.0f bytes allocated per file, want at most %.0f", tt.name, bytes, tt.bytes)
		}
	}
}

// TestMergeFilesAllocationsPerFile bounds the merge of part files the same way.
func TestMergeFilesAllocationsPerFile(t *testing.T) { //nolint:paralleltest // counts process-wide allocations (runtime.MemStats)
	const n, count = 2000, 4
	root := allocTree(t, n)
	dir := t.TempDir()
	var paths []string
	for i := 1; i <= count; i++ {
		p, err := artifact.HashPart(context.Background(), root, i, count)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, fmt.Sprintf("part-%d.json", i))
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.WriteJSON(f); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	want, err := artifact.Hash(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	var got *artifact.Manifest
	allocs := testing.AllocsPerRun(3, func() { got, err = artifact.MergeFiles(paths...) }) / n
	if err != nil || got.Root != want.Root {
		t.Fatalf("merged root %v (%v), want %s", got, err, want.Root)
	}
	t.Logf("merge: %.1f allocations per file", allocs)
	// every part repeats the file list (13 allocations per file in all for 4 parts)
	if allocs > 16 {
		t.Errorf("merge: %.1f allocations per file, want at most 16", allocs)
	}
}
