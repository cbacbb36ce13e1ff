package review

// Secrets is the reviewed secret-reference inventory (and the fingerprint key reference).
// Owned by the secrets check; see its package.
type Secrets struct{}
