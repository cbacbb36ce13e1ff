package permissions

import (
	"fmt"
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
	selfHosted := false
	for _, l := range labels {
		selfHosted = selfHosted || strings.EqualFold(l, "self-hosted") || strings.HasPrefix(l, "group:")
	}
	if selfHosted {
		sort.Strings(labels)
		if err := add(ActionRunsOn, strings.Join(labels, ","), map[string]bool{"selfHosted": true}); err != nil {
			return err
		}
	}
	uses := map[string]*actionRef{}
	note := func(u string) {
		if u == "" {
			return
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
	note(str(job["uses"])) // a reusable workflow
	for _, st := range arr(job["steps"]) {
		note(str(obj(st)["uses"]))
	}
	for _, name := range sortedNames(uses) {
		a := uses[name]
		sort.Strings(a.Refs)
		a.Refs = compactStrings(a.Refs)
		if err := add(ActionUses, name, a); err != nil {
			return err
		}
	}
	if str(job["secrets"]) == "inherit" {
		if err := add(ActionSecrets, "inherit", map[string]string{}); err != nil {
			return err
		}
	}
	return nil
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
		return evidence.High, "runs on self-hosted runners (" + g.Scope + ")"
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
	}
	sev, what := actionsSeverity(str(c["level"]))
	return sev, fmt.Sprintf("token gains %s %s", g.Action, what)
}
