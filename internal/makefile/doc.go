// Package makefile tests the repository's Makefile, the entry point CI
// and the README give: `make test` runs every check and installs nothing
// (the one-time install step is `make deps`), and the lint it runs is the
// pinned golangci-lint built from hack/tools. It has no code, only tests.
package makefile
