package attest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/pkg/decision"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/intoto"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/signer"
	"github.com/tollgate-dev/tollgate/pkg/trust"
)

// ErrRefused is wrapped by every reason Verify refuses a release.
var ErrRefused = errors.New("release refused")

// MaxClockSkew is how far in the future an attestation time may be.
const MaxClockSkew = 5 * time.Minute

// Requirements are what a promotion demands of a release-gate attestation.
type Requirements struct {
	// ArtifactDigest is the artefact root digest being promoted.
	ArtifactDigest digest.Digest
	// OCIDigest is the manifest digest of the OCI artefact being promoted,
	// that the bundle was fetched from as a referrer: the statement must
	// name it (attest --attach does), so that a bundle copied onto
	// another artefact is refused. At least one of ArtifactDigest and
	// OCIDigest is required.
	OCIDigest digest.Digest
	// PolicyDigests are the allowed policy digests; empty refuses every
	// attestation (the policy must be pinned).
	PolicyDigests []digest.Digest
	// MaxAge refuses attestations older than this; 0 means no limit.
	MaxAge time.Duration
	// Now is the current time.
	Now time.Time
}

// Verified is an accepted attestation.
type Verified struct {
	Predicate *Predicate
	// Identity is the policy identity name that matched, Signer the key
	// or certificate that signed.
	Identity string
	Signer   signer.Identity
	// Time is the attestation time used for MaxAge: the transparency-log
	// time when the bundle has one, else the signed predicate time.
	Time time.Time
}

// Verify checks a release-gate bundle for promotion: signed by one of ids,
// a release-gate statement about exactly req.ArtifactDigest, verdict
// PASSED, under an allowed policy digest, not older than req.MaxAge. Every
// refusal wraps ErrRefused and says why; policy-level refusals (verdict,
// policy digest, age) are all reported together.
func Verify(ctx context.Context, bundle []byte, ids []policy.Identity, req Requirements, opts ...trust.Option) (*Verified, error) {
	// The subject is checked below, to say which release a bundle for
	// another one names.
	res, err := trust.Verify(ctx, bundle, ids, trust.WithoutArtifactUnsafe(), append(opts, trust.WithNow(func() time.Time { return req.Now }))...)
	if err != nil {
		return nil, fmt.Errorf("%w: signature: %w", ErrRefused, err)
	}
	if res.PayloadType != intoto.PayloadType {
		return nil, fmt.Errorf("%w: the bundle holds %q, not an in-toto statement", ErrRefused, res.PayloadType)
	}
	st, err := intoto.Parse(res.Payload)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRefused, err)
	}
	if st.PredicateType != PredicateType {
		return nil, fmt.Errorf("%w: the bundle is a %s statement, not a release-gate attestation (%s)", ErrRefused, st.PredicateType, PredicateType)
	}
	if req.ArtifactDigest.IsZero() && req.OCIDigest.IsZero() {
		return nil, fmt.Errorf("%w: no artefact digest to verify the attestation against", ErrRefused)
	}
	if !req.ArtifactDigest.IsZero() && !st.HasSubject(req.ArtifactDigest) {
		return nil, fmt.Errorf("%w: the attestation is about %s, not %s (a bundle for another release)", ErrRefused, st.Subject[0], req.ArtifactDigest)
	}
	if !req.OCIDigest.IsZero() && !st.HasSubject(req.OCIDigest) {
		return nil, fmt.Errorf("%w: the attestation about %s does not name the OCI artefact %s it is attached to (copied from another artefact, or attested without --attach)", ErrRefused, st.Subject[0], req.OCIDigest)
	}
	pred, err := ParsePredicate(st.Predicate)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRefused, err)
	}
	v := &Verified{Predicate: pred, Identity: res.Identity, Signer: res.Signer, Time: pred.Time}
	if !res.SignedAt.IsZero() {
		v.Time = res.SignedAt
	}
	var why []string
	if pred.Verdict != decision.Passed {
		msg := fmt.Sprintf("verdict is %s", pred.Verdict)
		if len(pred.Reasons) > 0 {
			msg += ": " + pred.Reasons[0].Message
			if n := len(pred.Reasons) - 1; n > 0 {
				msg += fmt.Sprintf(" (and %d more reason(s))", n)
			}
		}
		why = append(why, msg)
	}
	if len(req.PolicyDigests) == 0 {
		why = append(why, "no allowed policy digest was given: the policy an attestation was made under must be pinned")
	} else if !slices.Contains(req.PolicyDigests, pred.PolicyDigest) {
		allowed := make([]string, len(req.PolicyDigests))
		for i, d := range req.PolicyDigests {
			allowed[i] = d.String()
		}
		why = append(why, fmt.Sprintf("policy digest %s is not an allowed policy (%s)", pred.PolicyDigest, strings.Join(allowed, ", ")))
	}
	if age := req.Now.Sub(v.Time); req.MaxAge > 0 && age > req.MaxAge {
		why = append(why, fmt.Sprintf("attested at %s, %s ago, older than --max-age %s", v.Time.UTC().Format(time.RFC3339), age.Round(time.Second), req.MaxAge))
	}
	if v.Time.After(req.Now.Add(MaxClockSkew)) {
		why = append(why, fmt.Sprintf("attested at %s, in the future (now %s)", v.Time.UTC().Format(time.RFC3339), req.Now.UTC().Format(time.RFC3339)))
	}
	if len(why) > 0 {
		return v, fmt.Errorf("%w: release %s signed by %s: %s", ErrRefused, pred.Release, res.Signer, strings.Join(why, "; "))
	}
	return v, nil
}

// ParsePredicate decodes a release-gate predicate and checks the fields a
// verifier relies on. Unknown fields are allowed (newer writers).
func ParsePredicate(b []byte) (*Predicate, error) {
	if len(b) > intoto.MaxSize {
		return nil, fmt.Errorf("release-gate predicate is larger than %d bytes", intoto.MaxSize)
	}
	var p Predicate
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("decode release-gate predicate: %w", err)
	}
	switch {
	case p.Verdict != decision.Passed && p.Verdict != decision.Failed:
		return nil, fmt.Errorf("release-gate predicate has unknown verdict %q", p.Verdict)
	case p.Release == "":
		return nil, errors.New("release-gate predicate has no release name")
	case p.Time.IsZero():
		return nil, errors.New("release-gate predicate has no time")
	case p.PolicyDigest.IsZero():
		return nil, errors.New("release-gate predicate has no policy digest")
	}
	return &p, nil
}
