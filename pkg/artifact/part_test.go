package artifact_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/artifact"
)

// hashParts hashes root in count parts and merges them.
func hashParts(t testing.TB, root string, count int, opts ...artifact.Option) (*artifact.Manifest, []*artifact.Part) {
	t.Helper()
	parts := make([]*artifact.Part, 0, count)
	for i := 1; i <= count; i++ {
		p, err := artifact.HashPart(context.Background(), root, i, count, opts...)
		if err != nil {
			t.Fatalf("part %d/%d: %v", i, count, err)
		}
		// Every part goes through its file format, as it does between pods.
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		p, err = artifact.ParsePart(b)
		if err != nil {
			t.Fatalf("part %d/%d: %v", i, count, err)
		}
		parts = append(parts, p)
	}
	// Reverse, so Merge cannot rely on the order the parts arrive in.
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	m, err := artifact.Merge(parts)
	if err != nil {
		t.Fatalf("merge %d parts: %v", count, err)
	}
	return m, parts
}

// genTree writes n files whose sizes cycle through sizes, in nested
// directories, with a few empty files among them.
func genTree(t testing.TB, n int, sizes []int) string {
	t.Helper()
	root := t.TempDir()
	for i := range n {
		dir := filepath.Join(root, fmt.Sprintf("d%02d", i%37), fmt.Sprintf("e%d", i%5))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		size := sizes[i%len(sizes)]
		b := []byte(strings.Repeat(fmt.Sprintf("%d.", i), size/2+1))[:size]
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%d.bin", i)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestMergeEqualsSinglePass(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files int
		sizes []int
	}{
		{"one file", 1, []int{100}},
		{"one empty file", 1, []int{0}},
		{"empty and small", 10, []int{0, 1, 7, 0, 33}},
		{"larger than a shard", 9, []int{0, 5000, 64, 12345}},
		{"1000 files", 1000, []int{0, 10, 700, 3000, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := genTree(t, tt.files, tt.sizes)
			for _, opts := range [][]artifact.Option{
				nil,
				{artifact.WithMethod(artifact.MethodShards), artifact.WithShardSize(1024)},
				{artifact.WithIgnore("d01")},
			} {
				want, err := artifact.Hash(context.Background(), root, opts...)
				if err != nil {
					t.Fatal(err)
				}
				for _, n := range []int{1, 2, 3, 4, 7} {
					got, _ := hashParts(t, root, n, opts...)
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("%s, %d parts: merged root %s, single pass %s", want.Serialization.Method, n, got.Root, want.Root)
					}
				}
			}
		})
	}
}

func TestMergeEqualsSinglePass100000Files(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("100,000 files: not in -short")
	}
	root := genTree(t, 100_000, []int{0, 3, 40, 200})
	want, err := artifact.Hash(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := hashParts(t, root, 4)
	if got.Root != want.Root || len(got.Files) != 100_000 || !reflect.DeepEqual(got, want) {
		t.Fatalf("merged root %s (%d files), single pass %s", got.Root, len(got.Files), want.Root)
	}
}

func TestMergeEqualsSinglePassOnConformanceFolders(t *testing.T) {
	t.Parallel()
	base := conformanceDir(t)
	entries, err := os.ReadDir(base)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, e := range entries {
		sig := filepath.Join(base, e.Name(), "model.sig")
		if _, err := os.Stat(sig); err != nil {
			continue
		}
		st := readStatement(t, sig)
		if st.PredicateType != "https://model_signing/signature/v1.0" {
			continue
		}
		seen++
		dir := filepath.Join(base, e.Name())
		for _, method := range []artifact.Method{artifact.MethodFiles, artifact.MethodShards} {
			opts := []artifact.Option{artifact.WithIgnore("model.sig", "ignore-me"), artifact.WithMethod(method), artifact.WithShardSize(3)}
			want, err := artifact.Hash(context.Background(), dir, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if method == artifact.MethodFiles && want.Root != "sha256:"+st.Subject[0].Digest["sha256"] {
				t.Fatalf("%s: single pass root %s is not model-signing's", e.Name(), want.Root)
			}
			for _, n := range []int{2, 4} {
				if got, _ := hashParts(t, dir, n, opts...); !reflect.DeepEqual(got, want) {
					t.Errorf("%s %s, %d parts: merged %s, single pass %s", e.Name(), method, n, got.Root, want.Root)
				}
			}
		}
	}
	if seen < 7 {
		t.Fatalf("checked %d conformance folders, want at least 7", seen)
	}
}

func TestPlanBalancesBytes(t *testing.T) {
	t.Parallel()
	var files []artifact.FileSize
	for i := range 200 {
		files = append(files, artifact.FileSize{Name: fmt.Sprintf("f%03d", i), Size: int64((i * 7919) % 1000)})
	}
	ser := artifact.Serialization{Method: artifact.MethodFiles, HashType: "sha256"}
	plan, err := artifact.Plan(files, ser, 4)
	if err != nil {
		t.Fatal(err)
	}
	bytesIn := make([]int64, 5)
	for _, f := range files {
		bytesIn[plan[f.Name]] += f.Size
	}
	lo, hi := bytesIn[1], bytesIn[1]
	for _, b := range bytesIn[1:] {
		lo, hi = min(lo, b), max(hi, b)
	}
	if hi-lo >= 1000 { // within the largest file
		t.Fatalf("parts hold %v bytes: unbalanced", bytesIn[1:])
	}
	again, _ := artifact.Plan(files, ser, 4)
	if !reflect.DeepEqual(plan, again) {
		t.Fatal("plan is not deterministic")
	}
	// Shards of one big file spread across the parts.
	big := []artifact.FileSize{{Name: "model.bin", Size: 4000}}
	plan, err = artifact.Plan(big, artifact.Serialization{Method: artifact.MethodShards, HashType: "sha256", ShardSize: 1000}, 4)
	if err != nil {
		t.Fatal(err)
	}
	owners := map[int]bool{}
	for _, p := range plan {
		owners[p] = true
	}
	if len(owners) != 4 {
		t.Fatalf("4 shards of one file went to %d parts, want 4: %v", len(owners), plan)
	}
}

func TestMergeRefusesPartsThatDisagree(t *testing.T) {
	t.Parallel()
	root := genTree(t, 20, []int{0, 10, 300, 2000})
	clone := func(ps []*artifact.Part) []*artifact.Part {
		out := make([]*artifact.Part, len(ps))
		for i, p := range ps {
			b, _ := json.Marshal(p)
			var c artifact.Part
			if err := json.Unmarshal(b, &c); err != nil {
				t.Fatal(err)
			}
			out[i] = &c
		}
		return out
	}
	_, base := hashParts(t, root, 3)
	other, err := artifact.HashPart(context.Background(), root, 1, 3, artifact.WithMethod(artifact.MethodShards), artifact.WithShardSize(100))
	if err != nil {
		t.Fatal(err)
	}
	ignoring, err := artifact.HashPart(context.Background(), root, 1, 3, artifact.WithIgnore("d02"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		tamper func([]*artifact.Part) []*artifact.Part
		want   string
	}{
		{"missing part", func(ps []*artifact.Part) []*artifact.Part { return ps[1:] }, "missing part(s)"},
		{"duplicated part", func(ps []*artifact.Part) []*artifact.Part { return append(ps, ps[0]) }, "appears twice"},
		{"duplicated index", func(ps []*artifact.Part) []*artifact.Part { ps[1].Index = ps[0].Index; return ps }, "appears twice"},
		{"different count", func(ps []*artifact.Part) []*artifact.Part { ps[2].Count = 4; return ps }, "different counts"},
		{"different serialization", func(ps []*artifact.Part) []*artifact.Part {
			for i, p := range ps {
				if p.Index == 1 {
					ps[i] = other
				}
			}
			return ps
		}, "different serialization"},
		{"different ignore set", func(ps []*artifact.Part) []*artifact.Part {
			for i, p := range ps {
				if p.Index == 1 {
					ps[i] = ignoring
				}
			}
			return ps
		}, "different serialization"},
		{"different file list", func(ps []*artifact.Part) []*artifact.Part { ps[1].Files[3].Size++; return ps }, "different set of files"},
		{"file list changed alike", func(ps []*artifact.Part) []*artifact.Part {
			for _, p := range ps {
				p.Files = append(p.Files, artifact.FileSize{Name: "zz-extra", Size: 1})
			}
			return ps
		}, "lacks the digest of zz-extra"},
		{"digest dropped", func(ps []*artifact.Part) []*artifact.Part { ps[0].Resources = ps[0].Resources[1:]; return ps }, "lacks the digest of"},
		{"digest moved to another part", func(ps []*artifact.Part) []*artifact.Part {
			ps[1].Resources = append(ps[1].Resources, ps[0].Resources[0])
			ps[0].Resources = ps[0].Resources[1:]
			return ps
		}, "which belongs to part"},
		{"digest twice", func(ps []*artifact.Part) []*artifact.Part {
			ps[0].Resources = append(ps[0].Resources, ps[0].Resources[0])
			return ps
		}, "two digests for"},
		{"unknown resource", func(ps []*artifact.Part) []*artifact.Part {
			ps[0].Resources[0].Name = "not-in-the-tree"
			return ps
		}, "not in the file list"},
		{"resized resource", func(ps []*artifact.Part) []*artifact.Part { ps[0].Resources[0].Size++; return ps }, "with size"},
		{"no parts", func([]*artifact.Part) []*artifact.Part { return nil }, "no parts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := artifact.Merge(tt.tamper(clone(base)))
			if !errors.Is(err, artifact.ErrInvalidPart) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	// A changed digest is not the merge's to catch: it changes the root,
	// which no longer matches the review or the signature.
	ps := clone(base)
	ps[0].Resources[0].Digest = sum("tampered")
	m, err := artifact.Merge(ps)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := artifact.Merge(clone(base))
	if m.Root == want.Root {
		t.Fatal("a tampered digest kept the root")
	}
}

func TestHashPartRefusesBadIndex(t *testing.T) {
	t.Parallel()
	root := genTree(t, 1, []int{1})
	for _, c := range [][2]int{{0, 1}, {2, 1}, {1, 0}, {1, artifact.MaxParts + 1}, {-1, 3}} {
		if _, err := artifact.HashPart(context.Background(), root, c[0], c[1]); err == nil {
			t.Errorf("part %d/%d: want error", c[0], c[1])
		}
	}
}

func TestParsePartRefusesMalformed(t *testing.T) {
	t.Parallel()
	ok := `{"apiVersion":"tollgate.dev/v1alpha1","kind":"HashPart","index":1,"count":2,` +
		`"serialization":{"method":"files","hash_type":"sha256","allow_symlinks":false,"ignore_paths":[".git"]},` +
		`"files":[{"name":"a","size":1},{"name":"b/c","size":0}],` +
		`"resources":[{"name":"a","digest":"` + sum("x") + `","size":1}]}`
	if _, err := artifact.ParsePart([]byte(ok)); err != nil {
		t.Fatalf("valid part refused: %v", err)
	}
	tests := map[string]string{
		"unknown field":    strings.Replace(ok, `"index"`, `"extra":1,"index"`, 1),
		"wrong kind":       strings.Replace(ok, `HashPart`, `Other`, 1),
		"index zero":       strings.Replace(ok, `"index":1`, `"index":0`, 1),
		"index past count": strings.Replace(ok, `"index":1`, `"index":3`, 1),
		"too many parts":   strings.Replace(ok, `"count":2`, `"count":100000`, 1),
		"unsorted files":   strings.Replace(ok, `{"name":"a","size":1},{"name":"b/c","size":0}`, `{"name":"b/c","size":0},{"name":"a","size":1}`, 1),
		"duplicate file":   strings.Replace(ok, `"b/c"`, `"a"`, 1),
		"negative size":    strings.Replace(ok, `"size":0`, `"size":-1`, 1),
		"dot-dot name":     strings.Replace(ok, `"b/c"`, `"../c"`, 1),
		"absolute name":    strings.Replace(ok, `"b/c"`, `"/c"`, 1),
		"bad digest":       strings.Replace(ok, sum("x"), "sha256:zz", 1),
		"bad method":       strings.Replace(ok, `"files"`, `"blocks"`, 1),
		"bad hash type":    strings.Replace(ok, `"hash_type":"sha256"`, `"hash_type":"md5"`, 1),
		"trailing data":    ok + `{}`,
		"not json":         `{`,
		"NUL in a name":    strings.Replace(ok, `"b/c"`, `"b/\u0000"`, 1),
	}
	for name, in := range tests {
		if _, err := artifact.ParsePart([]byte(in)); !errors.Is(err, artifact.ErrInvalidPart) {
			t.Errorf("%s: err = %v, want ErrInvalidPart", name, err)
		}
	}
}

// FuzzParsePart: no input crashes the parser or the merge, and a part that
// parses survives its own encoding.
func FuzzParsePart(f *testing.F) {
	f.Add([]byte(`{"apiVersion":"tollgate.dev/v1alpha1","kind":"HashPart","index":1,"count":1,"serialization":{"method":"shards","hash_type":"sha256","shard_size":2,"allow_symlinks":false,"ignore_paths":[]},"files":[{"name":"a","size":3}],"resources":[{"name":"a:0:2","digest":"sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881","size":2}]}`))
	f.Add([]byte(`{"apiVersion":"tollgate.dev/v1alpha1","kind":"HashPart","index":1,"count":1,"serialization":{"method":"files","hash_type":"sha256","allow_symlinks":false,"ignore_paths":[]},"files":[],"resources":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := artifact.ParsePart(b)
		if err != nil {
			return
		}
		_, _ = artifact.Merge([]*artifact.Part{p})
		out, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := artifact.ParsePart(out); err != nil {
			t.Fatalf("re-encoded part refused: %v", err)
		}
	})
}

// TestMergeFilesStreamsAndRefuses: MergeFiles (the streamed merge of part
// files) prints the single pass's root and refuses what Merge refuses, plus
// a part whose resources come before its file list.
func TestMergeFilesStreamsAndRefuses(t *testing.T) {
	t.Parallel()
	root := genTree(t, 300, []int{0, 1, 7, 300})
	want, err := artifact.Hash(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writePart := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var paths []string
	var parts []*artifact.Part
	for i := 1; i <= 3; i++ {
		p, err := artifact.HashPart(context.Background(), root, i, 3)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p)
		paths = append(paths, writePart(fmt.Sprintf("part-%d.json", i), b))
	}
	got, err := artifact.MergeFiles(paths[2], paths[0], paths[1])
	if err != nil || got.Root != want.Root {
		t.Fatalf("merged %v (%v), want root %s", got, err, want.Root)
	}
	changed := *parts[1]
	changed.Files = append([]artifact.FileSize(nil), parts[1].Files...)
	changed.Files[10].Size++
	b, _ := json.Marshal(&changed)
	first, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	for name, tt := range map[string]struct {
		files []string
		want  string
	}{
		"changed file list": {[]string{paths[0], writePart("changed.json", b), paths[2]}, "different set of files"},
		"missing part":      {[]string{paths[0], paths[2]}, "missing part(s) 2"},
		"duplicated part":   {[]string{paths[0], paths[1], paths[1], paths[2]}, "appears twice"},
		"not JSON":          {[]string{paths[0], writePart("bad.json", []byte("{"))}, "decode part manifest"},
		"unknown field":     {[]string{writePart("extra.json", []byte(`{"extra":1}`))}, "unknown field"},
		"duplicated field":  {[]string{writePart("dup.json", []byte(`{"kind":"HashPart","kind":"HashPart"}`))}, "appears twice"},
		"trailing data":     {[]string{writePart("trail.json", append(first, '{', '}')), paths[1], paths[2]}, "trailing data"},
	} {
		if _, err := artifact.MergeFiles(tt.files...); !errors.Is(err, artifact.ErrInvalidPart) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tt.want)
		}
	}
	// resources first (no duplicate): refused by order
	reordered, _ := json.Marshal(struct {
		Resources     []artifact.Resource    `json:"resources"`
		APIVersion    string                 `json:"apiVersion"`
		Kind          string                 `json:"kind"`
		Index         int                    `json:"index"`
		Count         int                    `json:"count"`
		Serialization artifact.Serialization `json:"serialization"`
		Files         []artifact.FileSize    `json:"files"`
	}{parts[0].Resources, parts[0].APIVersion, parts[0].Kind, 1, 3, parts[0].Serialization, parts[0].Files})
	if _, err := artifact.MergeFiles(writePart("first.json", reordered), paths[1], paths[2]); !errors.Is(err, artifact.ErrInvalidPart) || !strings.Contains(err.Error(), "before its files") {
		t.Errorf("resources before files: err = %v", err)
	}
	// ParsePart, order-independent, accepts the same document
	if _, err := artifact.ParsePart(reordered); err != nil {
		t.Errorf("ParsePart refused a reordered part: %v", err)
	}
}
