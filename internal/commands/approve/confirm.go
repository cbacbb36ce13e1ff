package approve

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/pkg/changes"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
)

// maxChangesSize bounds the changes document approve reads.
const maxChangesSize = 16 << 20

// confirmOptions is approve's flag group for what the approver is shown
// before signing: the changes document and the confirmation.
type confirmOptions struct {
	Changes string
	Yes     bool
}

// AddFlags adds --changes and --yes.
func (o *confirmOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Changes, "changes", "", "the changes document written by 'tollgate review --against' (default <dir of REVIEW>/"+changes.FileName+" when it exists); it is shown, and its digest recorded in the approval")
	fs.BoolVarP(&o.Yes, "yes", "y", false, "approve without asking (automation); required when stdin is not a terminal")
}

// shown is the changes document the approver sees: its bytes and digest
// (zero when there is none).
type shown struct {
	path   string
	text   []byte
	digest digest.Digest
}

var markerRE = regexp.MustCompile(`^` + regexp.QuoteMeta(changes.MarkerPrefix) + `(sha256:[0-9a-f]{64}) against=(\S+) -->$`)

// load reads the changes document and checks that it describes the review
// record being approved.
func (o *confirmOptions) load(reviewPath string, reviewDigest digest.Digest) (*shown, error) {
	path := o.Changes
	if path == "" {
		path = filepath.Join(filepath.Dir(reviewPath), changes.FileName)
		if _, err := os.Lstat(path); os.IsNotExist(err) {
			return &shown{}, nil
		}
	}
	b, err := safefile.Read(path, maxChangesSize)
	if err != nil {
		return nil, invalid.Wrap(fmt.Errorf("--changes: %w", err))
	}
	first, _, _ := bytes.Cut(b, []byte("\n"))
	m := markerRE.FindSubmatch(first)
	if m == nil {
		return nil, invalid.Wrap(fmt.Errorf("changes document %s was not written by 'tollgate review --against' (its first line is not the tollgate-changes marker)", path))
	}
	if string(m[1]) != reviewDigest.String() {
		return nil, invalid.Wrap(fmt.Errorf("changes document %s describes review %s, not %s (%s): run 'tollgate review --against' again", path, m[1], reviewPath, reviewDigest))
	}
	// tollgate escapes every control character it writes: one in the file
	// means it was edited, and it must not reach the approver's terminal.
	for i, c := range b {
		if (c < 0x20 && c != '\n') || c == 0x7f {
			return nil, invalid.Wrap(fmt.Errorf("changes document %s holds control character 0x%02x at byte %d: it was not written by tollgate", path, c, i))
		}
	}
	return &shown{path: path, text: b, digest: digest.FromBytes(b)}, nil
}

// headline is the document's bold summary line.
func (s *shown) headline() string {
	for _, l := range strings.Split(string(s.text), "\n") {
		if strings.HasPrefix(l, "**") {
			return strings.Trim(l, "*")
		}
	}
	return ""
}

// isTerminal reports whether r is an interactive terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) //nolint:gosec // a file descriptor fits an int
}

// confirm shows the document and asks; it returns whether to sign.
func (o *confirmOptions) confirm(in io.Reader, out io.Writer, s *shown, what string) (bool, error) {
	if o.Yes {
		if s.path != "" {
			fmt.Fprintf(out, "changes since the last approval: %s (%s): %s\n", s.path, s.digest, s.headline())
		}
		return true, nil
	}
	if !isTerminal(in) {
		return false, cli.Usagef("stdin is not a terminal: pass --yes to approve without confirmation")
	}
	return ask(in, out, s, what)
}

// ask prints the changes document (or says there is none) and reads y/N.
func ask(in io.Reader, out io.Writer, s *shown, what string) (bool, error) {
	if s.path == "" {
		fmt.Fprintf(out, "No changes document (%s): nothing records what changed since the last approval.\n"+
			"For a release that follows an approved one, run 'tollgate review --against PREVIOUS-REVIEW' first.\n\n", changes.FileName)
	} else {
		fmt.Fprintf(out, "%s\n(%s, %s)\n\n", bytes.TrimRight(s.text, "\n"), s.path, s.digest)
	}
	fmt.Fprintf(out, "Approve %s? [y/N] ", what)
	line, err := bufio.NewReader(io.LimitReader(in, 1024)).ReadString('\n')
	if errors.Is(err, io.EOF) && line == "" {
		fmt.Fprintln(out)
		return false, nil // end of input: not approved
	}
	if err != nil && line == "" {
		return false, fmt.Errorf("read confirmation: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}
