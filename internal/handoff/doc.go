// Package handoff hands a tollgate command to its lean sibling executable
// before the rest of tollgate is initialised.
//
// Go runs the initialiser of every linked package before main. tollgate
// links about 1,000 packages (Tekton, Argo, Kubernetes, Sigstore, CEL),
// and their initialisers take most of a `tollgate` start: about 0.08 s of
// CPU and 40 MB, against about 0.02 s and 7 MB for bin/scan-secrets. For a command that
// has a sibling (internal/sibling), handing over at main is too late to
// save that.
//
// Go initialises packages in a fixed order (the language specification,
// since Go 1.21): repeatedly, the first package in import-path order whose
// imports are all initialised. This package imports only the standard
// library's basics (os, not fmt) and internal/sibling, which avoids fmt,
// strings, strconv and encoding/binary as well: those are ready late in
// that order, and waiting for them let some 60 packages (crypto, compress,
// encoding/gob, ...) go first. So it is initialised about 33rd of about
// 450, before any of the heavy packages, which need net, regexp or
// encoding/json first; cmd/tollgate imports it for this effect alone. Its initialiser execs the
// sibling when os.Args names a command that has one as the first argument,
// asks for neither help nor the version, and the sibling is the same build
// (sibling.Exec's checks). In every other case, including any failure, it
// does nothing, and the command is handed over (or run in this process,
// with the reason logged at debug level) by cli.Execute as before. The
// e2e test TestHandoffEarly checks, with GODEBUG=inittrace=1, that no heavy
// package is initialised before the hand-over.
package handoff
