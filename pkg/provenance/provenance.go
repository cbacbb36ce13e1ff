package provenance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/review"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
	"github.com/tollgate-dev/tollgate/pkg/trust"
)

// Extra results: the artefact root digest (the results contract's
// artifact-digest), the model version, and a Tekton Chains input type hint
// (an object result {"uri": …, "digest": "sha256:…"}): Chains records the
// artefact as what this TaskRun consumed (a resolved dependency), never
// as something it produced. Release claims are the signed VSA's job.
const (
	ResultArtifactDigest = "artifact-digest"
	ResultModelVersion   = "model-version"
	ResultChainsInput    = "release_ARTIFACT_INPUTS"
)

// Config is one provenance run.
type Config struct {
	// Artifact is the artefact root directory.
	Artifact string
	// ArtifactURI names the artefact in the Chains input type hint;
	// empty means the review's release name (or the directory's name).
	ArtifactURI string
	// Review is the reviewed state; nil verifies the signatures alone.
	Review *review.ReleaseReview
	// Policy supplies the rules and the trusted model signers; nil means
	// the built-in rules and no trusted signers.
	Policy *policy.ReleasePolicy
	// PolicyDir resolves relative keyless trustedRoot paths in the policy.
	PolicyDir string
	// Inputs are recorded in the report (paths and digests of the inputs).
	Inputs map[string]string
	// Signatures are Sigstore bundle paths to verify.
	Signatures []string
	// Signers, when set, replace the policy's modelSigners (the one-off
	// --key / --certificate-chain / --certificate-identity flags).
	Signers []policy.Identity
	// Ignore are root-relative paths left out when verifying signatures
	// (as model-signing's --ignore-paths) and, without a review, when hashing.
	Ignore []string
	// Resolver resolves image tags; nil means Registry{}.
	Resolver Resolver
	// ModelSignature is the root-relative name of the model-signing
	// bundle looked for when the policy names model signers and no
	// Signatures are given; "" means DefaultModelSignature.
	ModelSignature string
	// TrustOptions are passed to every trust.Verify.
	TrustOptions []trust.Option
	// HashOptions are extra artifact.Hash options (progress).
	HashOptions []artifact.Option
}

// DefaultModelSignature is where model-signing writes its bundle.
const DefaultModelSignature = "model.sig"

// Data is the report's check-specific detail.
type Data struct {
	Root         string            `json:"root"`
	ReviewedRoot string            `json:"reviewedRoot,omitempty"`
	Files        int               `json:"files"`
	Model        review.Model      `json:"model"`
	Signatures   []SignatureResult `json:"signatures,omitempty"`
	Images       []review.Image    `json:"images,omitempty"`
}

// Run runs the check and returns its outcome; the command layer writes it. It returns an
// error (verdict=error) when it cannot decide: an unreadable artefact, a
// signature with no trusted signer configured, an unsupported bundle.
func Run(ctx context.Context, cfg Config) (*evidence.Outcome, error) {
	// When the policy trusts model signers, the model must be signed: the
	// bundle comes from --signature, or by convention from model.sig at
	// the artefact root; none is a blocking finding, never a pass.
	var missingSignature string
	if len(cfg.Signatures) == 0 && cfg.Policy != nil && len(cfg.Policy.Spec.ModelSigners) > 0 {
		name := cfg.ModelSignature
		if name == "" {
			name = DefaultModelSignature
		}
		p := filepath.Join(cfg.Artifact, filepath.FromSlash(name))
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() {
			cfg.Signatures = []string{p}
		} else {
			missingSignature = name
		}
	}
	ignore := append([]string(nil), cfg.Ignore...)
	for _, sig := range cfg.Signatures {
		if rel, ok := inside(cfg.Artifact, sig); ok {
			ignore = append(ignore, rel)
		}
	}
	hashOpts := append([]artifact.Option{artifact.WithIgnore(ignore...)}, cfg.HashOptions...)
	if cfg.Review != nil {
		ser := cfg.Review.Spec.Artifact.Serialization
		hashOpts = append(cfg.HashOptions[:len(cfg.HashOptions):len(cfg.HashOptions)],
			artifact.WithMethod(ser.Method), artifact.WithShardSize(orDefault(ser.ShardSize)),
			artifact.WithIgnore(ser.IgnorePaths...), artifact.WithAllowSymlinks(ser.AllowSymlinks))
		if ser.Method == "" {
			hashOpts = append(hashOpts, artifact.WithMethod(artifact.MethodFiles))
		}
	}
	m, err := artifact.Hash(ctx, cfg.Artifact, hashOpts...)
	if err != nil {
		return nil, fmt.Errorf("hash artefact %s: %w", cfg.Artifact, err)
	}
	gits, err := artifact.GitDirs(ctx, cfg.Artifact)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", cfg.Artifact, err)
	}
	model := review.DetectModel(cfg.Artifact)
	data := Data{Root: m.Root, Files: len(m.Files), Model: model}
	var findings []evidence.Finding
	if missingSignature != "" {
		findings = append(findings, newFinding(ClassSignatureMissing, evidence.High, missingSignature, "", "", "",
			fmt.Sprintf("provenance: the policy trusts model signers but the artefact has no model signature %s: sign the model (model_signing sign) and ship the bundle there, or pass its path as the model-signature param", missingSignature)))
	}
	for _, g := range gits {
		findings = append(findings, newFinding(ClassGitDirectory, evidence.High, g, "", "", "",
			fmt.Sprintf("provenance: %s is a .git directory: a release ships files, not a repository (its history, hooks and config are pinned by nothing); export the tree without .git", g)))
	}

	if cfg.Review != nil {
		old := &cfg.Review.Spec.Artifact
		data.ReviewedRoot = old.Root
		fileFindings := compareFiles(old, m)
		findings = append(findings, fileFindings...)
		findings = append(findings, compareModel(cfg.Review.Spec.Model, model)...)
		outside, err := artifact.HashOutsideModel(ctx, cfg.Artifact)
		if err != nil {
			return nil, fmt.Errorf("hash files outside the model-signing root of %s: %w", cfg.Artifact, err)
		}
		var pinned []artifact.Resource
		if cfg.Review.Spec.Files != nil {
			pinned = cfg.Review.Spec.Files.OutsideModel
		}
		findings = append(findings, compareOutside(pinned, outside)...)
		if cfg.Review.Spec.Provenance != nil {
			cur, unresolved, refs, err := snapshot(ctx, cfg.Artifact, m, cfg.Resolver)
			if err != nil {
				return nil, fmt.Errorf("read pinned configuration of %s: %w", cfg.Artifact, err)
			}
			reported := map[string]bool{}
			for _, f := range fileFindings {
				reported[resourcePath(f.Path, old.Serialization.Method)] = true
			}
			findings = append(findings, compareSection(cfg.Review.Spec.Provenance, cur, reported)...)
			for _, u := range unresolved {
				findings = append(findings, newFinding(ClassImageUnresolved, evidence.High, u.source, u.key, "", "",
					fmt.Sprintf("provenance: image %s in %s could not be resolved to a digest: %v", u.key, u.source, u.err)))
			}
			if cfg.Policy != nil && cfg.Policy.Spec.Provenance != nil && cfg.Policy.Spec.Provenance.RequireImageDigests {
				for _, r := range refs {
					if r.digest == "" {
						findings = append(findings, newFinding(ClassImageUnpinned, evidence.High, r.source, r.key, "", "",
							fmt.Sprintf("provenance: image %s in %s is a tag without a digest; the policy requires digests (%s@sha256:…)", r.key, r.source, r.key)))
					}
				}
			}
			data.Images = cur.Images
		}
	}

	if len(cfg.Signatures) > 0 {
		sigFindings, sigResults, err := verifySignatures(ctx, cfg, ignore)
		if err != nil {
			return nil, err
		}
		findings = append(findings, sigFindings...)
		data.Signatures = sigResults
	}

	rules := policy.DefaultRules(policy.CheckProvenance)
	if cfg.Policy != nil {
		rules = cfg.Policy.RulesFor(policy.CheckProvenance)
	}
	for i := range findings {
		findings[i].Blocking = policy.Matches(rules.Block, findings[i])
	}
	sortFindings(findings)
	rep := &evidence.Report{
		Schema:   evidence.SchemaURI,
		Inputs:   cfg.Inputs,
		Findings: findings,
		Verdict:  evidence.VerdictOf(findings),
	}
	rep.Sort()
	rep.Summary = summary(rep, data)
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	rep.Data = raw
	version := model.Version
	if version == "" {
		version = "unknown"
	}
	hint, err := json.Marshal(struct {
		URI    string `json:"uri"`
		Digest string `json:"digest"`
	}{artifactURI(cfg), m.Root})
	if err != nil {
		return nil, err
	}
	return &evidence.Outcome{Report: rep, Results: map[string]string{
		ResultArtifactDigest: m.Root,
		ResultModelVersion:   version,
		ResultChainsInput:    string(hint),
	}}, nil
}

// artifactURI is the Chains subject name: the flag, else the release name,
// else the artefact directory's base name.
func artifactURI(cfg Config) string {
	switch {
	case cfg.ArtifactURI != "":
		return cfg.ArtifactURI
	case cfg.Review != nil && cfg.Review.Metadata.Name != "":
		return cfg.Review.Metadata.Name
	}
	return filepath.Base(filepath.Clean(cfg.Artifact))
}

func orDefault(n int64) int64 {
	if n <= 0 {
		return artifact.DefaultShardSize
	}
	return n
}

// inside reports whether p lies inside dir, and its root-relative path.
func inside(dir, p string) (string, bool) {
	ad, err1 := filepath.Abs(dir)
	ap, err2 := filepath.Abs(p)
	if err1 != nil || err2 != nil {
		return "", false
	}
	rel, err := filepath.Rel(ad, ap)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

func verifySignatures(ctx context.Context, cfg Config, ignore []string) ([]evidence.Finding, []SignatureResult, error) {
	ids := cfg.Signers
	if len(ids) == 0 && cfg.Policy != nil {
		for _, id := range cfg.Policy.Spec.ModelSigners {
			if id.Keyless != nil && id.Keyless.TrustedRoot != "" && !filepath.IsAbs(id.Keyless.TrustedRoot) && cfg.PolicyDir != "" {
				k := *id.Keyless
				k.TrustedRoot = filepath.Join(cfg.PolicyDir, k.TrustedRoot)
				id.Keyless = &k
			}
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil, errors.New("--signature given but no trusted signer is configured: set spec.modelSigners in the policy, or pass --key, --certificate-chain or --certificate-identity with --certificate-oidc-issuer")
	}
	var cached *artifact.Manifest
	files := func(ctx context.Context) (*artifact.Manifest, error) {
		if cached != nil {
			return cached, nil
		}
		m, err := artifact.Hash(ctx, cfg.Artifact, append([]artifact.Option{artifact.WithIgnore(ignore...)}, cfg.HashOptions...)...)
		if err != nil {
			return nil, fmt.Errorf("hash artefact %s: %w", cfg.Artifact, err)
		}
		cached = m
		return m, nil
	}
	var findings []evidence.Finding
	var out []SignatureResult
	for _, p := range cfg.Signatures {
		b, err := safefile.Read(p, trust.MaxBundleSize)
		if err != nil {
			return nil, nil, fmt.Errorf("signature: %w", err)
		}
		name := p
		if rel, ok := inside(cfg.Artifact, p); ok {
			name = rel
		}
		sc := &signatureCheck{dir: cfg.Artifact, name: name, bundle: b, ignore: ignore, ids: ids, opts: cfg.TrustOptions, files: files, hashOpts: cfg.HashOptions}
		res, fs, err := sc.run(ctx)
		if err != nil {
			return nil, nil, err
		}
		findings = append(findings, fs...)
		out = append(out, res)
	}
	return findings, out, nil
}

func sortFindings(fs []evidence.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Path != fs[j].Path {
			return fs[i].Path < fs[j].Path
		}
		if fs[i].Class != fs[j].Class {
			return fs[i].Class < fs[j].Class
		}
		return fs[i].Subject < fs[j].Subject
	})
}

func summary(rep *evidence.Report, d Data) string {
	var blocking []evidence.Finding
	for _, f := range rep.Findings {
		if f.Blocking {
			blocking = append(blocking, f)
		}
	}
	verified := 0
	for _, s := range d.Signatures {
		if s.Verified {
			verified++
		}
	}
	sigs := ""
	if len(d.Signatures) > 0 {
		sigs = fmt.Sprintf(", %d/%d signatures verified", verified, len(d.Signatures))
	}
	if len(blocking) == 0 {
		what := "matches the review"
		if d.ReviewedRoot == "" {
			what = "checked without a review"
		}
		s := fmt.Sprintf("provenance: pass — %d files %s (%s)%s", d.Files, what, short(d.Root), sigs)
		if n := len(rep.Findings); n > 0 {
			s += fmt.Sprintf(", %d non-blocking findings", n)
		}
		return evidence.OneLine(s, evidence.MaxSummary)
	}
	f := blocking[0]
	s := fmt.Sprintf("provenance: fail — %d blocking findings%s; first: %s %s", len(blocking), sigs, f.Class, f.Path)
	if f.Old != "" || f.New != "" {
		s += " (" + short(f.Old) + " → " + short(f.New) + ")"
	}
	return evidence.OneLine(s, evidence.MaxSummary)
}
