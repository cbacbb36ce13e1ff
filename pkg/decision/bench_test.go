package decision

import (
	"fmt"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/review"
)

// BenchmarkEvaluate: 10,000 findings (a noisy secret scan), 100
// exceptions and two CEL rules over every finding.
func BenchmarkEvaluate(b *testing.B) {
	t := &testing.T{}
	in := baseInput(t)
	in.Policy = testPolicy(t, `  rules:
  - {name: no-critical, expression: 'findings.all(f, f.severity != "critical" || f.waived)', action: warn}
  - {name: prompts, expression: '!findings.exists(f, f.path.startsWith("prompts/") && f.blocking)', action: warn}
`)
	for i := range 10_000 {
		f := finding("secrets.reference-added", evidence.Medium, false)
		f.Fingerprint = fmt.Sprintf("sha256:%064d", i)
		withFinding(&in, f)
	}
	for i := range 100 {
		in.Review.Spec.Exceptions = append(in.Review.Spec.Exceptions, exc(func(x *review.Exception) {
			x.ID, x.Fingerprints = fmt.Sprint("EX-", i), []string{fmt.Sprintf("sha256:%064d", i)}
		}))
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Evaluate(in); err != nil {
			b.Fatal(err)
		}
	}
}
