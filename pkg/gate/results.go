package gate

import (
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/results"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/policy"
)

// Result names, as the gate's flags spell them (docs/step-contract.md).
const (
	ResultArtifactDigest    = "artifact-digest"
	ResultAttestVerdict     = "attest-verdict"
	ResultAttestationDigest = "attestation-digest"
)

// VerdictResult and DigestResult name a check's results.
func VerdictResult(check string) string { return check + "-verdict" }

// DigestResult names a check's report-digest result.
func DigestResult(check string) string { return check + "-report-digest" }

// ResultNames lists every result the gate requires, in flag order.
func ResultNames() []string {
	names := []string{ResultArtifactDigest}
	for _, c := range policy.Checks {
		names = append(names, VerdictResult(c), DigestResult(c))
	}
	return append(names, ResultAttestVerdict, ResultAttestationDigest)
}

// maxResult bounds a result value; real ones are at most 71 bytes.
const maxResult = 256

// value checks that a result arrived: present, not empty, substituted by
// the engine. Surrounding whitespace (a trailing newline some engines keep)
// is dropped so every engine yields the same value.
func value(rs map[string]string, name string) (string, error) {
	v, ok := rs[name]
	if !ok {
		return "", fmt.Errorf("result %s is missing: pass --%s", name, name)
	}
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return "", fmt.Errorf("result %s is empty: the task that writes it did not run or did not write it", name)
	case len(v) > maxResult:
		return "", fmt.Errorf("result %s is %d bytes, longer than any valid value", name, len(v))
	case strings.Contains(v, "$("):
		return "", fmt.Errorf("result %s was not substituted (%s): the Tekton task it references did not produce it", name, results.OneLine(v, 80))
	case strings.Contains(v, "{{"):
		return "", fmt.Errorf("result %s was not substituted (%s): the Argo step it references did not produce it", name, results.OneLine(v, 80))
	}
	return v, nil
}

// verdict reads a pass|fail|error result.
func verdict(rs map[string]string, name string) (evidence.Verdict, error) {
	v, err := value(rs, name)
	if err != nil {
		return "", err
	}
	if vd := evidence.Verdict(v); vd.Valid() {
		return vd, nil
	}
	return "", fmt.Errorf("result %s is %q, not one of pass, fail, error", name, results.OneLine(v, 40))
}

// digest reads a sha256:<hex> result.
func digest(rs map[string]string, name string) (string, error) {
	v, err := value(rs, name)
	if err != nil {
		return "", err
	}
	if !results.ValidDigest(v) {
		return "", fmt.Errorf("result %s is %q, not sha256:<64 lowercase hex>", name, results.OneLine(v, 80))
	}
	return v, nil
}
