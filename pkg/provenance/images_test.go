package provenance_test

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/tollgate-dev/tollgate/internal/testregistry"
	"github.com/tollgate-dev/tollgate/pkg/evidence"
	"github.com/tollgate-dev/tollgate/pkg/policy"
	"github.com/tollgate-dev/tollgate/pkg/provenance"
)

// push writes a random image to ref and returns its digest.
func push(t *testing.T, ref string) string {
	t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// A tag is resolved in the registry at review and at check time; a tag
// moved to another image since review is a blocking finding with both
// digests.
func TestImageRetaggedInRegistry(t *testing.T) {
	t.Parallel()
	ref := testregistry.Addr(t) + "/agents/retag:1.0"
	first := push(t, ref)
	dir := release(t, ref)
	rv := snapshotReview(t, dir, provenance.Registry{})
	if got := rv.Spec.Provenance.Images[0]; got.Ref != ref || got.Digest != first {
		t.Fatalf("snapshot image %+v, want %s %s", got, ref, first)
	}
	if rep := run(t, provenance.Config{Artifact: dir, Review: rv}); rep.Verdict != evidence.Pass {
		t.Fatalf("unchanged: %s %+v", rep.Verdict, rep.Findings)
	}
	second := push(t, ref)
	rep := run(t, provenance.Config{Artifact: dir, Review: rv})
	f := find(rep, provenance.ClassImageChanged, "deploy/deployment.yaml")
	if rep.Verdict != evidence.Fail || f == nil || f.Old != first || f.New != second || f.Subject != ref {
		t.Fatalf("retag: %s %+v", rep.Verdict, rep.Findings)
	}
}

type failing struct{}

func (failing) Resolve(context.Context, string) (string, error) {
	return "", errors.New("registry unreachable")
}

// A tag that cannot be resolved blocks (fail closed), at review it is an
// error, and a digest-pinned reference needs no registry.
func TestImageUnresolvedFailsClosed(t *testing.T) {
	t.Parallel()
	ref := testregistry.Addr(t) + "/agents/gone:1.0"
	push(t, ref)
	dir := release(t, ref)
	rv := snapshotReview(t, dir, provenance.Registry{})
	rep := run(t, provenance.Config{Artifact: dir, Review: rv, Resolver: failing{}})
	f := find(rep, provenance.ClassImageUnresolved, "deploy/deployment.yaml")
	if rep.Verdict != evidence.Fail || f == nil || !f.Blocking || !strings.Contains(f.Message, "registry unreachable") {
		t.Fatalf("unresolved: %s %+v", rep.Verdict, rep.Findings)
	}
	missing := testregistry.Addr(t) + "/agents/never-pushed:1.0"
	if _, err := provenance.Snapshot(context.Background(), release(t, missing), mustHash(t, release(t, missing)), provenance.Registry{}); err == nil {
		t.Fatal("review of an unresolvable tag succeeded")
	}
	pinnedDir := release(t, pinned)
	rv = snapshotReview(t, pinnedDir, failing{})
	if rep := run(t, provenance.Config{Artifact: pinnedDir, Review: rv, Resolver: failing{}}); rep.Verdict != evidence.Pass {
		t.Fatalf("pinned image needed a registry: %+v", rep.Findings)
	}
}

// A registry that accepts connections and never answers (the candidate
// names the host) leaves the image unresolved within the deadline, which
// blocks; it never hangs the check.
func TestImageRegistryBlackHole(t *testing.T) {
	t.Parallel()
	ref := testregistry.Addr(t) + "/agents/blackhole:1.0"
	push(t, ref)
	dir := release(t, ref)
	rv := snapshotReview(t, dir, provenance.Registry{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	// the same image name, now on the black-hole host
	hole := strings.Replace(ref, testregistry.Addr(t), l.Addr().String(), 1)
	start := time.Now()
	d, err := provenance.Registry{Timeout: time.Second}.Resolve(context.Background(), hole)
	if took := time.Since(start); err == nil || took > 15*time.Second || !strings.Contains(err.Error(), "did not answer within 1s") {
		t.Fatalf("Resolve(%s) = %q, %v after %s; want a deadline error within seconds", hole, d, err, took)
	}
	rep := run(t, provenance.Config{Artifact: dir, Review: rv, Resolver: blackHole{l.Addr().String(), testregistry.Addr(t)}})
	if f := find(rep, provenance.ClassImageUnresolved, "deploy/deployment.yaml"); rep.Verdict != evidence.Fail || f == nil || !f.Blocking {
		t.Fatalf("black hole: %s %+v", rep.Verdict, rep.Findings)
	}
}

// blackHole resolves every reference on the black-hole host instead of
// the test registry, with a one-second deadline.
type blackHole struct{ hole, reg string }

func (b blackHole) Resolve(ctx context.Context, ref string) (string, error) {
	return provenance.Registry{Timeout: time.Second}.Resolve(ctx, strings.Replace(ref, b.reg, b.hole, 1))
}

// Images are found by Kubernetes kind wherever the manifest sits (here a
// CronJob's initContainer and a Tekton Task's step under app/, and
// Helm-rendered multi-document output under charts/out/), not only in
// deploy directories: a tag moved after review blocks, and with
// spec.provenance.requireImageDigests a tag without digest blocks.
func TestImagesByKindAnywhere(t *testing.T) {
	t.Parallel()
	reg := testregistry.Addr(t)
	cron, step, helm, agent, mcp := reg+"/agents/cron:1.0", reg+"/agents/step:1.0", reg+"/agents/helm:1.0", reg+"/agents/agent:1.0", reg+"/mcp/github:1.0"
	first := push(t, cron)
	push(t, step)
	push(t, helm)
	push(t, agent)
	mcpFirst := push(t, mcp)
	dir := release(t, pinned)
	write(t, filepath.Join(dir, "app/cron.yaml"), "apiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          initContainers:\n          - name: init\n            image: "+cron+"\n")
	write(t, filepath.Join(dir, "app/task.json"), `{"apiVersion":"tekton.dev/v1","kind":"Task","spec":{"steps":[{"name":"s","image":"`+step+`"}]}}`)
	write(t, filepath.Join(dir, "charts/out/rendered.yaml"), "---\n# Source: agent/templates/sa.yaml\napiVersion: v1\nkind: ServiceAccount\n---\napiVersion: apps/v1\nkind: StatefulSet\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: "+helm+"\n")
	// a manifest pinned as agent configuration by its name is still a manifest
	write(t, filepath.Join(dir, "deploy/agent.yaml"), "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: "+agent+"\n")
	// an MCP server the client starts with "docker run IMAGE"
	write(t, filepath.Join(dir, ".vscode/mcp.json"), `{"servers":{"github":{"command":"docker","args":["run","-i","--rm","-e","GITHUB_TOKEN","`+mcp+`"]}}}`)
	// an "image" key in something that is not a Kubernetes workload is not an image
	write(t, filepath.Join(dir, "app/settings.json"), `{"image":"not/an:image reference"}`)
	rv := snapshotReview(t, dir, provenance.Registry{})
	var got []string
	for _, im := range rv.Spec.Provenance.Images {
		got = append(got, im.Ref)
	}
	for _, want := range []string{cron, step, helm, agent, mcp} {
		if !strings.Contains(strings.Join(got, " "), want) {
			t.Errorf("review pinned %v, not %s", got, want)
		}
	}
	if rep := run(t, provenance.Config{Artifact: dir, Review: rv}); rep.Verdict != evidence.Pass {
		t.Fatalf("unchanged: %s %+v", rep.Verdict, rep.Findings)
	}
	second := push(t, cron)
	rep := run(t, provenance.Config{Artifact: dir, Review: rv})
	if f := find(rep, provenance.ClassImageChanged, "app/cron.yaml"); rep.Verdict != evidence.Fail || f == nil || f.Old != first || f.New != second {
		t.Fatalf("retagged CronJob image: %s %+v", rep.Verdict, rep.Findings)
	}
	mcpSecond := push(t, mcp)
	rep = run(t, provenance.Config{Artifact: dir, Review: rv})
	if f := find(rep, provenance.ClassImageChanged, ".vscode/mcp.json"); rep.Verdict != evidence.Fail || f == nil || f.Old != mcpFirst || f.New != mcpSecond {
		t.Fatalf("retagged MCP server image: %s %+v", rep.Verdict, rep.Findings)
	}
	rv = snapshotReview(t, dir, provenance.Registry{})
	pol := &policy.ReleasePolicy{Spec: policy.Spec{Provenance: &policy.ProvenanceSettings{RequireImageDigests: true}}}
	rep = run(t, provenance.Config{Artifact: dir, Review: rv, Policy: pol})
	if f := find(rep, provenance.ClassImageUnpinned, "app/task.json"); rep.Verdict != evidence.Fail || f == nil || !f.Blocking {
		t.Fatalf("tag without digest under requireImageDigests: %s %+v", rep.Verdict, rep.Findings)
	}
}
