package changes

import (
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/provenance"
)

// Section groups changes in the document; its anchor is stable.
type Section string

// Sections, in document order.
const (
	SectionModel       Section = "model"
	SectionWeights     Section = "weights"
	SectionPrompts     Section = "prompts"
	SectionTools       Section = "tools"
	SectionAgent       Section = "agent"
	SectionDeploy      Section = "deploy"
	SectionLockFiles   Section = "lockfiles"
	SectionFiles       Section = "files"
	SectionPermissions Section = "permissions"
	SectionSecrets     Section = "secrets"
	SectionExceptions  Section = "exceptions"
	SectionImages      Section = "images"
)

// Sections lists every section in document order.
var Sections = []Section{SectionModel, SectionWeights, SectionPrompts, SectionTools, SectionAgent, SectionDeploy,
	SectionLockFiles, SectionFiles, SectionPermissions, SectionSecrets, SectionExceptions, SectionImages}

var titles = map[Section]string{
	SectionModel: "Model identity", SectionWeights: "Weights", SectionPrompts: "Prompts",
	SectionTools: "Tool configuration", SectionAgent: "Agent configuration", SectionDeploy: "Deploy manifests",
	SectionLockFiles: "Lock files", SectionFiles: "Other files", SectionPermissions: "Permissions",
	SectionSecrets: "Secret references", SectionExceptions: "Exceptions", SectionImages: "Images",
}

// Title is the section's heading.
func (s Section) Title() string { return titles[s] }

// Anchor is the section's stable HTML id and Markdown link target.
func (s Section) Anchor() string { return "changes-" + string(s) }

func (s Section) order() int {
	for i, x := range Sections {
		if x == s {
			return i
		}
	}
	return len(Sections)
}

// SectionOf names the section of the changes document a check's finding
// concerns ("" for findings no section covers, such as a signature or an
// unreadable file).
func SectionOf(f evidence.Finding) Section {
	switch c := f.Class; {
	case strings.HasPrefix(c, "permissions."):
		return SectionPermissions
	case strings.HasPrefix(c, "secrets.reference-"):
		return SectionSecrets
	case strings.HasPrefix(c, "provenance."):
		return provenanceSection(f)
	}
	return ""
}

var categorySections = map[string]Section{
	provenance.CategoryPrompt: SectionPrompts, provenance.CategoryTool: SectionTools,
	provenance.CategoryAgent: SectionAgent, provenance.CategoryDeploy: SectionDeploy,
	provenance.CategoryLockFile: SectionLockFiles, provenance.CategoryModel: SectionWeights,
}

func provenanceSection(f evidence.Finding) Section {
	switch f.Class {
	case provenance.ClassModelChanged:
		if strings.HasPrefix(f.Subject, "model.") {
			return SectionModel
		}
		return SectionWeights
	case provenance.ClassPackageAdded, provenance.ClassPackageRemoved, provenance.ClassPackageChanged:
		return SectionLockFiles
	case provenance.ClassImageAdded, provenance.ClassImageRemoved, provenance.ClassImageChanged, provenance.ClassImageUnresolved:
		return SectionImages
	case provenance.ClassFileAdded, provenance.ClassFileRemoved, provenance.ClassFileModified:
		return SectionFiles
	case provenance.ClassConfigChanged:
		if s, ok := categorySections[f.Attributes["category"]]; ok {
			return s
		}
		if s, ok := categorySections[provenance.Category(f.Path)]; ok {
			return s
		}
		return SectionFiles
	}
	return ""
}
