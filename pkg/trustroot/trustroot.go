package trustroot

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/invalid"
)

// ErrInsideCandidate marks a trust input found inside the candidate.
var ErrInsideCandidate = errors.New("trust input inside the candidate")

// Input is one trust input: the flag that names it and its path.
type Input struct {
	Flag, Path string
}

// Outside returns an invalid-input error, wrapping ErrInsideCandidate, for
// the first input whose path lies inside one of the candidate directories,
// after both are made absolute and their symbolic links resolved (a link
// in the policy workspace that points into the candidate is refused too).
// Empty paths and directories are skipped. A path or directory that does
// not exist is compared as written (the reader reports it missing).
func Outside(candidate []string, inputs ...Input) error {
	var dirs []string
	for _, d := range candidate {
		if d == "" {
			continue
		}
		r, err := resolve(d)
		if err != nil {
			return invalid.Wrap(fmt.Errorf("candidate directory %s: %w", d, err))
		}
		dirs = append(dirs, r)
	}
	for _, in := range inputs {
		if in.Path == "" {
			continue
		}
		p, err := resolve(in.Path)
		if err != nil {
			return invalid.Wrap(fmt.Errorf("%s %s: %w", in.Flag, in.Path, err))
		}
		for _, d := range dirs {
			if within(p, d) {
				return invalid.Wrap(fmt.Errorf("%w: %s %s resolves to %s, inside the candidate's %s; the policy and the keys that verify the release come from the platform-owned policy workspace, never from the release being checked",
					ErrInsideCandidate, in.Flag, in.Path, p, d))
			}
		}
	}
	return nil
}

// resolve makes path absolute and resolves its symbolic links; for a path
// that does not exist, the deepest existing parent is resolved and the
// rest appended.
func resolve(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	var rest []string
	for cur := abs; ; {
		r, err := filepath.EvalSymlinks(cur)
		if err == nil {
			return filepath.Join(append([]string{r}, rest...)...), nil
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs, nil
		}
		rest = append([]string{filepath.Base(cur)}, rest...)
		cur = parent
	}
}

func within(p, dir string) bool {
	if p == dir {
		return true
	}
	return strings.HasPrefix(p, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}
