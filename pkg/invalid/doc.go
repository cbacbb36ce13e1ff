// Package invalid marks errors caused by the input a caller gave (a
// malformed document, an artefact with a FIFO, a policy that requires zero
// approvals) as opposed to failures of the program or its environment.
// Domain packages declare their sentinels with New or wrap an error with
// Wrap; the command layer recognises the mark through the InvalidInput
// method, without importing the domain package, and exits 3.
package invalid
