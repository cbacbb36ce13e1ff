package validate

import (
	"context"
	"testing"
)

// TestShippedYAML validates every Task, Pipeline, WorkflowTemplate and
// example with the engines' own code.
func TestShippedYAML(t *testing.T) {
	n, errs := Validate(context.Background(), "../../../tasks", "../../../examples/tekton", "../../../examples/argo", "../../../examples/gitops")
	for _, err := range errs {
		t.Error(err)
	}
	if n < 20 {
		t.Errorf("validated %d documents; the shipped YAML was not found", n)
	}
	t.Logf("validated %d documents", n)
}
