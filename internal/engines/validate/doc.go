// Package validate validates the documents tollgate ships (tasks/,
// examples/) with each engine's own code: Tekton (through package
// engines), Argo Workflows' workflow/validate, Kargo's documented subset
// and batch/v1 Jobs. It is for tests and tools only: no binary links it,
// so tollgate carries no Argo code (a test in internal/image asserts it).
package validate
