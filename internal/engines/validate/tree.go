package validate

import (
	"context"
	"fmt"
	"github.com/tollgate-dev/tollgate/internal/engines"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	v1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
)

// Validate reads every .yaml and .yml file under dirs and validates each
// document with its engine's code: Tekton documents with engines.DecodeTekton and
// CheckReferences, Argo Workflows documents together as an ArgoSet, Kargo
// documents as a KargoSet, batch/v1 Jobs with DecodeJob. A document of any
// other kind is an error. It returns how many documents it validated.
func Validate(ctx context.Context, dirs ...string) (int, []error) {
	var files []string
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			return 0, []error{fmt.Errorf("walk %s: %w", dir, err)}
		}
	}
	sort.Strings(files)
	var (
		errs  []error
		n     int
		argo  = NewArgoSet()
		kargo = NewKargoSet()
		tek   = newTektonSet()
	)
	for _, f := range files {
		docs, err := engines.ReadFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, d := range docs {
			n++
			group, _, _ := strings.Cut(d.APIVersion, "/")
			switch {
			case group == "tekton.dev":
				obj, err := engines.DecodeTekton(ctx, d)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				tek.add(d, obj)
			case d.Kind == "AnalysisTemplate":
				err = kargo.Add(d)
			case group == "argoproj.io":
				err = argo.Add(d)
			case group == "kargo.akuity.io":
				err = kargo.Add(d)
			case d.APIVersion == "batch/v1" && d.Kind == "Job":
				_, err = DecodeJob(d)
			case d.APIVersion == "apps/v1" && d.Kind == "Deployment":
				_, err = DecodeDeployment(d)
			case d.APIVersion == "kustomize.config.k8s.io/v1beta1" && d.Kind == "Kustomization":
				err = DecodeKustomization(d)
			case d.Kind == "ServiceAccount" || group == "rbac.authorization.k8s.io":
				err = DecodeAccess(d)
			default:
				err = fmt.Errorf("%s: %w: no validator for %s %s", d, engines.ErrInvalid, d.APIVersion, d.Kind)
			}
			if err != nil {
				errs = append(errs, err)
			}
		}
	}
	errs = append(errs, tek.check()...)
	errs = append(errs, argo.Validate()...)
	errs = append(errs, kargo.Validate()...)
	return n, errs
}

// tektonSet cross-checks Tekton documents: what Tekton checks only when a
// run starts (pkg/reconciler/pipelinerun/resources), checked here ahead.
type tektonSet struct {
	tasks     map[string]*v1.Task
	pipelines []*v1.Pipeline
	runs      []*v1.PipelineRun
	taskRuns  []*v1.TaskRun
	docs      map[any]engines.Doc
}

func newTektonSet() *tektonSet {
	return &tektonSet{tasks: map[string]*v1.Task{}, docs: map[any]engines.Doc{}}
}

func (s *tektonSet) add(d engines.Doc, obj any) {
	s.docs[obj] = d
	switch o := obj.(type) {
	case *v1.Task:
		s.tasks[o.Name] = o
	case *v1.Pipeline:
		s.pipelines = append(s.pipelines, o)
	case *v1.PipelineRun:
		s.runs = append(s.runs, o)
	case *v1.TaskRun:
		s.taskRuns = append(s.taskRuns, o)
	}
}

func (s *tektonSet) check() []error {
	var errs []error
	pipelines := map[string]*v1.Pipeline{}
	for _, p := range s.pipelines {
		pipelines[p.Name] = p
		if err := CheckReferences(&p.Spec, s.tasks); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.docs[p], err))
		}
	}
	for _, pr := range s.runs {
		if pr.Spec.PipelineRef == nil {
			continue
		}
		p, ok := pipelines[pr.Spec.PipelineRef.Name]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: %w: Pipeline %q not found", s.docs[pr], engines.ErrInvalid, pr.Spec.PipelineRef.Name))
			continue
		}
		if err := checkBinding(p.Spec.Params, pr.Spec.Params, workspaceNames(p.Spec.Workspaces), bindingNames(pr.Spec.Workspaces)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w: %v", s.docs[pr], engines.ErrInvalid, err))
		}
	}
	for _, tr := range s.taskRuns {
		if tr.Spec.TaskRef == nil {
			continue
		}
		t, ok := s.tasks[tr.Spec.TaskRef.Name]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: %w: Task %q not found", s.docs[tr], engines.ErrInvalid, tr.Spec.TaskRef.Name))
			continue
		}
		if err := checkBinding(t.Spec.Params, tr.Spec.Params, taskWorkspaceNames(t.Spec.Workspaces), bindingNames(tr.Spec.Workspaces)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w: %v", s.docs[tr], engines.ErrInvalid, err))
		}
	}
	return errs
}

// CheckReferences checks a Pipeline against the Tasks it references by
// name: every Task exists, every param passed is declared and every
// required one is passed, every required workspace is bound, and every
// $(tasks.X.results.Y) names a result that X's Task declares.
func CheckReferences(p *v1.PipelineSpec, tasks map[string]*v1.Task) error {
	byPT := map[string]*v1.Task{}
	for _, pt := range append(append([]v1.PipelineTask{}, p.Tasks...), p.Finally...) {
		if pt.TaskRef == nil {
			continue
		}
		t, ok := tasks[pt.TaskRef.Name]
		if !ok {
			return fmt.Errorf("%w: pipeline task %s: Task %q not found", engines.ErrInvalid, pt.Name, pt.TaskRef.Name)
		}
		byPT[pt.Name] = t
		bound := map[string]bool{}
		for _, w := range pt.Workspaces {
			bound[w.Name] = true
		}
		// A matrix param is one of the Task's params, given per TaskRun.
		params := append(append(v1.Params{}, pt.Params...), pt.Matrix.GetAllParams()...)
		if err := checkBinding(t.Spec.Params, params, taskWorkspaceNames(t.Spec.Workspaces), bound); err != nil {
			return fmt.Errorf("%w: pipeline task %s: %v", engines.ErrInvalid, pt.Name, err)
		}
	}
	var refs []*v1.ResultRef
	arrayRefs := map[v1.ResultRef]bool{} // fanned out by a matrix: must be array results
	for _, pt := range append(append([]v1.PipelineTask{}, p.Tasks...), p.Finally...) {
		refs = append(refs, v1.PipelineTaskResultRefs(&pt)...)
		for _, mp := range pt.Matrix.GetAllParams() {
			exprs, _ := mp.GetVarSubstitutionExpressions()
			rs := v1.NewResultRefs(exprs)
			for _, r := range rs {
				arrayRefs[*r] = true
			}
			if err := checkMatrixParam(p, pt.Name, mp, len(rs) > 0); err != nil {
				return err
			}
		}
	}
	for _, r := range p.Results {
		if exprs, ok := r.GetVarSubstitutionExpressions(); ok {
			refs = append(refs, v1.NewResultRefs(exprs)...)
		}
	}
	for _, ref := range refs {
		t, ok := byPT[ref.PipelineTask]
		if !ok {
			continue // Tekton's Validate already rejects unknown pipeline tasks
		}
		var found *v1.TaskResult
		for i, r := range t.Spec.Results {
			if r.Name == ref.Result {
				found = &t.Spec.Results[i]
			}
		}
		if found == nil {
			return fmt.Errorf("%w: $(tasks.%s.results.%s): Task %s declares no result %q", engines.ErrInvalid, ref.PipelineTask, ref.Result, t.Name, ref.Result)
		}
		if arrayRefs[*ref] && found.Type != v1.ResultsTypeArray {
			return fmt.Errorf("%w: $(tasks.%s.results.%s): a matrix fans out over an array, but Task %s's result %q is a %s", engines.ErrInvalid, ref.PipelineTask, ref.Result, t.Name, ref.Result, found.Type)
		}
	}
	return nil
}

// checkBinding checks given params and workspaces against declarations;
// workspaces maps each declared workspace to whether it is optional.
func checkBinding(specs v1.ParamSpecs, params v1.Params, workspaces map[string]bool, bound map[string]bool) error {
	declared := map[string]bool{}
	for _, s := range specs {
		declared[s.Name] = true
	}
	given := map[string]bool{}
	for _, p := range params {
		if !declared[p.Name] {
			return fmt.Errorf("param %q is not declared", p.Name)
		}
		given[p.Name] = true
	}
	for _, s := range specs {
		if s.Default == nil && !given[s.Name] {
			return fmt.Errorf("required param %q is not given", s.Name)
		}
	}
	for name, optional := range workspaces {
		if !optional && !bound[name] {
			return fmt.Errorf("required workspace %q is not bound", name)
		}
	}
	for name := range bound {
		if _, ok := workspaces[name]; !ok {
			return fmt.Errorf("workspace %q is not declared", name)
		}
	}
	return nil
}

func taskWorkspaceNames(ws []v1.WorkspaceDeclaration) map[string]bool {
	out := map[string]bool{}
	for _, w := range ws {
		out[w.Name] = w.Optional
	}
	return out
}

func workspaceNames(ws []v1.PipelineWorkspaceDeclaration) map[string]bool {
	out := map[string]bool{}
	for _, w := range ws {
		out[w.Name] = w.Optional
	}
	return out
}

func bindingNames(ws []v1.WorkspaceBinding) map[string]bool {
	out := map[string]bool{}
	for _, w := range ws {
		out[w.Name] = true
	}
	return out
}

// checkMatrixParam refuses a matrix param that cannot be an array when the
// PipelineRun starts (Tekton's own validation lets a string through and
// fails the run): a literal array, a whole array param, or a whole result
// reference (checked to be an array result by the caller).
func checkMatrixParam(p *v1.PipelineSpec, task string, mp v1.Param, resultRef bool) error {
	if mp.Value.Type == v1.ParamTypeArray || mp.Value.Type == v1.ParamTypeObject {
		return nil
	}
	v := mp.Value.StringVal
	if resultRef && strings.HasPrefix(v, "$(tasks.") && strings.HasSuffix(v, "[*])") && strings.Count(v, "$(") == 1 {
		return nil
	}
	for _, ps := range p.Params {
		if ps.Type == v1.ParamTypeArray && v == "$(params."+ps.Name+"[*])" {
			return nil
		}
	}
	return fmt.Errorf("%w: pipeline task %s: matrix param %q is %q, not an array (a literal array, $(params.NAME[*]) of an array param or $(tasks.TASK.results.NAME[*]) of an array result)", engines.ErrInvalid, task, mp.Name, v)
}
