package provenance

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"

	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/lockfile"
	"github.com/tollgate-dev/tollgate/pkg/review"
)

// Finding classes.
const (
	ClassFileAdded         = "provenance.file-added"
	ClassGitDirectory      = "provenance.git-directory"
	ClassFileRemoved       = "provenance.file-removed"
	ClassFileModified      = "provenance.file-modified"
	ClassRootChanged       = "provenance.root-changed"
	ClassModelChanged      = "provenance.model-changed"
	ClassConfigChanged     = "provenance.config-changed"
	ClassPackageAdded      = "provenance.package-added"
	ClassPackageRemoved    = "provenance.package-removed"
	ClassPackageChanged    = "provenance.package-changed"
	ClassImageChanged      = "provenance.image-changed"
	ClassImageAdded        = "provenance.image-added"
	ClassImageRemoved      = "provenance.image-removed"
	ClassImageUnresolved   = "provenance.image-unresolved"
	ClassImageUnpinned     = "provenance.image-unpinned"
	ClassSignatureInvalid  = "provenance.signature-invalid"
	ClassSignatureMismatch = "provenance.signature-mismatch"
	ClassSignatureMissing  = "provenance.signature-missing"
)

const (
	absent  = "(absent)"
	removed = "(removed)"
)

// newFinding builds a finding with its stable fingerprint
// sha256(class|path|old|cur).
func newFinding(class string, sev evidence.Severity, path, subject, old, cur, msg string) evidence.Finding {
	h := sha256.Sum256([]byte(class + "|" + path + "|" + old + "|" + cur))
	return evidence.Finding{
		Class: class, Severity: sev, Fingerprint: "sha256:" + hex.EncodeToString(h[:]),
		Path: path, Subject: subject, Old: old, New: cur, Message: msg,
	}
}

// short abbreviates a digest for messages: sha256:ab12cd34ef56….
func short(d string) string {
	if len(d) > 19 {
		return d[:19] + "…"
	}
	return d
}

// compareFiles diffs the reviewed and candidate manifests both ways. A
// file's class follows its category: configuration → config-changed,
// model files → model-changed, others → file-added/removed/modified.
func compareFiles(old, cur *artifact.Manifest) []evidence.Finding {
	var out []evidence.Finding
	curBy := map[string]artifact.Resource{}
	for _, r := range cur.Files {
		curBy[r.Name] = r
	}
	oldBy := map[string]bool{}
	for _, r := range old.Files {
		oldBy[r.Name] = true
		c, ok := curBy[r.Name]
		switch {
		case !ok:
			out = append(out, fileFinding(old.Serialization.Method, "removed", r.Name, r.Digest, removed))
		case c.Digest != r.Digest:
			out = append(out, fileFinding(old.Serialization.Method, "modified", r.Name, r.Digest, c.Digest))
		}
	}
	for _, r := range cur.Files {
		if !oldBy[r.Name] {
			out = append(out, fileFinding(old.Serialization.Method, "added", r.Name, absent, r.Digest))
		}
	}
	if old.Root != cur.Root {
		out = append(out, newFinding(ClassRootChanged, evidence.High, "", "artifact.root", old.Root, cur.Root,
			fmt.Sprintf("provenance: artefact root digest changed since review (%s → %s)", short(old.Root), short(cur.Root))))
	}
	return out
}

// compareOutside compares the files outside the model-signing root
// (.github/, .gitattributes, ...) with those the review pinned, both ways:
// added, removed and modified are file findings, as for the root's files.
func compareOutside(pinned, cur []artifact.Resource) []evidence.Finding {
	old := &artifact.Manifest{Files: pinned, Serialization: artifact.Serialization{Method: artifact.MethodFiles}}
	now := &artifact.Manifest{Files: cur}
	var out []evidence.Finding
	for _, f := range compareFiles(old, now) {
		if f.Class != ClassRootChanged {
			f.Attributes["outsideModel"] = "true"
			out = append(out, f)
		}
	}
	return out
}

func fileFinding(method artifact.Method, change, name, old, cur string) evidence.Finding {
	cat := Category(resourcePath(name, method))
	class := map[string]string{"added": ClassFileAdded, "removed": ClassFileRemoved, "modified": ClassFileModified}[change]
	what := "file"
	switch cat {
	case "":
	case CategoryModel:
		class, what = ClassModelChanged, "model file"
	default:
		class, what = ClassConfigChanged, cat+" file"
	}
	var msg string
	switch change {
	case "added":
		msg = fmt.Sprintf("provenance: %s %s added since review (%s)", what, name, short(cur))
	case "removed":
		msg = fmt.Sprintf("provenance: %s %s removed since review (was %s)", what, name, short(old))
	default:
		msg = fmt.Sprintf("provenance: %s %s changed since review (%s → %s)", what, name, short(old), short(cur))
	}
	f := newFinding(class, evidence.High, name, "", old, cur, msg)
	f.Attributes = map[string]string{"change": change}
	if cat != "" {
		f.Attributes["category"] = cat
	}
	return f
}

// compareModel diffs the model identity. A field is compared when both
// sides know it; a name given by flag at review time is not re-detected.
func compareModel(old, cur review.Model) []evidence.Finding {
	var out []evidence.Finding
	for _, f := range []struct{ field, old, cur string }{
		{"name", old.Name, cur.Name}, {"version", old.Version, cur.Version}, {"revision", old.Revision, cur.Revision},
	} {
		if f.field == "name" && old.Source == "flag" {
			continue
		}
		if f.old != "" && f.cur != "" && f.old != f.cur {
			out = append(out, newFinding(ClassModelChanged, evidence.High, cur.Source, "model."+f.field, f.old, f.cur,
				fmt.Sprintf("provenance: model %s changed since review (%s → %s)", f.field, f.old, f.cur)))
		}
	}
	return out
}

// compareSection diffs the pinned configuration, lock-file packages and
// images. Configuration files already reported by compareFiles (reported
// holds their paths) are not reported twice.
func compareSection(old, cur *review.Provenance, reported map[string]bool) []evidence.Finding {
	var out []evidence.Finding
	curCfg := map[string]review.ConfigFile{}
	for _, c := range cur.Config {
		curCfg[c.Path] = c
	}
	oldCfg := map[string]bool{}
	for _, c := range old.Config {
		oldCfg[c.Path] = true
		n, ok := curCfg[c.Path]
		if reported[c.Path] || (ok && n.Digest == c.Digest) {
			continue
		}
		nd := removed
		if ok {
			nd = n.Digest
		}
		f := newFinding(ClassConfigChanged, evidence.High, c.Path, "", c.Digest, nd,
			fmt.Sprintf("provenance: %s file %s changed since review (%s → %s)", c.Category, c.Path, short(c.Digest), short(nd)))
		f.Attributes = map[string]string{"category": c.Category}
		out = append(out, f)
	}
	for _, c := range cur.Config {
		if !oldCfg[c.Path] && !reported[c.Path] {
			f := newFinding(ClassConfigChanged, evidence.High, c.Path, "", absent, c.Digest,
				fmt.Sprintf("provenance: %s file %s added since review (%s)", c.Category, c.Path, short(c.Digest)))
			f.Attributes = map[string]string{"category": c.Category}
			out = append(out, f)
		}
	}
	out = append(out, comparePackages(old.LockFiles, cur.LockFiles)...)
	return append(out, compareImages(old.Images, cur.Images)...)
}

func comparePackages(old, cur []review.LockFile) []evidence.Finding {
	byPath := func(ls []review.LockFile) map[string]review.LockFile {
		m := map[string]review.LockFile{}
		for _, l := range ls {
			m[l.Path] = l
		}
		return m
	}
	o, c := byPath(old), byPath(cur)
	paths := map[string]bool{}
	for p := range o {
		paths[p] = true
	}
	for p := range c {
		paths[p] = true
	}
	sorted := make([]string, 0, len(paths))
	for p := range paths {
		sorted = append(sorted, p)
	}
	sort.Strings(sorted)
	var out []evidence.Finding
	for _, p := range sorted {
		for _, ch := range lockfile.Diff(o[p].Packages, c[p].Packages) {
			var class, msg, old, cur string
			switch {
			case ch.Old == "":
				class, old, cur = ClassPackageAdded, absent, ch.New
				msg = fmt.Sprintf("provenance: %s: package %s %s added since review", p, ch.Name, ch.New)
			case ch.New == "":
				class, old, cur = ClassPackageRemoved, ch.Old, removed
				msg = fmt.Sprintf("provenance: %s: package %s %s removed since review", p, ch.Name, ch.Old)
			default:
				class, old, cur = ClassPackageChanged, ch.Old, ch.New
				msg = fmt.Sprintf("provenance: %s: package %s changed since review (%s → %s)", p, ch.Name, ch.Old, ch.New)
			}
			out = append(out, newFinding(class, evidence.Medium, p, ch.Name, old, cur, msg))
		}
	}
	return out
}

func compareImages(old, cur []review.Image) []evidence.Finding {
	var out []evidence.Finding
	curBy := map[string]review.Image{}
	for _, i := range cur {
		curBy[i.Ref] = i
	}
	oldBy := map[string]bool{}
	for _, i := range old {
		oldBy[i.Ref] = true
		c, ok := curBy[i.Ref]
		switch {
		case !ok:
			out = append(out, newFinding(ClassImageRemoved, evidence.High, first(i.Sources), i.Ref, i.Digest, removed,
				fmt.Sprintf("provenance: image %s no longer named by the release (was %s)", i.Ref, short(i.Digest))))
		case c.Digest != i.Digest:
			out = append(out, newFinding(ClassImageChanged, evidence.High, first(c.Sources), i.Ref, i.Digest, c.Digest,
				fmt.Sprintf("provenance: image %s in %s resolves to %s, reviewed %s", i.Ref, first(c.Sources), short(c.Digest), short(i.Digest))))
		}
	}
	for _, c := range cur {
		if !oldBy[c.Ref] {
			out = append(out, newFinding(ClassImageAdded, evidence.High, first(c.Sources), c.Ref, absent, c.Digest,
				fmt.Sprintf("provenance: image %s (%s) in %s was not reviewed", c.Ref, short(c.Digest), first(c.Sources))))
		}
	}
	return out
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
