package artifact_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/artifact"
)

func TestParseManifestAcceptsHashOutput(t *testing.T) {
	t.Parallel()
	root := genTree(t, 30, []int{0, 5, 2000})
	for _, opts := range [][]artifact.Option{nil, {artifact.WithMethod(artifact.MethodShards), artifact.WithShardSize(512)}} {
		want, err := artifact.Hash(context.Background(), root, opts...)
		if err != nil {
			t.Fatal(err)
		}
		merged, _ := hashParts(t, root, 3, opts...)
		for _, m := range []*artifact.Manifest{want, merged} {
			b, err := json.MarshalIndent(m, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got, err := artifact.ParseManifest(b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("parsed manifest %s differs from the hash %s", got.Root, want.Root)
			}
		}
	}
}

func TestParseManifestRefusesMalformed(t *testing.T) {
	t.Parallel()
	root := genTree(t, 3, []int{1, 2, 3})
	m, err := artifact.Hash(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(m)
	ok := string(b)
	tests := map[string]string{
		"root of other files": strings.Replace(ok, m.Root, sum("x"), 1),
		"unknown field":       strings.Replace(ok, `"root"`, `"extra":1,"root"`, 1),
		"unsorted":            strings.Replace(strings.Replace(ok, m.Files[0].Name, "zz", 1), m.Files[1].Name, "zz", 1),
		"bad digest":          strings.Replace(ok, m.Files[0].Digest, "sha256:00", 1),
		"escaping name":       strings.Replace(ok, m.Files[0].Name, "../x", 1),
		"bad method":          strings.Replace(ok, `"files"`, `"blocks"`, 1),
		"shard name in files": strings.Replace(strings.Replace(ok, `"files",`, `"shards","shard_size":10,`, 1), `"method"`, `"method"`, 1),
		"trailing data":       ok + "{}",
		"not json":            "[",
	}
	for name, in := range tests {
		if _, err := artifact.ParseManifest([]byte(in)); !errors.Is(err, artifact.ErrInvalidArtifact) {
			t.Errorf("%s: err = %v, want ErrInvalidArtifact", name, err)
		}
	}
}

func TestHashWithManifestReadsNoContent(t *testing.T) {
	t.Parallel()
	root := genTree(t, 10, []int{0, 7, 300})
	m, err := artifact.Hash(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	// A manifest whose digest differs from the content (root recomputed):
	// Hash returns it as is, which proves it read no file's content.
	forged := *m
	forged.Files = append([]artifact.Resource(nil), m.Files...)
	forged.Files[4].Digest = sum("not the content")
	if forged.Root, err = artifact.RootDigest(forged.Files); err != nil {
		t.Fatal(err)
	}
	got, err := artifact.Hash(context.Background(), root, artifact.WithManifest(&forged))
	if err != nil {
		t.Fatal(err)
	}
	if got.Root != forged.Root {
		t.Fatalf("root = %s, want the supplied %s", got.Root, forged.Root)
	}
	// Another serialization: the manifest cannot stand in, Hash hashes.
	shards, err := artifact.Hash(context.Background(), root, artifact.WithManifest(&forged), artifact.WithMethod(artifact.MethodShards))
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := artifact.Hash(context.Background(), root, artifact.WithMethod(artifact.MethodShards)); shards.Root != want.Root {
		t.Fatalf("shards root = %s, want %s", shards.Root, want.Root)
	}
	// Another ignore set: hashes too.
	if ig, _ := artifact.Hash(context.Background(), root, artifact.WithManifest(&forged), artifact.WithIgnore("d00")); ig.Root == forged.Root {
		t.Fatal("a manifest with another ignore set stood in")
	}
}

func TestHashWithManifestRefusesAnotherTree(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(root string) error
		want   string
	}{
		{"file added", func(root string) error { return os.WriteFile(filepath.Join(root, "new"), nil, 0o644) }, "new is in the tree but not in the manifest"},
		{"file removed", func(root string) error { return os.Remove(filepath.Join(root, "d01", "e1", "f1.bin")) }, "lists d01/e1/f1.bin, which is not in the tree"},
		{"file resized", func(root string) error {
			return os.WriteFile(filepath.Join(root, "d02", "e2", "f2.bin"), []byte("longer than before"), 0o644)
		}, "d02/e2/f2.bin has 18 bytes in the tree"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := genTree(t, 5, []int{3})
			m, err := artifact.Hash(context.Background(), root)
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.change(root); err != nil {
				t.Fatal(err)
			}
			_, err = artifact.Hash(context.Background(), root, artifact.WithManifest(m))
			if !errors.Is(err, artifact.ErrInvalidArtifact) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// FuzzParseManifest: no input crashes the manifest parser, and a manifest
// that parses survives its own encoding.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"root":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","serialization":{"method":"files","hash_type":"sha256","allow_symlinks":false,"ignore_paths":[".git"]},"files":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := artifact.ParseManifest(b)
		if err != nil {
			return
		}
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := artifact.ParseManifest(out); err != nil {
			t.Fatalf("re-encoded manifest refused: %v", err)
		}
	})
}
