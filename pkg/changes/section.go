package changes

import "github.com/tollgate-dev/tollgate/pkg/changes/sections"

// Section groups changes in the document (see package sections).
type Section = sections.Section

// Sections, in document order.
const (
	SectionModel       = sections.Model
	SectionWeights     = sections.Weights
	SectionPrompts     = sections.Prompts
	SectionTools       = sections.Tools
	SectionAgent       = sections.Agent
	SectionDeploy      = sections.Deploy
	SectionLockFiles   = sections.LockFiles
	SectionFiles       = sections.Files
	SectionPermissions = sections.Permissions
	SectionSecrets     = sections.Secrets
	SectionExceptions  = sections.Exceptions
	SectionImages      = sections.Images
)
