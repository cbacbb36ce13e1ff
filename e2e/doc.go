// Package e2e holds the end-to-end tests that exercise tollgate the way a
// pipeline does: the real binaries, built once per test run, on copies of
// the example release. The tamper matrix, leak, determinism and bad-input
// suites live here (issue #9).
package e2e
