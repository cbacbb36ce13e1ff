package runner

import (
	"encoding/json"
	"fmt"
	"strings"

	v1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"k8s.io/apimachinery/pkg/selection"
)

// maxMatrix is Tekton's default limit on the TaskRuns of one matrixed
// pipeline task (default-max-matrix-combinations-count).
const maxMatrix = 256

// checkWhen refuses when expressions the runner cannot evaluate as Tekton
// does: CEL (an alpha field) and any operator but in and notin.
func checkWhen(where string, wes v1.WhenExpressions) error {
	for _, we := range wes {
		switch {
		case we.CEL != "":
			return unsupported(where, "CEL when expressions")
		case we.Operator != selection.In && we.Operator != selection.NotIn:
			return unsupported(where, "when operator "+string(we.Operator))
		}
	}
	return nil
}

// checkMatrix refuses matrix features the runner does not implement:
// include, and a matrix param that is neither a literal array nor a whole
// array result of another task, $(tasks.TASK.results.NAME[*]).
func checkMatrix(where string, m *v1.Matrix) error {
	if m == nil {
		return nil
	}
	if m.HasInclude() {
		return unsupported(where, "matrix include")
	}
	if !m.HasParams() {
		return unsupported(where, "a matrix without params")
	}
	for _, p := range m.Params {
		if p.Value.Type == v1.ParamTypeArray {
			continue
		}
		if _, ok := wholeArrayResult(p.Value.StringVal); !ok {
			return unsupported(where+" matrix param "+p.Name, fmt.Sprintf("value %q (a matrix fans out over a literal array or $(tasks.TASK.results.NAME[*]))", p.Value.StringVal))
		}
	}
	return nil
}

// wholeArrayResult returns the reference of s when s is exactly one
// $(tasks.TASK.results.NAME[*]) expression.
func wholeArrayResult(s string) (*v1.ResultRef, bool) {
	if !strings.HasPrefix(s, "$(") || !strings.HasSuffix(s, "[*])") || strings.Count(s, "$(") != 1 {
		return nil, false
	}
	refs := v1.NewResultRefs([]string{s[2 : len(s)-1]})
	if len(refs) != 1 {
		return nil, false
	}
	return refs[0], true
}

// parseArrayResult reads an array result as Tekton does: a JSON array of
// strings.
func parseArrayResult(b []byte) ([]string, error) {
	var out []string
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("not a JSON array of strings: %w", err)
	}
	return out, nil
}

// fanOut resolves the matrix of pt against the results of finished tasks
// and returns the params of each TaskRun, in Tekton's order (Matrix.FanOut).
// A matrix param that is an empty array makes none: Tekton then skips the
// task.
func fanOut(where string, m *v1.Matrix, results map[string]map[string]string) ([]v1.Params, error) {
	m = m.DeepCopy()
	for i, p := range m.Params {
		if p.Value.Type == v1.ParamTypeArray {
			continue
		}
		ref, _ := wholeArrayResult(p.Value.StringVal)
		vals, ok := results[ref.PipelineTask]
		if !ok {
			return nil, fmt.Errorf("%s: matrix param %s: result reference to task %q, which has not run", where, p.Name, ref.PipelineTask)
		}
		raw, ok := vals[ref.Result]
		if !ok {
			return nil, fmt.Errorf("%s: matrix param %s: task %q did not produce result %q", where, p.Name, ref.PipelineTask, ref.Result)
		}
		arr, err := parseArrayResult([]byte(raw))
		if err != nil {
			return nil, fmt.Errorf("%s: matrix param %s: result %s of task %s: %w", where, p.Name, ref.Result, ref.PipelineTask, err)
		}
		m.Params[i].Value = v1.ParamValue{Type: v1.ParamTypeArray, ArrayVal: arr}
	}
	for _, p := range m.Params {
		if len(p.Value.ArrayVal) == 0 {
			return nil, nil
		}
	}
	if n := m.CountCombinations(); n > maxMatrix {
		return nil, fmt.Errorf("%s: the matrix makes %d TaskRuns, more than Tekton's default limit of %d", where, n, maxMatrix)
	}
	return m.FanOut(), nil
}

// skippedBy returns the name of a skipped task whose result pt consumes,
// or "": Tekton skips such a task too.
func skippedBy(pt v1.PipelineTask, skipped map[string]bool) string {
	for _, ref := range v1.PipelineTaskResultRefs(&pt) {
		if skipped[ref.PipelineTask] {
			return ref.PipelineTask
		}
	}
	return ""
}

// whenExpressions returns the $(...) expressions of the when expressions.
func whenExpressions(wes v1.WhenExpressions) []string {
	var out []string
	for _, we := range wes {
		if e, ok := we.GetVarSubstitutionExpressions(); ok {
			out = append(out, e...)
		}
	}
	return out
}
