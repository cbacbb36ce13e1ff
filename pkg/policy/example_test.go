package policy_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"

	"github.com/tollgate-dev/tollgate/pkg/policy"
)

// TestDocumentedExample loads docs/examples/release-policy.yaml and checks it
// against the generated JSON Schema, so the documented example stays valid.
func TestDocumentedExample(t *testing.T) {
	t.Parallel()
	const path = "../../docs/examples/release-policy.yaml"
	p, d, err := policy.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.Spec.Approvals.Required != 2 || len(p.Spec.Approvals.Approvers) != 3 || d.IsZero() {
		t.Fatalf("policy = %+v", p.Spec.Approvals)
	}
	validateSchema(t, "../../schemas/release-policy.schema.json", path)
}

func validateSchema(t *testing.T, schemaPath, docPath string) {
	t.Helper()
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(js, &v); err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(v); err != nil {
		t.Fatalf("%s does not match %s: %v", docPath, schemaPath, err)
	}
}
