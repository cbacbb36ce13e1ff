// Package runner executes a Tekton Pipeline on this machine: the engine
// behind `tollgate run`.
//
// It loads a PipelineRun (or a Pipeline) and the Tasks it references,
// validates them with Tekton's own code (package engines), orders the
// pipeline tasks with Tekton's DAG (pkg/reconciler/pipeline/dag) and renders
// each Task with Tekton's own substitution code (pkg/substitution,
// pkg/container and the v1 types' ReplaceVariables): params, task results,
// workspaces and context. Each step's command runs as a local process: the
// image's last path element names the binary, looked up in a bin directory.
// Workspaces and /tekton/results map to folders under an output directory,
// and step arguments get Kubernetes' $(VAR) expansion from the step's env.
//
// Only the Tekton features the tollgate tasks use are supported; any other
// (sidecars, volumes, scripts, matrix, when expressions, finally tasks,
// custom tasks, remote resolution, step actions ...) is refused with an
// error that names it, before anything runs.
package runner
