package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/invopop/jsonschema"

	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/document"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
)

// Kind is the document kind.
const Kind = "ReleasePolicy"

// Check names, as used in policies, reports and results.
const (
	CheckProvenance  = "provenance"
	CheckSecrets     = "secret-inventory"
	CheckPermissions = "permission-diff"
	CheckAttest      = "attest"
	CheckGate        = "gate"
)

// Checks lists the three checks whose results the gate requires.
var Checks = []string{CheckProvenance, CheckSecrets, CheckPermissions}

// ReleasePolicy is the release policy.
type ReleasePolicy struct {
	document.TypeMeta `json:",inline"`
	Metadata          document.ObjectMeta `json:"metadata"`
	Spec              Spec                `json:"spec"`
}

// ProvenanceSettings are settings of the provenance check.
type ProvenanceSettings struct {
	// RequireImageDigests makes every container image reference without a
	// digest (repo:tag) a blocking finding, wherever the Kubernetes object
	// naming it sits: a tag can be moved after the gate.
	RequireImageDigests bool `json:"requireImageDigests,omitempty"`
}

// Spec is the policy body.
type Spec struct {
	// Approvals says who may approve the review record and how many must.
	Approvals Approvals `json:"approvals"`
	// Attestors are the identities allowed to sign the pipeline's
	// attestation (the gate and `tollgate verify` trust only these).
	Attestors []Identity `json:"attestors,omitempty"`
	// ModelSigners are the upstream signers trusted for model-signing and
	// other Sigstore bundles checked by provenance.
	ModelSigners []Identity `json:"modelSigners,omitempty"`
	// Provenance holds settings of the provenance check.
	Provenance *ProvenanceSettings `json:"provenance,omitempty"`
	// Checks holds per-check rules, keyed by check name.
	Checks map[string]CheckRules `json:"checks,omitempty"`
	// Exceptions constrains the exceptions a review may grant.
	Exceptions ExceptionRules `json:"exceptions,omitempty"`
	// Rules are optional CEL rules over the combined evidence.
	Rules []Rule `json:"rules,omitempty"`
}

// Approvals says who may approve and how many approvals are needed.
type Approvals struct {
	// Required is the number of distinct allowed approvers needed (>= 1).
	Required int `json:"required"`
	// Approvers are the allowed approver identities.
	Approvers []Identity `json:"approvers"`
	// SeparationOfDuties forbids an approver from being the identity that
	// signs the pipeline's attestation.
	SeparationOfDuties bool `json:"separationOfDuties,omitempty"`
}

// Identity is a signer: a public key, or a keyless (Fulcio) identity, or a
// certificate chain. Exactly one of PublicKey, Keyless, CertificateChain is
// set.
type Identity struct {
	// Name labels the identity in summaries ("alice", "release-bot").
	Name string `json:"name"`
	// PublicKey is a PEM public key, inline.
	PublicKey string `json:"publicKey,omitempty"`
	// Keyless is a Fulcio certificate identity.
	Keyless *Keyless `json:"keyless,omitempty"`
	// CertificateChain is a PEM chain (root last) for private-CA signers.
	CertificateChain string `json:"certificateChain,omitempty"`
}

// Keyless matches a Fulcio certificate's issuer and subject, exactly or by
// regular expression.
type Keyless struct {
	Issuer        string `json:"issuer,omitempty"`
	IssuerRegExp  string `json:"issuerRegExp,omitempty"`
	Subject       string `json:"subject,omitempty"`
	SubjectRegExp string `json:"subjectRegExp,omitempty"`
	// TrustedRoot is the path of a Sigstore trusted_root.json; empty means
	// the public-good instance's root shipped with tollgate.
	TrustedRoot string `json:"trustedRoot,omitempty"`
}

// CheckRules says which finding classes or severities block or warn.
// Entries are finding classes ("secrets.literal"), class prefixes ending in
// ".*", or severities ("severity>=high").
type CheckRules struct {
	Block []string `json:"block,omitempty"`
	Warn  []string `json:"warn,omitempty"`
}

// ExceptionRules constrain exceptions.
type ExceptionRules struct {
	// MaxLifetime is the longest allowed expires-granted span (default 30d).
	MaxLifetime Duration `json:"maxLifetime,omitempty"`
	// WarnWithin lists exceptions expiring this soon as warnings (default 7d).
	WarnWithin Duration `json:"warnWithin,omitempty"`
	// RequireReason and RequireOwner default to true when unset.
	RequireReason *bool `json:"requireReason,omitempty"`
	RequireOwner  *bool `json:"requireOwner,omitempty"`
}

// Rule is a CEL expression over the combined evidence. When it evaluates
// to false the release is blocked (Action "block", the default) or warned.
type Rule struct {
	Name       string `json:"name"`
	Expression string `json:"expression"`
	Message    string `json:"message"`
	Action     string `json:"action,omitempty"`
}

// Duration is a time.Duration written as "720h", "30d" or "90m".
type Duration struct{ time.Duration }

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// String renders whole days as "Nd".
func (d Duration) String() string {
	if d.Duration > 0 && d.Duration%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(d.Duration/(24*time.Hour)), 10) + "d"
	}
	return d.Duration.String()
}

// UnmarshalJSON accepts Go durations plus a "d" (day) suffix.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string like \"30d\" or \"12h\"")
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// ParseDuration parses a Go duration or a whole number of days ("30d").
func ParseDuration(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("invalid duration %q", s)
	}
	return v, nil
}

// Load reads a policy from path and returns it with its digest.
func Load(path string) (*ReleasePolicy, digest.Digest, error) {
	var p ReleasePolicy
	b, err := document.ReadFile(path, Kind, &p)
	if err != nil {
		return nil, digest.Digest{}, fmt.Errorf("policy: %w", err)
	}
	if err := p.Validate(); err != nil {
		return nil, digest.Digest{}, fmt.Errorf("policy %s: %w: %w", path, document.ErrInvalid, err)
	}
	return &p, digest.FromBytes(b), nil
}

// ErrDigestMismatch is returned by LoadPinned for a policy that is not the
// pinned one.
var ErrDigestMismatch = errors.New("policy is not the pinned policy")

// ErrNotPinned is returned by LoadPinned when no expected digest is given.
var ErrNotPinned = errors.New("no expected policy digest")

// LoadPinned loads the policy at path, as Load does, and refuses it unless
// the sha256 of its bytes is want: the digest the Pipeline owner fixed, so
// that nobody who can write the policy workspace (or swap it for one in the
// candidate) changes the rules of the run. A zero want is refused too. Both
// refusals are invalid input.
func LoadPinned(path string, want digest.Digest) (*ReleasePolicy, digest.Digest, error) {
	if want.IsZero() {
		return nil, digest.Digest{}, invalid.Wrap(fmt.Errorf("policy %s: %w: pass the sha256 of the platform-owned policy (--policy-digest, pipeline param policy-digest)", path, ErrNotPinned))
	}
	p, got, err := Load(path)
	if err != nil {
		return nil, digest.Digest{}, err
	}
	if got != want {
		return nil, got, invalid.Wrap(fmt.Errorf("policy %s: %w: its digest is %s, the pinned policy-digest is %s", path, ErrDigestMismatch, got, want))
	}
	return p, got, nil
}

// Decode decodes policy bytes strictly (used by fuzzing and tests).
func Decode(b []byte) (*ReleasePolicy, error) {
	var p ReleasePolicy
	if err := document.Decode(b, Kind, &p); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", document.ErrInvalid, err)
	}
	return &p, nil
}

var severityRule = regexp.MustCompile(`^severity>=(critical|high|medium|low|info)$`)
var classRule = regexp.MustCompile(`^[a-z0-9-]+(\.[a-z0-9-]+)*(\.\*)?$`)

// Validate checks what the schema cannot: counts, identities, rule syntax.
func (p *ReleasePolicy) Validate() error {
	a := p.Spec.Approvals
	if a.Required < 1 {
		return fmt.Errorf("spec.approvals.required must be at least 1")
	}
	if len(a.Approvers) < a.Required {
		return fmt.Errorf("spec.approvals.required is %d but only %d approvers are listed", a.Required, len(a.Approvers))
	}
	for i, id := range a.Approvers {
		if err := id.Validate(); err != nil {
			return fmt.Errorf("spec.approvals.approvers[%d]: %w", i, err)
		}
	}
	for i, id := range p.Spec.Attestors {
		if err := id.Validate(); err != nil {
			return fmt.Errorf("spec.attestors[%d]: %w", i, err)
		}
	}
	for i, id := range p.Spec.ModelSigners {
		if err := id.Validate(); err != nil {
			return fmt.Errorf("spec.modelSigners[%d]: %w", i, err)
		}
	}
	for name, c := range p.Spec.Checks {
		known := false
		for _, k := range Checks {
			known = known || k == name
		}
		if !known {
			return fmt.Errorf("spec.checks: unknown check %q (want one of %s)", name, strings.Join(Checks, ", "))
		}
		for _, r := range append(append([]string{}, c.Block...), c.Warn...) {
			if !severityRule.MatchString(r) && !classRule.MatchString(r) {
				return fmt.Errorf("spec.checks.%s: %q is neither a finding class, a class prefix ending in .*, nor severity>=LEVEL", name, r)
			}
		}
	}
	for i, r := range p.Spec.Rules {
		if r.Name == "" || r.Expression == "" {
			return fmt.Errorf("spec.rules[%d]: name and expression are required", i)
		}
		if r.Action != "" && r.Action != "block" && r.Action != "warn" {
			return fmt.Errorf("spec.rules[%d] (%s): action must be block or warn", i, r.Name)
		}
	}
	if _, err := CompileRules(p.Spec.Rules); err != nil {
		return err
	}
	return nil
}

// Validate checks that exactly one kind of identity is set.
func (id Identity) Validate() error {
	if id.Name == "" {
		return fmt.Errorf("name is required")
	}
	n := 0
	if id.PublicKey != "" {
		n++
	}
	if id.Keyless != nil {
		n++
		k := id.Keyless
		if (k.Issuer == "") == (k.IssuerRegExp == "") {
			return fmt.Errorf("%s: keyless needs exactly one of issuer and issuerRegExp", id.Name)
		}
		if (k.Subject == "") == (k.SubjectRegExp == "") {
			return fmt.Errorf("%s: keyless needs exactly one of subject and subjectRegExp", id.Name)
		}
		for _, re := range []string{k.IssuerRegExp, k.SubjectRegExp} {
			if _, err := regexp.Compile(re); err != nil {
				return fmt.Errorf("%s: %w", id.Name, err)
			}
		}
	}
	if id.CertificateChain != "" {
		n++
	}
	if n != 1 {
		return fmt.Errorf("%s: set exactly one of publicKey, keyless, certificateChain", id.Name)
	}
	return nil
}

// RulesFor returns the rules for a check, or the built-in defaults.
func (p *ReleasePolicy) RulesFor(check string) CheckRules {
	if c, ok := p.Spec.Checks[check]; ok {
		return c
	}
	return DefaultRules(check)
}

// DefaultRules are the built-in rules: every blocking-class finding blocks,
// anything at or above medium warns.
func DefaultRules(check string) CheckRules {
	return CheckRules{Block: []string{"severity>=high"}, Warn: []string{"severity>=low"}}
}

// Matches reports whether a finding matches any entry.
func Matches(entries []string, f evidence.Finding) bool {
	for _, e := range entries {
		if m := severityRule.FindStringSubmatch(e); m != nil {
			if f.Severity.Rank() >= evidence.Severity(m[1]).Rank() {
				return true
			}
			continue
		}
		if prefix, ok := strings.CutSuffix(e, ".*"); ok {
			if strings.HasPrefix(f.Class, prefix+".") {
				return true
			}
			continue
		}
		if f.Class == e {
			return true
		}
	}
	return false
}

// JSONSchema describes Duration as a string for the generated schema.
func (Duration) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "string", Pattern: `^([0-9]+d|([0-9.]+(ns|us|µs|ms|s|m|h))+)$`, Description: `a duration such as "30d", "72h" or "90m"`}
}
