package review

import (
	"fmt"
	"time"

	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/document"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

// Kind is the document kind.
const Kind = "ReleaseReview"

// ReleaseReview is the reviewed state of a release.
type ReleaseReview struct {
	document.TypeMeta `json:",inline"`
	Metadata          document.ObjectMeta `json:"metadata"`
	Spec              Spec                `json:"spec"`
}

// Spec holds one section per check.
type Spec struct {
	// Artifact is the artefact identity at review time.
	Artifact artifact.Manifest `json:"artifact"`
	// Model identifies the model the release ships.
	Model Model `json:"model"`
	// Files pins what ships outside the model-signing root digest.
	Files *Files `json:"files,omitempty"`
	// Provenance pins configuration, lock files and images (provenance check).
	Provenance *Provenance `json:"provenance,omitempty"`
	// Secrets is the secret-reference inventory (secret-inventory check).
	Secrets *Secrets `json:"secrets,omitempty"`
	// Permissions is the normalised permission snapshot (permission-diff check).
	Permissions *Permissions `json:"permissions,omitempty"`
	// Exceptions are the time-bound waivers granted at review.
	Exceptions []Exception `json:"exceptions,omitempty"`
}

// Files pins the shipped files the root digest leaves out.
type Files struct {
	// OutsideModel are the files model-signing leaves out of the root
	// digest (.github/, .gitattributes, .gitignore, a .git file), each with
	// its digest (artifact.HashOutsideModel); provenance compares them
	// both ways.
	OutsideModel []artifact.Resource `json:"outsideModel"`
}

// Model identifies the model a release ships.
type Model struct {
	Name     string `json:"name,omitempty"`
	Version  string `json:"version,omitempty"`
	Revision string `json:"revision,omitempty"`
	// Source says where the identity was read: "config.json", "refs/main",
	// or "flag".
	Source string `json:"source,omitempty"`
}

// Exception waives specific findings, by fingerprint, until Expires.
type Exception struct {
	// ID names the exception in summaries and attestations.
	ID string `json:"id"`
	// Check is the check whose findings it waives ("" for any).
	Check string `json:"check,omitempty"`
	// Fingerprints of the findings waived.
	Fingerprints []string `json:"fingerprints"`
	Reason       string   `json:"reason"`
	Owner        string   `json:"owner"`
	// Approver is the identity expected to approve this exception.
	Approver string    `json:"approver"`
	Granted  time.Time `json:"granted"`
	Expires  time.Time `json:"expires"`
}

// New returns an empty review with apiVersion, kind and name set.
func New(name string) *ReleaseReview {
	return &ReleaseReview{
		TypeMeta: document.TypeMeta{APIVersion: document.APIVersion, Kind: Kind},
		Metadata: document.ObjectMeta{Name: name},
	}
}

// Load reads a review record from path. It also returns the digest of the
// file's bytes, which approvals sign.
func Load(path string) (*ReleaseReview, digest.Digest, error) {
	var r ReleaseReview
	b, err := document.ReadFile(path, Kind, &r)
	if err != nil {
		return nil, digest.Digest{}, fmt.Errorf("review record: %w", err)
	}
	if err := r.Validate(); err != nil {
		return nil, digest.Digest{}, fmt.Errorf("review record %s: %w: %w", path, document.ErrInvalid, err)
	}
	return &r, digest.FromBytes(b), nil
}

// Decode decodes review bytes strictly (used by fuzzing and tests).
func Decode(b []byte) (*ReleaseReview, error) {
	var r ReleaseReview
	if err := document.Decode(b, Kind, &r); err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", document.ErrInvalid, err)
	}
	return &r, nil
}

// Validate checks invariants that the schema cannot express.
func (r *ReleaseReview) Validate() error {
	if r.Metadata.Name == "" {
		return fmt.Errorf("metadata.name is required")
	}
	a := r.Spec.Artifact
	if a.Root == "" {
		return fmt.Errorf("spec.artifact.root is required")
	}
	if _, err := digest.ParseSHA256(a.Root); err != nil {
		return fmt.Errorf("spec.artifact.root: %w", err)
	}
	seen := map[string]bool{}
	for i, f := range a.Files {
		if _, err := digest.ParseSHA256(f.Digest); err != nil {
			return fmt.Errorf("spec.artifact.files[%d] (%s): %w", i, f.Name, err)
		}
		if seen[f.Name] {
			return fmt.Errorf("spec.artifact.files[%d]: duplicate name %s", i, f.Name)
		}
		seen[f.Name] = true
	}
	if len(a.Files) > 0 {
		root, err := artifact.RootDigest(a.Files)
		if err != nil {
			return err
		}
		if root != a.Root {
			return fmt.Errorf("spec.artifact.root %s does not match its files (%s)", a.Root, root)
		}
	}
	ids := map[string]bool{}
	for i, e := range r.Spec.Exceptions {
		if e.ID == "" {
			return fmt.Errorf("spec.exceptions[%d].id is required", i)
		}
		if ids[e.ID] {
			return fmt.Errorf("spec.exceptions[%d]: duplicate id %s", i, e.ID)
		}
		ids[e.ID] = true
		if len(e.Fingerprints) == 0 {
			return fmt.Errorf("spec.exceptions[%d] (%s): fingerprints are required", i, e.ID)
		}
		if e.Expires.IsZero() {
			return fmt.Errorf("spec.exceptions[%d] (%s): expires is required", i, e.ID)
		}
	}
	return nil
}

// Encode renders the review as YAML.
func (r *ReleaseReview) Encode() ([]byte, error) { return document.Encode(r) }

// EncodeJSON renders the review as indented JSON (also valid YAML). Its
// memory use stays close to the output size, where the YAML encoder needs
// several kilobytes per file: prefer it for artefacts of many thousands of
// files.
func (r *ReleaseReview) EncodeJSON() ([]byte, error) { return evidence.Canonical(r) }
