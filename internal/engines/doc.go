// Package engines decodes the Tekton and Argo Workflows documents that
// tollgate ships (tasks/, examples/) strictly into the engines' own Go types
// and validates them with the engines' own validation code: Tekton's
// apis.Validatable (SetDefaults then Validate, stable API fields only) and
// Argo's workflow/validate. Warnings count as errors.
//
// Documents of other kinds (a batch/v1 Job for an Argo CD hook, Kargo
// AnalysisTemplate and Stage) are strictly decoded into their Kubernetes
// types where the types are available here, and checked against a small
// documented schema otherwise (see Kargo).
package engines
