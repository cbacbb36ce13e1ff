package runner

import (
	"strings"
	"testing"

	v1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
)

func TestCheckObjectResult(t *testing.T) {
	t.Parallel()
	d := v1.TaskResult{Name: "release_ARTIFACT_INPUTS", Type: v1.ResultsTypeObject,
		Properties: map[string]v1.PropertySpec{"uri": {Type: v1.ParamTypeString}, "digest": {Type: v1.ParamTypeString}}}
	for _, tc := range []struct{ name, value, err string }{
		{"declared properties", `{"uri":"support-agent","digest":"sha256:ab"}`, ""},
		{"missing property", `{"uri":"support-agent"}`, `declared property "digest" is missing`},
		{"extra property", `{"uri":"a","digest":"b","name":"c"}`, `key "name" is not a declared property`},
		{"not strings", `{"uri":1,"digest":"b"}`, "not a JSON object of strings"},
		{"not an object", `sha256:ab`, "not a JSON object of strings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := checkObjectResult([]byte(tc.value), d)
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
		})
	}
}
