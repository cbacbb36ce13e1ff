// Package commands holds the cobra commands of the tollgate CLI, one file
// per command. Step binaries (cmd/provenance, cmd/gate, ...) reuse the one
// command they need through Step. Nothing here imports Tekton, Argo or a
// cloud SDK; `tollgate run` lives in package runner.
package commands
