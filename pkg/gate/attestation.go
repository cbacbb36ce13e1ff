package gate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/pkg/attest"
	"github.com/tollgate-dev/tollgate/pkg/decision"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/intoto"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
	"github.com/tollgate-dev/tollgate/pkg/signer"
	"github.com/tollgate-dev/tollgate/pkg/trust"
	"github.com/tollgate-dev/tollgate/pkg/trustroot"
)

// Attestation describes the verified release-gate attestation.
type Attestation struct {
	Digest digest.Digest `json:"digest"`
	// Identity is the policy (or flag) identity that verified; Signer the
	// key id or certificate subject.
	Identity string           `json:"identity"`
	Signer   signer.Identity  `json:"signer"`
	Verdict  decision.Verdict `json:"verdict"`
	Run      attest.Run       `json:"run"`
	Time     time.Time        `json:"time"`
}

// attestation reads, verifies and decodes the release-gate bundle. It
// returns nil when any step fails, after recording why.
func (r *run) attestation(ctx context.Context, pol *policy.ReleasePolicy, artifactDigest, wantDigest digest.Digest) (*attest.Predicate, *Attestation) {
	const check = policy.CheckAttest
	path := filepath.Join(r.cfg.EvidenceDir, attest.BundleFile)
	b, err := safefile.Read(path, trust.MaxBundleSize)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			err = fmt.Errorf("attestation %s does not exist: the attest task did not write it into this evidence workspace", path)
		} else {
			err = fmt.Errorf("attestation: %w", err)
		}
		r.fail(check, ClassAttestationMissing, err)
		return nil, nil
	}
	got := digest.FromBytes(b)
	if !wantDigest.IsZero() && got != wantDigest {
		r.fail(check, ClassAttestationDigest, fmt.Errorf("attestation %s is %s but the attestation-digest result says %s: the bundle was replaced after attest signed it", path, got, wantDigest))
		return nil, nil
	}
	if artifactDigest.IsZero() {
		r.fail(check, ClassAttestationSubject, errors.New("attestation cannot be checked without a valid artifact-digest result"))
		return nil, nil
	}
	ids := r.cfg.Attestors
	if ids == nil && pol != nil {
		var err error
		if ids, err = policyAttestors(pol, r.cfg.Policy, r.cfg.CandidateDirs); err != nil {
			r.fail(check, ClassTrustRoot, err)
			return nil, nil
		}
	}
	if len(ids) == 0 {
		r.fail(check, ClassAttestationUntrusted, errors.New("no trusted attestor: pass --key or --certificate-identity with --certificate-oidc-issuer, or list spec.attestors in the policy"))
		return nil, nil
	}
	artifact, err := trust.ArtifactDigest(artifactDigest)
	if err != nil {
		r.fail(check, ClassAttestationSubject, err)
		return nil, nil
	}
	opts := append(slices.Clone(r.cfg.TrustOptions), trust.WithNow(func() time.Time { return r.cfg.Now }))
	res, err := trust.Verify(ctx, b, ids, artifact, opts...)
	if err != nil {
		r.fail(check, ClassAttestationUntrusted, fmt.Errorf("attestation %s does not verify for artefact %s: %w", path, artifactDigest, err))
		return nil, nil
	}
	pred, err := decodeStatement(res.PayloadType, res.Payload, artifactDigest)
	if err != nil {
		r.fail(check, ClassAttestationInvalid, fmt.Errorf("attestation %s: %w", path, err))
		return nil, nil
	}
	return pred, &Attestation{Digest: got, Identity: res.Identity, Signer: res.Signer,
		Verdict: pred.Verdict, Run: pred.Run, Time: pred.Time.UTC()}
}

// policyAttestors returns the policy's attestors with each relative
// keyless trustedRoot resolved against the policy file's directory (the
// platform-owned policy workspace ships its trusted_root.json next to
// policy.yaml), refusing a trusted root that resolves into the candidate.
func policyAttestors(pol *policy.ReleasePolicy, policyPath string, candidate []string) ([]policy.Identity, error) {
	ids := slices.Clone(pol.Spec.Attestors)
	for i, id := range ids {
		if id.Keyless == nil || id.Keyless.TrustedRoot == "" {
			continue
		}
		k := *id.Keyless
		if !filepath.IsAbs(k.TrustedRoot) {
			k.TrustedRoot = filepath.Join(filepath.Dir(policyPath), k.TrustedRoot)
		}
		in := trustroot.Input{Flag: fmt.Sprintf("spec.attestors[%d].keyless.trustedRoot", i), Path: k.TrustedRoot}
		if err := trustroot.Outside(candidate, in); err != nil {
			return nil, err
		}
		ids[i].Keyless = &k
	}
	return ids, nil
}

// decodeStatement decodes the in-toto statement a verified bundle carries:
// the release-gate predicate about artifactDigest.
func decodeStatement(payloadType string, payload []byte, artifactDigest digest.Digest) (*attest.Predicate, error) {
	if payloadType != intoto.PayloadType {
		return nil, fmt.Errorf("the bundle holds %q, not an in-toto statement", payloadType)
	}
	st, err := intoto.Parse(payload)
	if err != nil {
		return nil, err
	}
	if st.PredicateType != attest.PredicateType {
		return nil, fmt.Errorf("predicate type is %q, want %s", st.PredicateType, attest.PredicateType)
	}
	if !st.HasSubject(artifactDigest) {
		return nil, fmt.Errorf("the statement is about %s, not artefact %s", st.Subject[0], artifactDigest)
	}
	return attest.ParsePredicate(st.Predicate)
}

// compare refuses any disagreement between what attest signed, the attest
// results and the decision recomputed here.
func (r *run) compare(p *attest.Predicate, d *decision.Decision, attestVerdict evidence.Verdict, reviewDigest, policyDigest digest.Digest) {
	const check = policy.CheckAttest
	differ := func(format string, args ...any) {
		r.fail(check, ClassAttestationDisagrees, fmt.Errorf("attestation disagrees with the gate: "+format, args...))
	}
	want := map[decision.Verdict]evidence.Verdict{decision.Passed: evidence.Pass, decision.Failed: evidence.Fail}[p.Verdict]
	if attestVerdict != "" && attestVerdict != want {
		differ("result attest-verdict is %s but the attestation says %s", attestVerdict, p.Verdict)
	}
	if got := verdictWith(d, len(r.problems)); p.Verdict != got {
		differ("attested verdict %s, recomputed %s", p.Verdict, got)
	}
	if p.ReviewDigest != reviewDigest {
		differ("attested review %s, gate read %s", p.ReviewDigest, reviewDigest)
	}
	if p.PolicyDigest != policyDigest {
		differ("attested policy %s, gate read %s", p.PolicyDigest, policyDigest)
	}
	attested := map[string]attest.Check{}
	for _, c := range p.Checks {
		attested[c.Name] = c
	}
	if len(attested) != len(d.Checks) {
		differ("attested %d checks, the gate requires %d", len(attested), len(d.Checks))
	}
	for _, c := range d.Checks {
		a, ok := attested[c.Check]
		switch {
		case !ok:
			differ("check %s is not attested", c.Check)
		case a.ReportDigest != c.ReportDigest:
			differ("check %s report digest attested %s, result %s", c.Check, a.ReportDigest, c.ReportDigest)
		case a.Verdict != string(c.Verdict):
			differ("check %s verdict attested %s, recomputed %s", c.Check, a.Verdict, c.Verdict)
		case a.Findings != c.Findings || a.Blocking != c.Blocking || a.Waived != c.Waived:
			differ("check %s attested %d findings (%d blocking, %d waived), recomputed %d (%d blocking, %d waived)",
				c.Check, a.Findings, a.Blocking, a.Waived, c.Findings, c.Blocking, c.Waived)
		}
	}
	if got, want := exceptionKeys(p.Exceptions), exceptionKeys(d.Exceptions); !slices.Equal(got, want) {
		differ("applied exceptions attested [%s], recomputed [%s]", strings.Join(got, "; "), strings.Join(want, "; "))
	}
	if got, want := approvalKeys(p.Approvals), approvalKeys(d.Approvals); !slices.Equal(got, want) {
		differ("approvals attested [%s], verified now [%s]", strings.Join(got, ", "), strings.Join(want, ", "))
	}
}

// verdictWith is the verdict once the gate's own problems so far are added.
func verdictWith(d *decision.Decision, problems int) decision.Verdict {
	if problems > 0 {
		return decision.Failed
	}
	return d.Verdict
}

func exceptionKeys(xs []decision.AppliedException) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, fmt.Sprintf("%s check=%s expires=%s approver=%s waives=%s", x.ID, x.Check,
			x.Expires.UTC().Format(time.RFC3339), x.Approver, strings.Join(x.Fingerprints, ",")))
	}
	slices.Sort(out)
	return out
}

func approvalKeys(as []decision.Approval) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.Identity+"="+a.Signer.String())
	}
	slices.Sort(out)
	return slices.Compact(out)
}
