package artifact_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/artifact"
)

// TestWriteJSONIsMarshalIndent: the streamed manifest and part are byte for
// byte what json.MarshalIndent writes, names that JSON escapes included.
func TestWriteJSONIsMarshalIndent(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, map[string]string{
		"a<b>&c.txt": "x", "ü/ñ.md": "y", "quote\"back\\slash": "z", "empty": "",
		"line\u2028sep": "w", "d/e/f.bin": "0123456789",
	})
	files, err := artifact.Hash(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	shards, err := artifact.Hash(context.Background(), root, artifact.WithMethod(artifact.MethodShards), artifact.WithShardSize(3), artifact.WithIgnore("x/y"))
	if err != nil {
		t.Fatal(err)
	}
	part, err := artifact.HashPart(context.Background(), root, 2, 3, artifact.WithMethod(artifact.MethodShards), artifact.WithShardSize(4))
	if err != nil {
		t.Fatal(err)
	}
	emptyPart, err := artifact.HashPart(context.Background(), t.TempDir(), 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	empty, err := artifact.Hash(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		v     any
		write func(*bytes.Buffer) error
	}{
		{"files", files, func(b *bytes.Buffer) error { return files.WriteJSON(b) }},
		{"shards", shards, func(b *bytes.Buffer) error { return shards.WriteJSON(b) }},
		{"empty manifest", empty, func(b *bytes.Buffer) error { return empty.WriteJSON(b) }},
		{"part", part, func(b *bytes.Buffer) error { return part.WriteJSON(b) }},
		{"empty part", emptyPart, func(b *bytes.Buffer) error { return emptyPart.WriteJSON(b) }},
	} {
		want, err := json.MarshalIndent(tt.v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, '\n')
		var got bytes.Buffer
		if err := tt.write(&got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: WriteJSON differs from MarshalIndent:\n%s\nwant:\n%s", tt.name, got.Bytes(), want)
		}
	}
}
