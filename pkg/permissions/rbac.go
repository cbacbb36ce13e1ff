package permissions

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// isRBAC recognises Kubernetes RBAC objects (or a List holding some).
func isRBAC(m map[string]any) bool {
	if isList(m) {
		return anyItem(m, isRBAC)
	}
	if !strings.HasPrefix(str(m["apiVersion"]), "rbac.authorization.k8s.io/") {
		return false
	}
	switch str(m["kind"]) {
	case "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding":
		return true
	}
	return false
}

type rbacRule struct {
	verbs, groups, resources, names, urls []string
}

type rbacRole struct {
	path       string
	scope      string // buildScope of the file it came from
	name       string
	rules      []rbacRule
	aggregated bool
	// selectors are the aggregationRule's clusterRoleSelectors
	// (matchLabels only; other selectors match nothing known).
	selectors []map[string]string
	labels    map[string]string
}

// aggregationLabel is the label prefix that adds a ClusterRole's rules to
// the aggregated ClusterRole it names (admin, edit, view, or a custom
// one selecting the label).
const aggregationLabel = "rbac.authorization.k8s.io/aggregate-to-"

type rbacBinding struct {
	path, kind, namespace, name string
	scope                       string // buildScope of the file it came from
	roleKind, roleName          string
	subjects                    []string
}

// rbacSet collects RBAC objects across files; bindings are resolved once
// every file is read.
type rbacSet struct {
	roles    map[string]*rbacRole // "Role/ns/name" or "ClusterRole//name"
	bindings []rbacBinding
}

// rbacScope is the content of an RBAC grant: where the verb applies.
type rbacScope struct {
	Namespace      string `json:"namespace"` // "*" for cluster-wide
	APIGroup       string `json:"apiGroup"`
	Resource       string `json:"resource,omitempty"`
	ResourceName   string `json:"resourceName,omitempty"` // "" for every name
	NonResourceURL string `json:"nonResourceURL,omitempty"`
	Role           string `json:"role"`
	Binding        string `json:"binding"`
	// Unexpanded marks a binding to a role whose rules the artefact does
	// not hold: it grants whatever that role grants.
	Unexpanded bool `json:"unexpanded,omitempty"`
}

func (s *rbacSet) collect(rel string, m map[string]any) error {
	if isList(m) {
		return eachItem(rel, m, isRBAC, s.collect)
	}
	kind := str(m["kind"])
	meta := obj(m["metadata"])
	name, ns := str(meta["name"]), str(meta["namespace"])
	if name == "" {
		return fmt.Errorf("%w: %s without metadata.name", ErrInvalid, kind)
	}
	switch kind {
	case "Role", "ClusterRole":
		if kind == "ClusterRole" {
			ns = ""
		} else if ns == "" {
			ns = "default"
		}
		r := &rbacRole{path: rel, scope: buildScope(rel), name: name, aggregated: m["aggregationRule"] != nil, labels: map[string]string{}}
		for k, v := range obj(meta["labels"]) {
			r.labels[k] = fmt.Sprint(v)
		}
		for _, sel := range arr(obj(m["aggregationRule"])["clusterRoleSelectors"]) {
			ml := map[string]string{}
			for k, v := range obj(obj(sel)["matchLabels"]) {
				ml[k] = fmt.Sprint(v)
			}
			r.selectors = append(r.selectors, ml)
		}
		for i, raw := range arr(m["rules"]) {
			o := obj(raw)
			var rule rbacRule
			var err error
			for _, f := range []struct {
				key string
				dst *[]string
			}{{"verbs", &rule.verbs}, {"apiGroups", &rule.groups}, {"resources", &rule.resources},
				{"resourceNames", &rule.names}, {"nonResourceURLs", &rule.urls}} {
				if *f.dst, err = strs(o[f.key], fmt.Sprintf("%s %s rules[%d].%s", kind, name, i, f.key)); err != nil {
					return err
				}
			}
			r.rules = append(r.rules, rule)
		}
		if s.roles == nil {
			s.roles = map[string]*rbacRole{}
		}
		key := roleKey(buildScope(rel), kind, ns, name)
		if _, dup := s.roles[key]; dup {
			return fmt.Errorf("%w: %s %s/%s is defined twice", ErrInvalid, kind, ns, name)
		}
		s.roles[key] = r
	case "RoleBinding", "ClusterRoleBinding":
		if kind == "ClusterRoleBinding" {
			ns = ""
		} else if ns == "" {
			ns = "default"
		}
		ref := obj(m["roleRef"])
		b := rbacBinding{path: rel, scope: buildScope(rel), kind: kind, namespace: ns, name: name, roleKind: str(ref["kind"]), roleName: str(ref["name"])}
		if b.roleKind != "Role" && b.roleKind != "ClusterRole" || b.roleName == "" {
			return fmt.Errorf("%w: %s %s: roleRef needs kind Role or ClusterRole and a name", ErrInvalid, kind, name)
		}
		for i, raw := range arr(m["subjects"]) {
			o := obj(raw)
			sk, sn := str(o["kind"]), str(o["name"])
			if sk == "" || sn == "" {
				return fmt.Errorf("%w: %s %s subjects[%d] needs kind and name", ErrInvalid, kind, name, i)
			}
			if sk == "ServiceAccount" {
				sns := str(o["namespace"])
				if sns == "" {
					sns = ns
				}
				sn = sns + "/" + sn
			}
			b.subjects = append(b.subjects, sk+" "+sn)
		}
		s.bindings = append(s.bindings, b)
	}
	return nil
}

// grants expands every binding into one grant per subject, verb, API
// group, resource and resource name. A binding to a role that the
// artefact does not define (cluster-admin, edit...) or to an aggregated
// ClusterRole cannot be expanded and is one grant on the role itself.
func (s *rbacSet) grants() []Grant {
	var out []Grant
	sort.SliceStable(s.bindings, func(i, j int) bool { return s.bindings[i].path < s.bindings[j].path })
	for _, b := range s.bindings {
		roleNS := b.namespace
		if b.roleKind == "ClusterRole" {
			roleNS = ""
		}
		role := s.roles[roleKey(b.scope, b.roleKind, roleNS, b.roleName)]
		if role == nil {
			role = s.roles[roleKey("", b.roleKind, roleNS, b.roleName)]
		}
		scopeNS := b.namespace
		if b.kind == "ClusterRoleBinding" {
			scopeNS = "*"
		}
		roleID := b.roleKind + " " + b.roleName
		bindingID := b.kind + " " + b.name
		for _, subj := range b.subjects {
			rules := []rbacRule(nil)
			rulePath := b.path
			if role != nil {
				rules, rulePath = role.rules, role.path
			}
			if role == nil || role.aggregated {
				why := "not defined in the artefact"
				if role != nil {
					why = "aggregated"
					// The rules of the artefact's roles it selects are
					// known; roles elsewhere in the cluster may add more.
					rules = append(append([]rbacRule(nil), rules...), s.selected(role)...)
				}
				out = append(out, Grant{Surface: SurfaceRBAC, Subject: subj, Action: "bind", Scope: "namespace " + scopeNS + ": " + roleID + " (" + why + ")",
					Effect: Allow, Path: b.path, Content: content(rbacScope{Namespace: scopeNS, APIGroup: "*", Resource: "*", Role: roleID, Binding: bindingID, Unexpanded: true})})
			}
			out = append(out, ruleGrants(subj, rulePath, scopeNS, roleID, bindingID, rules)...)
		}
	}
	// A ClusterRole labelled to aggregate into another (admin, edit, view)
	// grants its rules to everyone bound to that role, with no binding in
	// the artefact.
	for _, key := range sortedNames(s.roles) {
		r := s.roles[key]
		for _, target := range r.aggregatesInto() {
			subj := "every subject bound to ClusterRole " + target
			out = append(out, ruleGrants(subj, r.path, "*", "ClusterRole "+r.name, "aggregation into ClusterRole "+target, r.rules)...)
		}
	}
	return out
}

// aggregatesInto returns the aggregated ClusterRoles a role's labels add
// it to, sorted.
func (r *rbacRole) aggregatesInto() []string {
	var out []string
	for k, v := range r.labels {
		if t, ok := strings.CutPrefix(k, aggregationLabel); ok && v == "true" && t != "" {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

// selected returns the rules of the artefact's ClusterRoles that an
// aggregated role's selectors match.
func (s *rbacSet) selected(agg *rbacRole) []rbacRule {
	var out []rbacRule
	for _, key := range sortedNames(s.roles) {
		r := s.roles[key]
		if r == agg || !strings.HasPrefix(key, roleKey(r.scope, "ClusterRole", "", "")) || (r.scope != agg.scope && r.scope != "") {
			continue
		}
		for _, sel := range agg.selectors {
			match := len(sel) > 0
			for k, v := range sel {
				match = match && r.labels[k] == v
			}
			if match {
				out = append(out, r.rules...)
				break
			}
		}
	}
	return out
}

// ruleGrants expands rules into one grant per verb, API group, resource
// and resource name (or non-resource URL).
func ruleGrants(subj, path, scopeNS, roleID, bindingID string, rules []rbacRule) []Grant {
	var out []Grant
	for _, r := range rules {
		for _, v := range r.verbs {
			for _, u := range r.urls {
				sc := rbacScope{Namespace: "*", NonResourceURL: u, Role: roleID, Binding: bindingID}
				out = append(out, Grant{Surface: SurfaceRBAC, Subject: subj, Action: v, Scope: "url " + u, Effect: Allow, Path: path, Content: content(sc)})
			}
			for _, g := range r.groups {
				for _, res := range r.resources {
					names := r.names
					if len(names) == 0 {
						names = []string{""}
					}
					for _, n := range names {
						sc := rbacScope{Namespace: scopeNS, APIGroup: g, Resource: res, ResourceName: n, Role: roleID, Binding: bindingID}
						out = append(out, Grant{Surface: SurfaceRBAC, Subject: subj, Action: v, Scope: sc.String(), Effect: Allow, Path: path, Content: content(sc)})
					}
				}
			}
		}
	}
	return out
}

// String renders the scope for humans: "namespace agents: configmaps/support-agent-prompts".
func (sc rbacScope) String() string {
	res := sc.Resource
	if sc.APIGroup != "" {
		res = sc.APIGroup + ":" + res
	}
	name := sc.ResourceName
	if name == "" {
		name = "*"
	}
	return "namespace " + sc.Namespace + ": " + res + " " + name
}

// rbacCovers reports whether grant broad allows everything narrow does.
func rbacCovers(broad, narrow *Grant, bs, ns *rbacScope) bool {
	if broad.Subject != narrow.Subject {
		return false
	}
	if broad.Action != narrow.Action && broad.Action != "*" {
		return false
	}
	if bs.Namespace != "*" && bs.Namespace != ns.Namespace {
		return false
	}
	if ns.NonResourceURL != "" || bs.NonResourceURL != "" {
		if bs.NonResourceURL == "" || ns.NonResourceURL == "" {
			return false
		}
		return bs.NonResourceURL == ns.NonResourceURL || bs.NonResourceURL == "*" ||
			(strings.HasSuffix(bs.NonResourceURL, "*") && strings.HasPrefix(ns.NonResourceURL, strings.TrimSuffix(bs.NonResourceURL, "*")))
	}
	if ns.Unexpanded {
		// Only the same role, or a reviewed grant of everything, covers
		// a role whose rules are unknown.
		return (bs.Unexpanded && bs.Role == ns.Role) ||
			(broad.Action == "*" && bs.APIGroup == "*" && bs.Resource == "*" && bs.ResourceName == "" && !bs.Unexpanded)
	}
	if bs.Unexpanded {
		return false
	}
	if bs.APIGroup != "*" && bs.APIGroup != ns.APIGroup {
		return false
	}
	if !resourceCovers(bs.Resource, ns.Resource) {
		return false
	}
	return bs.ResourceName == "" || bs.ResourceName == ns.ResourceName
}

// resourceCovers: "*" covers everything, "*/scale" every scale
// subresource, "pods/*" every pods subresource; "pods" does not cover
// "pods/exec".
func resourceCovers(broad, narrow string) bool {
	if broad == "*" || broad == narrow {
		return true
	}
	bres, bsub, bok := strings.Cut(broad, "/")
	nres, nsub, nok := strings.Cut(narrow, "/")
	if !bok || !nok {
		return false
	}
	return (bres == "*" && bsub == nsub) || (bres == nres && bsub == "*")
}

// rbacSeverity ranks a grant the review did not cover.
func rbacSeverity(g *Grant, sc *rbacScope) (string, bool) {
	v, res := g.Action, sc.Resource
	if sc.Unexpanded {
		why := "binds " + sc.Role + ", whose rules are not in the artefact"
		role := sc.Role[strings.IndexByte(sc.Role, ' ')+1:]
		return why, role == "cluster-admin" || role == "admin" || role == "edit" || sc.Namespace == "*"
	}
	switch {
	case v == "*" || res == "*" || sc.APIGroup == "*" && res != "":
		return "wildcard verb, group or resource", true
	case v == "escalate" || v == "bind" || v == "impersonate":
		return "privilege escalation verb " + v, true
	case res == "secrets" && (v == "get" || v == "list" || v == "watch"):
		return "reads secrets", true
	case res == "pods/exec" || res == "pods/attach" || res == "pods/portforward" || res == "nodes/proxy":
		return "runs commands in or proxies to workloads (" + res + ")", true
	case v == "create" && (res == "pods" || res == "serviceaccounts/token" || res == "deployments" || res == "jobs" || res == "cronjobs" || res == "daemonsets" || res == "statefulsets" || res == "replicasets"):
		return "creates " + res, true
	case (v == "create" || v == "update" || v == "patch") && (res == "roles" || res == "rolebindings" || res == "clusterroles" || res == "clusterrolebindings"):
		return "changes RBAC (" + res + ")", true
	case sc.Namespace == "*":
		return "cluster-wide", false
	}
	return "", false
}

// roleKey names a role within the scope it came from: the raw files of
// the artefact (scope "") or one kustomize build. Two builds (overlays of
// one base) may each render the same Role; within one scope a name is
// defined once.
func roleKey(scope, kind, ns, name string) string {
	return scope + "\x00" + kind + "/" + ns + "/" + name
}

// buildScope is the kustomize build a file path belongs to, or "".
func buildScope(rel string) string {
	if strings.HasSuffix(rel, buildSuffix) {
		return rel
	}
	return ""
}

// dropRaw forgets the RBAC objects read from the files directly in dir:
// a kustomization there built, and Argo CD applies its output, not them.
func (s *rbacSet) dropRaw(dir string) {
	for k, r := range s.roles {
		if r.scope == "" && inDir(r.path, dir) {
			delete(s.roles, k)
		}
	}
	kept := s.bindings[:0]
	for _, b := range s.bindings {
		if b.scope != "" || !inDir(b.path, dir) {
			kept = append(kept, b)
		}
	}
	s.bindings = kept
}

// inDir reports whether the file rel sits directly in dir.
func inDir(rel, dir string) bool { return path.Dir(rel) == dir }
