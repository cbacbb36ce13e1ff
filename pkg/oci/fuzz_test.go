package oci

import (
	"strings"
	"testing"
)

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

// FuzzParseDockerConfig: a credentials file is decoded or refused, and a
// refusal never quotes a credential from it.
func FuzzParseDockerConfig(f *testing.F) {
	f.Add([]byte(`{"auths":{"registry.example":{"auth":"dXNlcjpzM2NyZXQ="}}}`))
	f.Add([]byte(`{"auths":{"https://index.docker.io/v1/":{"username":"u","password":"s3cret"}}}`))
	f.Add([]byte(`{"auths":{"":{}}}`))
	f.Add([]byte(`{"auths":{"r":{"auth":"s3cret"}}}`))
	f.Add([]byte(`{"auths":{"r":{"auth":"s3cret"`))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := ParseDockerConfig(b)
		if err != nil {
			if strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("error quotes a credential: %v", err)
			}
			return
		}
		if k == nil {
			t.Fatal("nil keychain without an error")
		}
	})
}
