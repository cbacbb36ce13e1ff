package changes

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/changes/sections"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/permissions"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/provenance"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/secrets"
)

// Kinds of change besides permissions.Kind*.
const (
	KindAdded    = "added"
	KindRemoved  = "removed"
	KindModified = "modified"
	KindRenewed  = "renewed"
	KindExpiring = "expiring"
	KindRepinned = "re-pinned"
)

// Exception change classes (exceptions are not findings of a check).
const (
	ClassExceptionAdded    = "review.exception-added"
	ClassExceptionRemoved  = "review.exception-removed"
	ClassExceptionRenewed  = "review.exception-renewed"
	ClassExceptionExpiring = "review.exception-expiring"
)

// DefaultExpiringWithin is how close to its expiry an exception is listed
// as expiring soon.
const DefaultExpiringWithin = 14 * 24 * time.Hour

// Change is one difference between the previous and the new review.
type Change struct {
	Section Section `json:"section"`
	// Check is the check that would report it ("" for exceptions).
	Check string `json:"check,omitempty"`
	// Class is the check's finding class.
	Class    string            `json:"class"`
	Kind     string            `json:"kind"`
	Severity evidence.Severity `json:"severity"`
	// Blocking: the policy would block this change without an exception.
	Blocking bool `json:"blocking"`
	// WaivedBy names the new review's exception that covers it.
	WaivedBy string `json:"waivedBy,omitempty"`
	Path     string `json:"path,omitempty"`
	Subject  string `json:"subject,omitempty"`
	Old      string `json:"old,omitempty"`
	New      string `json:"new,omitempty"`
	// Message is the check's own sentence.
	Message string `json:"message"`
	// Notes add what the approver should know (folded file changes, why
	// no text diff is shown).
	Notes []string `json:"notes,omitempty"`
	// Diff is the text diff of a prompt, when both texts were available.
	Diff        []DiffLine `json:"diff,omitempty"`
	Fingerprint string     `json:"fingerprint,omitempty"`
}

// Document is the changes document.
type Document struct {
	// Release is the new review's metadata.name; Previous the old one's.
	Release  string `json:"release"`
	Previous string `json:"previous"`
	// Review and Against are the digests of the new and the previous
	// review record files (zero when unknown).
	Review  digest.Digest `json:"review"`
	Against digest.Digest `json:"against"`
	// OldRoot and NewRoot are the artefact root digests.
	OldRoot string `json:"oldRoot"`
	NewRoot string `json:"newRoot"`
	// TextDiffs reports whether both artefact directories were given.
	TextDiffs bool     `json:"textDiffs"`
	Changes   []Change `json:"changes"`
}

// Blocking counts the changes that would block without an exception.
func (d *Document) Blocking() int {
	n := 0
	for _, c := range d.Changes {
		if c.Blocking {
			n++
		}
	}
	return n
}

type config struct {
	policy         *policy.ReleasePolicy
	oldDir, newDir string
	now            time.Time
	expiring       time.Duration
	review         digest.Digest
	against        digest.Digest
}

// Option configures Compute.
type Option func(*config) error

// WithPolicy judges blocking under p instead of the default rules
// (severity>=high blocks).
func WithPolicy(p *policy.ReleasePolicy) Option {
	return func(c *config) error {
		if p == nil {
			return errors.New("changes: WithPolicy: nil policy")
		}
		c.policy = p
		return nil
	}
}

// WithDirs gives the previous and the new artefact directories, for
// prompt text diffs. Either may be "" (then no text diffs).
func WithDirs(oldDir, newDir string) Option {
	return func(c *config) error {
		for _, d := range []string{oldDir, newDir} {
			if d == "" {
				continue
			}
			fi, err := os.Stat(d)
			if err != nil {
				return fmt.Errorf("changes: artefact directory: %w", err)
			}
			if !fi.IsDir() {
				return fmt.Errorf("changes: artefact directory %s is not a directory", d)
			}
		}
		c.oldDir, c.newDir = oldDir, newDir
		return nil
	}
}

// WithNow sets the time exceptions' expiry is judged at (default: the
// new review's newest exception grant time, so that output depends on the
// records only; tollgate review passes the wall clock).
func WithNow(t time.Time) Option {
	return func(c *config) error {
		if t.IsZero() {
			return errors.New("changes: WithNow: zero time")
		}
		c.now = t.UTC()
		return nil
	}
}

// WithExpiringWithin sets how close to expiry an exception is listed as
// expiring soon (default 14 days).
func WithExpiringWithin(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("changes: WithExpiringWithin: %s is not positive", d)
		}
		c.expiring = d
		return nil
	}
}

// WithDigests records the digests of the new and the previous review
// files; the document names them so an approval can bind to it.
func WithDigests(reviewDigest, against digest.Digest) Option {
	return func(c *config) error {
		c.review, c.against = reviewDigest, against
		return nil
	}
}

// Compute compares the previous review with the new one.
func Compute(prev, cur *review.ReleaseReview, opts ...Option) (*Document, error) {
	if prev == nil || cur == nil {
		return nil, errors.New("changes: both review records are required")
	}
	c := config{expiring: DefaultExpiringWithin}
	for _, o := range opts {
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	if c.now.IsZero() {
		c.now = defaultNow(cur)
	}
	doc := &Document{
		Release: cur.Metadata.Name, Previous: prev.Metadata.Name,
		Review: c.review, Against: c.against,
		OldRoot: prev.Spec.Artifact.Root, NewRoot: cur.Spec.Artifact.Root,
		TextDiffs: c.oldDir != "" && c.newDir != "",
	}
	rules := func(check string) policy.CheckRules {
		if c.policy != nil {
			return c.policy.RulesFor(check)
		}
		return policy.DefaultRules(check)
	}

	// Permissions first: file changes they explain are folded into them.
	var permChanges []Change
	explained := map[string][]int{}
	if prev.Spec.Permissions != nil && cur.Spec.Permissions != nil {
		for _, pc := range permissions.Diff(prev.Spec.Permissions, cur.Spec.Permissions) {
			f := pc.Finding(rules(policy.CheckPermissions))
			ch := fromFinding(policy.CheckPermissions, SectionPermissions, f)
			ch.Kind = pc.Kind
			explained[pc.Path] = append(explained[pc.Path], len(permChanges))
			permChanges = append(permChanges, ch)
		}
	} else if (prev.Spec.Permissions == nil) != (cur.Spec.Permissions == nil) {
		permChanges = append(permChanges, Change{Section: SectionPermissions, Check: policy.CheckPermissions,
			Class: "permissions.snapshot-missing", Kind: KindChanged(), Severity: evidence.High, Blocking: true,
			Message: "one of the review records has no permission snapshot (spec.permissions): permissions cannot be compared"})
	}

	method := prev.Spec.Artifact.Serialization.Method
	provFindings := provenance.Compare(prev, cur)
	packages := map[string]bool{}
	for _, f := range provFindings {
		if strings.HasPrefix(f.Class, "provenance.package-") {
			packages[f.Path] = true
		}
	}
	var out []Change
	for _, f := range provFindings {
		if f.Class == provenance.ClassRootChanged {
			continue // in the header
		}
		f.Blocking = policy.Matches(rules(policy.CheckProvenance).Block, f)
		path := provenance.ResourcePath(f.Path, method)
		sec := sections.Of(f)
		if f.Class == provenance.ClassConfigChanged || f.Class == provenance.ClassFileModified {
			if idx, ok := explained[path]; ok {
				note := fmt.Sprintf("%s changed (%s → %s); its permission changes are listed here", path, short(f.Old), short(f.New))
				for _, i := range idx {
					permChanges[i].Notes = append(permChanges[i].Notes, note)
				}
				continue
			}
			if sec == SectionLockFiles && packages[path] {
				continue // its package changes are listed
			}
		}
		ch := fromFinding(policy.CheckProvenance, sec, f)
		ch.Kind = provenanceKind(f)
		if sec == SectionPrompts && method != artifact.MethodShards {
			c.promptDiff(&ch, path)
		}
		out = append(out, ch)
	}
	out = append(out, permChanges...)
	out = append(out, secretChanges(prev, cur, rules(policy.CheckSecrets))...)
	out = append(out, exceptionChanges(prev, cur, c.now, c.expiring)...)
	waive(out, cur.Spec.Exceptions, c.now)
	sortChanges(out)
	doc.Changes = out
	if doc.Changes == nil {
		doc.Changes = []Change{}
	}
	return doc, nil
}

// KindChanged is permissions.KindChanged, for changes no check names.
func KindChanged() string { return permissions.KindChanged }

func defaultNow(r *review.ReleaseReview) time.Time {
	var t time.Time
	for _, e := range r.Spec.Exceptions {
		if e.Granted.After(t) {
			t = e.Granted
		}
	}
	if t.IsZero() {
		return time.Unix(0, 0).UTC()
	}
	return t.UTC()
}

func fromFinding(check string, sec Section, f evidence.Finding) Change {
	return Change{
		Section: sec, Check: check, Class: f.Class, Severity: f.Severity, Blocking: f.Blocking,
		Path: f.Path, Subject: f.Subject, Old: f.Old, New: f.New,
		Message: strings.TrimPrefix(f.Message, check+": "), Fingerprint: f.Fingerprint,
	}
}

func provenanceKind(f evidence.Finding) string {
	switch {
	case f.Attributes["change"] != "":
		return f.Attributes["change"]
	case f.Class == provenance.ClassImageChanged:
		return KindRepinned
	case strings.HasSuffix(f.Class, "-added") || f.Old == "(absent)":
		return KindAdded
	case strings.HasSuffix(f.Class, "-removed") || f.New == "(removed)":
		return KindRemoved
	}
	return KindModified
}

func secretChanges(prev, cur *review.ReleaseReview, rules policy.CheckRules) []Change {
	var was, now []review.SecretReference
	if prev.Spec.Secrets != nil {
		was = prev.Spec.Secrets.References
	}
	if cur.Spec.Secrets != nil {
		now = cur.Spec.Secrets.References
	}
	id := func(r review.SecretReference) string { return r.Kind + ":" + r.Name }
	in := func(list []review.SecretReference) map[string]review.SecretReference {
		m := map[string]review.SecretReference{}
		for _, r := range list {
			m[id(r)] = r
		}
		return m
	}
	wasBy, nowBy := in(was), in(now)
	var out []Change
	add := func(r review.SecretReference, class, kind string, sev evidence.Severity, msg string) {
		f := evidence.Finding{Class: class, Severity: sev, Path: first(r.Paths), Subject: id(r)}
		f.Blocking = policy.Matches(rules.Block, f)
		out = append(out, Change{Section: SectionSecrets, Check: policy.CheckSecrets, Class: class, Kind: kind,
			Severity: sev, Blocking: f.Blocking, Path: f.Path, Subject: f.Subject, Message: msg,
			Fingerprint: evidence.Digest([]byte("reference\x00" + r.Kind + "\x00" + r.Name))})
	}
	for _, r := range now {
		if _, ok := wasBy[id(r)]; !ok {
			add(r, secrets.ClassReferenceAdded, KindAdded, evidence.High,
				fmt.Sprintf("secret reference %s added (in %s)", id(r), strings.Join(r.Paths, ", ")))
		}
	}
	for _, r := range was {
		if _, ok := nowBy[id(r)]; !ok {
			add(r, secrets.ClassReferenceRemoved, KindRemoved, evidence.Medium,
				fmt.Sprintf("secret reference %s removed; check the release still gets the secret it needs", id(r)))
		}
	}
	return out
}

func exceptionChanges(prev, cur *review.ReleaseReview, now time.Time, within time.Duration) []Change {
	wasBy := map[string]review.Exception{}
	for _, e := range prev.Spec.Exceptions {
		wasBy[e.ID] = e
	}
	nowBy := map[string]bool{}
	var out []Change
	day := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	for _, e := range cur.Spec.Exceptions {
		nowBy[e.ID] = true
		scope := e.Check
		if scope == "" {
			scope = "any check"
		}
		base := Change{Section: SectionExceptions, Subject: e.ID, Path: scope, New: day(e.Expires)}
		old, existed := wasBy[e.ID]
		switch {
		case !existed:
			base.Class, base.Kind, base.Severity = ClassExceptionAdded, KindAdded, evidence.Medium
			base.Message = fmt.Sprintf("exception %s added: waives %d findings of %s until %s; owner %s, approver %s: %s",
				e.ID, len(e.Fingerprints), scope, day(e.Expires), e.Owner, e.Approver, e.Reason)
		case !old.Expires.Equal(e.Expires) || strings.Join(old.Fingerprints, ",") != strings.Join(e.Fingerprints, ","):
			base.Class, base.Kind, base.Severity, base.Old = ClassExceptionRenewed, KindRenewed, evidence.Medium, day(old.Expires)
			base.Message = fmt.Sprintf("exception %s renewed: expires %s → %s, waives %d findings (was %d); reason: %s",
				e.ID, day(old.Expires), day(e.Expires), len(e.Fingerprints), len(old.Fingerprints), e.Reason)
		case e.Expires.Sub(now) <= within:
			base.Class, base.Kind, base.Severity = ClassExceptionExpiring, KindExpiring, evidence.Low
			base.Message = fmt.Sprintf("exception %s expires %s, within %d days", e.ID, day(e.Expires), int(within.Hours()/24))
		default:
			continue
		}
		out = append(out, base)
	}
	for _, e := range prev.Spec.Exceptions {
		if !nowBy[e.ID] {
			out = append(out, Change{Section: SectionExceptions, Class: ClassExceptionRemoved, Kind: KindRemoved,
				Severity: evidence.Info, Subject: e.ID, Old: day(e.Expires),
				Message: fmt.Sprintf("exception %s removed: its findings are no longer waived", e.ID)})
		}
	}
	return out
}

// waive marks blocking changes an unexpired exception of the new review
// covers.
func waive(out []Change, exceptions []review.Exception, now time.Time) {
	for i := range out {
		c := &out[i]
		if !c.Blocking || c.Fingerprint == "" {
			continue
		}
		for _, e := range exceptions {
			if (e.Check != "" && e.Check != c.Check) || !e.Expires.After(now) {
				continue
			}
			for _, fp := range e.Fingerprints {
				if fp == c.Fingerprint {
					c.WaivedBy = e.ID
				}
			}
		}
	}
}

// sortChanges: blocking first, then by severity, section, path, subject.
func sortChanges(out []Change) {
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Blocking != b.Blocking {
			return a.Blocking
		}
		if ra, rb := a.Severity.Rank(), b.Severity.Rank(); ra != rb {
			return ra > rb
		}
		if a.Section != b.Section {
			return a.Section.Order() < b.Section.Order()
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Subject != b.Subject {
			return a.Subject < b.Subject
		}
		return a.Class < b.Class
	})
}

func short(d string) string {
	if strings.HasPrefix(d, "sha256:") && len(d) > 19 {
		return d[:19] + "…"
	}
	return d
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
