package changes_test

import (
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/changes/sections"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/provenance"
	"github.com/tollgate-dev/tollgate/pkg/secrets"
)

// TestSectionsOf keeps package sections (which the gate links, without
// importing the checks) in step with the checks' classes and categories.
func TestSectionsOf(t *testing.T) {
	t.Parallel()
	for cat, want := range map[string]sections.Section{
		provenance.CategoryPrompt: sections.Prompts, provenance.CategoryTool: sections.Tools,
		provenance.CategoryAgent: sections.Agent, provenance.CategoryDeploy: sections.Deploy,
		provenance.CategoryLockFile: sections.LockFiles, provenance.CategoryModel: sections.Weights,
	} {
		if got := sections.FromCategory(cat); got != want {
			t.Errorf("FromCategory(%s) = %q, want %q", cat, got, want)
		}
	}
	for _, tt := range []struct {
		f    evidence.Finding
		want sections.Section
	}{
		{evidence.Finding{Class: provenance.ClassModelChanged, Subject: "model.version"}, sections.Model},
		{evidence.Finding{Class: provenance.ClassModelChanged, Path: "model/model.safetensors"}, sections.Weights},
		{evidence.Finding{Class: provenance.ClassConfigChanged, Attributes: map[string]string{"category": provenance.CategoryPrompt}}, sections.Prompts},
		{evidence.Finding{Class: provenance.ClassPackageChanged}, sections.LockFiles},
		{evidence.Finding{Class: provenance.ClassPackageAdded}, sections.LockFiles},
		{evidence.Finding{Class: provenance.ClassImageChanged}, sections.Images},
		{evidence.Finding{Class: provenance.ClassImageUnresolved}, sections.Images},
		{evidence.Finding{Class: provenance.ClassFileAdded}, sections.Files},
		{evidence.Finding{Class: "permissions.broadened"}, sections.Permissions},
		{evidence.Finding{Class: secrets.ClassReferenceAdded}, sections.Secrets},
		{evidence.Finding{Class: provenance.ClassSignatureInvalid}, ""},
		{evidence.Finding{Class: provenance.ClassRootChanged}, ""},
	} {
		if got := sections.Of(tt.f); got != tt.want {
			t.Errorf("Of(%s) = %q, want %q", tt.f.Class, got, tt.want)
		}
	}
}
