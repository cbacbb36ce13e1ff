// Package decision makes the release decision from verified inputs: the
// checks' evidence reports, the policy's per-check rules and CEL rules, the
// review's exceptions and the verified approvals. attest signs the Decision
// it returns and gate recomputes it and refuses any disagreement, so the
// verdict the gate enforces is the one attest signed. Evaluate is a pure
// function of its Input: same input, same Decision.
//
// Every reason and warning carries its finding class and the audit
// controls it maps to (package audit); Decision.Controls says which
// controls held, were waived by an exception, or were violated. The CEL
// variables a policy rule sees are documented in package policy (cel.go).
package decision
