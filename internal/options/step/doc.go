// Package step holds the flag groups of the check steps: Step (a check's
// inputs and outputs), Candidate (the directories a candidate controls) and
// TrustedIdentity (the signer provenance, gate and verify trust: one
// definition, one size limit). It is apart from package options so that
// the binaries that check nothing (hash, fetch) link no policy engine,
// trust root or evidence code: bin/hash then starts in half the memory.
package step
