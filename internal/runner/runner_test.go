package runner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runDiamond(t *testing.T, params map[string]string) (*Result, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	res, err := Run(context.Background(), Options{
		File:     "testdata/dag/pipelinerun.yaml",
		TaskDirs: []string{"testdata/dag"},
		Params:   params,
		BinDirs:  []string{fakeBinDir(t)},
		OutDir:   out,
	})
	if err != nil {
		t.Fatal(err)
	}
	return res, out
}

func TestRunDiamond(t *testing.T) {
	res, out := runDiamond(t, map[string]string{"message": "hi $(params.x) there"})
	if !res.Succeeded {
		t.Fatalf("run failed: %s", res.Reason)
	}
	want := "hi $(params.x) there/diamond-run-left+diamond-run/diamond-run-right+[]+false+$(PARAM_LEFT)"
	if got := res.Results["joined"]; got != want {
		t.Errorf("pipeline result joined:\n got %q\nwant %q", got, want)
	}
	var names []string
	for _, tr := range res.Tasks {
		names = append(names, tr.Name+":"+tr.Status)
	}
	if got := strings.Join(names, " "); got != "after:Succeeded join:Succeeded left:Succeeded right:Succeeded" {
		t.Errorf("tasks: %s", got)
	}
	for _, f := range []string{"produce-diamond-run-left.txt", "produce-diamond-run-right.txt", "produce-diamond-run-after.txt"} {
		if _, err := os.Stat(filepath.Join(out, "workspaces", "data", f)); err != nil {
			t.Errorf("workspace file: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "run.json")); err != nil {
		t.Error(err)
	}
}

func TestRunFailureStopsLaterTasks(t *testing.T) {
	res, _ := runDiamond(t, map[string]string{"exit-code": "3"})
	if res.Succeeded {
		t.Fatal("run succeeded, want failure")
	}
	if !strings.Contains(res.Reason, "task join step combine failed (exit code 3)") {
		t.Errorf("reason %q", res.Reason)
	}
	if res.Task("after") != nil {
		t.Error("task after ran after join failed")
	}
	if len(res.Results) != 0 {
		t.Errorf("pipeline results of a failed run: %v", res.Results)
	}
}

func TestRunRefusesBeforeRunning(t *testing.T) {
	bin := fakeBinDir(t)
	tests := []struct {
		name    string
		tasks   string
		params  map[string]string
		ws      map[string]string
		bins    []string
		wantErr string
		unsupp  bool
	}{
		{name: "script", tasks: strings.Replace(taskWith(""), `      command: ["fakestep"]
      args: ["--results-dir=/tekton/results"]
`, "      script: echo hi\n", 1), wantErr: "script", unsupp: true},
		{name: "sidecar", tasks: taskWith("") + "  sidecars:\n    - name: s\n      image: x\n", wantErr: "sidecars", unsupp: true},
		{name: "volume mount", tasks: taskWith("      volumeMounts:\n        - name: v\n          mountPath: /v\n") + "  volumes:\n    - name: v\n      emptyDir: {}\n", wantErr: "volumes", unsupp: true},
		{name: "env from secret", tasks: taskWith("      env:\n        - name: X\n          valueFrom:\n            secretKeyRef:\n              name: s\n              key: k\n"), wantErr: "valueFrom", unsupp: true},
		{name: "command is not the image binary", tasks: strings.Replace(taskWith(""), `command: ["fakestep"]`, `command: ["sh"]`, 1), wantErr: `command "sh" is not the image's binary`, unsupp: true},
		{name: "unknown param", tasks: taskWith(""), params: map[string]string{"nope": "x"}, wantErr: `param "nope" is not declared`},
		{name: "unknown workspace", tasks: taskWith(""), ws: map[string]string{"nope": "."}, wantErr: "declares no such workspace"},
		{name: "unknown variable", tasks: taskWith(`      workingDir: $(steps.step-s.exitCode.path)
`), wantErr: "variable $(steps.step-s.exitCode.path) has no value", unsupp: true},
		{name: "missing binary", tasks: taskWith(""), bins: []string{t.TempDir()}, wantErr: "neither fakestep nor tollgate found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "task.yaml"), tt.tasks)
			write(t, filepath.Join(dir, "pipeline.yaml"), onePipeline)
			bins := tt.bins
			if bins == nil {
				bins = []string{bin}
			}
			out := filepath.Join(dir, "out")
			res, err := Run(context.Background(), Options{File: filepath.Join(dir, "pipeline.yaml"), TaskDirs: []string{dir}, Params: tt.params, Workspaces: tt.ws, BinDirs: bins, OutDir: out})
			if err == nil || res != nil {
				t.Fatalf("Run = %v, %v; want an error", res, err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
			if errors.Is(err, ErrUnsupported) != tt.unsupp {
				t.Errorf("errors.Is(ErrUnsupported) = %v, want %v", !tt.unsupp, tt.unsupp)
			}
			if _, err := os.Stat(filepath.Join(out, "logs")); err == nil {
				t.Error("a step ran")
			}
		})
	}
}

func TestRunRefusesUnsupportedPipeline(t *testing.T) {
	for name, extra := range map[string]string{
		"matrix include": "      matrix:\n        include:\n          - name: one\n            params:\n              - name: p\n                value: a\n",
		"retries":        "      retries: 2\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "task.yaml"), taskWith(""))
			write(t, filepath.Join(dir, "pipeline.yaml"), onePipeline+extra)
			_, err := Run(context.Background(), Options{File: filepath.Join(dir, "pipeline.yaml"), TaskDirs: []string{dir}, BinDirs: []string{fakeBinDir(t)}, OutDir: filepath.Join(dir, "out")})
			if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), name) {
				t.Errorf("error %v, want ErrUnsupported naming %s", err, name)
			}
		})
	}
}

func TestRunKeepsForeignOutDir(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "keep.txt"), "mine")
	_, err := Run(context.Background(), Options{File: "testdata/dag/pipelinerun.yaml", TaskDirs: []string{"testdata/dag"}, BinDirs: []string{fakeBinDir(t)}, OutDir: dir})
	if err == nil || !strings.Contains(err.Error(), "not made by tollgate run") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "keep.txt")); err != nil {
		t.Fatal("user file removed")
	}
}

func TestRunMissingResultFailsClosed(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "task.yaml"), taskWith("")+"  results:\n    - name: never\n      type: string\n")
	write(t, filepath.Join(dir, "pipeline.yaml"), strings.Replace(onePipeline, "  tasks:\n", "  results:\n    - name: r\n      value: $(tasks.only.results.never)\n  tasks:\n", 1))
	res, err := Run(context.Background(), Options{File: filepath.Join(dir, "pipeline.yaml"), TaskDirs: []string{dir}, BinDirs: []string{fakeBinDir(t)}, OutDir: filepath.Join(dir, "out")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Succeeded || !strings.Contains(res.Reason, `did not produce result "never"`) {
		t.Errorf("succeeded=%v reason=%q", res.Succeeded, res.Reason)
	}
}

const onePipeline = `apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: one
spec:
  workspaces:
    - name: data
  tasks:
    - name: only
      taskRef:
        name: t
      workspaces:
        - name: data
          workspace: data
`

// taskWith returns a valid Task whose single step has extra appended.
func taskWith(extra string) string {
	return `apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: t
spec:
  workspaces:
    - name: data
  steps:
    - name: s
      image: example.com/fakestep
      command: ["fakestep"]
      args: ["--results-dir=/tekton/results"]
` + extra
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
