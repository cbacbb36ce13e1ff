package archive_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/pkg/archive"
)

var bytes0Time = time.Unix(1_700_000_000, 0)

// FuzzExtract feeds arbitrary streams to Extract: it must return (no panic,
// no hang), never write outside the destination, and stay within limits.
func FuzzExtract(f *testing.F) {
	f.Add(stream(f, reg("a/b.txt", "hello")))
	f.Add(stream(f, reg("../x", "y")))
	f.Add([]byte{})
	lim := archive.Limits{MaxBytes: 1 << 16, MaxFiles: 64}
	f.Fuzz(func(t *testing.T, in []byte) {
		outer := t.TempDir()
		dst := filepath.Join(outer, "dst")
		if err := os.Mkdir(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		st, err := archive.Extract(bytes.NewReader(in), dst, lim)
		if st.Bytes > lim.MaxBytes || st.Files+st.Dirs > lim.MaxFiles {
			t.Fatalf("limits exceeded: %+v (err %v)", st, err)
		}
		entries, _ := os.ReadDir(outer)
		if len(entries) != 1 {
			t.Fatalf("wrote outside the destination: %v", entries)
		}
		_ = filepath.WalkDir(dst, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !d.Type().IsRegular() {
				t.Fatalf("%s: extracted a %v", p, d.Type())
			}
			return nil
		})
	})
}
