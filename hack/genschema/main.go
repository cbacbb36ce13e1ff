// Command genschema writes the JSON Schemas of tollgate's documents and
// reports, generated from the Go types: `go run ./hack/genschema schemas`.
// hack/verify-schemas.sh regenerates them into a temporary directory and
// fails when the committed copies differ.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/invopop/jsonschema"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/review"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: genschema DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "genschema:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	schemas := []struct {
		file string
		id   string
		v    any
	}{
		{"release-review.schema.json", "https://tollgate.dev/schemas/release-review/v1alpha1", &review.ReleaseReview{}},
		{"release-policy.schema.json", "https://tollgate.dev/schemas/release-policy/v1alpha1", &policy.ReleasePolicy{}},
		{"evidence-report.schema.json", evidence.SchemaURI, &evidence.Report{}},
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, s := range schemas {
		r := &jsonschema.Reflector{
			// Go's encoding/json rules decide what is required: fields
			// without omitempty are required, as the strict decoder expects.
			RequiredFromJSONSchemaTags: false,
			DoNotReference:             false,
		}
		schema := r.Reflect(s.v)
		schema.ID = jsonschema.ID(s.id)
		b, err := json.MarshalIndent(schema, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, s.file), append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}
