package oci

import "testing"

// FuzzBundleLayer: a referrer manifest from a registry is accepted only
// with exactly one bundle layer of a bounded size.
func FuzzBundleLayer(f *testing.F) {
	f.Add([]byte(`{"schemaVersion":2,"layers":[{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","size":10,"digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000"}]}`))
	f.Add([]byte(`{"layers":[{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","size":-1}]}`))
	f.Add([]byte(`{"layers":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := bundleLayer(b)
		if err != nil {
			return
		}
		if l.MediaType != BundleMediaType || l.Size < 0 || l.Size > MaxBundleSize {
			t.Fatalf("accepted layer %+v", l)
		}
	})
}
