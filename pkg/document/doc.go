// Package document loads Kubernetes-style tollgate documents (apiVersion
// tollgate.dev/v1alpha1 and a kind) from YAML or JSON, strictly: the file
// size is bounded, duplicate keys, unknown fields and wrong types are
// rejected with the field path, and YAML aliases cannot expand without
// bound. Every error names the file.
package document
