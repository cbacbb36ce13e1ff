package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// twoTasks is a pipeline of a check and a gate that reads the check's
// verdict, both on subPaths of one volume, as the release pipeline is.
const twoTasks = `apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: check
spec:
  params:
    - name: args
      type: string
  workspaces:
    - name: evidence
  results:
    - name: verdict
      type: string
  steps:
    - name: check
      image: example.com/fakestep
      command: ["fakestep"]
      onError: ONERROR
      env:
        - name: ARGS
          value: $(params.args)
      args: ["--results-dir=/tekton/results", "--set=verdict=error", "--write=$(workspaces.evidence.path)/check.json", "$(ARGS)"]
---
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: gate
spec:
  params:
    - name: verdict
      type: string
  workspaces:
    - name: evidence
  steps:
    - name: gate
      image: example.com/fakestep
      command: ["fakestep"]
      env:
        - name: VERDICT
          value: $(params.verdict)
      args: ["--results-dir=/tekton/results", "--write=$(workspaces.evidence.path)/gate-$(VERDICT).txt", "--exit=1"]
---
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: two
spec:
  params:
    - name: args
      type: string
      default: --exit=3
  workspaces:
    - name: run
  tasks:
    - name: check
      TIMEOUT
      taskRef:
        name: check
      params:
        - name: args
          value: $(params.args)
      workspaces:
        - name: evidence
          workspace: run
          subPath: evidence
    - name: gate
      taskRef:
        name: gate
      params:
        - name: verdict
          value: $(tasks.check.results.verdict)
      workspaces:
        - name: evidence
          workspace: run
          subPath: evidence
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: two-run
spec:
  pipelineRef:
    name: two
  workspaces:
    - name: run
      volumeClaimTemplate:
        spec:
          accessModes: ["ReadWriteOnce"]
          resources: {requests: {storage: 1Mi}}
`

func runTwo(t *testing.T, onError, timeout string, params map[string]string) (*Result, string) {
	t.Helper()
	dir := t.TempDir()
	doc := strings.NewReplacer("ONERROR", onError, "TIMEOUT", timeout).Replace(twoTasks)
	run := writeTwo(t, dir, doc)
	out := filepath.Join(dir, "out")
	res, err := Run(context.Background(), Options{File: run, TaskDirs: []string{filepath.Join(dir, "tasks")}, Params: params, BinDirs: []string{fakeBinDir(t)}, OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	return res, out
}

// A step with onError: continue that exits non-zero after writing its
// results lets the task succeed, and the next task sees the results: the
// gate still runs, as on Tekton.
func TestRunOnErrorContinueReachesGate(t *testing.T) {
	res, out := runTwo(t, "continue", "", nil)
	check := res.Task("check")
	if check == nil || check.Status != "Succeeded" || len(check.Continued) != 1 || !strings.Contains(check.Continued[0], "exit code 3") {
		t.Fatalf("check: %+v", check)
	}
	gate := res.Task("gate")
	if gate == nil || gate.Status != "Failed" || gate.ExitCode != 1 {
		t.Fatalf("gate: %+v", gate)
	}
	// subPath: both tasks wrote into run/evidence.
	for _, f := range []string{"check.json", "gate-error.txt"} {
		if _, err := os.Stat(filepath.Join(out, "workspaces", "run", "evidence", f)); err != nil {
			t.Errorf("subPath file: %v", err)
		}
	}
	if res.Succeeded {
		t.Error("run succeeded")
	}
}

// Without onError the failed step fails its task and the gate never runs.
func TestRunStopAndFailSkipsGate(t *testing.T) {
	res, _ := runTwo(t, "stopAndFail", "", nil)
	if c := res.Task("check"); c == nil || c.Status != "Failed" || c.ExitCode != 3 {
		t.Fatalf("check: %+v", c)
	}
	if res.Task("gate") != nil {
		t.Error("gate ran after a failed task")
	}
}

// A pipeline task timeout stops the step and fails the task whatever its
// onError says, as Tekton does.
func TestRunTaskTimeout(t *testing.T) {
	res, _ := runTwo(t, "continue", "timeout: 200ms", map[string]string{"args": "--sleep=10s"})
	c := res.Task("check")
	if c == nil || c.Status != "Failed" || !strings.Contains(c.Log, "stopped") {
		t.Fatalf("check: %+v", c)
	}
	if res.Task("gate") != nil || res.Succeeded {
		t.Error("the run went on after a timeout")
	}
}

func TestRunRefusesEscapingSubPath(t *testing.T) {
	dir := t.TempDir()
	doc := strings.NewReplacer("ONERROR", "continue", "TIMEOUT", "", "subPath: evidence\n    - name: gate", "subPath: ../evidence\n    - name: gate").Replace(twoTasks)
	run := writeTwo(t, dir, doc)
	_, err := Run(context.Background(), Options{File: run, TaskDirs: []string{filepath.Join(dir, "tasks")}, BinDirs: []string{fakeBinDir(t)}, OutDir: filepath.Join(dir, "out")})
	if err == nil || !strings.Contains(err.Error(), "must not contain ..") {
		t.Fatalf("err = %v", err)
	}
}

// writeTwo writes the Tasks and Pipeline of doc to dir/tasks and its
// PipelineRun to dir/run.yaml, which it returns.
func writeTwo(t *testing.T, dir, doc string) string {
	t.Helper()
	i := strings.LastIndex(doc, "---\n")
	if err := os.MkdirAll(filepath.Join(dir, "tasks"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "tasks", "two.yaml"), doc[:i])
	write(t, filepath.Join(dir, "run.yaml"), doc[i+4:])
	return filepath.Join(dir, "run.yaml")
}

// A check killed after it wrote its fail-closed results (as every tollgate
// check does before it starts) still lets the gate run and judge verdict=error.
func TestRunKilledCheckStillReachesGate(t *testing.T) {
	res, out := runTwo(t, "continue", "", map[string]string{"args": "--kill"})
	if c := res.Task("check"); c == nil || c.Status != "Succeeded" || len(c.Continued) != 1 {
		t.Fatalf("check: %+v", c)
	}
	if g := res.Task("gate"); g == nil || g.Status != "Failed" {
		t.Fatalf("gate: %+v", g)
	}
	if _, err := os.Stat(filepath.Join(out, "workspaces", "run", "evidence", "gate-error.txt")); err != nil {
		t.Errorf("the gate did not judge verdict=error: %v", err)
	}
}
