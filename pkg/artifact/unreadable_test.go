package artifact

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHashUnreadableFile checks that a file that cannot be opened is an
// error naming it. Root reads everything, so the test removes read
// permission and, when running as root, also swaps the opener.
func TestHashUnreadableFile(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	p := filepath.Join(root, "locked.bin")
	if err := os.WriteFile(p, []byte("x"), 0o000); err != nil {
		t.Fatal(err)
	}
	opts := []Option{}
	if os.Geteuid() == 0 {
		opts = append(opts, func(o *options) {
			o.open = func(string) (*os.File, error) { return nil, os.ErrPermission }
		})
	}
	_, err := Hash(context.Background(), root, opts...)
	if err == nil || !strings.Contains(err.Error(), "open locked.bin") || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("err = %v", err)
	}
}
