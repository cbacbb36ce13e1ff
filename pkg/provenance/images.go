package provenance

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/tollgate-dev/tollgate/pkg/digest"
	"github.com/tollgate-dev/tollgate/pkg/safefile"
)

// maxManifestSize bounds a deploy manifest read for image references.
const maxManifestSize = 8 << 20

// Resolver resolves an image reference with a tag to its manifest digest.
type Resolver interface {
	Resolve(ctx context.Context, ref string) (string, error)
}

// Registry resolves tags in the registry with go-containerregistry, using
// the default keychain (docker config, credential helpers). Loopback
// registries are reached over plain HTTP, as go-containerregistry does.
// Every resolution has a deadline (Timeout) and every request deadlines on
// its dial, TLS handshake and response headers: the candidate names the
// registry, and one that never answers must not hang the check.
type Registry struct {
	// Timeout bounds one resolution; zero means DefaultResolveTimeout.
	Timeout time.Duration
}

// DefaultResolveTimeout bounds one tag resolution.
const DefaultResolveTimeout = 30 * time.Second

// Resolve implements Resolver.
func (g Registry) Resolve(ctx context.Context, ref string) (string, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return "", fmt.Errorf("image %s: %w", ref, err)
	}
	timeout := g.Timeout
	if timeout <= 0 {
		timeout = DefaultResolveTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: timeout}).DialContext
	tr.TLSHandshakeTimeout, tr.ResponseHeaderTimeout = timeout, timeout
	d, err := remote.Head(r, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain), remote.WithTransport(tr))
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "", fmt.Errorf("resolve image %s: the registry did not answer within %s", ref, timeout)
	}
	if err != nil {
		return "", fmt.Errorf("resolve image %s: %w", ref, err)
	}
	return d.Digest.String(), nil
}

// imageRef is one image reference found in a manifest.
type imageRef struct {
	key    string // the reference without digest ("repo:tag")
	digest string // the digest the reference pins, or ""
	source string
}

// splitRef splits "repo:tag@sha256:…" into "repo:tag" and the digest, and
// checks that the reference parses.
func splitRef(ref string) (key, pinned string, err error) {
	key, pinned, _ = strings.Cut(ref, "@")
	if _, err := name.ParseReference(ref); err != nil {
		return "", "", fmt.Errorf("image reference %q: %w", ref, err)
	}
	if pinned != "" {
		if _, err := digest.ParseSHA256(pinned); err != nil {
			return "", "", fmt.Errorf("image reference %q: %w", ref, err)
		}
	}
	return key, pinned, nil
}

// findImages returns the values of every "image" key (a string) in the
// YAML or JSON documents of b, in document order.
func findImages(b []byte) ([]string, error) {
	if len(b) > maxManifestSize {
		return nil, fmt.Errorf("manifest is larger than %d bytes", maxManifestSize)
	}
	var out []string
	r := k8syaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var v any
		if err := yaml.Unmarshal(doc, &v); err != nil {
			return nil, err
		}
		collectImages(v, &out, 0)
	}
	return out, nil
}

func collectImages(v any, out *[]string, depth int) {
	if depth > 100 {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if s, ok := t[k].(string); ok && k == "image" && s != "" {
				*out = append(*out, s)
				continue
			}
			collectImages(t[k], out, depth+1)
		}
	case []any:
		for _, e := range t {
			collectImages(e, out, depth+1)
		}
	}
}

// WorkloadKinds are the Kubernetes kinds whose images provenance pins
// wherever the manifest sits: pods and their controllers, Tekton and Argo
// specs. Every "image" key in such an object counts (containers,
// initContainers, ephemeralContainers, sidecars, steps, templates).
var WorkloadKinds = map[string]bool{
	"Pod": true, "Deployment": true, "StatefulSet": true, "DaemonSet": true, "ReplicaSet": true,
	"ReplicationController": true, "Job": true, "CronJob": true, "PodTemplate": true,
	"Task": true, "ClusterTask": true, "Pipeline": true, "TaskRun": true, "PipelineRun": true, "StepAction": true,
	"Workflow": true, "WorkflowTemplate": true, "ClusterWorkflowTemplate": true, "CronWorkflow": true,
	"Rollout": true, "Service": true, // Argo Rollouts; Knative serving (a core Service names no image)
}

// workloadImages returns the images of the Kubernetes workload objects
// (WorkloadKinds, with apiVersion) in a YAML or JSON file outside the
// deploy directories. Files that do not mention both apiVersion and kind
// in their first 64 KiB are skipped unread; one that does and is larger
// than the manifest bound is refused, never skipped.
func workloadImages(path, name string) ([]string, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
	default:
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	head = head[:n]
	if !bytes.Contains(head, []byte("apiVersion")) || !bytes.Contains(head, []byte("kind")) {
		return nil, nil
	}
	b, err := safefile.Read(path, maxManifestSize)
	if err != nil {
		return nil, err
	}
	var out []string
	r := k8syaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		var obj map[string]any
		if yaml.Unmarshal(doc, &obj) != nil {
			continue // not an object: not a Kubernetes manifest
		}
		kind, _ := obj["kind"].(string)
		if _, ok := obj["apiVersion"].(string); !ok || !WorkloadKinds[kind] {
			continue
		}
		collectImages(obj, &out, 0)
	}
}
