package lockfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
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

// parseRequirements reads "name==version" pins; options, comments,
// environment markers and hashes are skipped, unpinned requirements are
// recorded with their specifier.
func parseRequirements(b []byte, add func(string, string)) error {
	return lines(b, func(_ int, line string) error {
		line = strings.TrimSpace(line)
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSuffix(strings.TrimSpace(line), "\\")
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "-") {
			return nil
		}
		if i := strings.IndexAny(line, ";"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		i := strings.IndexAny(line, "=<>!~ [@")
		if i < 0 {
			add(normalisePy(line), "")
			return nil
		}
		name := line[:i]
		if j := strings.Index(line, "]"); line[i] == '[' && j > i {
			line = name + line[j+1:]
		}
		spec := strings.TrimSpace(line[len(name):])
		if v, ok := strings.CutPrefix(spec, "=="); ok {
			spec = strings.TrimSpace(v)
		}
		version := ""
		if f := strings.Fields(spec); len(f) > 0 {
			version = f[0]
		}
		add(normalisePy(name), version)
		return nil
	})
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
// poetry.lock: their name and version keys, which both tools write as
// plain `key = "value"` lines.
func parseTOMLPackages(b []byte, add func(string, string)) error {
	var name, version string
	in := false
	flush := func() {
		if in {
			add(normalisePy(name), version)
		}
		name, version = "", ""
	}
	err := lines(b, func(_ int, line string) error {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") {
			if t == "[[package]]" {
				flush()
				in = true
				return nil
			}
			if !strings.HasPrefix(t, "[package.") {
				flush()
				in = false
			}
			return nil
		}
		if !in {
			return nil
		}
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			return nil
		}
		switch strings.TrimSpace(k) {
		case "name":
			name = unquote(v)
		case "version":
			version = unquote(v)
		}
		return nil
	})
	flush()
	return err
}

func unquote(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// Change is one package difference.
type Change struct {
	Name     string
	Old, New string // Old empty: added; New empty: removed
}

// Diff lists what changed from old to new, sorted by name.
func Diff(old, new Packages) []Change {
	var out []Change
	for name, v := range old {
		if nv, ok := new[name]; !ok {
			out = append(out, Change{Name: name, Old: orNone(v)})
		} else if nv != v {
			out = append(out, Change{Name: name, Old: orNone(v), New: orNone(nv)})
		}
	}
	for name, v := range new {
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
