package permissions

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

// actionsScopes are the GITHUB_TOKEN permission scopes.
var actionsScopes = []string{"actions", "attestations", "checks", "contents", "deployments", "discussions",
	"id-token", "issues", "models", "packages", "pages", "pull-requests", "repository-projects",
	"security-events", "statuses"}

// actionsLevels ranks access levels.
var actionsLevels = map[string]int{"none": 0, "read": 1, "write": 2}

// actionsLevel is the content of a GitHub Actions grant.
type actionsLevel struct {
	Level  string `json:"level"`
	Source string `json:"source"`
}

// workflow reads the permissions of every job of a GitHub Actions
// workflow. A job's permissions replace the workflow's; listing some
// scopes sets the others to none; read-all and write-all set every scope.
// Without any permissions key the token gets the repository default,
// which the workflow cannot show, so the worst case (write-all) is
// assumed.
func (s *scanner) workflow(rel string, m map[string]any) error {
	jobs := obj(m["jobs"])
	if jobs == nil {
		return fmt.Errorf("%w: jobs must be an object", ErrInvalid)
	}
	if err := s.workflowTriggers(rel, m); err != nil {
		return err
	}
	top, topSet := m["permissions"], m["permissions"] != nil
	for _, id := range keys(jobs) {
		job := obj(jobs[id])
		if job == nil {
			return fmt.Errorf("%w: jobs.%s must be an object", ErrInvalid, id)
		}
		perms, source := top, "workflow permissions"
		if job["permissions"] != nil {
			perms, source = job["permissions"], "job permissions"
		} else if !topSet {
			perms, source = "write-all", "repository default (not set in the workflow; assumed write-all)"
		}
		levels, err := actionsPermissions(perms)
		if err != nil {
			return fmt.Errorf("jobs.%s: %w", id, err)
		}
		if err := s.workflowJob(rel, id, job); err != nil {
			return fmt.Errorf("jobs.%s: %w", id, err)
		}
		for _, sc := range actionsScopes {
			l := levels[sc]
			if l == "" || l == "none" {
				continue
			}
			if err := s.add(Grant{Surface: SurfaceActions, Subject: "job " + id, Action: sc, Effect: Allow, Path: rel,
				Content: content(actionsLevel{Level: l, Source: source})}); err != nil {
				return err
			}
		}
	}
	return nil
}

// actionsPermissions expands a permissions value to a level per scope.
func actionsPermissions(v any) (map[string]string, error) {
	out := map[string]string{}
	switch p := v.(type) {
	case string:
		var l string
		switch p {
		case "read-all":
			l = "read"
		case "write-all":
			l = "write"
		default:
			return nil, fmt.Errorf("%w: permissions %q must be read-all, write-all or a map", ErrInvalid, p)
		}
		for _, sc := range actionsScopes {
			out[sc] = l
		}
		// id-token has no read level; models has no write level.
		out["id-token"] = map[string]string{"read": "none", "write": "write"}[l]
		out["models"] = "read"
		return out, nil
	case map[string]any:
		for _, sc := range keys(p) {
			l := str(p[sc])
			if _, ok := actionsLevels[l]; !ok {
				return nil, fmt.Errorf("%w: permissions.%s must be none, read or write", ErrInvalid, sc)
			}
			known := false
			for _, k := range actionsScopes {
				known = known || k == sc
			}
			if !known {
				return nil, fmt.Errorf("%w: permissions.%s is not a GitHub token scope", ErrInvalid, sc)
			}
			out[sc] = l
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: permissions must be read-all, write-all or a map", ErrInvalid)
}

// Actions grants besides token scopes (actions "trigger", "environment",
// "runs-on", "uses", "secrets").
const (
	ActionTrigger     = "trigger"
	ActionEnvironment = "environment"
	ActionRunsOn      = "runs-on"
	ActionUses        = "uses"
	ActionSecrets     = "secrets"
	// ActionContainer is a job container or service container started
	// with Docker options that reach the runner: scope "container" or
	// "service NAME", content the privileges its options grant.
	ActionContainer = "container"
)

// privilegedTriggers run with the base repository's secrets and a
// writable token on events that outsiders cause.
var privilegedTriggers = map[string]bool{"pull_request_target": true, "workflow_run": true, "issue_comment": true,
	"pull_request_review_comment": true, "discussion_comment": true, "issues": true, "discussion": true}

// workflowTriggers records the events that run a workflow (sigs.k8s.io/yaml
// reads the key "on" as "true").
func (s *scanner) workflowTriggers(rel string, m map[string]any) error {
	on := m["on"]
	if on == nil {
		on = m["true"]
	}
	var events []string
	switch t := on.(type) {
	case string:
		events = []string{t}
	case []any:
		for _, e := range t {
			events = append(events, str(e))
		}
	case map[string]any:
		events = keys(t)
	}
	sort.Strings(events)
	for _, e := range events {
		if e == "" {
			continue
		}
		if err := s.add(Grant{Surface: SurfaceActions, Subject: "workflow", Action: ActionTrigger, Scope: e, Effect: Allow, Path: rel,
			Content: content(map[string]bool{"privileged": privilegedTriggers[e]})}); err != nil {
			return err
		}
	}
	return nil
}

// shaRef is a full commit SHA: the only ref that pins an action.
var shaRef = regexp.MustCompile(`^[0-9a-f]{40}$`)

// actionRef is the content of a "uses" grant: the refs a job uses the
// action at, whether all of them are pinned, and whether the action comes
// from outside GitHub's own organisations.
type actionRef struct {
	Refs       []string `json:"refs"`
	Pinned     bool     `json:"pinned"`
	ThirdParty bool     `json:"thirdParty"`
}

// parseUses splits "owner/repo/path@ref", "./local" and "docker://image".
func parseUses(u string) (name, ref string, pinned, thirdParty bool) {
	switch {
	case strings.HasPrefix(u, "./") || strings.HasPrefix(u, "../"):
		return u, "", true, false // reviewed with the repository
	case strings.HasPrefix(u, "docker://"):
		img := strings.TrimPrefix(u, "docker://")
		if i := strings.Index(img, "@sha256:"); i >= 0 {
			return img[:i], img[i+1:], true, true
		}
		return img, "", false, true
	}
	name, ref, _ = strings.Cut(u, "@")
	owner, _, _ := strings.Cut(name, "/")
	owner = strings.ToLower(owner)
	return name, ref, shaRef.MatchString(ref), owner != "actions" && owner != "github"
}

// workflowJob records a job's deployment environment, self-hosted
// runners, the actions and reusable workflows it runs, and inherited
// secrets.
func (s *scanner) workflowJob(rel, id string, job map[string]any) error {
	subject := "job " + id
	add := func(action, scope string, c any) error {
		return s.add(Grant{Surface: SurfaceActions, Subject: subject, Action: action, Scope: scope, Effect: Allow, Path: rel, Content: content(c)})
	}
	switch e := job["environment"].(type) {
	case string:
		if err := add(ActionEnvironment, e, map[string]string{"url": ""}); err != nil {
			return err
		}
	case map[string]any:
		if err := add(ActionEnvironment, str(e["name"]), map[string]string{"url": str(e["url"])}); err != nil {
			return err
		}
	}
	var labels []string
	switch r := job["runs-on"].(type) {
	case string:
		labels = []string{r}
	case []any:
		for _, l := range r {
			labels = append(labels, str(l))
		}
	case map[string]any:
		if g := str(r["group"]); g != "" {
			labels = append(labels, "group:"+g)
		}
		switch l := r["labels"].(type) {
		case string:
			labels = append(labels, l)
		case []any:
			for _, x := range l {
				labels = append(labels, str(x))
			}
		}
	}
	labels = matrixLabels(labels, obj(obj(job["strategy"])["matrix"]))
	selfHosted := false
	for _, l := range labels {
		selfHosted = selfHosted || !githubHosted(l)
	}
	if selfHosted {
		sort.Strings(labels)
		labels = compactStrings(labels)
		if err := add(ActionRunsOn, strings.Join(labels, ","), map[string]bool{"selfHosted": true}); err != nil {
			return err
		}
	}
	if err := s.jobContainers(rel, subject, job); err != nil {
		return err
	}
	refs := []string{str(job["uses"])} // a reusable workflow
	for _, st := range arr(job["steps"]) {
		refs = append(refs, str(obj(st)["uses"]))
	}
	if err := s.addUses(rel, subject, refs); err != nil {
		return err
	}
	if str(job["secrets"]) == "inherit" {
		if err := add(ActionSecrets, "inherit", map[string]string{}); err != nil {
			return err
		}
	}
	return nil
}

// containerPrivileges is the content of a container grant: the
// privileges its Docker options grant, sorted.
type containerPrivileges struct {
	Privileges []string `json:"privileges"`
}

// jobContainers records the job container and the service containers
// whose options (passed to docker create on the runner) grant
// privileges: --privileged, --cap-add, the host's PID, network, IPC, UTS
// or user namespace, an unconfined security profile, a device, or the
// Docker socket mounted.
func (s *scanner) jobContainers(rel, subject string, job map[string]any) error {
	scopes := map[string]string{}
	if c := obj(job["container"]); c != nil {
		scopes["container"] = str(c["options"])
	}
	for name, v := range obj(job["services"]) {
		scopes["service "+name] = str(obj(v)["options"])
	}
	for _, scope := range sortedNames(scopes) {
		privs := dockerPrivileges(scopes[scope])
		if len(privs) == 0 {
			continue
		}
		if err := s.add(Grant{Surface: SurfaceActions, Subject: subject, Action: ActionContainer, Scope: scope, Effect: Allow, Path: rel,
			Content: content(containerPrivileges{Privileges: privs})}); err != nil {
			return err
		}
	}
	return nil
}

// hostNamespaceFlags are the docker create flags that can put a
// container in one of the host's namespaces ("--pid=host").
var hostNamespaceFlags = map[string]bool{"--pid": true, "--network": true, "--net": true, "--ipc": true, "--uts": true,
	"--userns": true, "--cgroupns": true}

// dockerPrivileges returns the privileges a docker create options string
// grants: "privileged", "cap-add SYS_ADMIN", "pid=host",
// "security-opt seccomp=unconfined", "device /dev/kvm", "docker-socket".
// Flags are read as "--flag value" and "--flag=value".
func dockerPrivileges(opts string) []string {
	fields := strings.Fields(opts)
	set := map[string]bool{}
	for i := 0; i < len(fields); i++ {
		flag, val, hasVal := strings.Cut(fields[i], "=")
		next := func() string {
			if hasVal {
				return strings.Trim(val, `"'`)
			}
			if i+1 < len(fields) {
				i++
				return strings.Trim(fields[i], `"'`)
			}
			return ""
		}
		switch {
		case flag == "--privileged":
			if !hasVal || strings.EqualFold(val, "true") {
				set["privileged"] = true
			}
		case flag == "--cap-add":
			for _, c := range strings.Split(next(), ",") {
				c = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(c)), "CAP_")
				if c != "" {
					set["cap-add "+c] = true
				}
			}
		case hostNamespaceFlags[flag]:
			if v := next(); v == "host" {
				set[strings.TrimPrefix(flag, "--")+"=host"] = true
			}
		case flag == "--security-opt":
			v := next()
			if strings.HasSuffix(v, "=unconfined") || strings.HasSuffix(v, ":unconfined") || v == "label=disable" || v == "label:disable" {
				set["security-opt "+v] = true
			}
		case flag == "--device":
			if v := next(); v != "" {
				set["device "+v] = true
			}
		case flag == "-v" || flag == "--volume" || flag == "--mount":
			v := next()
			switch src := bindSource(flag, v); {
			case strings.Contains(v, "docker.sock") || strings.Contains(v, "containerd.sock") || strings.Contains(v, "podman.sock"):
				set["docker-socket"] = true
			case src == "/":
				set["host-root"] = true
			case sensitiveHostPath(src):
				set["host-mount "+src] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// bindSource returns the host path a -v or --mount value binds, or "".
func bindSource(flag, v string) string {
	if flag == "--mount" {
		for _, kv := range strings.Split(v, ",") {
			k, val, _ := strings.Cut(kv, "=")
			if k == "source" || k == "src" {
				return path.Clean(val)
			}
		}
		return ""
	}
	src, _, ok := strings.Cut(v, ":")
	if !ok || !strings.HasPrefix(src, "/") {
		return "" // a named volume, or an anonymous one
	}
	return path.Clean(src)
}

// sensitiveHostPaths are host directories whose bind mount gives a
// container the host's credentials, processes or devices.
var sensitiveHostPaths = []string{"/etc", "/root", "/home", "/var/run", "/run", "/proc", "/sys", "/dev", "/boot", "/var/lib/kubelet", "/var/lib/docker"}

func sensitiveHostPath(p string) bool {
	for _, s := range sensitiveHostPaths {
		if p == s || strings.HasPrefix(p, s+"/") {
			return true
		}
	}
	return false
}

// containerSeverity ranks one container privilege.
func containerSeverity(p string) (evidence.Severity, string) {
	switch {
	case p == "privileged":
		return evidence.Critical, "runs privileged (--privileged): root on the runner"
	case p == "pid=host":
		return evidence.Critical, "shares the runner's process namespace (--pid=host)"
	case p == "docker-socket":
		return evidence.Critical, "mounts the Docker socket: root on the runner"
	case p == "host-root":
		return evidence.Critical, "mounts the runner's root filesystem"
	case strings.HasPrefix(p, "host-mount "):
		return evidence.High, "mounts the runner's " + strings.TrimPrefix(p, "host-mount ")
	case strings.HasPrefix(p, "cap-add "):
		c := strings.TrimPrefix(p, "cap-add ")
		switch {
		case criticalCapabilities[c]:
			return evidence.Critical, "adds capability " + c
		case baselineCapabilities[c]:
			return evidence.Medium, "adds capability " + c
		}
		return evidence.High, "adds capability " + c
	case strings.HasSuffix(p, "=host"):
		return evidence.High, "shares the runner's " + strings.TrimSuffix(p, "=host") + " namespace (--" + p + ")"
	case strings.HasPrefix(p, "device "):
		return evidence.High, "is given host device " + strings.TrimPrefix(p, "device ")
	}
	return evidence.High, "runs with " + p
}

// containerChange ranks privileges a container gained: the worst one,
// and every one named.
func containerChange(privs []string) (evidence.Severity, string) {
	worst, whats := evidence.Info, make([]string, 0, len(privs))
	for _, p := range privs {
		sev, what := containerSeverity(p)
		if sev.Rank() > worst.Rank() {
			worst = sev
		}
		whats = append(whats, what)
	}
	return worst, strings.Join(whats, "; ")
}

// addUses records, for subject, each action or reusable workflow refs
// name ("owner/repo@ref", "docker://image"), with the refs it is used at.
func (s *scanner) addUses(rel, subject string, refs []string) error {
	uses := map[string]*actionRef{}
	for _, u := range refs {
		if u == "" {
			continue
		}
		name, ref, pinned, third := parseUses(u)
		a := uses[name]
		if a == nil {
			a = &actionRef{Pinned: true, ThirdParty: third}
			uses[name] = a
		}
		a.Refs = append(a.Refs, ref)
		a.Pinned = a.Pinned && pinned
	}
	for _, name := range sortedNames(uses) {
		a := uses[name]
		sort.Strings(a.Refs)
		a.Refs = compactStrings(a.Refs)
		if err := s.add(Grant{Surface: SurfaceActions, Subject: subject, Action: ActionUses, Scope: name, Effect: Allow, Path: rel, Content: content(a)}); err != nil {
			return err
		}
	}
	return nil
}

// githubHostedLabel is a label of GitHub's standard hosted runners; any
// other label (self-hosted, a runner group, a custom label) runs the job
// on a machine the repository's owner provides.
var githubHostedLabel = regexp.MustCompile(`^(ubuntu|windows|macos)(-[0-9a-z._-]+)?$`)

// githubHosted reports whether a runs-on label names GitHub's hosted
// runners; an expression the matrix does not resolve counts as hosted
// (it is decided when the workflow runs).
func githubHosted(l string) bool {
	return githubHostedLabel.MatchString(strings.ToLower(strings.TrimSpace(l))) || strings.Contains(l, "${{")
}

// matrixLabels replaces a "${{ matrix.KEY }}" label with the values the
// job's strategy.matrix lists for KEY (and its include entries).
func matrixLabels(labels []string, matrix map[string]any) []string {
	var out []string
	for _, l := range labels {
		k, ok := strings.CutPrefix(strings.TrimSpace(l), "${{")
		k, ok2 := strings.CutSuffix(strings.TrimSpace(k), "}}")
		key, ok3 := strings.CutPrefix(strings.TrimSpace(k), "matrix.")
		if !ok || !ok2 || !ok3 || matrix == nil {
			out = append(out, l)
			continue
		}
		vals := []string{}
		for _, v := range arr(matrix[key]) {
			vals = append(vals, str(v))
		}
		for _, inc := range arr(matrix["include"]) {
			if v := str(obj(inc)[key]); v != "" {
				vals = append(vals, v)
			}
		}
		if len(vals) == 0 {
			out = append(out, l)
		}
		out = append(out, vals...)
	}
	return out
}

// FormatAction is a GitHub Action's metadata file (action.yml): a
// composite action's steps run other actions with the calling job's
// token and secrets; a Docker action runs an image.
const FormatAction = "github-action"

// isActionMetadata recognises action.yml by its runs.using.
func isActionMetadata(m map[string]any) bool {
	return str(obj(m["runs"])["using"]) != "" && str(m["name"]) != ""
}

// action records the actions a composite action's steps use and the
// image a Docker action runs, under the subject "action DIR".
func (s *scanner) action(rel string, m map[string]any) error {
	runs := obj(m["runs"])
	var refs []string
	for _, st := range arr(runs["steps"]) {
		refs = append(refs, str(obj(st)["uses"]))
	}
	if img := str(runs["image"]); strings.HasPrefix(img, "docker://") {
		refs = append(refs, img)
	}
	return s.addUses(rel, "action "+path.Dir(rel), refs)
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// actionsAddedSeverity ranks a workflow grant the review did not cover.
func actionsAddedSeverity(g *Grant) (evidence.Severity, string) {
	c := decode(g.Content)
	switch g.Action {
	case ActionTrigger:
		switch {
		case g.Scope == "pull_request_target":
			return evidence.Critical, "runs on pull_request_target: with the repository's secrets and a writable token, for pull requests from forks"
		case privilegedTriggers[g.Scope]:
			return evidence.High, "runs on " + g.Scope + ", an event outsiders cause, with the repository's secrets"
		}
		return evidence.Low, "runs on " + g.Scope
	case ActionEnvironment:
		return evidence.High, "deploys to environment " + g.Scope + " (its secrets and protection rules apply)"
	case ActionRunsOn:
		return evidence.High, "runs on runners that are not GitHub-hosted (" + g.Scope + ")"
	case ActionUses:
		pinned, _ := boolean(c["pinned"])
		third, _ := boolean(c["thirdParty"])
		switch {
		case third && !pinned:
			return evidence.High, "runs third-party " + g.Scope + " at a ref that is not a commit SHA " + fmt.Sprint(strList(c["refs"]))
		case third:
			// Code from outside the organisation, with the job's token
			// and secrets, even when pinned.
			return evidence.High, "runs third-party " + g.Scope + " (pinned)"
		case !pinned:
			return evidence.Low, "runs " + g.Scope + " (GitHub's, not pinned)"
		}
		return evidence.Low, "runs " + g.Scope
	case ActionSecrets:
		return evidence.High, "passes every secret to the reusable workflow (secrets: inherit)"
	case ActionContainer:
		sev, what := containerChange(strList(c["privileges"]))
		return sev, g.Scope + " " + what
	}
	sev, what := actionsSeverity(str(c["level"]))
	return sev, fmt.Sprintf("token gains %s %s", g.Action, what)
}
