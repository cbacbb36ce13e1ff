package runner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// fanPipeline is the shape of the release pipeline's optional fan-out: plan
// writes an array result, part fans out over it (matrix) unless parts is
// "1" (when), merge runs after part under the same condition, use consumes
// merge's result, and check runs after merge either way.
const fanPipeline = `apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: plan
spec:
  params:
    - name: indices
      type: string
  results:
    - name: indices
      type: array
  steps:
    - name: plan
      image: example.com/fakestep
      command: ["fakestep"]
      env:
        - name: INDICES
          value: $(params.indices)
      args: ["--results-dir=/tekton/results", "--set=indices=$(INDICES)"]
---
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: part
spec:
  params:
    - name: index
      type: string
    - name: count
      type: string
    - name: exit
      type: string
  workspaces:
    - name: data
  steps:
    - name: part
      image: example.com/fakestep
      command: ["fakestep"]
      env:
        - name: INDEX
          value: $(params.index)
        - name: COUNT
          value: $(params.count)
        - name: EXIT
          value: $(params.exit)
      args: ["--results-dir=/tekton/results", "--write=$(workspaces.data.path)/part-$(INDEX)-of-$(COUNT)-$(context.taskRun.name)", "--exit=$(EXIT)"]
---
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: produce
spec:
  params:
    - name: name
      type: string
  workspaces:
    - name: data
  results:
    - name: value
      type: string
  steps:
    - name: produce
      image: example.com/fakestep
      command: ["fakestep"]
      env:
        - name: NAME
          value: $(params.name)
      args: ["--results-dir=/tekton/results", "--set=value=$(NAME)", "--write=$(workspaces.data.path)/$(NAME)"]
---
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: fan
spec:
  params:
    - name: parts
      type: string
    - name: indices
      type: string
    - name: exit
      type: string
      default: "0"
  workspaces:
    - name: data
  results:
    - name: used
      value: $(tasks.use.results.value)
    - name: checked
      value: $(tasks.check.results.value)
  tasks:
    - name: plan
      taskRef:
        name: plan
      params:
        - name: indices
          value: $(params.indices)
    - name: part
      when:
        - input: $(params.parts)
          operator: notin
          values: ["1"]
      taskRef:
        name: part
      matrix:
        params:
          - name: index
            value: $(tasks.plan.results.indices[*])
      params:
        - name: count
          value: $(params.parts)
        - name: exit
          value: $(params.exit)
      workspaces:
        - name: data
          workspace: data
    - name: merge
      runAfter: ["part"]
      when:
        - input: $(params.parts)
          operator: notin
          values: ["1"]
      taskRef:
        name: produce
      params:
        - name: name
          value: merged
      workspaces:
        - name: data
          workspace: data
    - name: use
      taskRef:
        name: produce
      params:
        - name: name
          value: used-$(tasks.merge.results.value)
      workspaces:
        - name: data
          workspace: data
    - name: check
      runAfter: ["plan", "merge"]
      taskRef:
        name: produce
      params:
        - name: name
          value: checked
      workspaces:
        - name: data
          workspace: data
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: fan-run
spec:
  pipelineRef:
    name: fan
  workspaces:
    - name: data
      emptyDir: {}
`

func TestRunMatrixAndWhen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		params    map[string]string
		succeeded bool
		status    string   // name:Status of every task, sorted
		taskRuns  int      // of part
		files     []string // in the workspace, sorted
		results   map[string]string
		reason    string // substring of the run's reason or a task's log
	}{
		{
			name:      "fan out over three parts",
			params:    map[string]string{"parts": "3", "indices": `["1","2","3"]`},
			succeeded: true,
			status:    "check:Succeeded merge:Succeeded part:Succeeded plan:Succeeded use:Succeeded",
			taskRuns:  3,
			files:     []string{"checked", "merged", "part-1-of-3-fan-run-part-0", "part-2-of-3-fan-run-part-1", "part-3-of-3-fan-run-part-2", "used-merged"},
			results:   map[string]string{"used": "used-merged", "checked": "checked"},
		},
		{
			name:      "one part skips the fan-out and what consumes it",
			params:    map[string]string{"parts": "1", "indices": `["1"]`},
			succeeded: true,
			status:    "check:Succeeded merge:Skipped part:Skipped plan:Succeeded use:Skipped",
			files:     []string{"checked"},
			results:   map[string]string{"checked": "checked"},
		},
		{
			name:      "an empty matrix skips the task as Tekton does",
			params:    map[string]string{"parts": "2", "indices": `[]`},
			succeeded: true,
			status:    "check:Succeeded merge:Succeeded part:Skipped plan:Succeeded use:Succeeded",
			files:     []string{"checked", "merged", "used-merged"},
			results:   map[string]string{"used": "used-merged", "checked": "checked"},
		},
		{
			name:     "a failed part fails the task and stops the run",
			params:   map[string]string{"parts": "2", "indices": `["1","2"]`, "exit": "5"},
			status:   "part:Failed plan:Succeeded",
			taskRuns: 2,
			files:    []string{"part-1-of-2-fan-run-part-0", "part-2-of-2-fan-run-part-1"},
			reason:   "exit code 5",
		},
		{
			name:   "an array result that is not a JSON array fails the producer",
			params: map[string]string{"parts": "2", "indices": `1,2`},
			status: "plan:Failed",
			reason: "not a JSON array of strings",
		},
	}
	bin := fakeBinDir(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			run := writeTwo(t, dir, fanPipeline)
			out := filepath.Join(dir, "out")
			res, err := Run(context.Background(), Options{File: run, TaskDirs: []string{filepath.Join(dir, "tasks")}, Params: tt.params, BinDirs: []string{bin}, OutDir: out})
			if err != nil {
				t.Fatal(err)
			}
			if res.Succeeded != tt.succeeded {
				t.Errorf("succeeded = %v (%s), want %v", res.Succeeded, res.Reason, tt.succeeded)
			}
			var st []string
			for _, tr := range res.Tasks {
				st = append(st, tr.Name+":"+tr.Status)
			}
			if got := strings.Join(st, " "); got != tt.status {
				t.Errorf("tasks %s, want %s", got, tt.status)
			}
			if p := res.Task("part"); p != nil && p.TaskRuns != tt.taskRuns {
				t.Errorf("part ran %d TaskRuns, want %d", p.TaskRuns, tt.taskRuns)
			}
			entries, _ := os.ReadDir(filepath.Join(out, "workspaces", "data"))
			var files []string
			for _, e := range entries {
				files = append(files, e.Name())
			}
			sort.Strings(files)
			if strings.Join(files, " ") != strings.Join(tt.files, " ") {
				t.Errorf("workspace files %v, want %v", files, tt.files)
			}
			for k, v := range tt.results {
				if res.Results[k] != v {
					t.Errorf("result %s = %q, want %q", k, res.Results[k], v)
				}
			}
			if tt.succeeded && len(res.Results) != len(tt.results) {
				t.Errorf("results %v, want %v (a result naming a skipped task is omitted)", res.Results, tt.results)
			}
			if tt.reason != "" {
				b, _ := os.ReadFile(filepath.Join(out, "run.json"))
				if !strings.Contains(res.Reason+string(b), tt.reason) {
					t.Errorf("reason %q (run.json %s) does not mention %q", res.Reason, b, tt.reason)
				}
			}
		})
	}
}

// What the runner cannot do as Tekton does is refused before any step runs.
func TestRunRefusesUnsupportedFanOut(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, old, new, want string }{
		{"matrix over a string", "value: $(tasks.plan.results.indices[*])", "value: $(params.indices)", `matrix param index: unsupported Tekton feature`},
		{"matrix include", "      matrix:\n        params:", "      matrix:\n        include:\n          - name: x\n            params:\n              - name: index\n                value: \"1\"\n        params:", "matrix include"},
	}
	bin := fakeBinDir(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if !strings.Contains(fanPipeline, tt.old) {
				t.Fatalf("fanPipeline lacks %q", tt.old)
			}
			run := writeTwo(t, dir, strings.Replace(fanPipeline, tt.old, tt.new, 1))
			out := filepath.Join(dir, "out")
			_, err := Run(context.Background(), Options{File: run, TaskDirs: []string{filepath.Join(dir, "tasks")}, Params: map[string]string{"parts": "2", "indices": `["1","2"]`}, BinDirs: []string{bin}, OutDir: out})
			if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrUnsupported mentioning %q", err, tt.want)
			}
			if _, err := os.Stat(filepath.Join(out, "logs")); err == nil {
				t.Error("a step ran")
			}
		})
	}
}
