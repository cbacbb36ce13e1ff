package permissions

import "testing"

const role = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: support-agent
  namespace: agents
rules:
  - apiGroups: [""]
    resources: ["configmaps"]
    resourceNames: ["support-agent-prompts"]
    verbs: ["get", "watch"]
  - apiGroups: ["batch"]
    resources: ["jobs"]
    verbs: ["list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: support-agent
  namespace: agents
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: support-agent
subjects:
  - kind: ServiceAccount
    name: support-agent
    namespace: agents
`

func TestKubernetesRBAC(t *testing.T) {
	t.Parallel()
	const p = "deploy/role.yaml"
	const sa = "ServiceAccount agents/support-agent"
	base := map[string]string{p: role, "deploy/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: support-agent\n"}
	runDiffCases(t, base, []diffCase{
		{"unchanged", base, nil},
		{"secrets get", replace(base, p, `verbs: ["list"]`, `verbs: ["list"]
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get"]`), []want{{SurfaceRBAC, sa + " get namespace agents: secrets *", KindBroadened, C}}},
		{"resourceNames emptied", replace(base, p, `
    resourceNames: ["support-agent-prompts"]`, ""),
			[]want{{SurfaceRBAC, sa + " get namespace agents: configmaps *", KindBroadened, H}, {SurfaceRBAC, sa + " watch namespace agents: configmaps *", KindBroadened, H},
				{SurfaceRBAC, sa + " get namespace agents: configmaps support-agent-prompts", KindRemoved, I}, {SurfaceRBAC, sa + " watch namespace agents: configmaps support-agent-prompts", KindRemoved, I}}},
		{"wildcard verb", replace(base, p, `verbs: ["list"]`, `verbs: ["*"]`),
			[]want{{SurfaceRBAC, sa + " * namespace agents: batch:jobs *", KindBroadened, C}, {SurfaceRBAC, sa + " list namespace agents: batch:jobs *", KindRemoved, I}}},
		{"pods exec", replace(base, p, `verbs: ["list"]`, `verbs: ["list"]
  - apiGroups: [""]
    resources: ["pods/exec"]
    verbs: ["create"]`), []want{{SurfaceRBAC, sa + " create namespace agents: pods/exec *", KindBroadened, C}}},
		{"escalate", replace(base, p, `verbs: ["list"]`, `verbs: ["list"]
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["roles"]
    verbs: ["escalate"]`), []want{{SurfaceRBAC, sa + " escalate namespace agents: rbac.authorization.k8s.io:roles *", KindBroadened, C}}},
		{"cluster-wide binding", replace(replace(replace(base, p, "kind: Role\nmetadata", "kind: ClusterRole\nmetadata"), p, "kind: RoleBinding", "kind: ClusterRoleBinding"), p, "  kind: Role\n  name", "  kind: ClusterRole\n  name"),
			[]want{{SurfaceRBAC, sa + " get namespace *: configmaps support-agent-prompts", KindBroadened, H}, {SurfaceRBAC, sa + " watch namespace *: configmaps support-agent-prompts", KindBroadened, H},
				{SurfaceRBAC, sa + " list namespace *: batch:jobs *", KindBroadened, H},
				{SurfaceRBAC, sa + " get namespace agents: configmaps support-agent-prompts", KindRemoved, I}, {SurfaceRBAC, sa + " watch namespace agents: configmaps support-agent-prompts", KindRemoved, I},
				{SurfaceRBAC, sa + " list namespace agents: batch:jobs *", KindRemoved, I}}},
		{"bound to cluster-admin", with(base, "deploy/admin.yaml", `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: support-agent-admin
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: support-agent, namespace: agents}]
`), []want{{SurfaceRBAC, sa + " bind namespace *: ClusterRole cluster-admin (not defined in the artefact)", KindBroadened, C}}},
		{"bound to view in the namespace", with(base, "deploy/view.yaml", `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: support-agent-view, namespace: agents}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: support-agent}]
`), []want{{SurfaceRBAC, sa + " bind namespace agents: ClusterRole view (not defined in the artefact)", KindBroadened, H}}},
		{"aggregated cluster role", with(base, "deploy/agg.yaml", `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: agent-aggregate}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {agents.example.com/aggregate: "true"}}]
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: agent-aggregate}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: agent-aggregate}
subjects: [{kind: ServiceAccount, name: support-agent, namespace: agents}]
`), []want{{SurfaceRBAC, sa + " bind namespace *: ClusterRole agent-aggregate (aggregated)", KindBroadened, C}}},
		{"verb removed narrows", replace(base, p, `verbs: ["get", "watch"]`, `verbs: ["get"]`),
			[]want{{SurfaceRBAC, sa + " watch namespace agents: configmaps support-agent-prompts", KindRemoved, I}}},
		{"new subject", replace(base, p, "    namespace: agents\n", "    namespace: agents\n  - kind: ServiceAccount\n    name: helper\n    namespace: agents\n"),
			[]want{{SurfaceRBAC, "ServiceAccount agents/helper get namespace agents: configmaps support-agent-prompts", KindAdded, H},
				{SurfaceRBAC, "ServiceAccount agents/helper watch namespace agents: configmaps support-agent-prompts", KindAdded, H},
				{SurfaceRBAC, "ServiceAccount agents/helper list namespace agents: batch:jobs *", KindAdded, H}}},
	})
}

const workflow = `name: release
on:
  push:
    tags: ["v*"]
permissions:
  contents: read
  id-token: write
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
  notify:
    runs-on: ubuntu-latest
    permissions:
      issues: write
    steps:
      - run: echo done
`

func TestGitHubActions(t *testing.T) {
	t.Parallel()
	const p = ".github/workflows/release.yaml"
	base := map[string]string{p: workflow}
	runDiffCases(t, base, []diffCase{
		{"unchanged", base, nil},
		{"contents write", replace(base, p, "contents: read", "contents: write"),
			[]want{{SurfaceActions, "job release contents", KindBroadened, H}}},
		{"write-all", replace(base, p, "permissions:\n  contents: read\n  id-token: write\n", "permissions: write-all\n"),
			actionsAll("job release", map[string]want{
				"contents": {SurfaceActions, "job release contents", KindBroadened, H},
				"id-token": {},
			})},
		{"job scope resets the others", replace(base, p, "    runs-on: ubuntu-latest\n    steps:\n      - uses", "    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n    steps:\n      - uses"),
			[]want{{SurfaceActions, "job release id-token", KindRemoved, I}}},
		{"read-all narrows writes", replace(base, p, "      issues: write", "      issues: read"),
			[]want{{SurfaceActions, "job notify issues", KindNarrowed, I}}},
		{"new job", replace(base, p, "  notify:", "  label:\n    runs-on: ubuntu-latest\n    permissions:\n      pull-requests: write\n    steps:\n      - run: true\n  notify:"),
			[]want{{SurfaceActions, "job label pull-requests", KindAdded, H}}},
	})
}

// actionsAll lists the changes write-all makes to a job that had
// contents: read and id-token: write: every other scope gains write
// (models only read); overrides replace or drop entries.
func actionsAll(job string, overrides map[string]want) []want {
	var out []want
	for _, sc := range actionsScopes {
		w := want{SurfaceActions, job + " " + sc, KindBroadened, H}
		if sc == "models" {
			w.sev = M
		}
		if o, ok := overrides[sc]; ok {
			if o.surface == "" {
				continue
			}
			w = o
		}
		out = append(out, w)
	}
	return out
}
