package review

// Permissions is the reviewed, normalised permission snapshot with full content.
// Owned by the permissions check; see its package.
type Permissions struct{}
