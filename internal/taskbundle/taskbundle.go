package taskbundle

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"sigs.k8s.io/yaml"
)

// Layer annotations Tekton's bundle resolver reads.
const (
	AnnotationAPIVersion = "dev.tekton.image.apiVersion"
	AnnotationKind       = "dev.tekton.image.kind"
	AnnotationName       = "dev.tekton.image.name"
)

// MaxObjects is the most objects Tekton accepts in one bundle.
const MaxObjects = 10

// MaxObjectSize bounds one object's YAML.
const MaxObjectSize = 1 << 20

// Object is one Tekton object of a bundle.
type Object struct {
	// APIVersion is the version without the group ("v1"), Kind the
	// lower-case singular kind ("task"), as the annotations carry them.
	APIVersion, Kind, Name string
	// Data is the object's YAML or JSON.
	Data []byte
}

// Parse reads a Tekton object (tekton.dev/v1 Task or Pipeline) from YAML.
func Parse(b []byte) (Object, error) {
	if len(b) > MaxObjectSize {
		return Object{}, fmt.Errorf("object is %d bytes, more than %d", len(b), MaxObjectSize)
	}
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(b, &head); err != nil {
		return Object{}, fmt.Errorf("parse: %w", err)
	}
	group, version, ok := strings.Cut(head.APIVersion, "/")
	if !ok || group != "tekton.dev" || version == "" {
		return Object{}, fmt.Errorf("apiVersion %q is not tekton.dev/<version>", head.APIVersion)
	}
	if head.Kind != "Task" && head.Kind != "Pipeline" {
		return Object{}, fmt.Errorf("kind %q: a bundle holds Tasks and Pipelines", head.Kind)
	}
	if head.Metadata.Name == "" {
		return Object{}, errors.New("metadata.name is empty")
	}
	return Object{APIVersion: version, Kind: strings.ToLower(head.Kind), Name: head.Metadata.Name, Data: b}, nil
}

// Image builds the bundle image of objs: deterministic (same objects, same
// digest).
func Image(objs []Object) (v1.Image, error) {
	if len(objs) == 0 || len(objs) > MaxObjects {
		return nil, fmt.Errorf("a bundle holds 1 to %d objects, got %d", MaxObjects, len(objs))
	}
	seen := map[string]bool{}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	for _, o := range objs {
		key := o.Kind + "/" + o.Name
		if seen[key] {
			return nil, fmt.Errorf("%s twice in one bundle", key)
		}
		seen[key] = true
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		if err := tw.WriteHeader(&tar.Header{Name: o.Name, Mode: 0o644, Size: int64(len(o.Data)), Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
			return nil, fmt.Errorf("bundle %s: %w", key, err)
		}
		if _, err := tw.Write(o.Data); err != nil {
			return nil, fmt.Errorf("bundle %s: %w", key, err)
		}
		if err := tw.Close(); err != nil {
			return nil, fmt.Errorf("bundle %s: %w", key, err)
		}
		b := buf.Bytes()
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil },
			tarball.WithMediaType(types.OCILayer))
		if err != nil {
			return nil, fmt.Errorf("bundle %s: %w", key, err)
		}
		img, err = mutate.Append(img, mutate.Addendum{Layer: l, MediaType: types.OCILayer, Annotations: map[string]string{
			AnnotationAPIVersion: o.APIVersion, AnnotationKind: o.Kind, AnnotationName: o.Name,
		}})
		if err != nil {
			return nil, fmt.Errorf("bundle %s: %w", key, err)
		}
	}
	return img, nil
}

// Push builds the bundle of objs and pushes it to ref (a tag or a bare
// repository), returning the digest reference a Pipeline should name.
func Push(ctx context.Context, ref string, objs []Object, opts ...remote.Option) (name.Digest, error) {
	img, err := Image(objs)
	if err != nil {
		return name.Digest{}, err
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		return name.Digest{}, fmt.Errorf("bundle reference %q: %w", ref, err)
	}
	if err := remote.Write(r, img, append([]remote.Option{remote.WithContext(ctx)}, opts...)...); err != nil {
		return name.Digest{}, fmt.Errorf("push bundle %s: %w", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		return name.Digest{}, err
	}
	return r.Context().Digest(d.String()), nil
}

// taskRefByName matches a taskRef naming a Task in the namespace.
var taskRefByName = regexp.MustCompile(`(?m)^( +)taskRef:\n( +)name: (tollgate-[a-z-]+)\n`)

// PinPipeline rewrites every `taskRef: {name: tollgate-…}` of a Pipeline
// into a bundles-resolver reference to the same Task in bundle (a digest
// reference), so that a Task of that name in the namespace is never used.
// It fails when a referenced Task is not in the bundle or nothing was
// rewritten.
func PinPipeline(pipeline []byte, bundle name.Digest, objs []Object) ([]byte, error) {
	held := map[string]bool{}
	for _, o := range objs {
		if o.Kind == "task" {
			held[o.Name] = true
		}
	}
	var missing []string
	n := 0
	out := taskRefByName.ReplaceAllFunc(pipeline, func(m []byte) []byte {
		g := taskRefByName.FindSubmatch(m)
		ind, sub, task := string(g[1]), string(g[2]), string(g[3])
		if !held[task] {
			missing = append(missing, task)
		}
		n++
		return []byte(ind + "taskRef:\n" + sub + "resolver: bundles\n" + sub + "params:\n" +
			sub + "  - name: bundle\n" + sub + "    value: " + bundle.String() + "\n" +
			sub + "  - name: name\n" + sub + "    value: " + task + "\n" +
			sub + "  - name: kind\n" + sub + "    value: task\n")
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("the bundle holds no Task %s", strings.Join(missing, ", "))
	}
	if n == 0 {
		return nil, errors.New("no taskRef by name to pin")
	}
	return out, nil
}
