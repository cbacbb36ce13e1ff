package review

// Secrets is the reviewed secret-reference inventory, snapshotted by
// `tollgate review` and compared by the secret-inventory check.
type Secrets struct {
	// FingerprintKey is the project's HMAC-SHA-256 key for secret
	// fingerprints, base64 (at least 16 bytes). `tollgate review`
	// generates one when absent. The check reads a mounted key file
	// instead when --fingerprint-key-file is given; leave this empty then.
	FingerprintKey string `json:"fingerprintKey,omitempty"`
	// References are the secrets the release refers to without containing
	// them, sorted by kind and name.
	References []SecretReference `json:"references"`
}

// SecretReference is one reviewed secret reference.
type SecretReference struct {
	// Kind is the reference syntax: env, github-actions-secret,
	// kubernetes-secret, external-secret, vault, mcp-env, mcp-header,
	// aws-secretsmanager, aws-ssm-parameter, gcp-secret-manager,
	// azure-key-vault.
	Kind string `json:"kind"`
	// Name identifies the secret within its kind ("orders/token" for a
	// Kubernetes secretKeyRef, "ORDERS_API_TOKEN" for ${ORDERS_API_TOKEN}).
	Name string `json:"name"`
	// Paths are the artefact files that make the reference.
	Paths []string `json:"paths,omitempty"`
}
