// Package results writes and reads task results: one small file per result,
// named by the result, in a results directory. Tekton reads them from
// /tekton/results; Argo from the paths its outputs.parameters[].valueFrom.path
// name. A Writer refuses to exceed the termination-message budget, so a step
// never fails late because its results did not fit.
package results
