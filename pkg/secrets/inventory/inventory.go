package inventory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/secrets"
)

// Snapshot records the artefact's secret references in r (the secrets
// section of a review record), generating a fingerprint key if r has none.
func Snapshot(ctx context.Context, dir string, r *review.ReleaseReview) error {
	if r.Spec.Secrets == nil {
		r.Spec.Secrets = &review.Secrets{}
	}
	sec := r.Spec.Secrets
	if sec.FingerprintKey == "" {
		k, err := secrets.NewKey()
		if err != nil {
			return err
		}
		sec.FingerprintKey = k
	}
	key, err := secrets.DecodeKey([]byte(sec.FingerprintKey))
	if err != nil {
		return fmt.Errorf("spec.secrets.fingerprintKey: %w", err)
	}
	s, err := secrets.New(key)
	if err != nil {
		return err
	}
	res, err := s.Scan(ctx, dir)
	if err != nil {
		return err
	}
	sec.References = make([]review.SecretReference, 0, len(res.References))
	for _, ref := range res.References {
		sec.References = append(sec.References, review.SecretReference{Kind: ref.Kind, Name: ref.Name, Paths: ref.Paths})
	}
	return nil
}

// Input is what the secret-inventory check reads.
type Input struct {
	// Artifact is the artefact root directory.
	Artifact string
	Review   *review.ReleaseReview
	// ReviewDigest and PolicyDigest are recorded in the report's inputs.
	ReviewDigest string
	// Policy is optional: built-in rules apply without it.
	Policy       *policy.ReleasePolicy
	PolicyDigest string
	// Key overrides the review record's fingerprint key (a mounted file).
	Key []byte
	// Options tune the scanner (tests use small limits).
	Options []secrets.Option
	// Parts, when set, are the parts of a partitioned scan of Artifact
	// (Scanner.ScanPart in parallel pods): Check merges them (Scanner.Merge,
	// which refuses parts that are missing, duplicated, altered or that
	// disagree) instead of scanning, and the report is the one a scan
	// gives. PartNames label them in errors (their files).
	Parts     []*secrets.Part
	PartNames []string
}

// Data is the check-specific part of the report ("data").
type Data struct {
	References []secrets.Reference `json:"references"`
	Problems   []secrets.Problem   `json:"problems"`
	Stats      secrets.Stats       `json:"stats"`
}

// Check runs the secret-inventory check: no literal secret ships, the
// secret references match the review record, and every file could be
// scanned. It does not judge exceptions: pkg/decision alone does, for
// every check, so this report can never show a waiver the gate refuses.
func Check(ctx context.Context, in Input) (*evidence.Outcome, error) {
	inputs := map[string]string{"review": in.ReviewDigest}
	if in.PolicyDigest != "" {
		inputs["policy"] = in.PolicyDigest
	}
	fail := func(err error) (*evidence.Outcome, error) {
		return &evidence.Outcome{Report: &evidence.Report{Inputs: inputs}}, err
	}
	sec := in.Review.Spec.Secrets
	if sec == nil {
		return fail(errors.New("review record has no spec.secrets section: re-run `tollgate review` to record the secret references and a fingerprint key"))
	}
	key := in.Key
	if key == nil {
		if sec.FingerprintKey == "" {
			return fail(fmt.Errorf("%w: spec.secrets.fingerprintKey is empty and no --fingerprint-key-file was given", secrets.ErrNoKey))
		}
		k, err := secrets.DecodeKey([]byte(sec.FingerprintKey))
		if err != nil {
			return fail(fmt.Errorf("spec.secrets.fingerprintKey: %w", err))
		}
		key = k
	}
	s, err := secrets.New(key, in.Options...)
	if err != nil {
		return fail(err)
	}
	var res *secrets.Result
	if len(in.Parts) > 0 {
		res, err = s.Merge(in.Parts, in.PartNames)
		if err == nil {
			// The parts must be of this artefact: its walk (names, kinds,
			// sizes; no file is read) is the one they recorded.
			var w secrets.Walk
			if w, err = s.WalkOf(ctx, in.Artifact); err == nil && w != in.Parts[0].Walk {
				err = fmt.Errorf("the scan parts walked %d entries (%s), the artefact %s has %d (%s): they were scanned from another tree: %w",
					in.Parts[0].Walk.Entries, in.Parts[0].Walk.Digest, in.Artifact, w.Entries, w.Digest, secrets.ErrInvalidPart)
			}
		}
	} else {
		res, err = s.Scan(ctx, in.Artifact)
	}
	if err != nil {
		return fail(err)
	}
	findings := secrets.Findings(res)
	findings = append(findings, compareRefs(sec.References, res.References)...)
	rules := policy.DefaultRules(policy.CheckSecrets)
	if in.Policy != nil {
		rules = in.Policy.RulesFor(policy.CheckSecrets)
	}
	for i := range findings {
		f := &findings[i]
		if f.Class == secrets.ClassReferenceAdded || f.Class == secrets.ClassReferenceRemoved {
			f.Blocking = policy.Matches(rules.Block, *f)
		}
	}
	data := Data{References: res.References, Problems: res.Problems, Stats: res.Stats}
	raw, err := json.Marshal(data)
	if err != nil {
		return fail(err)
	}
	rep := &evidence.Report{Inputs: inputs, Findings: findings, Data: raw}
	rep.Verdict = evidence.VerdictOf(findings)
	rep.Summary = summary(rep.Verdict, findings, res)
	return &evidence.Outcome{Report: rep}, nil
}

func compareRefs(reviewed []review.SecretReference, found []secrets.Reference) []evidence.Finding {
	was := map[string]review.SecretReference{}
	for _, r := range reviewed {
		was[r.Kind+":"+r.Name] = r
	}
	now := map[string]bool{}
	var out []evidence.Finding
	for _, r := range found {
		id := r.ID()
		now[id] = true
		if _, ok := was[id]; ok {
			continue
		}
		out = append(out, evidence.Finding{
			Class: secrets.ClassReferenceAdded, Severity: evidence.High, Fingerprint: secrets.PlainFingerprint("reference", r.Kind, r.Name),
			Path: first(r.Paths), Subject: id, New: id,
			Message:    fmt.Sprintf("secret reference %s added since review (in %s); review it and re-run `tollgate review`", id, strings.Join(r.Paths, ", ")),
			Attributes: map[string]string{"kind": r.Kind, "name": r.Name},
		})
	}
	for _, id := range slices.Sorted(maps.Keys(was)) {
		if now[id] {
			continue
		}
		r := was[id]
		out = append(out, evidence.Finding{
			Class: secrets.ClassReferenceRemoved, Severity: evidence.Medium, Fingerprint: secrets.PlainFingerprint("reference", r.Kind, r.Name),
			Path: first(r.Paths), Subject: id, Old: id,
			Message:    fmt.Sprintf("secret reference %s removed since review; check the release still gets the secret it needs, then re-run `tollgate review`", id),
			Attributes: map[string]string{"kind": r.Kind, "name": r.Name},
		})
	}
	return out
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func summary(v evidence.Verdict, findings []evidence.Finding, res *secrets.Result) string {
	var lit, added, removed, unscannable int
	for _, f := range findings {
		switch {
		case strings.HasPrefix(f.Class, secrets.ClassLiteralPrefix):
			lit++
		case f.Class == secrets.ClassReferenceAdded:
			added++
		case f.Class == secrets.ClassReferenceRemoved:
			removed++
		case f.Class == secrets.ClassUnscannable:
			unscannable++
		}
	}
	s := fmt.Sprintf("secret-inventory: %s: %d literal secrets, %d references (%d added, %d removed), %d unscannable; %d files scanned",
		v, lit, len(res.References), added, removed, unscannable, res.Stats.Files)
	return s
}
