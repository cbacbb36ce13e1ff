package pipeline

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/tollgate-dev/tollgate/pkg/audit"
	"github.com/tollgate-dev/tollgate/pkg/decision"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/policy"
)

// Reason classes of the problems Verify finds (package audit maps them).
const (
	ClassResult           = "gate.result-invalid"
	ClassResultDisagrees  = "gate.result-disagrees"
	ClassReportDigest     = "gate.report-digest-mismatch"
	ClassReportUnreadable = "gate.report-unreadable"
)

// Inputs are the checks' pipeline inputs after Verify.
type Inputs struct {
	// ArtifactDigest is the provenance artifact-digest result; zero when
	// it is missing or malformed.
	ArtifactDigest digest.Digest
	// Verdicts and Digests are the results by check name; a check whose
	// result is missing or malformed has none.
	Verdicts map[string]evidence.Verdict
	Digests  map[string]digest.Digest
	// Reports are the reports whose bytes hash to their digest result, by
	// check name.
	Reports map[string]*evidence.Report
	// Problems are blocking reasons, one per problem, each naming the
	// result or the report: in result order, then report order.
	Problems []decision.Reason
}

// Verify reads the artifact-digest result and each check's verdict and
// report-digest results (policy.Checks), then reads each check's report
// from evidenceDir and verifies it against its digest result and its
// verdict result. It never fails: every problem is a blocking reason in
// Inputs.Problems, and a check with a problem has no report, which the
// decision blocks on too.
func Verify(evidenceDir string, rs Results) *Inputs {
	in := &Inputs{Verdicts: map[string]evidence.Verdict{}, Digests: map[string]digest.Digest{}, Reports: map[string]*evidence.Report{}}
	fail := func(check, class string, err error) {
		in.Problems = append(in.Problems, decision.Reason{Check: check, Class: class, Message: err.Error(), Refs: audit.Refs(class)})
	}
	var err error
	if in.ArtifactDigest, err = rs.Digest(ResultArtifactDigest); err != nil {
		fail(policy.CheckProvenance, ClassResult, err)
	}
	for _, c := range policy.Checks {
		if v, err := rs.Verdict(VerdictResult(c)); err != nil {
			fail(c, ClassResult, err)
		} else {
			in.Verdicts[c] = v
		}
		if d, err := rs.Digest(DigestResult(c)); err != nil {
			fail(c, ClassResult, err)
		} else {
			in.Digests[c] = d
		}
	}
	for _, c := range policy.Checks {
		d, ok := in.Digests[c]
		if !ok {
			continue
		}
		path := filepath.Join(evidenceDir, evidence.FileName(c))
		rep, err := evidence.ReadVerified(path, d)
		switch {
		case errors.Is(err, evidence.ErrDigestMismatch):
			fail(c, ClassReportDigest, fmt.Errorf("%s: report was changed after the check wrote it: %w", c, err))
			continue
		case err != nil:
			fail(c, ClassReportUnreadable, fmt.Errorf("%s: %w", c, err))
			continue
		}
		if v, ok := in.Verdicts[c]; ok && v != rep.Verdict {
			fail(c, ClassResultDisagrees, fmt.Errorf("result %s is %s but the report %s says %s", VerdictResult(c), v, path, rep.Verdict))
		}
		in.Reports[c] = rep
	}
	return in
}
