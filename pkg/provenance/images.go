package provenance

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/pelletier/go-toml/v2"
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

// findImages returns the image references of a deploy manifest: every
// "image" key (a string) in its YAML or JSON documents, in document order,
// plus what a kustomization's images transformer or an OpenShift
// DockerImage reference sets.
func findImages(b []byte) ([]string, error) {
	if len(b) > maxManifestSize {
		return nil, fmt.Errorf("manifest is larger than %d bytes", maxManifestSize)
	}
	var out []string
	err := eachDocument(b, false, func(v any) {
		collectImages(v, &out, 0, nil)
		kustomizeImages(v, &out)
	})
	return out, err
}

// eachDocument calls fn with every non-empty YAML (or JSON) document of b,
// split as kubectl and apimachinery split them. A stream that cannot be
// split is an error; a document that does not decode is one too, unless
// lenient (then it is skipped: kubectl could not apply it either).
func eachDocument(b []byte, lenient bool, fn func(v any)) error {
	r := k8syaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var v any
		if err := yaml.Unmarshal(doc, &v); err != nil {
			if lenient {
				continue
			}
			return err
		}
		fn(v)
	}
}

// collectImages appends every "image" string under v, and the name of every
// {kind: DockerImage, name: …} reference (OpenShift ImageStreams and
// BuildConfigs). keep, when not nil, filters the values (objects of kinds
// that are not workloads: only strings that parse as image references).
func collectImages(v any, out *[]string, depth int, keep func(string) bool) {
	if depth > 100 {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		if k, _ := t["kind"].(string); k == "DockerImage" {
			if s, ok := t["name"].(string); ok && s != "" {
				*out = append(*out, s)
			}
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if s, ok := t[k].(string); ok && k == "image" && s != "" {
				if keep == nil || keep(s) {
					*out = append(*out, s)
				}
				continue
			}
			collectImages(t[k], out, depth+1, keep)
		}
	case []any:
		for _, e := range t {
			collectImages(e, out, depth+1, keep)
		}
	}
}

// kustomizeImages appends the references a kustomization's images
// transformer deploys (newName or name, newTag, digest): kustomize and
// Argo CD rewrite every matching container image to them, so a tag set
// there moves what runs exactly like a tag in the manifest.
func kustomizeImages(v any, out *[]string) {
	obj, ok := v.(map[string]any)
	if !ok {
		return
	}
	if k, ok := obj["kind"].(string); ok && k != "Kustomization" && k != "Component" {
		return
	}
	list, _ := obj["images"].([]any)
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		name, _ := m["newName"].(string)
		if name == "" {
			name, _ = m["name"].(string)
		}
		tag, _ := m["newTag"].(string)
		dgst, _ := m["digest"].(string)
		if name == "" || (tag == "" && dgst == "") {
			continue // only renames: the manifests' own references are pinned
		}
		ref := name
		if tag != "" {
			ref += ":" + tag
		}
		if dgst != "" {
			ref += "@" + dgst
		}
		*out = append(*out, ref)
	}
}

// isImageRef reports whether s parses as an image reference: for objects
// whose kind is not a workload, an "image" value that is not one (a label,
// a URL, a template) is not an image.
func isImageRef(s string) bool {
	if strings.ContainsAny(s, " \t\n{}") {
		return false
	}
	_, err := name.ParseReference(s)
	return err == nil
}

// WorkloadKinds are the Kubernetes kinds whose "image" keys are all images,
// wherever the manifest sits: pods and their controllers, Tekton and Argo
// specs (containers, initContainers, ephemeralContainers, sidecars, steps,
// templates). In objects of every other kind (custom resources such as
// KServe InferenceServices) an "image" value that parses as an image
// reference counts too.
var WorkloadKinds = map[string]bool{
	"Pod": true, "Deployment": true, "StatefulSet": true, "DaemonSet": true, "ReplicaSet": true,
	"ReplicationController": true, "Job": true, "CronJob": true, "PodTemplate": true,
	"Task": true, "ClusterTask": true, "Pipeline": true, "TaskRun": true, "PipelineRun": true, "StepAction": true,
	"Workflow": true, "WorkflowTemplate": true, "ClusterWorkflowTemplate": true, "CronWorkflow": true,
	"Rollout": true, "Service": true, // Argo Rollouts; Knative serving (a core Service names no image)
}

// objectImages appends the images of one decoded document: a Kubernetes
// object (apiVersion and kind) by kind, a kustomization's images.
func objectImages(v any, out *[]string, kustomization bool) {
	obj, ok := v.(map[string]any)
	if !ok {
		return
	}
	kind, _ := obj["kind"].(string)
	if kustomization || kind == "Kustomization" || kind == "Component" {
		kustomizeImages(obj, out)
	}
	if _, ok := obj["apiVersion"].(string); !ok || kind == "" {
		return
	}
	if WorkloadKinds[kind] {
		collectImages(obj, out, 0, nil)
		return
	}
	collectImages(obj, out, 0, isImageRef)
}

// isKustomization reports whether a file name is one kustomize reads.
func isKustomization(name string) bool {
	switch path.Base(name) {
	case "kustomization.yaml", "kustomization.yml", "Kustomization":
		return true
	}
	return false
}

// workloadImages returns the images of the Kubernetes objects (any kind,
// with apiVersion) and kustomizations in a YAML or JSON file outside the
// deploy directories. The whole file is considered (no header heuristic: an
// object after 64 KiB of comments is still an object), and keys are
// compared decoded (a JSON "api\u0056ersion" or a YAML double-quoted
// "api\x56ersion" is apiVersion to kubectl). A JSON file is ruled out by
// streaming its top level only (large tokenizers and lock files are data);
// a YAML file needs both words, or an escape, to be parsed. A file larger
// than the manifest bound that could hold an object is refused, never
// skipped.
func workloadImages(file, name string) ([]string, error) {
	kustomization := isKustomization(name)
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case kustomization, ext == ".yaml", ext == ".yml", ext == ".json":
	default:
		return nil, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", name)
	}
	// A file within the bound is read once and ruled in or out from its
	// bytes; a larger one is only streamed, to refuse it if it could be
	// an object.
	var b []byte
	var scan io.ByteScanner = bufio.NewReaderSize(f, 1<<20)
	if fi.Size() <= maxManifestSize {
		if b, err = safefile.Read(file, maxManifestSize); err != nil {
			return nil, err
		}
		scan = bytes.NewReader(b)
	}
	maybe := kustomization
	if !maybe {
		isJSON, hasAPI := jsonTopLevel(scan)
		switch {
		case isJSON:
			maybe = hasAPI
		case b != nil:
			maybe, _ = yamlMayHoldObject(bytes.NewReader(b))
		default:
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return nil, err
			}
			if maybe, err = yamlMayHoldObject(f); err != nil {
				return nil, err
			}
		}
	}
	if !maybe {
		return nil, nil
	}
	if b == nil {
		return nil, fmt.Errorf("%s may hold a Kubernetes object and is larger than %d bytes: split it", name, maxManifestSize)
	}
	var out []string
	if err := eachDocument(b, true, func(v any) { objectImages(v, &out, kustomization) }); err != nil {
		return nil, err
	}
	return out, nil
}

// yamlMayHoldObject reports whether a YAML stream names both apiVersion and
// kind, or holds a backslash (a double-quoted key may spell either with
// escapes), reading it in bounded chunks (a word may straddle two).
func yamlMayHoldObject(r io.Reader) (bool, error) {
	var api, kind, esc bool
	buf := make([]byte, 1<<20)
	const overlap = len("apiVersion") - 1
	carry := 0
	for {
		n, err := r.Read(buf[carry:])
		chunk := buf[:carry+n]
		api = api || bytes.Contains(chunk, []byte("apiVersion"))
		kind = kind || bytes.Contains(chunk, []byte("kind"))
		esc = esc || bytes.IndexByte(chunk, '\\') >= 0
		if (api && kind) || esc {
			return true, nil
		}
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		carry = min(overlap, len(chunk))
		copy(buf, chunk[len(chunk)-carry:])
	}
}

// maxJSONKey bounds a top-level key decoded while looking for apiVersion
// (the longest escaped spelling of it is 60 bytes).
const maxJSONKey = 4096

// jsonTopLevel streams a JSON document: isJSON when it is one well-formed
// value (anything else is read as YAML, as kubectl does), hasAPI when it is
// an object with an apiVersion key (decoded) at its top level. Nested
// values are skipped byte by byte, never held.
func jsonTopLevel(r io.ByteReader) (isJSON, hasAPI bool) {
	c, ok := skipSpace(r)
	if !ok || c != '{' {
		if ok && c == '[' {
			return skipNested(r), false
		}
		return false, false
	}
	for first := true; ; first = false {
		c, ok = skipSpace(r)
		if !ok {
			return false, false
		}
		if c == '}' && first {
			return trailingSpace(r), hasAPI
		}
		if c != '"' {
			return false, false
		}
		raw, ok := readString(r, maxJSONKey)
		if !ok {
			return false, false
		}
		var key string
		if raw != nil {
			if json.Unmarshal(raw, &key) != nil {
				return false, false
			}
			hasAPI = hasAPI || key == "apiVersion"
		}
		if c, ok = skipSpace(r); !ok || c != ':' {
			return false, false
		}
		if !skipValue(r) {
			return false, false
		}
		c, ok = skipSpace(r)
		switch {
		case ok && c == ',':
		case ok && c == '}':
			return trailingSpace(r), hasAPI
		default:
			return false, false
		}
	}
}

func skipSpace(r io.ByteReader) (byte, bool) {
	for {
		c, err := r.ReadByte()
		if err != nil {
			return 0, false
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c, true
	}
}

func trailingSpace(r io.ByteReader) bool {
	_, ok := skipSpace(r)
	return !ok
}

// readString reads the rest of a JSON string after its opening quote and
// returns it quoted, or nil (and ok) when it is longer than limit.
func readString(r io.ByteReader, limit int) ([]byte, bool) {
	out := []byte{'"'}
	for {
		c, err := r.ReadByte()
		if err != nil {
			return nil, false
		}
		if out != nil {
			out = append(out, c)
			if len(out) > limit {
				out = nil
			}
		}
		switch c {
		case '"':
			return out, true
		case '\\':
			e, err := r.ReadByte()
			if err != nil {
				return nil, false
			}
			if out != nil {
				out = append(out, e)
			}
		}
	}
}

// skipValue skips one JSON value (after any space).
func skipValue(r io.ByteReader) bool {
	c, ok := skipSpace(r)
	if !ok {
		return false
	}
	switch c {
	case '"':
		_, ok := readString(r, 0)
		return ok
	case '{', '[':
		return skipNested(r)
	}
	// a scalar: read up to its delimiter, which the caller must see
	br, ok := r.(io.ByteScanner)
	if !ok {
		return false
	}
	for {
		c, err := br.ReadByte()
		if err != nil {
			return true
		}
		switch c {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return br.UnreadByte() == nil
		}
	}
}

// skipNested skips the rest of an object or array whose opening bracket
// was read, minding strings.
func skipNested(r io.ByteReader) bool {
	depth := 1
	for depth > 0 {
		c, err := r.ReadByte()
		if err != nil {
			return false
		}
		switch c {
		case '"':
			if _, ok := readString(r, 0); !ok {
				return false
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
	}
	return true
}

// containerRuntimes start a container from an image given as an argument
// of "run" (MCP servers are often launched this way).
var containerRuntimes = map[string]bool{"docker": true, "podman": true, "nerdctl": true, "finch": true}

// runValueFlags are the options of "docker run" (and podman's) that take
// a value as the next argument; every other option is a switch.
var runValueFlags = map[string]bool{}

func init() {
	for _, f := range strings.Fields(`-a --attach --add-host --annotation --blkio-weight --blkio-weight-device -c --cap-add
		--cap-drop --cgroup-parent --cgroupns --cidfile --cpu-period --cpu-quota --cpu-rt-period --cpu-rt-runtime
		--cpu-shares --cpus --cpuset-cpus --cpuset-mems --device --device-cgroup-rule --device-read-bps
		--device-read-iops --device-write-bps --device-write-iops --dns --dns-option --dns-search --domainname
		-e --env --entrypoint --env-file --expose --gpus --group-add --health-cmd --health-interval
		--health-retries --health-start-period --health-timeout -h --hostname --ip --ip6 --ipc --isolation
		--kernel-memory -l --label --label-file --link --link-local-ip --log-driver --log-opt --mac-address
		-m --memory --memory-reservation --memory-swap --memory-swappiness --mount --name --network --net
		--network-alias --oom-score-adj --pid --pids-limit --platform -p --publish --pull --restart --runtime
		--security-opt --shm-size --stop-signal --stop-timeout --storage-opt --sysctl --tmpfs --ulimit -u
		--user --userns --uts -v --volume --volume-driver --volumes-from -w --workdir --arch --os --variant
		--secret --pod --hooks-dir --authfile --cert-dir --creds --decryption-key --env-host --http-proxy
		--init-path --requires --sdnotify --seccomp-policy --timeout --tz --umask --uidmap --gidmap --subuidname
		--subgidname --chrootdirs --passwd-entry --preserve-fds --log-level`) {
		runValueFlags[f] = true
	}
}

// runImage returns the image a container runtime's argument list runs
// ("run [OPTIONS] IMAGE [COMMAND]", also "container run"), or "".
func runImage(args []string) string {
	i := 0
	for i < len(args) && strings.HasPrefix(args[i], "-") { // global options (--context x)
		if !strings.Contains(args[i], "=") && i+1 < len(args) && (args[i] == "--context" || args[i] == "-c" || args[i] == "--host" || args[i] == "-H" || args[i] == "--config" || args[i] == "--log-level") {
			i++
		}
		i++
	}
	if i < len(args) && args[i] == "container" {
		i++
	}
	if i >= len(args) || (args[i] != "run" && args[i] != "create") {
		return ""
	}
	for i++; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			if i+1 < len(args) {
				return args[i+1]
			}
			return ""
		case strings.HasPrefix(a, "--"):
			if !strings.Contains(a, "=") && runValueFlags[a] {
				i++
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			// -it, -e X, -eX, -p8080:80: a value-taking short option
			// takes the next argument unless its value is attached
			if runValueFlags[a[:2]] && len(a) == 2 {
				i++
			}
		default:
			return a
		}
	}
	return ""
}

// commandImages appends the image of every server, hook or step in v
// launched as "docker run … IMAGE" (command + args, or a command line).
func commandImages(v any, out *[]string, depth int) {
	if depth > 100 {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		cmd, _ := t["command"].(string)
		if cmd == "" {
			cmd, _ = t["cmd"].(string) // Goose
		}
		argList, _ := t["args"].([]any)
		if c, ok := t["command"].(map[string]any); ok { // Zed {path, args}
			cmd, _ = c["path"].(string)
			argList, _ = c["args"].([]any)
		}
		if cmd != "" {
			fields := strings.Fields(cmd)
			if len(fields) > 0 && containerRuntimes[path.Base(fields[0])] {
				args := fields[1:]
				if a := argList; a != nil {
					for _, e := range a {
						if s, ok := e.(string); ok {
							args = append(args, s)
						}
					}
				}
				if img := runImage(args); img != "" {
					*out = append(*out, img)
				}
			}
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			commandImages(t[k], out, depth+1)
		}
	case []any:
		for _, e := range t {
			commandImages(e, out, depth+1)
		}
	}
}

// runtimeWords are the container runtimes' names: a configuration file
// that names none of them launches no container.
var runtimeWords = [][]byte{[]byte("docker"), []byte("podman"), []byte("nerdctl"), []byte("finch")}

// commandFileImages returns the images that the servers, hooks and steps
// of a JSON, YAML or TOML configuration file (MCP clients of every kind,
// Codex, Goose, Zed) run with "docker run … IMAGE": a tag there moves what
// the agent runs exactly like a tag in a Deployment. Files larger than the
// manifest bound are data, not client configuration, and are not read.
func commandFileImages(file, name string) ([]string, error) {
	ext := strings.ToLower(filepath.Ext(name))
	switch ext {
	case ".json", ".yaml", ".yml", ".toml":
	default:
		return nil, nil
	}
	fi, err := os.Lstat(file)
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxManifestSize {
		return nil, nil
	}
	b, err := safefile.Read(file, maxManifestSize)
	if err != nil {
		return nil, err
	}
	found := false
	for _, w := range runtimeWords {
		found = found || bytes.Contains(b, w)
	}
	if !found {
		return nil, nil
	}
	var out []string
	if ext == ".toml" {
		var v map[string]any
		if toml.Unmarshal(b, &v) != nil {
			return nil, nil // not TOML: no client reads it
		}
		commandImages(v, &out, 0)
		return out, nil
	}
	// a stream that is not YAML is read by no client: what it held so far
	_ = eachDocument(b, true, func(v any) { commandImages(v, &out, 0) })
	return out, nil
}
