package lockfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// MaxSize bounds the lock file bytes Parse accepts.
const MaxSize = 32 << 20

// Ecosystem names, as recorded in review records.
const (
	Go     = "go"
	PyPI   = "pypi"
	NPM    = "npm"
	Poetry = "poetry"
	UV     = "uv"
)

// Detect returns the ecosystem of a lock file by its base name, or "".
func Detect(name string) string {
	switch path.Base(name) {
	case "go.sum":
		return Go
	case "requirements.txt":
		return PyPI
	case "package-lock.json", "npm-shrinkwrap.json":
		return NPM
	case "poetry.lock":
		return Poetry
	case "uv.lock":
		return UV
	}
	return ""
}

// Packages maps a package name to its version. A package pinned at several
// versions (go.sum, npm nested dependencies) has them joined by ", " in
// sorted order.
type Packages map[string]string

// Parse reads the lock file of the given ecosystem.
func Parse(ecosystem string, b []byte) (Packages, error) {
	if len(b) > MaxSize {
		return nil, fmt.Errorf("lock file is %d bytes, larger than the %d-byte limit", len(b), MaxSize)
	}
	multi := map[string]map[string]bool{}
	add := func(name, version string) {
		if name == "" {
			return
		}
		if multi[name] == nil {
			multi[name] = map[string]bool{}
		}
		multi[name][version] = true
	}
	var err error
	switch ecosystem {
	case Go:
		err = parseGoSum(b, add)
	case PyPI:
		err = parseRequirements(b, add)
	case NPM:
		err = parsePackageLock(b, add)
	case Poetry, UV:
		err = parseTOMLPackages(b, add)
	default:
		return nil, fmt.Errorf("unknown lock file ecosystem %q", ecosystem)
	}
	if err != nil {
		return nil, err
	}
	out := Packages{}
	for name, vs := range multi {
		list := make([]string, 0, len(vs))
		for v := range vs {
			list = append(list, v)
		}
		sort.Strings(list)
		out[name] = strings.Join(list, ", ")
	}
	return out, nil
}

func lines(b []byte, fn func(n int, line string) error) error {
	s := bufio.NewScanner(bytes.NewReader(b))
	s.Buffer(make([]byte, 0, 64<<10), 1<<20)
	n := 0
	for s.Scan() {
		n++
		if err := fn(n, s.Text()); err != nil {
			return err
		}
	}
	if err := s.Err(); err != nil {
		return fmt.Errorf("line %d: %w", n+1, err)
	}
	return nil
}

// parseGoSum reads "module version[/go.mod] h1:hash" lines.
func parseGoSum(b []byte, add func(string, string)) error {
	return lines(b, func(n int, line string) error {
		f := strings.Fields(line)
		if len(f) == 0 {
			return nil
		}
		if len(f) != 3 || !strings.HasPrefix(f[2], "h1:") {
			return fmt.Errorf("go.sum line %d: want \"module version h1:hash\"", n)
		}
		add(f[0], strings.TrimSuffix(f[1], "/go.mod"))
		return nil
	})
}

// parseRequirements reads a pip requirements file as PEP 508 requirement
// lines: "name[extras] specifier ; marker" records the specifier (the
// version for "==" pins), "name @ url" records the URL (never "@"), and a
// line that is no requirement (an option, a comment, a bare URL or path)
// is skipped. Hashes and continuation backslashes are dropped.
func parseRequirements(b []byte, add func(string, string)) error {
	return lines(b, func(n int, line string) error {
		line = strings.TrimSpace(line)
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line), "\\"))
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "-") {
			return nil
		}
		name, version, ok := pep508(line)
		if !ok {
			return nil
		}
		add(normalisePy(name), version)
		return nil
	})
}

// pep508 splits a PEP 508 requirement into its name and what pins it: the
// version of an "==" (or "===") pin, the URL of a direct reference, else
// the specifier set. ok is false when the line starts with no valid name.
func pep508(req string) (name, version string, ok bool) {
	if i := strings.IndexByte(req, ';'); i >= 0 {
		req = req[:i] // environment marker
	}
	req = strings.TrimSpace(req)
	n := 0
	for n < len(req) && (isAlnum(req[n]) || (n > 0 && strings.IndexByte("._-", req[n]) >= 0)) {
		n++
	}
	if n == 0 || !isAlnum(req[n-1]) {
		return "", "", false
	}
	name, rest := req[:n], strings.TrimSpace(req[n:])
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return "", "", false
		}
		rest = strings.TrimSpace(rest[end+1:])
	}
	if url, ok := strings.CutPrefix(rest, "@"); ok {
		url = strings.TrimSpace(url)
		if f := strings.Fields(url); len(f) > 0 {
			url = f[0]
		}
		return name, url, url != ""
	}
	rest = strings.Trim(rest, "() ")
	if v, ok := strings.CutPrefix(rest, "==="); ok {
		rest = v
	} else if v, ok := strings.CutPrefix(rest, "=="); ok && !strings.Contains(v, ",") {
		rest = v
	}
	if f := strings.Fields(rest); len(f) > 0 {
		return name, strings.Join(f, ""), true
	}
	return name, "", true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// normalisePy applies PEP 503 name normalisation.
func normalisePy(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	return strings.NewReplacer("_", "-", ".", "-").Replace(name)
}

// parsePackageLock reads lockfileVersion 2/3 "packages" (keys are
// node_modules paths) or version 1 "dependencies" (nested).
func parsePackageLock(b []byte, add func(string, string)) error {
	var lock struct {
		Packages map[string]struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"packages"`
		Dependencies map[string]npmDep `json:"dependencies"`
	}
	if err := json.Unmarshal(b, &lock); err != nil {
		return fmt.Errorf("package-lock.json: %w", err)
	}
	for key, p := range lock.Packages {
		if key == "" {
			continue // the root project
		}
		name := p.Name
		if i := strings.LastIndex(key, "node_modules/"); i >= 0 && name == "" {
			name = key[i+len("node_modules/"):]
		}
		if name == "" {
			name = key
		}
		add(name, p.Version)
	}
	if len(lock.Packages) == 0 {
		walkNPM(lock.Dependencies, add, 0)
	}
	return nil
}

type npmDep struct {
	Version      string            `json:"version"`
	Dependencies map[string]npmDep `json:"dependencies"`
}

func walkNPM(deps map[string]npmDep, add func(string, string), depth int) {
	if depth > 64 {
		return
	}
	for name, d := range deps {
		add(name, d.Version)
		walkNPM(d.Dependencies, add, depth+1)
	}
}

// parseTOMLPackages reads the [[package]] tables of uv.lock and
// poetry.lock with a TOML parser: each package's name and version.
func parseTOMLPackages(b []byte, add func(string, string)) error {
	var lock struct {
		Package []struct {
			Name    string `toml:"name"`
			Version string `toml:"version"`
		} `toml:"package"`
	}
	if err := toml.Unmarshal(b, &lock); err != nil {
		return fmt.Errorf("TOML lock file: %w", err)
	}
	for _, p := range lock.Package {
		if p.Name == "" {
			return errors.New("TOML lock file: a [[package]] has no name")
		}
		add(normalisePy(p.Name), p.Version)
	}
	return nil
}

// Change is one package difference.
type Change struct {
	Name     string
	Old, New string // Old empty: added; New empty: removed
}

// Diff lists what changed from old to cur, sorted by name.
func Diff(old, cur Packages) []Change {
	var out []Change
	for name, v := range old {
		if nv, ok := cur[name]; !ok {
			out = append(out, Change{Name: name, Old: orNone(v)})
		} else if nv != v {
			out = append(out, Change{Name: name, Old: orNone(v), New: orNone(nv)})
		}
	}
	for name, v := range cur {
		if _, ok := old[name]; !ok {
			out = append(out, Change{Name: name, New: orNone(v)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// orNone keeps an unversioned package distinguishable from a missing one.
func orNone(v string) string {
	if v == "" {
		return "(unpinned)"
	}
	return v
}
