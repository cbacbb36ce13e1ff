// Package pipeline reads what a pipeline hands from the checks to attest
// and gate: the task results as the engine substituted them (Tekton
// `$(tasks.x.results.y)`, Argo `{{tasks.x.outputs.parameters.y}}`, a local
// run's result files) and the evidence reports those results pin.
//
// Verify is the one function both attest and gate call on those inputs,
// so that they compare like with like: the same result is missing, empty,
// unsubstituted or malformed for both, the same report is changed or
// unreadable for both, and each problem is the same blocking reason with
// the same message (docs/design.md, "Results contract").
package pipeline
