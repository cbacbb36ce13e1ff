package secrets

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// walkRef is the walk as it was written on filepath.WalkDir: the
// reference the raw-syscall walk (treeWalk, readDir) must match.
func walkRef(ctx context.Context, root string, emit func(job), res *Result) error {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return err
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if err != nil {
			res.Problems = append(res.Problems, Problem{Path: rel, Reason: "cannot read: " + errString(err)})
			return nil
		}
		switch t := d.Type(); {
		case d.IsDir():
			if rel == ".git" {
				return filepath.SkipDir
			}
		case t.IsRegular():
			emit(job{root: root, abs: p, rel: rel})
		case t&fs.ModeSymlink != 0:
			if why := linkProblem(realRoot, p); why != "" {
				res.Problems = append(res.Problems, Problem{Path: rel, Reason: why})
			} else {
				res.Stats.Skipped++
				res.skipped = append(res.skipped, rel)
			}
		default:
			res.Problems = append(res.Problems, Problem{Path: rel, Reason: "not a regular file (" + t.String() + "); remove it from the artefact"})
		}
		return nil
	})
}

// walkTree writes a tree with what a walk must tell apart: nested and
// root .git directories, a FIFO, a socket, symbolic links to a file, to a
// directory, out of the root and nowhere, odd names, and a directory too
// large for one getdents call.
func walkTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := []string{
		"a.txt", "b/c.txt", "b/d/e.yaml", ".git/config", "vendor/x/.git/config", "sp ace/new\nline.txt",
		`back\slash.txt`, "Z.txt", "_u.txt", "b/.hidden",
	}
	for i := range 1500 {
		files = append(files, fmt.Sprintf("big/%s-%04d.txt", strings.Repeat("n", 40), i))
	}
	for _, f := range files {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "b", "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"b/to-file": "../a.txt", "to-dir": "b", "out": "/etc/hostname", "broken": "nowhere", "b/d/loop": "loop",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestWalkMatchesWalkDir(t *testing.T) {
	t.Parallel()
	dir := walkTree(t)
	s, err := New(testKey)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, root := range []string{dir, dir + "/", dir + "/b", dir + "/./b/../b"} {
		var got, want []job
		gotRes, wantRes := &Result{}, &Result{}
		if err := s.walk(ctx, []string{root}, func(j job) { got = append(got, j) }, gotRes); err != nil {
			t.Fatal(err)
		}
		if err := walkRef(ctx, root, func(j job) { want = append(want, j) }, wantRes); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("root %s: jobs differ:\ngot  %d %.600v\nwant %d %.600v", root, len(got), got, len(want), want)
		}
		if !reflect.DeepEqual(gotRes, wantRes) {
			t.Fatalf("root %s: results differ:\ngot  %+v\nwant %+v", root, gotRes, wantRes)
		}
		if root == dir && (len(got) < 1500 || len(gotRes.Problems) < 5) {
			t.Fatalf("root %s: the tree was not walked: %d files, problems %v", root, len(got), gotRes.Problems)
		}
	}
}

// TestWalkRelativeRoot: the walk from "." and from a relative path names
// files as filepath.WalkDir does.
func TestWalkRelativeRoot(t *testing.T) {
	dir := walkTree(t)
	t.Chdir(dir)
	s, err := New(testKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, root := range []string{".", "b", "./b/"} {
		var got, want []job
		gotRes, wantRes := &Result{}, &Result{}
		if err := s.walk(context.Background(), []string{root}, func(j job) { got = append(got, j) }, gotRes); err != nil {
			t.Fatal(err)
		}
		if err := walkRef(context.Background(), root, func(j job) { want = append(want, j) }, wantRes); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotRes, wantRes) {
			t.Fatalf("root %s: got %.400v %+v\nwant %.400v %+v", root, got, gotRes, want, wantRes)
		}
	}
}

func TestReadDirMatchesOS(t *testing.T) {
	t.Parallel()
	dir := walkTree(t)
	buf := make([]byte, 4096) // small: many getdents calls
	for _, d := range []string{dir, filepath.Join(dir, "big"), filepath.Join(dir, "b"), filepath.Join(dir, "empty")} {
		got, err := readDir(d, buf, nil)
		if err != nil {
			t.Fatal(err)
		}
		ents, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		want := []dirent{}
		for _, e := range ents {
			want = append(want, dirent{name: e.Name(), typ: e.Type()})
		}
		if len(got) == 0 {
			got = []dirent{}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: got %.300v, want %.300v", d, got, want)
		}
	}
	for _, bad := range []string{filepath.Join(dir, "a.txt"), filepath.Join(dir, "to-dir"), filepath.Join(dir, "missing"), "with\x00nul"} {
		if _, err := readDir(bad, buf, nil); err == nil {
			t.Errorf("readDir(%q): no error", bad)
		}
	}
}
