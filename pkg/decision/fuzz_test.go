package decision

import (
	"encoding/json"
	"testing"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/review"
)

// FuzzEvaluate feeds a decoded secret-inventory report (untrusted: any
// check may write anything) and an exception list into Evaluate: it never
// panics, and PASSED always means no reasons.
func FuzzEvaluate(f *testing.F) {
	f.Add([]byte(`{"check":"secret-inventory","verdict":"pass","findings":[]}`), []byte(`[]`))
	f.Add([]byte(`{"check":"secret-inventory","verdict":"fail","findings":[{"class":"secrets.literal.x","severity":"high","fingerprint":"sha256:1","blocking":true}]}`),
		[]byte(`[{"id":"EX","fingerprints":["sha256:1"],"reason":"r","owner":"o","approver":"alice","granted":"2026-11-20T00:00:00Z","expires":"2026-12-01T00:00:00Z"}]`))
	f.Add([]byte(`{"check":"secret-inventory","verdict":"error","error":"x"}`), []byte(`[{"id":"EX","fingerprints":[""]}]`))
	f.Fuzz(func(t *testing.T, report, exceptions []byte) {
		var rep evidence.Report
		if json.Unmarshal(report, &rep) != nil {
			return
		}
		in := baseInput(t)
		in.Reports[policy.CheckSecrets] = &rep
		var xs []review.Exception
		if json.Unmarshal(exceptions, &xs) == nil {
			in.Review.Spec.Exceptions = xs
		}
		d, err := Evaluate(in)
		if err != nil {
			t.Fatal(err)
		}
		if (d.Verdict == Passed) != (len(d.Reasons) == 0) {
			t.Fatalf("verdict %s with %d reasons", d.Verdict, len(d.Reasons))
		}
		if rep.Verdict == evidence.Error && d.Verdict == Passed {
			t.Fatal("a check error passed")
		}
	})
}
