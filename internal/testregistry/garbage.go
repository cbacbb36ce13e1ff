package testregistry

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// rawManifest is a manifest pushed byte for byte.
type rawManifest struct {
	b  []byte
	mt types.MediaType
}

func (r rawManifest) RawManifest() ([]byte, error)        { return r.b, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return r.mt, nil }

// AttachGarbage attaches to ref a referrer that claims to be a Sigstore
// bundle of predicateType (artifactType and annotations as tollgate and
// cosign write them) but cannot be read as one: its manifest holds two
// layers, the second of another media type. Anyone with push access can
// attach such a thing; readers must skip it, not stop. It returns the
// referrer's manifest digest.
func AttachGarbage(t testing.TB, ref, predicateType string) string {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(r)
	if err != nil {
		t.Fatal(err)
	}
	const bundleType = "application/vnd.dev.sigstore.bundle.v0.3+json"
	var layers []v1.Descriptor
	for _, l := range []v1.Layer{
		static.NewLayer([]byte("{}"), "application/vnd.oci.empty.v1+json"),
		static.NewLayer([]byte("not a bundle"), bundleType),
		static.NewLayer([]byte("\x00\x01garbage"), "application/octet-stream"),
	} {
		if err := remote.WriteLayer(r.Context(), l); err != nil {
			t.Fatal(err)
		}
		d, _ := l.Digest()
		sz, _ := l.Size()
		mt, _ := l.MediaType()
		layers = append(layers, v1.Descriptor{MediaType: mt, Digest: d, Size: sz})
	}
	m := map[string]any{
		"schemaVersion": 2,
		"mediaType":     types.OCIManifestSchema1,
		"artifactType":  bundleType,
		"config":        layers[0],
		"layers":        layers[1:],
		"subject":       v1.Descriptor{MediaType: desc.MediaType, Digest: desc.Digest, Size: desc.Size},
		"annotations":   map[string]string{"dev.sigstore.bundle.predicateType": predicateType, "dev.sigstore.bundle.content": "dsse-envelope"},
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	h, _, err := v1.SHA256(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Put(r.Context().Digest(h.String()), rawManifest{b, types.OCIManifestSchema1}); err != nil {
		t.Fatal(err)
	}
	return h.String()
}
