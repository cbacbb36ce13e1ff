package provenance

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/conformance"
	"github.com/tollgate-dev/tollgate/pkg/artifact"
	"github.com/tollgate-dev/tollgate/pkg/policy"
)

// FuzzFindImages feeds arbitrary deploy manifests to the image finder: no
// panic, and every reference it returns is non-empty.
func FuzzFindImages(f *testing.F) {
	f.Add([]byte("spec:\n  containers:\n    - image: nginx:1.27@sha256:5760b81dff688b87693b03473bee12d35f407c32bf086ff8051246250b4cdce9\n---\nimage: [1]\n"))
	f.Add([]byte(`{"spec":{"initContainers":[{"image":"busybox"}]}}`))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		imgs, err := findImages(b)
		if err != nil {
			return
		}
		for _, ref := range imgs {
			if ref == "" {
				t.Fatal("empty image reference")
			}
			_, _, _ = splitRef(ref)
		}
	})
}

// FuzzSignature feeds arbitrary bundles to the signature check: no panic,
// and an error is only ever ErrUnsupported (everything else is a finding).
func FuzzSignature(f *testing.F) {
	dir := f.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.bin"), []byte("a"), 0o644); err != nil {
		f.Fatal(err)
	}
	m, err := artifact.Hash(context.Background(), dir)
	if err != nil {
		f.Fatal(err)
	}
	for _, d := range []string{"v1.1.0-elliptic-key", "v0.2.0-certificate"} {
		f.Add(conformance.ReadFile(f, "model-signing", d, "model.sig"))
	}
	f.Add([]byte(`{"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs="},"signature":"AAAA"}}`))
	f.Add([]byte(`{"dsseEnvelope":{"payload":"e30=","payloadType":"application/vnd.in-toto+json"}}`))
	ids := []policy.Identity{{Name: "k", PublicKey: "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEAAAA\n-----END PUBLIC KEY-----\n"}}
	f.Fuzz(func(t *testing.T, b []byte) {
		files := func(context.Context) (*artifact.Manifest, error) { return m, nil }
		sc := &signatureCheck{dir: dir, name: "b.sig", bundle: b, ids: ids, files: files}
		res, fs, err := sc.run(context.Background())
		if err != nil && !errors.Is(err, ErrUnsupported) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		if res.Verified && len(fs) > 0 {
			t.Fatalf("verified with findings: %+v", fs)
		}
	})
}
