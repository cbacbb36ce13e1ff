package permissions

import "fmt"

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
