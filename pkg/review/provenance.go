package review

// Provenance pins what the provenance check compares beyond the file list: configuration digests by category, lock-file packages, container images.
// Owned by the provenance check; see its package.
type Provenance struct{}
