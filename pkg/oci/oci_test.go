package oci_test

import (
	"context"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/tollgate-dev/tollgate/internal/testregistry"
	"github.com/tollgate-dev/tollgate/pkg/oci"
	"github.com/tollgate-dev/tollgate/pkg/trust"
)

func TestAttachFetch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	reg := testregistry.Addr(t)
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	tag := reg + "/agents/support:1.0"
	ref, err := name.ParseReference(tag)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()

	const gate, vsa = "https://tollgate.dev/release-gate/v1", "https://slsa.dev/verification_summary/v1"
	if _, err := oci.Attach(ctx, tag, []byte(`{"gate":1}`), gate); err != nil {
		t.Fatal(err)
	}
	if _, err := oci.Attach(ctx, tag, []byte(`{"gate":2}`), gate); err != nil {
		t.Fatal(err)
	}
	if _, err := oci.Attach(ctx, ref.Context().Digest(d.String()).String(), []byte(`{"vsa":1}`), vsa); err != nil {
		t.Fatal(err)
	}

	got, err := oci.Fetch(ctx, tag, gate)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !strings.Contains(string(got[0])+string(got[1]), `{"gate":1}`) || !strings.Contains(string(got[0])+string(got[1]), `{"gate":2}`) {
		t.Fatalf("release-gate bundles: %q", got)
	}
	got, err = oci.Fetch(ctx, tag, vsa)
	if err != nil || len(got) != 1 || string(got[0]) != `{"vsa":1}` {
		t.Fatalf("VSA bundles: %q, %v", got, err)
	}
	got, err = oci.Fetch(ctx, tag, "https://example.com/other")
	if err != nil || len(got) != 0 {
		t.Fatalf("other type: %q, %v", got, err)
	}

	// docker-registry 2.8 has no referrers API: the index lives at the
	// referrers fallback tag sha256-<hex>, where cosign looks too.
	fallback := ref.Context().Tag("sha256-" + d.Hex)
	idx, err := remote.Index(fallback)
	if err != nil {
		t.Fatalf("fallback tag %s: %v", fallback, err)
	}
	im, _ := idx.IndexManifest()
	if len(im.Manifests) != 3 {
		t.Fatalf("fallback index lists %d referrers, want 3", len(im.Manifests))
	}
}

// TestOneBundleLimit: a bundle the registry hands out is bounded exactly as
// trust.Verify bounds every bundle.
func TestOneBundleLimit(t *testing.T) {
	t.Parallel()
	if oci.MaxBundleSize != trust.MaxBundleSize {
		t.Fatalf("oci.MaxBundleSize %d != trust.MaxBundleSize %d", oci.MaxBundleSize, trust.MaxBundleSize)
	}
}

func TestFetchErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	reg := testregistry.Addr(t)
	for _, tc := range []struct{ ref, want string }{
		{reg + "/nothing/here:latest", "resolve"},
		{"UPPER/case::bad", "reference"},
	} {
		if _, err := oci.Fetch(ctx, tc.ref, "x"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Fetch(%s) = %v, want error containing %q", tc.ref, err, tc.want)
		}
	}
}

// TestAttachFetchInMemory runs Attach and Fetch against
// go-containerregistry's in-memory registry, with the OCI referrers API
// and without it (then the bundles go under the sha256-<hex> fallback tag,
// as on docker-registry). The Debian docker-registry test above stays: it
// is the real server.
func TestAttachFetchInMemory(t *testing.T) {
	t.Parallel()
	for _, referrers := range []bool{true, false} {
		t.Run(map[bool]string{true: "referrers API", false: "fallback tag"}[referrers], func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(registry.New(registry.WithReferrersSupport(referrers), registry.Logger(log.New(io.Discard, "", 0))))
			t.Cleanup(srv.Close)
			reg := strings.TrimPrefix(srv.URL, "http://")
			ctx := context.Background()
			img, err := random.Image(64, 1)
			if err != nil {
				t.Fatal(err)
			}
			tag := reg + "/agents/support:1.0"
			ref, err := name.ParseReference(tag)
			if err != nil {
				t.Fatal(err)
			}
			if err := remote.Write(ref, img); err != nil {
				t.Fatal(err)
			}
			const gate = "https://tollgate.dev/release-gate/v1"
			for _, b := range []string{`{"gate":1}`, `{"gate":2}`} {
				if _, err := oci.Attach(ctx, tag, []byte(b), gate); err != nil {
					t.Fatal(err)
				}
			}
			got, err := oci.Fetch(ctx, tag, gate)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Fatalf("fetched %d bundles, want 2: %q", len(got), got)
			}
			d, _ := img.Digest()
			_, ferr := remote.Index(ref.Context().Tag("sha256-" + d.Hex))
			if referrers && ferr == nil {
				t.Error("a registry with the referrers API got the fallback tag too")
			}
			if !referrers && ferr != nil {
				t.Errorf("no fallback tag without the referrers API: %v", ferr)
			}
		})
	}
}

// TestFetchReferrersSkipsGarbage attaches, in the real registry, a valid
// bundle and a referrer that cannot be read as one: FetchReferrers returns
// both, the garbage with its error and digest, so a reader can verify the
// valid one; Fetch (strict) refuses.
func TestFetchReferrersSkipsGarbage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	reg := testregistry.Addr(t)
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	tag := reg + "/agents/garbage:1.0"
	ref, err := name.ParseReference(tag)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	const gate = "https://tollgate.dev/release-gate/v1"
	if _, err := oci.Attach(ctx, tag, []byte(`{"gate":1}`), gate); err != nil {
		t.Fatal(err)
	}
	bad := testregistry.AttachGarbage(t, tag, gate)
	rs, err := oci.FetchReferrers(ctx, tag, gate)
	if err != nil {
		t.Fatal(err)
	}
	var good, skipped int
	for _, r := range rs {
		switch {
		case r.Err == nil && string(r.Bundle) == `{"gate":1}`:
			good++
		case r.Err != nil && r.Digest == bad && strings.Contains(r.Err.Error(), bad):
			skipped++
		default:
			t.Errorf("unexpected referrer %s: %q, %v", r.Digest, r.Bundle, r.Err)
		}
	}
	if good != 1 || skipped != 1 {
		t.Fatalf("good %d, skipped %d, want 1 and 1: %+v", good, skipped, rs)
	}
	if _, err := oci.Fetch(ctx, tag, gate); err == nil || !strings.Contains(err.Error(), "exactly one") {
		t.Fatalf("Fetch with a garbage referrer: %v, want an error", err)
	}
}
