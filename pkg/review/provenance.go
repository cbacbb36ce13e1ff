package review

// Provenance pins what the provenance check compares beyond the file list:
// configuration digests by category, lock-file packages and container
// images. It is filled by `tollgate review` (see package provenance).
type Provenance struct {
	// Config lists the configuration files and their digests, sorted by path.
	Config []ConfigFile `json:"config,omitempty"`
	// LockFiles lists the dependency lock files and the packages they pin.
	LockFiles []LockFile `json:"lockFiles,omitempty"`
	// Images lists the container images the deploy manifests name, each
	// with the digest it resolved to at review time.
	Images []Image `json:"images,omitempty"`
}

// ConfigFile is one pinned configuration file.
type ConfigFile struct {
	Path string `json:"path"`
	// Category is prompt, tool, agent, deploy or lockfile.
	Category string `json:"category"`
	Digest   string `json:"digest"`
}

// LockFile is a dependency lock file's package list.
type LockFile struct {
	Path string `json:"path"`
	// Ecosystem is go, pypi, npm, poetry or uv.
	Ecosystem string `json:"ecosystem"`
	// Packages maps package name to version.
	Packages map[string]string `json:"packages"`
}

// Image is a container image reference and its resolved digest.
type Image struct {
	// Ref is the reference as the manifest writes it, without any digest.
	Ref string `json:"ref"`
	// Digest is "sha256:<hex>".
	Digest string `json:"digest"`
	// Sources are the files that name the image.
	Sources []string `json:"sources"`
}
