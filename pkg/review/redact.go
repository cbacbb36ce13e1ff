package review

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/redact"
)

// Leak is a literal credential a review record would copy out of the
// artefact. It never holds the value.
type Leak struct {
	// File is the artefact file the value comes from ("" when the record
	// does not say).
	File string
	// Field is where in the record the value is (a JSON path).
	Field string
	// Rule names the detector that found it.
	Rule string
	// Fixed is false when masking cannot fix it: a file name, which the
	// root digest covers.
	Fixed bool
}

func (l Leak) String() string {
	where := l.Field
	if l.File != "" {
		where = l.File + " (" + l.Field + ")"
	}
	return l.Rule + " in " + where
}

// noMask are record fields that hold digests and keys by design.
var noMask = map[string]bool{"digest": true, "root": true, "fingerprintKey": true, "fingerprints": true, "old": true, "new": true}

// Redact masks every literal credential in the record with m and returns
// what was masked, sorted: the values the permission snapshot masked when
// it was read (spec.permissions.redactions) and any string elsewhere in
// the record that m changes (lock-file URLs, model names, reference
// names, file names). The review record is publishable only when it
// holds none. A credential in a file name is returned with Fixed false:
// the name is left as is, since the root digest covers it.
func Redact(r *ReleaseReview, m redact.Masker) ([]Leak, error) {
	var leaks []Leak
	if p := r.Spec.Permissions; p != nil {
		for _, x := range p.Redactions {
			file, _ := m.Mask(x.Path)
			leaks = append(leaks, Leak{File: file, Field: "spec.permissions: " + x.Subject, Rule: x.Rule, Fixed: true})
		}
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode review: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode review: %w", err)
	}
	w := &walker{m: m, r: r}
	doc = w.walk(doc, nil)
	leaks = append(leaks, w.leaks...)
	if w.changed {
		b, err := json.Marshal(doc)
		if err != nil {
			return nil, fmt.Errorf("encode review: %w", err)
		}
		var masked ReleaseReview
		if err := json.Unmarshal(b, &masked); err != nil {
			return nil, fmt.Errorf("decode masked review: %w", err)
		}
		*r = masked
	}
	sort.Slice(leaks, func(i, j int) bool {
		if leaks[i].File != leaks[j].File {
			return leaks[i].File < leaks[j].File
		}
		if leaks[i].Field != leaks[j].Field {
			return leaks[i].Field < leaks[j].Field
		}
		return leaks[i].Rule < leaks[j].Rule
	})
	return leaks, nil
}

type walker struct {
	m       redact.Masker
	r       *ReleaseReview
	leaks   []Leak
	changed bool
}

// walk masks the strings of v, found at path (keys and indexes).
func (w *walker) walk(v any, path []string) any {
	switch t := v.(type) {
	case string:
		if len(path) > 0 && noMask[path[len(path)-1]] {
			return t
		}
		out, rules := w.m.Mask(t)
		if len(rules) == 0 {
			return t
		}
		file, fixed := w.source(path)
		for _, rule := range rules {
			w.leaks = append(w.leaks, Leak{File: file, Field: field(path), Rule: rule, Fixed: fixed})
		}
		if !fixed {
			return t
		}
		w.changed = true
		return out
	case []any:
		for i := range t {
			t[i] = w.walk(t[i], append(append([]string(nil), path...), "["+strconv.Itoa(i)+"]"))
		}
		return t
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			mk := k
			if masked, rules := w.m.Mask(k); len(rules) > 0 {
				mk, w.changed = masked, true
				file, _ := w.source(path)
				for _, rule := range rules {
					w.leaks = append(w.leaks, Leak{File: file, Field: field(path) + " (a key)", Rule: rule, Fixed: true})
				}
			}
			out[mk] = w.walk(e, append(append([]string(nil), path...), k))
		}
		return out
	}
	return v
}

// field renders a path: spec.permissions.grants[3].content.args[1].
func field(path []string) string {
	return strings.ReplaceAll(strings.Join(path, "."), ".[", "[")
}

// source names the artefact file a record field comes from, and whether
// masking it keeps the record valid: file names (artefact files, config
// and lock-file paths, the files a grant or reference comes from) cannot
// be masked, since digests and checks refer to them.
func (w *walker) source(path []string) (string, bool) {
	file, fixed := w.file(path)
	masked, _ := w.m.Mask(file) // a file named after a credential is named masked
	return masked, fixed
}

func (w *walker) file(path []string) (string, bool) {
	p := strings.Join(path, ".")
	last := ""
	if len(path) > 0 {
		last = path[len(path)-1]
	}
	nameField := last == "path" || last == "source" || (len(path) > 1 && path[len(path)-2] == "paths") ||
		(strings.HasPrefix(p, "spec.artifact.files.") && last == "name")
	idx := func(prefix string) int {
		rest, ok := strings.CutPrefix(p, prefix+".[")
		if !ok {
			return -1
		}
		n, err := strconv.Atoi(rest[:max(0, strings.IndexByte(rest, ']'))])
		if err != nil {
			return -1
		}
		return n
	}
	s := w.r.Spec
	switch {
	case strings.HasPrefix(p, "spec.artifact.files."):
		if i := idx("spec.artifact.files"); i >= 0 && i < len(s.Artifact.Files) {
			return s.Artifact.Files[i].Name, !nameField
		}
	case strings.HasPrefix(p, "spec.permissions.grants.") && s.Permissions != nil:
		if i := idx("spec.permissions.grants"); i >= 0 && i < len(s.Permissions.Grants) {
			return s.Permissions.Grants[i].Path, !nameField
		}
	case strings.HasPrefix(p, "spec.provenance.lockFiles.") && s.Provenance != nil:
		if i := idx("spec.provenance.lockFiles"); i >= 0 && i < len(s.Provenance.LockFiles) {
			return s.Provenance.LockFiles[i].Path, !nameField
		}
	case strings.HasPrefix(p, "spec.provenance.config.") && s.Provenance != nil:
		if i := idx("spec.provenance.config"); i >= 0 && i < len(s.Provenance.Config) {
			return s.Provenance.Config[i].Path, !nameField
		}
	case strings.HasPrefix(p, "spec.provenance.images.") && s.Provenance != nil:
		if i := idx("spec.provenance.images"); i >= 0 && i < len(s.Provenance.Images) && len(s.Provenance.Images[i].Sources) > 0 {
			return s.Provenance.Images[i].Sources[0], !nameField
		}
	case strings.HasPrefix(p, "spec.secrets.references.") && s.Secrets != nil:
		if i := idx("spec.secrets.references"); i >= 0 && i < len(s.Secrets.References) && len(s.Secrets.References[i].Paths) > 0 {
			return s.Secrets.References[i].Paths[0], !nameField
		}
	case strings.HasPrefix(p, "spec.model."):
		return s.Model.Source, !nameField
	}
	return "", !nameField
}
