package permissions

import (
	"context"
	"strings"
	"testing"
)

const (
	kzDeploy = `apiVersion: apps/v1
kind: Deployment
metadata: {name: agent, namespace: agents}
spec:
  template:
    spec:
      serviceAccountName: agent
      automountServiceAccountToken: false
      containers:
      - name: agent
        image: agent@sha256:0000000000000000000000000000000000000000000000000000000000000000
`
	kzFile = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- deployment.yaml\n"
)

// TestKustomize: a kustomization is read as kustomize builds it, so a patch
// is seen; what it cannot build from the artefact alone blocks when it
// changes.
func TestKustomize(t *testing.T) {
	t.Parallel()
	const k = "deploy/base/kustomization.yaml"
	const built = "Deployment agents/agent"
	base := map[string]string{"deploy/base/deployment.yaml": kzDeploy, k: kzFile,
		"deploy/prod/kustomization.yaml": "resources:\n- ../base\nnamePrefix: prod-\n"}
	jsonPatch := kzFile + "patches:\n- target: {kind: Deployment, name: agent}\n  patch: |-\n    - op: add\n      path: /spec/template/spec/hostNetwork\n      value: true\n"
	runDiffCases(t, base, []diffCase{
		{"unchanged", base, nil},
		{"JSON patch adds hostNetwork (base and overlay)", with(base, k, jsonPatch),
			[]want{{SurfaceWorkload, built, KindBroadened, H}, {SurfaceWorkload, "Deployment agents/prod-agent", KindBroadened, H}}},
		{"strategic-merge patch in the overlay makes it privileged", with(with(base, "deploy/prod/kustomization.yaml", "resources:\n- ../base\nnamePrefix: prod-\npatches:\n- path: priv.yaml\n"),
			"deploy/prod/priv.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: agent, namespace: agents}\nspec:\n  template:\n    spec:\n      containers:\n      - name: agent\n        securityContext: {privileged: true}\n"),
			// (the patch file is read through the build only, not as a
			// partial Deployment of its own)
			[]want{{SurfaceWorkload, "Deployment agents/prod-agent", KindBroadened, C}}},
		{"decoy: a benign strategic-merge patch (replicas, resources)", with(with(base, "deploy/prod/kustomization.yaml", "resources:\n- ../base\nnamePrefix: prod-\npatches:\n- path: scale.yaml\n"),
			"deploy/prod/scale.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: agent, namespace: agents}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: agent\n        resources: {limits: {memory: 512Mi}}\n"), nil},
		{"remote base (blocks)", with(base, "deploy/prod/kustomization.yaml", "resources:\n- ../base\n- https://github.com/example/manifests//rbac?ref=main\n"),
			[]want{{SurfaceWorkload, "Deployment agents/prod-agent", KindRemoved, I}, {SurfaceUninspected, "deploy/prod/ (kustomization)", KindAdded, H}}},
		{"Helm charts in kustomize (blocks)", with(base, "deploy/prod/kustomization.yaml", "resources:\n- ../base\nhelmCharts:\n- name: x\n  repo: https://charts.example.com\n"),
			[]want{{SurfaceWorkload, "Deployment agents/prod-agent", KindRemoved, I}, {SurfaceUninspected, "deploy/prod/ (kustomization)", KindAdded, H}}},
		{"a base outside the artefact (blocks)", with(base, "deploy/prod/kustomization.yaml", "resources:\n- ../../../elsewhere\n"),
			[]want{{SurfaceWorkload, "Deployment agents/prod-agent", KindRemoved, I}, {SurfaceUninspected, "deploy/prod/ (kustomization)", KindAdded, H}}},
		{"decoy: a label added", with(base, "deploy/prod/kustomization.yaml", "resources:\n- ../base\nnamePrefix: prod-\nlabels:\n- pairs: {team: support}\n"), nil},
	})
}

// TestUninspected: a Helm chart and an oversized manifest are recorded by
// digest: unchanged passes, any change blocks; large data does not count.
func TestUninspected(t *testing.T) {
	t.Parallel()
	chart := map[string]string{"chart/Chart.yaml": "apiVersion: v2\nname: agent\nversion: 1.0.0\n",
		"chart/values.yaml":           "hostNetwork: false\n",
		"chart/templates/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: {{ .Release.Name }}}\nspec:\n  template:\n    spec:\n      hostNetwork: {{ .Values.hostNetwork }}\n"}
	pad := strings.Repeat("# padding to hide what follows\n", MaxFileSize/30+1)
	big := "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: agent-admin}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: ServiceAccount, name: agent, namespace: agents}]\n"
	runDiffCases(t, chart, []diffCase{
		{"unchanged chart", chart, nil},
		{"values change (blocks)", with(chart, "chart/values.yaml", "hostNetwork: true\n"),
			[]want{{SurfaceUninspected, "chart/ (Helm chart)", KindChanged, H}}},
		{"template change (blocks)", with(chart, "chart/templates/deploy.yaml", strings.Replace(chart["chart/templates/deploy.yaml"], "hostNetwork:", "hostPID: true\n      hostNetwork:", 1)),
			[]want{{SurfaceUninspected, "chart/ (Helm chart)", KindChanged, H}, {SurfaceUninspected, "chart/templates/deploy.yaml", KindChanged, H}}},
		{"a padded ClusterRoleBinding (blocks)", with(chart, "deploy/rbac.yaml", pad+big),
			[]want{{SurfaceUninspected, "deploy/rbac.yaml", KindAdded, H}}},
		{"padding after the object (blocks)", with(chart, "deploy/rbac.yaml", big+pad),
			[]want{{SurfaceUninspected, "deploy/rbac.yaml", KindAdded, H}}},
		{"decoy: a large dataset", with(chart, "data/train.json", "["+strings.Repeat(`"a sentence about the weather",`, MaxFileSize/29+1)+`"end"]`), nil},
	})
}

// TestKustomizeLoadsOnlyWhatItNames: the build reads the kustomization's
// directory and the local bases it names, nothing else; a manifest from a
// sibling directory is not loaded (kustomize's load restrictor refuses it too,
// as in Argo CD), so the kustomization is uninspected, with the reason.
func TestKustomizeLoadsOnlyWhatItNames(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"base/deployment.yaml":       kzDeploy,
		"base/kustomization.yaml":    "resources:\n- deployment.yaml\n",
		"deploy/kustomization.yaml":  "resources:\n- ../base\n",
		"unrelated/big/prompts.json": `{"prompts": ["a"]}`,
	}
	snap, err := Scan(context.Background(), writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	built := 0
	for _, g := range snap.Grants {
		if g.Surface == SurfaceUninspected {
			t.Fatalf("uninspected: %s (skipped %q)", g.Subject, snap.Skipped)
		}
		if g.Path == "deploy/kustomization.yaml (kustomize build)" {
			built++
		}
	}
	if built == 0 {
		t.Fatalf("no grant from the kustomize build: %+v", snap.Grants)
	}
	files["common/ns.yaml"] = "apiVersion: v1\nkind: Namespace\nmetadata: {name: agents}\n"
	files["deploy/kustomization.yaml"] = "resources:\n- ../base\n- ../common/ns.yaml\n"
	snap, err = Scan(context.Background(), writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Skipped) != 1 || !strings.Contains(snap.Skipped[0], "kustomize cannot build it") {
		t.Fatalf("want the kustomization uninspected with kustomize's reason, skipped %q", snap.Skipped)
	}
}

// FuzzKustomize feeds arbitrary kustomizations to the build: it must not
// panic or reach outside the artefact; errors and uninspected are fine.
func FuzzKustomize(f *testing.F) {
	for _, s := range []string{kzFile, "resources:\n- ../base\n", "helmCharts: [{name: x}]\n",
		kzFile + "patches:\n- patch: |-\n    - {op: add, path: /spec/x, value: 1}\n  target: {kind: Deployment}\n",
		"resources:\n- https://example.com/x.yaml\n", "resources: [deployment.yaml, deployment.yaml]\n", "namePrefix: [\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := writeTree(t, map[string]string{"deploy/deployment.yaml": kzDeploy, "deploy/kustomization.yaml": string(b)})
		_, _ = Scan(context.Background(), dir)
	})
}

// TestKustomizeRBAC: a kustomization's Role and binding are read once,
// through the build; two overlays may render the same base objects.
func TestKustomizeRBAC(t *testing.T) {
	t.Parallel()
	role := "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: agent, namespace: agents}\nrules: [{apiGroups: [\"\"], resources: [configmaps], verbs: [get]}]\n"
	binding := "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: agent, namespace: agents}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: agent}\nsubjects: [{kind: ServiceAccount, name: agent, namespace: agents}]\n"
	base := map[string]string{"base/role.yaml": role, "base/binding.yaml": binding,
		"base/kustomization.yaml":    "resources:\n- role.yaml\n- binding.yaml\n",
		"staging/kustomization.yaml": "resources:\n- ../base\n",
		"prod/kustomization.yaml":    "resources:\n- ../base\n"}
	const secretsRead = "ServiceAccount agents/agent get namespace agents: secrets *"
	runDiffCases(t, base, []diffCase{
		{"unchanged", base, nil},
		{"secrets read added to the base (each build)", with(base, "base/role.yaml", strings.Replace(role, "resources: [configmaps]", "resources: [configmaps, secrets]", 1)),
			[]want{{SurfaceRBAC, secretsRead, KindBroadened, C}, {SurfaceRBAC, secretsRead, KindBroadened, C}, {SurfaceRBAC, secretsRead, KindBroadened, C}}},
		{"prod patches the role to every verb", with(base, "prod/kustomization.yaml", "resources:\n- ../base\npatches:\n- target: {kind: Role, name: agent}\n  patch: |-\n    - {op: replace, path: /rules/0/verbs, value: [\"*\"]}\n"),
			[]want{{SurfaceRBAC, "ServiceAccount agents/agent * namespace agents: configmaps *", KindBroadened, C},
				{SurfaceRBAC, "ServiceAccount agents/agent get namespace agents: configmaps *", KindRemoved, I}}},
	})
}
