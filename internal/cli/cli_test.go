package cli_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
)

// TestProgressNilSafe: NewProgress returns nil off a terminal, and the
// package documents that a nil *Progress shows nothing.
func TestProgressNilSafe(t *testing.T) {
	t.Parallel()
	p := cli.NewProgress(&bytes.Buffer{}, "hashing")
	if p != nil {
		t.Fatal("a buffer is not a terminal")
	}
	p.Start(1 << 30)
	p.Add(42)
	p.Finish()
}

func TestCodeOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want int
	}{
		{nil, cli.ExitOK},
		{errors.New("disk on fire"), cli.ExitInternal},
		{cli.Usagef("--x is required"), cli.ExitUsage},
		{cli.Blockedf("release blocked"), cli.ExitBlocked},
		{fmt.Errorf("policy p.yaml: %w", invalid.New("invalid document")), cli.ExitInvalidInput},
		{fmt.Errorf("read: %w", os.ErrNotExist), cli.ExitInvalidInput},
		{fmt.Errorf("run: %w", context.Canceled), cli.ExitInterrupted},
	}
	for _, tc := range tests {
		if got := cli.CodeOf(tc.err); got != tc.want {
			t.Errorf("CodeOf(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// TestArgsMarksUsage: cobra's argument validators are usage errors
// without matching their English messages.
func TestArgsMarksUsage(t *testing.T) {
	t.Parallel()
	err := cli.Args(cobra.ExactArgs(1))(&cobra.Command{Use: "hash"}, nil)
	if cli.CodeOf(err) != cli.ExitUsage {
		t.Fatalf("CodeOf(%v) = %d", err, cli.CodeOf(err))
	}
	if cli.Args(cobra.NoArgs)(&cobra.Command{}, nil) != nil {
		t.Fatal("valid args marked as an error")
	}
}

func TestSystemClock(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1795000000")
	c, err := cli.SystemClock()
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Stamp(); !got.Equal(time.Unix(1795000000, 0)) {
		t.Fatalf("Stamp = %s", got)
	}
	// The wall clock judges, whatever SOURCE_DATE_EPOCH says.
	if d := time.Since(c.Now()); d < 0 || d > time.Minute {
		t.Fatalf("Now = %s, not the wall clock", c.Now())
	}
	t.Setenv("SOURCE_DATE_EPOCH", "yesterday")
	if _, err := cli.SystemClock(); err == nil {
		t.Fatal("an unparsable SOURCE_DATE_EPOCH was accepted")
	}
}

func TestMarkSibling(t *testing.T) {
	t.Parallel()
	c := cli.MarkSibling(&cobra.Command{Use: "scan-secrets"}, "scan-secrets", "review", "x")
	if name, keep, ok := cli.SiblingOf(c); !ok || name != "scan-secrets" || len(keep) != 2 || keep[0] != "review" || keep[1] != "x" {
		t.Fatalf("SiblingOf = %q, %q, %v", name, keep, ok)
	}
	if name, keep, ok := cli.SiblingOf(cli.MarkSibling(&cobra.Command{Use: "hash"}, "hash")); !ok || name != "hash" || keep != nil {
		t.Fatalf("SiblingOf = %q, %q, %v", name, keep, ok)
	}
	if _, _, ok := cli.SiblingOf(&cobra.Command{Use: "review"}); ok {
		t.Fatal("an unmarked command has no sibling")
	}
}
