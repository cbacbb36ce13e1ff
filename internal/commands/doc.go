// Package commands assembles the tollgate CLI from one package per command
// under internal/commands/<name>. Each of those exports New, which maps
// flags onto a command struct whose Exec method does the work (tests call
// Exec directly), and imports only what its command needs: a step binary
// (cmd/provenance, cmd/gate, ...) links its own command package and
// internal/options, never this package, so it carries no other step's code.
// Nothing here imports Tekton, Argo or a cloud SDK; `tollgate run` lives in
// package runner.
package commands
