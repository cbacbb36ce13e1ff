package taskbundle

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/tektoncd/pipeline/pkg/apis/config"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"github.com/tektoncd/pipeline/pkg/resolution/resolver/bundle"
	"knative.dev/pkg/apis"
	"sigs.k8s.io/yaml"

	"github.com/tollgate-dev/tollgate/internal/engines"
	"github.com/tollgate-dev/tollgate/internal/testregistry"
)

func shippedTasks(t *testing.T) []Object {
	t.Helper()
	files, err := filepath.Glob("../../tasks/tekton/*/0.1/tollgate-*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no shipped Tasks: %v", err)
	}
	var objs []Object
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		o, err := Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		objs = append(objs, o)
	}
	return objs
}

// TestResolvedByTekton pushes the shipped Tasks as one bundle to a real
// registry and resolves each with Tekton's own bundle resolver code (what
// the tekton-pipelines-resolvers deployment runs): the Task comes back
// byte for byte, with the bundle's digest as its source.
func TestResolvedByTekton(t *testing.T) {
	t.Parallel()
	objs := shippedTasks(t)
	ref := testregistry.Addr(t) + "/tollgate/tasks"
	d, err := Push(context.Background(), ref+":0.1", objs)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		res, err := bundle.GetEntry(context.Background(), authn.DefaultKeychain, bundle.RequestOptions{Bundle: d.String(), EntryName: o.Name, Kind: "task"})
		if err != nil {
			t.Fatalf("%s: %v", o.Name, err)
		}
		if !bytes.Equal(res.Data(), o.Data) {
			t.Fatalf("%s: resolved a different document", o.Name)
		}
		var task pipelinev1.Task
		if err := yaml.UnmarshalStrict(res.Data(), &task); err != nil || task.Name != o.Name {
			t.Fatalf("%s: resolved %q: %v", o.Name, task.Name, err)
		}
		if got := res.RefSource().Digest["sha256"]; "sha256:"+got != d.DigestStr() {
			t.Fatalf("%s: source digest %s, bundle %s", o.Name, got, d.DigestStr())
		}
	}
	// A name the bundle does not hold is not resolved (a Task of that
	// name in the namespace is never consulted).
	if _, err := bundle.GetEntry(context.Background(), authn.DefaultKeychain, bundle.RequestOptions{Bundle: d.String(), EntryName: "tollgate-evil", Kind: "task"}); err == nil {
		t.Fatal("resolved a Task the bundle does not hold")
	}
}

func TestImageDeterministic(t *testing.T) {
	t.Parallel()
	objs := shippedTasks(t)
	a, err := Image(objs)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Image(objs)
	if err != nil {
		t.Fatal(err)
	}
	da, _ := a.Digest()
	db, _ := b.Digest()
	if da != db {
		t.Fatalf("digests differ: %s %s", da, db)
	}
}

func TestRefused(t *testing.T) {
	t.Parallel()
	task := Object{APIVersion: "v1", Kind: "task", Name: "t", Data: []byte("x")}
	eleven := make([]Object, 11)
	for i := range eleven {
		eleven[i] = task
		eleven[i].Name = strings.Repeat("t", i+1)
	}
	for _, tc := range []struct {
		name string
		doc  string
		objs []Object
		err  string
	}{
		{name: "not tekton", doc: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", err: `apiVersion "v1" is not tekton.dev/<version>`},
		{name: "not a task", doc: "apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: x}\n", err: "a bundle holds Tasks and Pipelines"},
		{name: "no name", doc: "apiVersion: tekton.dev/v1\nkind: Task\n", err: "metadata.name is empty"},
		{name: "malformed", doc: "apiVersion: [", err: "parse"},
		{name: "too many", objs: eleven, err: "1 to 10 objects"},
		{name: "twice", objs: []Object{task, task}, err: "task/t twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var err error
			if tc.doc != "" {
				_, err = Parse([]byte(tc.doc))
			} else {
				_, err = Image(tc.objs)
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
		})
	}
}

// TestPinPipeline rewrites the example Pipeline to the bundles resolver
// and validates the result with Tekton's own validation, under
// enable-api-fields "beta" (Tekton v1.0's default, which remote resolution
// with params needs).
func TestPinPipeline(t *testing.T) {
	t.Parallel()
	objs := shippedTasks(t)
	src, err := os.ReadFile("../../examples/tekton/pipeline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d, err := name.NewDigest("registry.example/tollgate/tasks@sha256:" + strings.Repeat("a", 64))
	if err != nil {
		t.Fatal(err)
	}
	out, err := PinPipeline(src, d, objs)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := engines.Parse("pipeline.yaml", out)
	if err != nil {
		t.Fatal(err)
	}
	p := &pipelinev1.Pipeline{}
	if err := docs[0].Decode(p); err != nil {
		t.Fatal(err)
	}
	cfg := *config.FromContextOrDefaults(context.Background())
	cfg.FeatureFlags = cfg.FeatureFlags.DeepCopy()
	cfg.FeatureFlags.EnableAPIFields = config.BetaAPIFields
	ctx := apis.WithinCreate(config.ToContext(context.Background(), &cfg))
	p.SetDefaults(ctx)
	if fe := p.Validate(ctx); fe != nil {
		t.Fatalf("tekton validation: %v", fe)
	}
	for _, pt := range p.Spec.Tasks {
		if pt.TaskRef == nil || pt.TaskRef.Name != "" || pt.TaskRef.Resolver != "bundles" {
			t.Fatalf("task %s is not resolved from the bundle: %+v", pt.Name, pt.TaskRef)
		}
		if got := pt.TaskRef.Params[0].Value.StringVal; got != d.String() {
			t.Fatalf("task %s bundle %q", pt.Name, got)
		}
	}
	if _, err := PinPipeline(src, d, objs[:1]); err == nil || !strings.Contains(err.Error(), "the bundle holds no Task") {
		t.Fatalf("pinned to a bundle missing Tasks: %v", err)
	}
	if _, err := PinPipeline([]byte("kind: Pipeline\n"), d, objs); err == nil {
		t.Fatal("nothing to pin passed")
	}
}
