// Package evidence defines the report every check writes to the evidence
// workspace: one envelope per check (check name, tool version, input
// digests, verdict, findings, caller-supplied timestamps), encoded as
// canonical JSON so the same input gives the same bytes, and identified by
// the "sha256:" digest of those bytes. The digest travels as a task result;
// the gate recomputes it to prove the report it reads is the one the check
// wrote.
package evidence
