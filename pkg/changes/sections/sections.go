// Package sections names the sections of the changes document (see
// package changes) and maps a check's finding to the section it concerns,
// so that the gate's summary can link each blocking finding to it. It
// depends on package evidence only, so the gate step does not link the
// checks.
package sections

import (
	"path"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

// Section groups changes in the document; its anchor is stable.
type Section string

// Sections, in document order.
const (
	Model       Section = "model"
	Weights     Section = "weights"
	Prompts     Section = "prompts"
	Tools       Section = "tools"
	Agent       Section = "agent"
	Deploy      Section = "deploy"
	LockFiles   Section = "lockfiles"
	Files       Section = "files"
	Permissions Section = "permissions"
	Secrets     Section = "secrets"
	Exceptions  Section = "exceptions"
	Images      Section = "images"
)

// All lists every section in document order.
var All = []Section{Model, Weights, Prompts, Tools, Agent, Deploy, LockFiles, Files, Permissions, Secrets, Exceptions, Images}

var titles = map[Section]string{
	Model: "Model identity", Weights: "Weights", Prompts: "Prompts", Tools: "Tool configuration",
	Agent: "Agent configuration", Deploy: "Deploy manifests", LockFiles: "Lock files", Files: "Other files",
	Permissions: "Permissions", Secrets: "Secret references", Exceptions: "Exceptions", Images: "Images",
}

// Title is the section's heading.
func (s Section) Title() string { return titles[s] }

// Anchor is the section's stable HTML id and Markdown link target.
func (s Section) Anchor() string { return "changes-" + string(s) }

// Order is the section's place in the document.
func (s Section) Order() int {
	for i, x := range All {
		if x == s {
			return i
		}
	}
	return len(All)
}

// categories maps provenance's configuration categories to sections.
var categories = map[string]Section{
	"prompt": Prompts, "tool": Tools, "agent": Agent, "deploy": Deploy, "lockfile": LockFiles, "model": Weights,
}

// FromCategory is the section of a provenance category ("" if none).
func FromCategory(category string) Section { return categories[category] }

// Of names the section a check's finding concerns ("" for findings no
// section covers, such as a signature or an unreadable file).
func Of(f evidence.Finding) Section {
	c := f.Class
	switch {
	case strings.HasPrefix(c, "permissions."):
		return Permissions
	case strings.HasPrefix(c, "secrets.reference-"):
		return Secrets
	case c == "provenance.model-changed":
		if strings.HasPrefix(f.Subject, "model.") {
			return Model
		}
		return Weights
	case strings.HasPrefix(c, "provenance.package-"):
		return LockFiles
	case strings.HasPrefix(c, "provenance.image-"):
		return Images
	case strings.HasPrefix(c, "provenance.file-"):
		return Files
	case c == "provenance.config-changed":
		if s := FromCategory(f.Attributes["category"]); s != "" {
			return s
		}
		if path.Base(f.Path) == "mcp.json" {
			return Tools
		}
		return Files
	}
	return ""
}
