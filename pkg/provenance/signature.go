package provenance

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/invalid"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/signer"
	"github.com/tollgate-dev/tollgate/pkg/trust"
)

// Predicate types of OpenSSF model-signing.
const (
	PredicateModelSigningV1 = "https://model_signing/signature/v1.0"
	PredicateModelSigningV0 = "https://model_signing/Digests/v0.1" // v0.2: unsupported
)

// ErrUnsupported marks a bundle format this check cannot verify.
var ErrUnsupported = invalid.New("unsupported signature format")

// SignatureResult records one verified (or rejected) bundle in the report.
type SignatureResult struct {
	Bundle        string          `json:"bundle"`
	Verified      bool            `json:"verified"`
	Identity      string          `json:"identity,omitempty"`
	Signer        signer.Identity `json:"signer,omitzero"`
	PredicateType string          `json:"predicateType,omitempty"`
	Subject       string          `json:"subject,omitempty"`
	SignedAt      time.Time       `json:"signedAt,omitzero"`
	Files         int             `json:"files,omitempty"`
}

type statement struct {
	Type    string `json:"_type"`
	Subject []struct {
		Name   string            `json:"name"`
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
	PredicateType string          `json:"predicateType"`
	Predicate     json.RawMessage `json:"predicate"`
}

type msPredicate struct {
	Serialization struct {
		Method        string   `json:"method"`
		HashType      string   `json:"hash_type"`
		ShardSize     int64    `json:"shard_size"`
		IgnorePaths   []string `json:"ignore_paths"`
		AllowSymlinks bool     `json:"allow_symlinks"`
	} `json:"serialization"`
	Resources []struct {
		Name      string `json:"name"`
		Algorithm string `json:"algorithm"`
		Digest    string `json:"digest"`
	} `json:"resources"`
}

// unverified is what the bundle says before verification, used only to
// decide which digest to verify it against.
type unverified struct {
	DSSE *struct {
		Payload     string `json:"payload"`
		PayloadType string `json:"payloadType"`
	} `json:"dsseEnvelope"`
	Message *struct {
		MessageDigest struct {
			Algorithm string `json:"algorithm"`
			Digest    string `json:"digest"`
		} `json:"messageDigest"`
	} `json:"messageSignature"`
}

// signatureCheck verifies one bundle against the artefact at dir.
type signatureCheck struct {
	dir    string
	name   string // the bundle's display path
	bundle []byte
	ignore []string // extra root-relative paths to leave out (the bundle itself, --ignore)
	ids    []policy.Identity
	opts   []trust.Option
	// files hashes the artefact with the default serialization, for
	// bundles about the root or one file (once, on first use).
	files func(context.Context) (*artifact.Manifest, error)
	// hashOpts are the caller's extra artifact.Hash options (progress, a
	// supplied manifest).
	hashOpts []artifact.Option
}

func (s *signatureCheck) run(ctx context.Context) (SignatureResult, []evidence.Finding, error) {
	res := SignatureResult{Bundle: s.name}
	var u unverified
	if err := json.Unmarshal(s.bundle, &u); err != nil {
		return res, s.invalid(fmt.Errorf("not a Sigstore bundle: %w", err)), nil
	}
	if u.DSSE != nil {
		p, err := base64.StdEncoding.DecodeString(u.DSSE.Payload)
		if err != nil {
			return res, s.invalid(fmt.Errorf("DSSE payload: %w", err)), nil
		}
		var st statement
		if err := json.Unmarshal(p, &st); err != nil {
			return res, s.invalid(fmt.Errorf("DSSE payload is not an in-toto statement: %w", err)), nil
		}
		res.PredicateType = st.PredicateType
		switch st.PredicateType {
		case PredicateModelSigningV1:
			return s.modelSigning(ctx, res)
		case PredicateModelSigningV0:
			return res, nil, fmt.Errorf("%w: bundle %s is a model-signing v0.2 signature (predicate %s), whose signature sigstore-go cannot verify as DSSE; re-sign the model with model-signing 1.0 or later",
				ErrUnsupported, s.name, PredicateModelSigningV0)
		}
		var candidates []string
		for _, sub := range st.Subject {
			for algo, h := range sub.Digest {
				candidates = append(candidates, algo+":"+strings.ToLower(h))
			}
		}
		sort.Strings(candidates)
		return s.aboutArtefact(ctx, res, candidates)
	}
	if u.Message != nil {
		raw, err := base64.StdEncoding.DecodeString(u.Message.MessageDigest.Digest)
		if err != nil || u.Message.MessageDigest.Algorithm != "SHA2_256" {
			return res, nil, fmt.Errorf("%w: bundle %s: message signature over %s; only SHA2_256 digests can be matched to artefact files",
				ErrUnsupported, s.name, u.Message.MessageDigest.Algorithm)
		}
		return s.aboutArtefact(ctx, res, []string{"sha256:" + hex.EncodeToString(raw)})
	}
	return res, s.invalid(errors.New("bundle has neither a DSSE envelope nor a message signature")), nil
}

// aboutArtefact verifies a bundle whose subject must be the artefact root
// digest or one of its files.
func (s *signatureCheck) aboutArtefact(ctx context.Context, res SignatureResult, candidates []string) (SignatureResult, []evidence.Finding, error) {
	files, err := s.files(ctx)
	if err != nil {
		return res, nil, err
	}
	known := map[string]string{files.Root: "(artefact root)"}
	for _, f := range files.Files {
		known[f.Digest] = f.Name
	}
	for _, d := range candidates {
		if _, ok := known[d]; !ok {
			continue
		}
		pd, err := digest.Parse(d)
		if err != nil {
			return res, s.invalid(err), nil
		}
		a, err := trust.ArtifactDigest(pd)
		if err != nil {
			return res, s.invalid(err), nil
		}
		r, err := trust.Verify(ctx, s.bundle, s.ids, a, s.opts...)
		if err != nil {
			return res, s.invalid(err), nil
		}
		return s.verified(res, r, known[d]+" "+d), nil, nil
	}
	f := newFinding(ClassSignatureInvalid, evidence.High, s.name, "", strings.Join(candidates, ","), files.Root,
		fmt.Sprintf("provenance: signature %s is about %s, which is neither the artefact root %s nor any of its files",
			s.name, strings.Join(candidates, ", "), short(files.Root)))
	return res, []evidence.Finding{f}, nil
}

func (s *signatureCheck) verified(res SignatureResult, r *trust.Result, subject string) SignatureResult {
	res.Verified, res.Identity, res.Signer, res.SignedAt, res.Subject = true, r.Identity, r.Signer, r.SignedAt, subject
	return res
}

func (s *signatureCheck) invalid(err error) []evidence.Finding {
	return []evidence.Finding{newFinding(ClassSignatureInvalid, evidence.High, s.name, "", "", "",
		fmt.Sprintf("provenance: signature %s does not verify: %v", s.name, err))}
}

// modelSigning verifies an OpenSSF model-signing bundle: the signature and
// signer first, then the predicate's resource list against the artefact
// hashed with the predicate's own serialization, exactly and both ways,
// then the subject (root) digest.
func (s *signatureCheck) modelSigning(ctx context.Context, res SignatureResult) (SignatureResult, []evidence.Finding, error) {
	// Verified first without a digest: the signed resource list says how
	// to hash the artefact, and the root is bound below.
	r, err := trust.Verify(ctx, s.bundle, s.ids, trust.WithoutArtifactUnsafe(), s.opts...)
	if err != nil {
		return res, s.invalid(err), nil
	}
	var st statement
	if err := json.Unmarshal(r.Payload, &st); err != nil {
		return res, s.invalid(fmt.Errorf("signed payload is not an in-toto statement: %w", err)), nil
	}
	want := map[string]string{}
	hashOpts := []artifact.Option{artifact.WithIgnore(s.ignore...)}
	{
		var p msPredicate
		if err := json.Unmarshal(st.Predicate, &p); err != nil {
			return res, nil, fmt.Errorf("%w: bundle %s: model-signing predicate: %w", ErrUnsupported, s.name, err)
		}
		ser := p.Serialization
		if ser.HashType != "sha256" || (ser.Method != "files" && ser.Method != "shards") {
			return res, nil, fmt.Errorf("%w: bundle %s: model-signing serialization %s/%s (supported: files or shards with sha256)",
				ErrUnsupported, s.name, ser.Method, ser.HashType)
		}
		hashOpts = append(hashOpts, artifact.WithMethod(artifact.Method(ser.Method)), artifact.WithAllowSymlinks(ser.AllowSymlinks))
		if ser.Method == "shards" {
			hashOpts = append(hashOpts, artifact.WithShardSize(ser.ShardSize))
		}
		for _, ip := range ser.IgnorePaths {
			if !filepath.IsAbs(ip) {
				hashOpts = append(hashOpts, artifact.WithIgnore(ip))
			}
		}
		for _, rs := range p.Resources {
			want[rs.Name] = "sha256:" + strings.ToLower(rs.Digest)
		}
	}
	m, err := artifact.Hash(ctx, s.dir, append(hashOpts, s.hashOpts...)...)
	if err != nil {
		return res, nil, fmt.Errorf("hash %s as signature %s serializes it: %w", s.dir, s.name, err)
	}
	var out []evidence.Finding
	have := map[string]bool{}
	for _, f := range m.Files {
		have[f.Name] = true
		w, ok := want[f.Name]
		switch {
		case !ok:
			out = append(out, s.mismatch("added", f.Name, absent, f.Digest,
				fmt.Sprintf("provenance: file %s is not covered by signature %s (%s)", f.Name, s.name, short(f.Digest))))
		case w != f.Digest:
			out = append(out, s.mismatch("modified", f.Name, w, f.Digest,
				fmt.Sprintf("provenance: file %s differs from signature %s (signed %s → now %s)", f.Name, s.name, short(w), short(f.Digest))))
		}
	}
	for name, w := range want {
		if !have[name] {
			out = append(out, s.mismatch("removed", name, w, removed,
				fmt.Sprintf("provenance: file %s signed by %s is missing (signed %s)", name, s.name, short(w))))
		}
	}
	res.Files = len(m.Files)
	if len(out) > 0 {
		sortFindings(out)
		return res, out, nil
	}
	// The resources match; the signed subject must be their root.
	rd, err := digest.ParseSHA256(m.Root)
	if err != nil {
		return res, nil, err
	}
	root, err := trust.ArtifactDigest(rd)
	if err != nil {
		return res, nil, err
	}
	if _, err := trust.Verify(ctx, s.bundle, s.ids, root, s.opts...); err != nil {
		return res, s.invalid(fmt.Errorf("subject is not the root digest %s of the signed files: %w", m.Root, err)), nil
	}
	return s.verified(res, r, m.Root), nil, nil
}

func (s *signatureCheck) mismatch(change, name, old, cur, msg string) evidence.Finding {
	f := newFinding(ClassSignatureMismatch, evidence.High, name, s.name, old, cur, msg)
	f.Attributes = map[string]string{"change": change, "bundle": s.name}
	return f
}
