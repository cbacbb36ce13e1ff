package runner

import (
	"fmt"
	"path/filepath"
	"strings"

	v1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
)

// unsupported returns an ErrUnsupported error for what, at where.
func unsupported(where, what string) error {
	return fmt.Errorf("%s: %w: %s (tollgate run supports params, results, workspaces with subPath, context, runAfter, timeouts, when expressions with in/notin, matrix params over arrays and steps with command/args/env/workingDir/onError/timeout)", where, ErrUnsupported, what)
}

// checkRun refuses PipelineRun features the runner does not implement.
func checkRun(pr *v1.PipelineRun) error {
	where := "PipelineRun " + pr.Name
	switch {
	case len(pr.Spec.TaskRunSpecs) > 0:
		return unsupported(where, "taskRunSpecs")
	case pr.Spec.Status != "":
		return unsupported(where, "status "+string(pr.Spec.Status))
	}
	for _, w := range pr.Spec.Workspaces {
		if err := checkSubPath(where+" workspace "+w.Name, w.SubPath); err != nil {
			return err
		}
	}
	for _, p := range pr.Spec.Params {
		if p.Value.Type != v1.ParamTypeString {
			return unsupported(where+" param "+p.Name, string(p.Value.Type)+" parameters")
		}
	}
	return nil
}

// checkPipeline refuses Pipeline features the runner does not implement.
func checkPipeline(name string, p *v1.PipelineSpec) error {
	where := "Pipeline " + name
	if len(p.Finally) > 0 {
		return unsupported(where, "finally tasks")
	}
	for _, ps := range p.Params {
		if ps.Type != v1.ParamTypeString {
			return unsupported(where+" param "+ps.Name, string(ps.Type)+" parameters")
		}
	}
	for _, r := range p.Results {
		if r.Type != "" && r.Type != v1.ResultsTypeString {
			return unsupported(where+" result "+r.Name, string(r.Type)+" results")
		}
	}
	for _, pt := range p.Tasks {
		w := where + " task " + pt.Name
		if err := checkWhen(w, pt.When); err != nil {
			return err
		}
		if err := checkMatrix(w, pt.Matrix); err != nil {
			return err
		}
		switch {
		case pt.Retries > 0:
			return unsupported(w, "retries")
		case pt.PipelineRef != nil || pt.PipelineSpec != nil:
			return unsupported(w, "pipelines in pipelines")
		case pt.OnError != "" && pt.OnError != v1.PipelineTaskStopAndFail:
			return unsupported(w, "onError "+string(pt.OnError))
		}
		for _, wb := range pt.Workspaces {
			if err := checkSubPath(w+" workspace "+wb.Name, wb.SubPath); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkSubPath refuses a subPath that is absolute or leaves the volume, as
// Kubernetes does for volume mounts.
func checkSubPath(where, sub string) error {
	if sub == "" {
		return nil
	}
	if filepath.IsAbs(sub) || strings.Contains(sub, "$(") {
		return fmt.Errorf("%s: subPath %q must be a relative path without variables", where, sub)
	}
	for _, part := range strings.Split(filepath.ToSlash(sub), "/") {
		if part == ".." {
			return fmt.Errorf("%s: subPath %q must not contain ..", where, sub)
		}
	}
	return nil
}

// checkTask refuses Task features the runner does not implement.
func checkTask(name string, t *v1.TaskSpec) error {
	where := "Task " + name
	switch {
	case len(t.Sidecars) > 0:
		return unsupported(where, "sidecars")
	case len(t.Volumes) > 0:
		return unsupported(where, "volumes")
	case t.StepTemplate != nil:
		return unsupported(where, "stepTemplate")
	}
	for _, ps := range t.Params {
		if ps.Type != v1.ParamTypeString {
			return unsupported(where+" param "+ps.Name, string(ps.Type)+" parameters")
		}
	}
	for _, r := range t.Results {
		// Object and array results are read and checked as Tekton checks
		// them (readResults); an array result feeds a matrix.
		if r.Type != "" && r.Type != v1.ResultsTypeString && r.Type != v1.ResultsTypeObject && r.Type != v1.ResultsTypeArray {
			return unsupported(where+" result "+r.Name, string(r.Type)+" results")
		}
	}
	for _, w := range t.Workspaces {
		if w.MountPath != "" {
			return unsupported(where+" workspace "+w.Name, "mountPath")
		}
	}
	for _, s := range t.Steps {
		w := where + " step " + s.Name
		switch {
		case s.Script != "":
			return unsupported(w, "script (steps run command and args only; there is no shell)")
		case s.Ref != nil:
			return unsupported(w, "StepActions")
		case len(s.Results) > 0:
			return unsupported(w, "step results")
		case len(s.Params) > 0:
			return unsupported(w, "step params")
		case len(s.When) > 0:
			return unsupported(w, "when expressions")
		case len(s.VolumeMounts) > 0 || len(s.VolumeDevices) > 0:
			return unsupported(w, "volumeMounts")
		case len(s.EnvFrom) > 0:
			return unsupported(w, "envFrom")
		case len(s.Workspaces) > 0:
			return unsupported(w, "step workspaces")
		case s.OnError != "" && s.OnError != v1.Continue && s.OnError != v1.StopAndFail:
			return unsupported(w, "onError "+string(s.OnError))
		case s.StdoutConfig != nil || s.StderrConfig != nil:
			return unsupported(w, "stdoutConfig/stderrConfig")
		case len(s.Command) == 0:
			return unsupported(w, "a step without command (the image entrypoint is not known locally)")
		}
		for _, e := range s.Env {
			if e.ValueFrom != nil {
				return unsupported(w+" env "+e.Name, "valueFrom")
			}
		}
	}
	return nil
}
