package approval

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"

	"github.com/tollgate-dev/tollgate/pkg/decision"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/intoto"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
	"github.com/tollgate-dev/tollgate/pkg/sign"
	"github.com/tollgate-dev/tollgate/pkg/signer"
	"github.com/tollgate-dev/tollgate/pkg/trust"
)

// PredicateType is the approval predicate type.
const PredicateType = "https://tollgate.dev/approval/v1"

// Suffix is the file name suffix of approval bundles.
const Suffix = ".sigstore.json"

// MaxBundles bounds how many bundles Verify reads from an approvals
// directory; each is bounded by trust.MaxBundleSize, the one bundle limit.
const MaxBundles = 256

// Predicate is the https://tollgate.dev/approval/v1 predicate. An
// approver approves a review record under one policy: both digests are
// signed together, so an approval never carries over to another policy
// (for example one the candidate wrote, listing its own approver key).
type Predicate struct {
	Review       string        `json:"review"`
	ReviewDigest digest.Digest `json:"reviewDigest"`
	// ChangesDigest is the sha256 of the changes document (review-changes.md)
	// the approver was shown: what changed since the release approved last.
	// Absent for a first release and in approvals made before it existed.
	ChangesDigest digest.Digest `json:"changesDigest,omitzero"`
	// PolicyDigest is the sha256 of the ReleasePolicy file in force when
	// the approver approved. An approval without one does not count.
	PolicyDigest   digest.Digest `json:"policyDigest,omitzero"`
	ArtifactDigest string        `json:"artifactDigest"`
	Time           time.Time     `json:"time"`
}

// ParsePredicate decodes an approval predicate (as signed, possibly by
// cosign attest-blob from a hand-written file). Unknown fields are
// allowed, for forward compatibility; a malformed digest is an error.
func ParsePredicate(b []byte) (*Predicate, error) {
	if len(b) > trust.MaxBundleSize {
		return nil, fmt.Errorf("approval predicate is %d bytes, more than %d", len(b), trust.MaxBundleSize)
	}
	var p Predicate
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("approval predicate: %w", err)
	}
	return &p, nil
}

// Terms are what an approver approves, beside the review record.
type Terms struct {
	// PolicyDigest is the policy the approval is given under (required).
	PolicyDigest digest.Digest
	// ChangesDigest is the changes document the approver saw (optional).
	ChangesDigest digest.Digest
}

// ErrNoPolicy is returned by Sign and Statement without a policy digest.
var ErrNoPolicy = errors.New("an approval names the policy it is given under: pass the policy (tollgate approve --policy FILE or --policy-digest)")

// Statement returns the approval statement for a review record whose file
// bytes hash to reviewDigest, under terms.
func Statement(r *review.ReleaseReview, reviewDigest digest.Digest, terms Terms, now time.Time) ([]byte, error) {
	if terms.PolicyDigest.IsZero() {
		return nil, ErrNoPolicy
	}
	p := Predicate{
		Review:         r.Metadata.Name,
		ReviewDigest:   reviewDigest,
		PolicyDigest:   terms.PolicyDigest,
		ChangesDigest:  terms.ChangesDigest,
		ArtifactDigest: r.Spec.Artifact.Root,
		Time:           now.UTC().Truncate(time.Second),
	}
	return intoto.New(r.Metadata.Name, reviewDigest, PredicateType, p)
}

// Sign loads the review record at path and signs an approval of it under
// terms. It returns the bundle JSON and the review digest.
func Sign(ctx context.Context, s *sign.Signer, reviewPath string, terms Terms, now time.Time) ([]byte, digest.Digest, error) {
	r, reviewDigest, err := review.Load(reviewPath)
	if err != nil {
		return nil, digest.Digest{}, err
	}
	st, err := Statement(r, reviewDigest, terms, now)
	if err != nil {
		return nil, digest.Digest{}, fmt.Errorf("approve %s: %w", reviewPath, err)
	}
	b, err := s.SignStatement(ctx, st)
	if err != nil {
		return nil, digest.Digest{}, fmt.Errorf("approve %s: %w", reviewPath, err)
	}
	return b, reviewDigest, nil
}

// DefaultDir is where approvals of the review at reviewPath live:
// <dir of review>/approvals.
func DefaultDir(reviewPath string) string {
	return filepath.Join(filepath.Dir(reviewPath), "approvals")
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._@-]+`)

// FileName turns a signer identity into a file name: "key:ab12…" becomes
// "key-ab12….sigstore.json", "alice@example.com (issuer https://…)"
// becomes "alice@example.com.sigstore.json".
func FileName(id signer.Identity) string {
	name := strings.Trim(unsafeName.ReplaceAllString(id.Name(), "-"), "-.")
	if name == "" {
		name = "approval"
	}
	return name[:min(len(name), 120)] + Suffix
}

// Verify verifies every *.sigstore.json bundle in dir as an approval of
// the review record with reviewDigest, signed by an approver the policy
// lists. It returns the verified approvals (one per policy identity,
// sorted; a second valid approval by the same approver counts once) and a
// problem for every bundle that does not verify, naming the file and why:
// unknown signer, bad signature, another review. Callers treat problems as
// blocking. It never
// fails open: anything it cannot read is a problem, not an approval.
func Verify(ctx context.Context, dir string, reviewDigest digest.Digest, p *policy.ReleasePolicy, opts ...trust.Option) ([]decision.Approval, []string) {
	if p == nil {
		return nil, []string{"approvals: no policy to verify approvals against"}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, []string{fmt.Sprintf("approvals: cannot read %s: %v (approvers write bundles there with 'tollgate approve')", dir, err)}
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), Suffix) && !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) > MaxBundles {
		return nil, []string{fmt.Sprintf("approvals: %s holds %d bundles, more than the %d allowed", dir, len(names), MaxBundles)}
	}
	var (
		out      []decision.Approval
		problems []string
		seen     = map[string]bool{}
	)
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return nil, append(problems, fmt.Sprintf("approvals: %v", err))
		}
		path := filepath.Join(dir, name)
		a, err := verifyOne(ctx, path, reviewDigest, p, opts)
		if err != nil {
			problems = append(problems, fmt.Sprintf("approval %s: %v", path, err))
			continue
		}
		if seen[a.Identity] {
			continue // a second valid approval by the same approver counts once
		}
		seen[a.Identity] = true
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Identity < out[j].Identity })
	return out, problems
}

func verifyOne(ctx context.Context, path string, reviewDigest digest.Digest, p *policy.ReleasePolicy, opts []trust.Option) (*decision.Approval, error) {
	b, err := safefile.Read(path, trust.MaxBundleSize)
	if err != nil {
		return nil, err
	}
	// The subject is checked below, to say which review it approves.
	res, err := trust.Verify(ctx, b, p.Spec.Approvals.Approvers, trust.WithoutArtifactUnsafe(), opts...)
	if err != nil {
		return nil, fmt.Errorf("signer %s is not an allowed approver, or its signature does not verify: %w", DescribeSigner(b), err)
	}
	if res.PayloadType != intoto.PayloadType {
		return nil, fmt.Errorf("signed by %s but holds %q, not an in-toto statement", res.Signer, res.PayloadType)
	}
	st, err := intoto.Parse(res.Payload)
	if err != nil {
		return nil, fmt.Errorf("signed by %s: %w", res.Signer, err)
	}
	if st.PredicateType != PredicateType {
		return nil, fmt.Errorf("signed by %s but is a %s statement, not an approval (%s)", res.Signer, st.PredicateType, PredicateType)
	}
	if !st.HasSubject(reviewDigest) {
		return nil, fmt.Errorf("%s (%s) approves another review record: %s, not this one (%s)",
			res.Identity, res.Signer, st.Subject[0], reviewDigest)
	}
	pred, err := ParsePredicate(st.Predicate)
	if err != nil {
		return nil, fmt.Errorf("signed by %s: %w", res.Signer, err)
	}
	a := &decision.Approval{Identity: res.Identity, Signer: res.Signer, ReviewDigest: reviewDigest, PolicyDigest: pred.PolicyDigest, ChangesDigest: pred.ChangesDigest}
	if !res.SignedAt.IsZero() {
		t := res.SignedAt.UTC()
		a.SignedAt = &t
	}
	return a, nil
}

// DescribeSigner names the signer a bundle claims, without verifying it:
// "key:<hex>" from the public-key hint or "<subject> (issuer <issuer>)"
// from the certificate. It is for error messages only.
func DescribeSigner(b []byte) string {
	var bun bundle.Bundle
	if err := bun.UnmarshalJSON(b); err != nil {
		return "(unreadable bundle)"
	}
	vc, err := bun.VerificationContent()
	if err != nil {
		return "(bundle without verification material)"
	}
	if c := vc.Certificate(); c != nil {
		id, err := sign.CertificateIdentity(c)
		if err != nil {
			// not a Fulcio certificate: a private CA's, named as
			// pkg/trust names it
			id, err = signer.Certificate(c.Subject.String(), c.Issuer.String())
		}
		if err != nil {
			return "(certificate without a subject or issuer)"
		}
		return id.String()
	}
	if pk := vc.PublicKey(); pk != nil {
		raw, err := base64.StdEncoding.DecodeString(pk.Hint())
		if err == nil {
			if id, err := signer.KeyFromDigest(raw); err == nil {
				return id.String()
			}
		}
		return fmt.Sprintf("key with hint %q", evidence.OneLine(pk.Hint(), 80))
	}
	return "(unknown signer)"
}
