package oci

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Media types and annotations of attached bundles.
const (
	BundleMediaType         = "application/vnd.dev.sigstore.bundle.v0.3+json"
	EmptyMediaType          = "application/vnd.oci.empty.v1+json"
	PredicateTypeAnnotation = "dev.sigstore.bundle.predicateType"
	ContentAnnotation       = "dev.sigstore.bundle.content"
)

// Limits on what Fetch reads from a registry.
const (
	MaxBundleSize   = 8 << 20 // trust.MaxBundleSize, the one bundle limit (a test keeps them equal)
	MaxManifestSize = 1 << 20
	MaxReferrers    = 128
)

type options struct {
	remote []remote.Option
	name   []name.Option
}

// Option configures Attach and Fetch.
type Option func(*options)

// WithRemoteOptions passes options to go-containerregistry (auth,
// transport). By default the Docker config keychain is used.
func WithRemoteOptions(o ...remote.Option) Option {
	return func(opts *options) { opts.remote = append(opts.remote, o...) }
}

func newOptions(ctx context.Context, opts []Option) []remote.Option {
	return collect(opts).remoteOptions(ctx)
}

func collect(opts []Option) options {
	o := options{}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

func (o options) remoteOptions(ctx context.Context) []remote.Option {
	return append([]remote.Option{remote.WithContext(ctx), remote.WithReferrersTagFallback(true), remote.WithAuthFromKeychain(authn.DefaultKeychain)}, o.remote...)
}

// Resolve returns the digest reference of ref (a tag is resolved with a
// HEAD request).
func Resolve(ctx context.Context, ref string, opts ...Option) (name.Digest, *v1.Descriptor, error) {
	nopts := collect(opts).name
	r, err := name.ParseReference(ref, append([]name.Option{name.StrictValidation}, nopts...)...)
	if err != nil {
		r, err = name.ParseReference(ref, nopts...)
	}
	if err != nil {
		return name.Digest{}, nil, fmt.Errorf("oci: reference %q: %w", ref, err)
	}
	desc, err := remote.Head(r, newOptions(ctx, opts)...)
	if err != nil {
		return name.Digest{}, nil, fmt.Errorf("oci: resolve %s: %w", ref, err)
	}
	if d, ok := r.(name.Digest); ok && d.DigestStr() != desc.Digest.String() {
		return name.Digest{}, nil, fmt.Errorf("oci: %s resolved to %s", ref, desc.Digest)
	}
	return r.Context().Digest(desc.Digest.String()), desc, nil
}

type rawManifest struct {
	b  []byte
	mt types.MediaType
}

func (r rawManifest) RawManifest() ([]byte, error)        { return r.b, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return r.mt, nil }

type manifest struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     types.MediaType   `json:"mediaType"`
	ArtifactType  string            `json:"artifactType"`
	Config        v1.Descriptor     `json:"config"`
	Layers        []v1.Descriptor   `json:"layers"`
	Subject       *v1.Descriptor    `json:"subject,omitempty"`
	Annotations   map[string]string `json:"annotations,omitempty"`
}

// Attach pushes bundle as a referrer of the artefact at ref and returns
// the digest reference of the referrer manifest.
func Attach(ctx context.Context, ref string, bundle []byte, predicateType string, opts ...Option) (name.Digest, error) {
	subject, desc, err := Resolve(ctx, ref, opts...)
	if err != nil {
		return name.Digest{}, err
	}
	ro := newOptions(ctx, opts)
	repo := subject.Context()
	cfg := static.NewLayer([]byte("{}"), EmptyMediaType)
	layer := static.NewLayer(bundle, BundleMediaType)
	var descs []v1.Descriptor
	for _, l := range []v1.Layer{cfg, layer} {
		if err := remote.WriteLayer(repo, l, ro...); err != nil {
			return name.Digest{}, fmt.Errorf("oci: upload to %s: %w", repo, err)
		}
		d, _ := l.Digest()
		sz, _ := l.Size()
		mt, _ := l.MediaType()
		descs = append(descs, v1.Descriptor{MediaType: mt, Digest: d, Size: sz})
	}
	m := manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		ArtifactType:  BundleMediaType,
		Config:        descs[0],
		Layers:        descs[1:],
		Subject:       &v1.Descriptor{MediaType: desc.MediaType, Digest: desc.Digest, Size: desc.Size},
		Annotations:   map[string]string{ContentAnnotation: "dsse-envelope", PredicateTypeAnnotation: predicateType},
	}
	b, err := json.Marshal(m)
	if err != nil {
		return name.Digest{}, fmt.Errorf("oci: encode manifest: %w", err)
	}
	h, _, err := v1.SHA256(bytes.NewReader(b))
	if err != nil {
		return name.Digest{}, err
	}
	dst := repo.Digest(h.String())
	if err := remote.Put(dst, rawManifest{b, types.OCIManifestSchema1}, ro...); err != nil {
		return name.Digest{}, fmt.Errorf("oci: push referrer of %s: %w", subject, err)
	}
	return dst, nil
}

// Fetch returns the bundles attached to ref whose predicate type
// annotation is predicateType, sorted by referrer manifest digest. No
// referrers is not an error: the caller decides what none means. A
// referrer that cannot be read is an error; FetchReferrers skips it
// instead.
func Fetch(ctx context.Context, ref, predicateType string, opts ...Option) ([][]byte, error) {
	rs, err := FetchReferrers(ctx, ref, predicateType, opts...)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(rs))
	for _, r := range rs {
		if r.Err != nil {
			return nil, r.Err
		}
		out = append(out, r.Bundle)
	}
	return out, nil
}

// Referrer is one referrer of the predicate type: its manifest digest and
// either the bundle it holds or why it could not be read.
type Referrer struct {
	Digest string
	Bundle []byte
	Err    error
}

// FetchReferrers is Fetch for a caller that must not let one unreadable
// referrer hide the others (anyone with push access can attach one): each
// referrer comes back with its bundle or its error, sorted by manifest
// digest. Listing the referrers, or the context ending, is still an error.
func FetchReferrers(ctx context.Context, ref, predicateType string, opts ...Option) ([]Referrer, error) {
	subject, _, err := Resolve(ctx, ref, opts...)
	if err != nil {
		return nil, err
	}
	ro := newOptions(ctx, opts)
	idx, err := remote.Referrers(subject, ro...)
	if err != nil {
		return nil, fmt.Errorf("oci: list referrers of %s: %w", subject, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("oci: referrers of %s: %w", subject, err)
	}
	var descs []v1.Descriptor
	for _, d := range im.Manifests {
		// A registry reports the manifest's artifactType, or (as older
		// implementations of the referrers API do, go-containerregistry's
		// among them) its config media type, the empty descriptor here.
		// Either way fetchBundle accepts only a manifest holding one
		// bundle layer.
		bundleType := d.ArtifactType == BundleMediaType || d.ArtifactType == string(EmptyMediaType)
		if bundleType && d.Annotations[PredicateTypeAnnotation] == predicateType {
			descs = append(descs, d)
		}
	}
	if len(descs) > MaxReferrers {
		return nil, fmt.Errorf("oci: %s has %d %s referrers, more than %d", subject, len(descs), predicateType, MaxReferrers)
	}
	sort.Slice(descs, func(i, j int) bool { return descs[i].Digest.String() < descs[j].Digest.String() })
	out := make([]Referrer, 0, len(descs))
	for _, d := range descs {
		b, err := fetchBundle(subject.Context(), d, ro)
		if cerr := ctx.Err(); cerr != nil {
			return nil, fmt.Errorf("oci: referrers of %s: %w", subject, cerr)
		}
		out = append(out, Referrer{Digest: d.Digest.String(), Bundle: b, Err: err})
	}
	return out, nil
}

func fetchBundle(repo name.Repository, d v1.Descriptor, ro []remote.Option) ([]byte, error) {
	if d.Size > MaxManifestSize {
		return nil, fmt.Errorf("oci: referrer %s is %d bytes, larger than %d", d.Digest, d.Size, MaxManifestSize)
	}
	got, err := remote.Get(repo.Digest(d.Digest.String()), ro...)
	if err != nil {
		return nil, fmt.Errorf("oci: fetch referrer %s: %w", d.Digest, err)
	}
	if h, _, _ := v1.SHA256(bytes.NewReader(got.Manifest)); h != d.Digest {
		return nil, fmt.Errorf("oci: referrer %s: manifest digest mismatch", d.Digest)
	}
	l, err := bundleLayer(got.Manifest)
	if err != nil {
		return nil, fmt.Errorf("oci: referrer %s: %w", d.Digest, err)
	}
	layer, err := remote.Layer(repo.Digest(l.Digest.String()), ro...)
	if err != nil {
		return nil, fmt.Errorf("oci: fetch bundle %s: %w", l.Digest, err)
	}
	rc, err := layer.Compressed()
	if err != nil {
		return nil, fmt.Errorf("oci: fetch bundle %s: %w", l.Digest, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, MaxBundleSize+1))
	if err != nil {
		return nil, fmt.Errorf("oci: read bundle %s: %w", l.Digest, err)
	}
	if h, _, _ := v1.SHA256(bytes.NewReader(b)); h != l.Digest {
		return nil, errors.New("oci: bundle " + l.Digest.String() + ": digest mismatch")
	}
	return b, nil
}

// bundleLayer decodes a referrer manifest and returns its one bundle layer.
func bundleLayer(b []byte) (v1.Descriptor, error) {
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return v1.Descriptor{}, fmt.Errorf("decode manifest: %w", err)
	}
	if len(m.Layers) != 1 || m.Layers[0].MediaType != BundleMediaType {
		return v1.Descriptor{}, fmt.Errorf("manifest does not hold exactly one %s layer", BundleMediaType)
	}
	l := m.Layers[0]
	if l.Size > MaxBundleSize || l.Size < 0 {
		return v1.Descriptor{}, fmt.Errorf("bundle layer is %d bytes, outside 0..%d", l.Size, MaxBundleSize)
	}
	return l, nil
}
