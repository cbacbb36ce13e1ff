package review

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/safefile"
)

var revisionRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// DetectModel reads the model identity from an artefact: the Hugging Face
// config.json (name from _name_or_path or model_type, version from
// transformers_version's sibling "version" when present) and the refs/main
// revision, in the root or one directory below it. Unreadable or malformed
// files are ignored: the identity is then whatever the caller passes.
func DetectModel(root string) Model {
	var m Model
	for _, dir := range candidateDirs(root) {
		if m.Name == "" {
			if name, version, ok := readConfig(filepath.Join(dir, "config.json")); ok {
				m.Name, m.Version = name, version
				m.Source = rel(root, filepath.Join(dir, "config.json"))
			}
		}
		if m.Revision == "" {
			b, err := safefile.Read(filepath.Join(dir, "refs", "main"), 256)
			if rev := strings.TrimSpace(string(b)); err == nil && revisionRE.MatchString(rev) {
				m.Revision = rev
				if m.Source == "" {
					m.Source = rel(root, filepath.Join(dir, "refs", "main"))
				}
			}
		}
	}
	return m
}

func rel(root, p string) string {
	r, err := filepath.Rel(root, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(r)
}

func candidateDirs(root string) []string {
	dirs := []string{root}
	entries, err := os.ReadDir(root)
	if err != nil {
		return dirs
	}
	var subs []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			subs = append(subs, filepath.Join(root, e.Name()))
		}
	}
	sort.Strings(subs)
	return append(dirs, subs...)
}

func readConfig(path string) (name, version string, ok bool) {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return "", "", false
	}
	b, err := safefile.Read(path, 4<<20)
	if err != nil {
		return "", "", false
	}
	var c struct {
		NameOrPath string   `json:"_name_or_path"`
		ModelType  string   `json:"model_type"`
		Arch       []string `json:"architectures"`
		Version    string   `json:"version"`
	}
	if json.Unmarshal(b, &c) != nil {
		return "", "", false
	}
	switch {
	case c.NameOrPath != "":
		name = c.NameOrPath
	case c.ModelType != "":
		name = c.ModelType
	case len(c.Arch) > 0:
		name = c.Arch[0]
	default:
		return "", "", false
	}
	return name, c.Version, true
}
