package changes

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
)

// MaxPromptSize bounds each prompt text read for a diff.
const MaxPromptSize = 1 << 20

// maxDiffCells bounds the line-diff table (old lines × new lines).
const maxDiffCells = 4_000_000

// maxDiffLines bounds the lines a diff shows.
const maxDiffLines = 400

// DiffLine is one line of a text diff: Op is ' ' (context), '-' or '+',
// or '@' for a hunk header. Text is raw; renderers escape and mask it.
type DiffLine struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// promptDiff fills ch.Diff from the two artefact directories, or says in
// a note why it cannot.
func (c *config) promptDiff(ch *Change, path string) {
	if c.oldDir == "" || c.newDir == "" {
		ch.Notes = append(ch.Notes, fmt.Sprintf("prompt changed: %s → %s; give --against-dir for the text", short(ch.Old), short(ch.New)))
		return
	}
	read := func(dir, want string) ([]byte, error) {
		if want == "" || strings.HasPrefix(want, "(") {
			return nil, nil // absent on this side
		}
		p := filepath.Join(dir, filepath.FromSlash(path))
		b, err := safefile.Read(p, MaxPromptSize)
		if err != nil {
			return nil, err
		}
		if got := digest.FromBytes(b).String(); got != want {
			return nil, fmt.Errorf("%s is %s, not %s as the review records", p, short(got), short(want))
		}
		return b, nil
	}
	oldText, err := read(c.oldDir, ch.Old)
	if err == nil {
		var newText []byte
		if newText, err = read(c.newDir, ch.New); err == nil {
			ch.Diff, err = lineDiff(oldText, newText)
		}
	}
	if err != nil {
		ch.Diff = nil
		ch.Notes = append(ch.Notes, "no text diff: "+err.Error())
	}
}

func splitLines(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	s := strings.TrimSuffix(string(b), "\n")
	return strings.Split(s, "\n")
}

// lineDiff is a longest-common-subsequence line diff with two lines of
// context around each change.
func lineDiff(oldB, newB []byte) ([]DiffLine, error) {
	if bytes.Equal(oldB, newB) {
		return nil, nil
	}
	a, b := splitLines(oldB), splitLines(newB)
	if len(a)*len(b) > maxDiffCells {
		return nil, fmt.Errorf("the texts (%d and %d lines) are too long for a text diff", len(a), len(b))
	}
	n, m := len(a), len(b)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type op struct {
		op     byte
		text   string
		oi, ni int
	}
	var ops []op
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, op{' ', a[i], i, j})
			i++
			j++
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, op{'-', a[i], i, j})
			i++
		default:
			ops = append(ops, op{'+', b[j], i, j})
			j++
		}
	}
	const ctx = 2
	keep := make([]bool, len(ops))
	for k, o := range ops {
		if o.op != ' ' {
			for x := max(0, k-ctx); x <= min(len(ops)-1, k+ctx); x++ {
				keep[x] = true
			}
		}
	}
	var out []DiffLine
	for k := 0; k < len(ops); k++ {
		if !keep[k] {
			continue
		}
		if k == 0 || !keep[k-1] {
			out = append(out, DiffLine{Op: "@", Text: fmt.Sprintf("@@ line %d @@", ops[k].oi+1)})
		}
		if len(out) >= maxDiffLines {
			out = append(out, DiffLine{Op: "@", Text: "@@ … diff truncated @@"})
			break
		}
		out = append(out, DiffLine{Op: string(ops[k].op), Text: ops[k].text})
	}
	return out, nil
}
