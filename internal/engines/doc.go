// Package engines decodes the Tekton documents tollgate runs (tollgate run)
// strictly into Tekton's own Go types and validates them with Tekton's own
// code (apis.Validatable: SetDefaults then Validate, stable API fields
// only); warnings count as errors. It reads YAML streams for every engine.
// Argo Workflows, Kargo and Kubernetes Job validation, which only tests
// and tools need, is in the subpackage validate, so that no binary links
// Argo.
package engines
