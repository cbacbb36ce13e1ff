package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/cli"
)

// Defaults of `tollgate run`, relative to the repository root.
const (
	DefaultPipelineRun = "examples/tekton/pipelinerun.yaml"
	DefaultTasks       = "tasks/tekton"
	DefaultSource      = "examples/agent-release"
	// DefaultPolicy is the platform-owned policy workspace of the example
	// (examples/platform/policy.yaml, pinned by the Pipeline's
	// policy-digest default), bound when --source defaults too.
	DefaultPolicy = "examples/platform"
	// PolicyWorkspace is the pipeline workspace of the platform-owned policy.
	PolicyWorkspace = "policy"
)

// NewCommand returns the `tollgate run` command.
func NewCommand() *cobra.Command {
	var (
		o          Options
		params     []string
		workspaces []string
		taskDirs   []string
		binDir     string
	)
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the release-gate Tekton pipeline on this machine",
		Long: `run executes a Tekton PipelineRun on this machine, the way a cluster would: it
validates every Task and the Pipeline with Tekton's own code, orders the tasks
with Tekton's DAG, renders each Task with Tekton's substitution code (params,
results, workspaces, context), and runs each step's command with the local
step binary named by the image's last path element (provenance, gate, ...),
or, when that binary is not there, with the tollgate subcommand of that name.

The candidate comes in as in a cluster: --source DIR is pushed (as by tollgate
push) to a registry this command serves on a loopback port for the run, and
the pipeline's candidate param names it by digest, so the fetch task pulls it
with the fetch binary; or pass --param candidate=REF@sha256:... for a real
registry. Workspaces map to local directories: --workspace NAME=DIR, or a fresh
folder under --out for emptyDir and volumeClaimTemplate bindings, with the
pipeline's subPaths below it. A workspace named
signing that is not given gets an ephemeral key pair (cosign.key, cosign.pub),
and the gate is told to trust it (param attestor-public-key); param run-engine
defaults to local. /tekton/results, logs and run.json go under --out. Steps
see only their declared env, HOME, PATH and SOURCE_DATE_EPOCH. Read-only
workspaces are not enforced locally.

It fails where a cluster would: besides Tekton's validation, the TaskRun
reconciler's rule for the default affinity assistant (at most one
PersistentVolumeClaim per TaskRun) is applied before anything runs; step
onError, pipeline task and PipelineRun timeouts behave as in Tekton.

Without flags it runs ` + DefaultPipelineRun + ` on ` + DefaultSource + `/,
with the platform-owned policy workspace bound to ` + DefaultPolicy + `/, from
the repository root. The policy never comes from --source: bind your own with
--workspace policy=DIR and pass its digest with --param policy-digest=sha256:...
(in a cluster the Pipeline owner fixes it). Tekton features the tollgate tasks do not use
(sidecars, volumes, scripts, matrix, when, finally, custom tasks, remote
resolution, StepActions) are refused before anything runs.

Exit codes: 0 the pipeline succeeded (the gate passed); 1 a task failed (the
release is blocked: the gate failed, or a check could not decide); 3 the
pipeline cannot run here (invalid or unsupported YAML, missing binaries).`,
		Example: `  # The example pipeline on the example release
  tollgate run

  # The same pipeline on another copy of the release, with your own key and policy
  tollgate run --source ./my-release --workspace signing=./keys \
    --workspace policy=./platform --param policy-digest=sha256:$(sha256sum platform/policy.yaml | cut -d' ' -f1)

  # A candidate already pushed with tollgate push
  tollgate run --param candidate=127.0.0.1:5000/agents/support@sha256:... --param allow-insecure-registry=true

  # Another pipeline, with a param
  tollgate run --pipeline my/pipelinerun.yaml --tasks tasks/tekton --param review=review.yaml`,
		Args: cli.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if o.Params, err = keyValues("--param", params); err != nil {
				return err
			}
			if o.Workspaces, err = keyValues("--workspace", workspaces); err != nil {
				return err
			}
			if o.Source == "" && !cmd.Flags().Changed("pipeline") {
				if _, set := o.Params[CandidateParam]; !set {
					o.Source = DefaultSource
					if _, set := o.Workspaces[PolicyWorkspace]; !set {
						o.Workspaces[PolicyWorkspace] = DefaultPolicy
					}
				}
			}
			o.TaskDirs = append(taskDirs, filepath.Dir(o.File))
			if binDir != "" {
				o.BinDirs = []string{binDir}
			} else {
				o.BinDirs = defaultBinDirs()
			}
			o.Stdout = cmd.OutOrStdout()
			return report(cmd, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.File, "pipeline", DefaultPipelineRun, "PipelineRun (or Pipeline) file to run")
	f.StringArrayVar(&taskDirs, "tasks", []string{DefaultTasks}, "directory searched recursively for Tasks and Pipelines (repeatable); the --pipeline file's directory is always searched")
	f.StringArrayVar(&params, "param", nil, "pipeline param NAME=VALUE (repeatable), overriding the PipelineRun")
	f.StringArrayVar(&workspaces, "workspace", nil, "bind pipeline workspace NAME=DIR (repeatable)")
	f.StringVar(&o.Source, "source", "", "release directory to fetch: pushed to a registry on loopback for the run and named by the candidate param (default "+DefaultSource+" when --pipeline and --param candidate are not given)")
	f.StringVar(&binDir, "bin-dir", "", "directory of the step binaries (default: the directory of this executable, then ./bin)")
	f.StringVar(&o.OutDir, "out", "", "output directory for workspaces, results, logs and run.json (default demo-out/run-<PipelineRun name>)")
	return cmd
}

// report runs the pipeline and prints the gate's decision.
func report(cmd *cobra.Command, o Options) error {
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "running %s\n", o.File)
	res, err := Run(cmd.Context(), o)
	if err != nil && res == nil {
		return cli.WithCode(cli.ExitInvalidInput, err)
	}
	if err != nil {
		return err
	}
	names := make([]string, 0, len(res.Results))
	for k := range res.Results {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(out, "result %s=%s\n", k, res.Results[k])
	}
	fmt.Fprintf(out, "output: %s\n", res.OutDir)
	if dir, ok := res.Workspaces["run"]; ok {
		fmt.Fprintf(out, "evidence: %s\n", filepath.Join(dir, "evidence"))
	}
	for _, name := range []string{"evidence", "signing"} {
		if dir, ok := res.Workspaces[name]; ok {
			fmt.Fprintf(out, "%s: %s\n", name, dir)
		}
	}
	if g := res.Task("gate"); g != nil && g.Status != "" {
		summary := g.Results["summary"]
		if res.Succeeded && g.Results["verdict"] == "pass" {
			fmt.Fprintf(out, "gate: %s\n", summary)
			return nil
		}
		if summary == "" {
			summary = res.Reason
		}
		return cli.Blockedf("release blocked: gate: %s", summary)
	}
	if !res.Succeeded {
		return cli.Blockedf("release blocked: pipeline %s failed: %s", res.Pipeline, res.Reason)
	}
	fmt.Fprintf(out, "SUCCEEDED: pipeline %s\n", res.Pipeline)
	return nil
}

// keyValues parses NAME=VALUE flags.
func keyValues(flag string, vals []string) (map[string]string, error) {
	out := map[string]string{}
	for _, v := range vals {
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			return nil, cli.Usagef("%s %q: want NAME=VALUE", flag, v)
		}
		if _, dup := out[k]; dup {
			return nil, cli.Usagef("%s %s given twice", flag, k)
		}
		out[k] = val
	}
	return out, nil
}

// defaultBinDirs are the directory of this executable, then ./bin.
func defaultBinDirs() []string {
	var dirs []string
	if exe, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Dir(exe))
	}
	return append(dirs, "bin")
}
