package changes_test

import (
	"os/exec"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/changes"
)

// BenchmarkChanges measures what --against adds to a review (compare the
// records, diff the prompts, render both formats) against what an
// approver would run instead on the same two releases: diff -ru.
//
//	go test -run '^$' -bench BenchmarkChanges -benchtime 200x ./pkg/changes
func BenchmarkChanges(b *testing.B) {
	oldDir, newDir := scenario(b)
	prev, cur := snapshot(b, oldDir), snapshot(b, newDir)
	b.Run("tollgate", func(b *testing.B) {
		for b.Loop() {
			d, err := changes.Compute(prev, cur, changes.WithDirs(oldDir, newDir))
			if err != nil {
				b.Fatal(err)
			}
			d.Markdown()
			if _, err := d.HTML(); err != nil {
				b.Fatal(err)
			}
		}
	})
	diff, err := exec.LookPath("diff")
	if err != nil {
		b.Skip("diff is not installed")
	}
	b.Run("diff-ru", func(b *testing.B) {
		for b.Loop() {
			// exit 1: the trees differ
			if err := exec.Command(diff, "-ru", oldDir, newDir).Run(); err == nil {
				b.Fatal("diff -ru found no difference")
			}
		}
	})
}
