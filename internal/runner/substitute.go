package runner

import (
	"fmt"
	"regexp"
	"strings"

	v1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"github.com/tektoncd/pipeline/pkg/container"
	"github.com/tektoncd/pipeline/pkg/substitution"
)

// The variable spellings Tekton accepts for params and result paths
// (pkg/reconciler/{pipelinerun,taskrun}/resources).
var (
	paramPatterns  = []string{"params.%s", "params[%q]", "params['%s']"}
	resultPatterns = []string{"results.%s.path", "results[%q].path", "results['%s'].path"}
)

// paramReplacements returns the string replacements for params: the
// declared defaults, overridden by the given values.
func paramReplacements(specs v1.ParamSpecs, params v1.Params) map[string]string {
	out := map[string]string{}
	set := func(name, value string) {
		for _, p := range paramPatterns {
			out[fmt.Sprintf(p, name)] = value
		}
	}
	for _, s := range specs {
		if s.Default != nil {
			set(s.Name, s.Default.StringVal)
		}
	}
	for _, p := range params {
		set(p.Name, p.Value.StringVal)
	}
	return out
}

// checkParams reports params that the spec does not declare and declared
// params without a value or default.
func checkParams(where string, specs v1.ParamSpecs, params v1.Params) error {
	declared := map[string]bool{}
	for _, s := range specs {
		declared[s.Name] = true
	}
	given := map[string]bool{}
	for _, p := range params {
		if !declared[p.Name] {
			return fmt.Errorf("%s: param %q is not declared (declared: %s)", where, p.Name, strings.Join(specs.GetNames(), ", "))
		}
		if p.Value.Type != v1.ParamTypeString {
			return unsupported(where+" param "+p.Name, string(p.Value.Type)+" parameters")
		}
		given[p.Name] = true
	}
	for _, s := range specs {
		if !given[s.Name] && s.Default == nil {
			return fmt.Errorf("%s: param %q has no value and no default; pass it with --param %s=VALUE", where, s.Name, s.Name)
		}
	}
	return nil
}

// applyTask renders spec for one task run with Tekton's substitution code,
// in the order Tekton's TaskRun reconciler applies it: params, context,
// workspaces, results. A Tekton variable that none of them defines is an
// error: the runner cannot give it a value. Variables are looked for in the
// Task, not in the rendered values, so param values may hold any text.
func applyTask(where string, spec *v1.TaskSpec, params v1.Params, context, workspaces, resultsDir map[string]string) (*v1.TaskSpec, error) {
	spec = spec.DeepCopy()
	results := map[string]string{}
	for _, r := range spec.Results {
		for _, p := range resultPatterns {
			results[fmt.Sprintf(p, r.Name)] = resultsDir[r.Name]
		}
	}
	all := []map[string]string{paramReplacements(spec.Params, params), context, workspaces, results}
	for _, s := range spec.Steps {
		for _, v := range variables(s) {
			if !defined(all, v) {
				return nil, fmt.Errorf("%s step %s: %w: variable $(%s) has no value here", where, s.Name, ErrUnsupported, v)
			}
		}
	}
	for _, repl := range all {
		for i := range spec.Steps {
			container.ApplyStepReplacements(&spec.Steps[i], repl, map[string][]string{})
		}
	}
	return spec, nil
}

// tektonVar matches a Tekton variable reference.
var tektonVar = regexp.MustCompile(`\$\(((?:params|context|workspaces|results|tasks|steps|step|artifacts|credentials)[.\[][^)]*)\)`)

// variables returns the Tekton variables a step references.
func variables(s v1.Step) []string {
	fields := append(append([]string{s.Image, s.WorkingDir}, s.Command...), s.Args...)
	for _, e := range s.Env {
		fields = append(fields, e.Value)
	}
	var out []string
	for _, f := range fields {
		for _, m := range tektonVar.FindAllStringSubmatch(f, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

func defined(maps []map[string]string, key string) bool {
	for _, m := range maps {
		if _, ok := m[key]; ok {
			return true
		}
	}
	return false
}

// applyPipelineParams substitutes pipeline params and context into the
// params of every pipeline task (Tekton's pipelinerun ApplyParameters and
// ApplyContexts).
func applyPipelineParams(p *v1.PipelineSpec, params v1.Params, context map[string]string) *v1.PipelineSpec {
	p = p.DeepCopy()
	repl := paramReplacements(p.Params, params)
	for k, v := range context {
		repl[k] = v
	}
	for i := range p.Tasks {
		p.Tasks[i].Params = p.Tasks[i].Params.ReplaceVariables(repl, nil, nil)
		p.Tasks[i].When = p.Tasks[i].When.ReplaceVariables(repl, nil)
		if m := p.Tasks[i].Matrix; m != nil {
			m.Params = m.Params.ReplaceVariables(repl, nil, nil)
		}
	}
	for i := range p.Results {
		p.Results[i].Value.ApplyReplacements(repl, nil, nil)
	}
	return p
}

// resultReplacements returns the replacements for the result references in
// exprs, from the results of finished tasks. A reference to a task or
// result that has no value is an error: the run fails closed, as Tekton
// does.
func resultReplacements(where string, exprs []string, results map[string]map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for _, ref := range v1.NewResultRefs(exprs) {
		vals, ok := results[ref.PipelineTask]
		if !ok {
			return nil, fmt.Errorf("%s: result reference to task %q, which has not run", where, ref.PipelineTask)
		}
		v, ok := vals[ref.Result]
		if !ok {
			return nil, fmt.Errorf("%s: task %q did not produce result %q", where, ref.PipelineTask, ref.Result)
		}
		for _, p := range []string{"tasks.%s.results.%s", "tasks.%s.results[%q]", "tasks.%s.results['%s']"} {
			out[fmt.Sprintf(p, ref.PipelineTask, ref.Result)] = v
		}
	}
	return out, nil
}

// paramExpressions returns the $(...) expressions in params.
func paramExpressions(params v1.Params) []string {
	var out []string
	for _, p := range params {
		if e, ok := p.GetVarSubstitutionExpressions(); ok {
			out = append(out, e...)
		}
	}
	return out
}

// substituteString applies replacements to one string with Tekton's code.
func substituteString(s string, repl map[string]string) string {
	return substitution.ApplyReplacements(s, repl)
}
