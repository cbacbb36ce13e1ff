// Package taskresults is the flag group of the task results attest and gate
// take (--provenance-verdict …). It lives apart from package options so that
// step binaries which take no results (fetch, the checks) do not link the
// pipeline's verification code.
package taskresults
