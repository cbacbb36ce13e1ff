// Package options holds the flag groups tollgate's commands share, one
// struct per group with an AddFlags method, as cosign's options package
// does: Logging (every command), Hash and Part (how an artefact is hashed,
// whole or in parts), PartFiles (the parts a merge reads). The heavier
// groups live in subpackages so that a binary links only what it uses:
// step (a check's inputs and outputs, the trusted signer), signing (how
// approve and attest sign), registry, taskresults and changesdoc. Each
// group validates itself and returns usage errors (exit 2) and
// invalid-input errors (exit 3) the command layer maps to exit codes. Root
// turns a command into the root of a binary.
package options
