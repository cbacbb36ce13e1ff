// Package sibling runs a command of the tollgate binary in its lean
// sibling: the single-command executable of the same build installed next
// to it (bin/hash beside bin/tollgate, as `make build` and
// `go install ./cmd/...` leave them).
//
// Every package a Go binary links runs its initialisers before main, and
// tollgate links about 980 (Tekton, Argo, Kubernetes, Sigstore, CEL) for
// its engine and signing commands. Those initialisers alone page in about
// 38 MB. A command that must stay small on a large input, such as hashing
// a release of 100,000 files, replaces the process with its sibling
// (execve), which links only what the command needs.
//
// The sibling runs only if it is the same build: the same main module,
// version, Go release, VCS revision and build settings, read from the
// file's embedded build information, and the very file that was checked is
// the one executed (through its open descriptor). Otherwise, or when
// TOLLGATE_NO_SIBLING is set, the command runs in this process, with the
// same output; the reason is logged at debug level.
package sibling
