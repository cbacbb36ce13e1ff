package pipeline

import (
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/policy"
)

// ResultArtifactDigest names the provenance artifact-digest result, as the
// attest and gate flags spell it (docs/step-contract.md).
const ResultArtifactDigest = "artifact-digest"

// VerdictResult names a check's verdict result ("<check>-verdict").
func VerdictResult(check string) string { return check + "-verdict" }

// DigestResult names a check's report-digest result
// ("<check>-report-digest").
func DigestResult(check string) string { return check + "-report-digest" }

// ResultNames lists the results of the checks, in flag order: the
// artifact digest, then each check's verdict and report digest.
func ResultNames() []string {
	names := []string{ResultArtifactDigest}
	for _, c := range policy.Checks {
		names = append(names, VerdictResult(c), DigestResult(c))
	}
	return names
}

// Results are task results by name, as the engine passed them; a missing
// key is a missing result.
type Results map[string]string

// maxResult bounds a result value; real ones are at most 71 bytes.
const maxResult = 256

// Value checks that a result arrived: present, not empty, substituted by
// the engine. Surrounding whitespace (a trailing newline some engines
// keep) is dropped so every engine yields the same value.
func (rs Results) Value(name string) (string, error) {
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
		return "", fmt.Errorf("result %s was not substituted (%s): the Tekton task it references did not produce it", name, evidence.OneLine(v, 80))
	case strings.Contains(v, "{{"):
		return "", fmt.Errorf("result %s was not substituted (%s): the Argo step it references did not produce it", name, evidence.OneLine(v, 80))
	}
	return v, nil
}

// Verdict reads a pass|fail|error result.
func (rs Results) Verdict(name string) (evidence.Verdict, error) {
	v, err := rs.Value(name)
	if err != nil {
		return "", err
	}
	if vd := evidence.Verdict(v); vd.Valid() {
		return vd, nil
	}
	return "", fmt.Errorf("result %s is %q, not one of pass, fail, error", name, evidence.OneLine(v, 40))
}

// Digest reads a sha256:<hex> result.
func (rs Results) Digest(name string) (digest.Digest, error) {
	v, err := rs.Value(name)
	if err != nil {
		return digest.Digest{}, err
	}
	d, err := digest.ParseSHA256(v)
	if err != nil {
		return digest.Digest{}, fmt.Errorf("result %s: %w", name, err)
	}
	return d, nil
}
