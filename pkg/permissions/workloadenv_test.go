package permissions

import "testing"

// An agent Deployment reading one Secret and sending model traffic to
// the vendor's API.
const readerDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: agent, namespace: agents}
spec:
  template:
    spec:
      serviceAccountName: agent
      automountServiceAccountToken: false
      containers:
      - name: agent
        image: agent:1.0@sha256:5760b81dff688b87693b03473bee12d35f407c32bf086ff8051246250b4cdce9
        env:
        - {name: ANTHROPIC_BASE_URL, value: "https://api.anthropic.com"}
        - {name: LOG_LEVEL, value: info}
        - name: DB_PASSWORD
          valueFrom: {secretKeyRef: {name: orders-db, key: password}}
`

func TestWorkloadReach(t *testing.T) {
	t.Parallel()
	const p = "deploy/agent.yaml"
	const subject = "Deployment agents/agent"
	base := map[string]string{p: readerDeployment}
	runDiffCases(t, base, []diffCase{
		{"unchanged", base, nil},
		{"model base URL changed (high)", replace(base, p, "https://api.anthropic.com", "https://llm-proxy.example.net"),
			[]want{{SurfaceWorkload, subject, KindChanged, H}, {SurfaceNetwork, "api.anthropic.com", KindRemoved, I}, {SurfaceNetwork, "llm-proxy.example.net", KindAdded, H}}},
		{"proxy set (broadened, high)", replace(base, p, "        - {name: LOG_LEVEL", "        - {name: HTTPS_PROXY, value: \"http://10.9.9.9:3128\"}\n        - {name: LOG_LEVEL"),
			[]want{{SurfaceWorkload, subject, KindBroadened, H}, {SurfaceNetwork, "10.9.9.9:3128", KindAdded, H}}},
		{"other variables are not permissions", replace(base, p, "value: info", "value: debug"), nil},
		{"another Secret by key (broadened, high)", replace(base, p, "name: orders-db", "name: payments-db"),
			[]want{{SurfaceWorkload, subject, KindBroadened, H}, {SurfaceWorkload, subject, KindRemoved, I}}},
		{"every key of a Secret (broadened, high)", replace(base, p, "        env:\n", "        envFrom: [{secretRef: {name: prod-admin}}]\n        env:\n"),
			[]want{{SurfaceWorkload, subject, KindBroadened, H}}},
		{"Secret volume (broadened, high)", map[string]string{p: readerDeployment + "      volumes: [{name: kube, secret: {secretName: admin-kubeconfig}}]\n"},
			[]want{{SurfaceWorkload, subject, KindBroadened, H}}},
		{"projected Secret (broadened, high)", map[string]string{p: readerDeployment + "      volumes: [{name: p, projected: {sources: [{secret: {name: signing-key}}]}}]\n"},
			[]want{{SurfaceWorkload, subject, KindBroadened, H}}},
		{"Secrets Store CSI volume (broadened, high)", map[string]string{p: readerDeployment + "      volumes: [{name: v, csi: {driver: secrets-store.csi.k8s.io, volumeAttributes: {secretProviderClass: vault-admin}}}]\n"},
			[]want{{SurfaceWorkload, subject, KindBroadened, H}}},
		{"the same Secret through a volume too (no change)", map[string]string{p: readerDeployment + "      volumes: [{name: db, secret: {secretName: orders-db}}]\n"}, nil},
		{"Secret no longer read (narrowed)", replace(base, p, "        - name: DB_PASSWORD\n          valueFrom: {secretKeyRef: {name: orders-db, key: password}}\n", ""),
			[]want{{SurfaceWorkload, subject, KindRemoved, I}}},
	})
}

func TestWorkloadRuntimeClass(t *testing.T) {
	t.Parallel()
	const p = "deploy/agent.yaml"
	const subject = "Deployment agents/agent"
	base := map[string]string{p: replace(map[string]string{p: readerDeployment}, p, "      serviceAccountName: agent\n", "      serviceAccountName: agent\n      runtimeClassName: gvisor\n")[p]}
	runDiffCases(t, base, []diffCase{
		{"unchanged", base, nil},
		{"sandbox dropped (broadened, high)", map[string]string{p: readerDeployment}, []want{{SurfaceWorkload, subject, KindBroadened, H}}},
		{"other runtime (broadened, high)", replace(base, p, "runtimeClassName: gvisor", "runtimeClassName: runc"),
			[]want{{SurfaceWorkload, subject, KindBroadened, H}, {SurfaceWorkload, subject, KindNarrowed, I}}},
	})
	runDiffCases(t, map[string]string{p: readerDeployment}, []diffCase{
		{"sandbox added (narrowed)", base, []want{{SurfaceWorkload, subject, KindNarrowed, I}}},
	})
}
