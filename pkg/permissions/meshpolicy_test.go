package permissions

import (
	"strings"
	"testing"
)

// A CiliumNetworkPolicy confining the agent's egress to two DNS names on
// 443, a database range (minus one subnet), cluster DNS and one service
// behind an L7 rule.
const ciliumBase = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: agent, namespace: agents}
spec:
  endpointSelector: {matchLabels: {app: support-agent}}
  egress:
  - toFQDNs: [{matchName: api.anthropic.com}, {matchPattern: "*.tickets.example.com"}]
    toPorts: [{ports: [{port: "443", protocol: TCP}]}]
  - toCIDRSet: [{cidr: 10.40.0.0/16, except: [10.40.9.0/24]}]
    toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
  - toEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system, k8s-app: kube-dns}}]
    toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]
  - toServices: [{k8sService: {serviceName: orders, namespace: agents}}]
    toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{method: GET, path: "/v1/orders/.*"}]}}]
  ingress:
  - fromEndpoints: [{matchLabels: {app: gateway}}]
`

func TestCiliumPolicy(t *testing.T) {
	t.Parallel()
	const p = "deploy/cilium.yaml"
	const subject = "CiliumNetworkPolicy agents/agent"
	base := map[string]string{p: ciliumBase}
	runDiffCases(t, base, []diffCase{
		{"unchanged", base, nil},
		{"egress to the world entity (broadened, critical)", replace(base, p, "  - toCIDRSet:", "  - toEntities: [world]\n  - toCIDRSet:"),
			[]want{{SurfaceNetwork, subject, KindBroadened, C}}},
		{"egress to every entity (broadened, critical)", replace(base, p, "  - toCIDRSet:", "  - toEntities: [all]\n  - toCIDRSet:"),
			[]want{{SurfaceNetwork, subject, KindBroadened, C}}},
		{"any DNS name (broadened, critical)", replace(base, p, "{matchName: api.anthropic.com}", `{matchPattern: "*"}`),
			[]want{{SurfaceNetwork, subject, KindBroadened, C}, {SurfaceNetwork, subject, KindRemoved, I}}},
		{"another DNS name (broadened, high)", replace(base, p, "{matchName: api.anthropic.com}", "{matchName: paste.example.net}"),
			[]want{{SurfaceNetwork, subject, KindBroadened, H}, {SurfaceNetwork, subject, KindRemoved, I}}},
		{"a name the reviewed pattern holds (no change)", replace(base, p, "{matchName: api.anthropic.com}, ", "{matchName: api.anthropic.com}, {matchName: eu.tickets.example.com}, "), nil},
		{"whole address space minus a range (critical)", replace(base, p, "cidr: 10.40.0.0/16", "cidr: 0.0.0.0/0"),
			[]want{{SurfaceNetwork, subject, KindBroadened, C}, {SurfaceNetwork, subject, KindRemoved, I}}},
		{"exception dropped (broadened)", replace(base, p, ", except: [10.40.9.0/24]", ""),
			[]want{{SurfaceNetwork, subject, KindBroadened, H}, {SurfaceNetwork, subject, KindRemoved, I}}},
		{"narrower range keeping the exception (narrowed)", replace(base, p, "cidr: 10.40.0.0/16", "cidr: 10.40.0.0/17"),
			[]want{{SurfaceNetwork, subject, KindRemoved, I}}},
		{"narrower range outside the exception (narrowed)", replace(base, p, "cidr: 10.40.0.0/16, except: [10.40.9.0/24]", "cidr: 10.40.1.0/24"),
			[]want{{SurfaceNetwork, subject, KindRemoved, I}}},
		{"L7 rule dropped (broadened)", replace(base, p, `, rules: {http: [{method: GET, path: "/v1/orders/.*"}]}`, ""),
			[]want{{SurfaceNetwork, subject, KindBroadened, H}, {SurfaceNetwork, subject, KindRemoved, I}}},
		{"ports without peers: every destination (critical)", replace(base, p, "  - toCIDRSet:", "  - toPorts: [{ports: [{port: \"22\", protocol: TCP}]}]\n  - toCIDRSet:"),
			[]want{{SurfaceNetwork, subject, KindBroadened, C}}},
		{"default deny turned off (critical)", replace(base, p, "spec:\n", "spec:\n  enableDefaultDeny: {egress: false}\n"),
			[]want{{SurfaceNetwork, subject, KindBroadened, C}}},
		{"selector misses the agent (critical)", replace(base, p, "{app: support-agent}", "{app: support-agent-v0}"),
			[]want{{SurfaceNetwork, subject, KindBroadened, C}, {SurfaceNetwork, subject, KindBroadened, H}, {SurfaceNetwork, subject, KindNarrowed, I}, {SurfaceNetwork, subject, KindNarrowed, I}}},
		{"egress deny rule added (narrowed)", map[string]string{p: ciliumBase + "  egressDeny:\n  - toCIDR: [169.254.169.254/32]\n"},
			[]want{{SurfaceNetwork, subject, KindNarrowed, I}}},
		{"policy deleted (critical)", map[string]string{"deploy/README.md": "moved\n"},
			[]want{{SurfaceNetwork, subject, KindBroadened, C}, {SurfaceNetwork, subject, KindBroadened, H},
				{SurfaceNetwork, subject, KindRemoved, I}, {SurfaceNetwork, subject, KindRemoved, I}, {SurfaceNetwork, subject, KindRemoved, I},
				{SurfaceNetwork, subject, KindRemoved, I}, {SurfaceNetwork, subject, KindRemoved, I}, {SurfaceNetwork, subject, KindRemoved, I}}},
		{"renamed (no broadening)", replace(base, p, "name: agent,", "name: agent-v2,"),
			[]want{{SurfaceNetwork, subject, KindRemoved, I}, {SurfaceNetwork, subject, KindRemoved, I}, {SurfaceNetwork, subject, KindRemoved, I},
				{SurfaceNetwork, subject, KindRemoved, I}, {SurfaceNetwork, subject, KindRemoved, I}, {SurfaceNetwork, subject, KindRemoved, I},
				{SurfaceNetwork, subject + "-v2", KindNarrowed, I}, {SurfaceNetwork, subject + "-v2", KindNarrowed, I}}},
		{"cluster-wide policy allowing everything (critical)", with(base, "deploy/ccnp.yaml",
			"apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: open}\nspec:\n  endpointSelector: {}\n  egress:\n  - toEntities: [all]\n"),
			[]want{{SurfaceNetwork, "CiliumClusterwideNetworkPolicy */open", KindAdded, C}, {SurfaceNetwork, "CiliumClusterwideNetworkPolicy */open", KindNarrowed, I}}},
	})
	// removing an egress deny rule broadens
	withDeny := map[string]string{p: ciliumBase + "  egressDeny:\n  - toCIDR: [169.254.169.254/32]\n"}
	runDiffCases(t, withDeny, []diffCase{
		{"egress deny rule removed (broadened)", base, []want{{SurfaceNetwork, subject, KindBroadened, H}}},
	})
}

const calicoBase = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: agents-egress}
spec:
  selector: app == 'support-agent'
  types: [Egress]
  egress:
  - action: Deny
    destination: {nets: [169.254.169.254/32]}
  - action: Allow
    protocol: TCP
    destination: {nets: [10.40.0.0/16], ports: [443]}
  - action: Allow
    protocol: UDP
    destination: {selector: k8s-app == 'kube-dns', ports: [53]}
`

func TestCalicoPolicy(t *testing.T) {
	t.Parallel()
	const p = "deploy/calico.yaml"
	const subject = "GlobalNetworkPolicy */agents-egress"
	base := map[string]string{p: calicoBase}
	runDiffCases(t, base, []diffCase{
		{"unchanged", base, nil},
		{"the v1 CRD spelling is the same policy", replace(base, p, "projectcalico.org/v3", "crd.projectcalico.org/v1"), nil},
		{"allow to everywhere (critical)", replace(base, p, "nets: [10.40.0.0/16]", "nets: [0.0.0.0/0]"),
			[]want{{SurfaceNetwork, subject, KindBroadened, C}, {SurfaceNetwork, subject, KindRemoved, I}}},
		{"allow rule without destination (critical)", replace(base, p, "destination: {nets: [10.40.0.0/16], ports: [443]}", "destination: {ports: [443]}"),
			[]want{{SurfaceNetwork, subject, KindBroadened, C}, {SurfaceNetwork, subject, KindRemoved, I}}},
		{"any domain (critical)", replace(base, p, "nets: [10.40.0.0/16]", `domains: ["*"]`),
			[]want{{SurfaceNetwork, subject, KindBroadened, C}, {SurfaceNetwork, subject, KindRemoved, I}}},
		{"deny rule removed (broadened)", replace(base, p, "  - action: Deny\n    destination: {nets: [169.254.169.254/32]}\n", ""),
			[]want{{SurfaceNetwork, subject, KindBroadened, H}}},
		{"deny turned into allow (critical)", replace(base, p, "action: Deny", "action: Allow"),
			[]want{{SurfaceNetwork, subject, KindBroadened, H}, {SurfaceNetwork, subject, KindBroadened, H}}},
		{"other selector peer (broadened)", replace(base, p, "k8s-app == 'kube-dns'", "all()"),
			[]want{{SurfaceNetwork, subject, KindBroadened, H}, {SurfaceNetwork, subject, KindRemoved, I}}},
		{"narrower range (narrowed)", replace(base, p, "nets: [10.40.0.0/16]", "nets: [10.40.3.0/24]"),
			[]want{{SurfaceNetwork, subject, KindRemoved, I}}},
		{"Pass and Log rules grant nothing", replace(base, p, "  - action: Deny\n", "  - action: Log\n  - action: Pass\n  - action: Deny\n"), nil},
		{"egress type dropped (critical)", replace(base, p, "types: [Egress]", "types: [Ingress]"),
			[]want{{SurfaceNetwork, subject, KindBroadened, C}, {SurfaceNetwork, subject, KindBroadened, H},
				{SurfaceNetwork, subject, KindNarrowed, I}, {SurfaceNetwork, subject, KindRemoved, I}, {SurfaceNetwork, subject, KindRemoved, I}}},
	})
}

const istioBase = `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: agents}
spec:
  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: anthropic, namespace: agents}
spec:
  hosts: [api.anthropic.com]
  location: MESH_EXTERNAL
  ports: [{number: 443, name: https, protocol: TLS}]
  resolution: DNS
`

func TestIstioEgress(t *testing.T) {
	t.Parallel()
	const p = "deploy/mesh.yaml"
	base := map[string]string{p: istioBase}
	runDiffCases(t, base, []diffCase{
		{"unchanged", base, nil},
		{"new external host (added, high)", replace(base, p, "hosts: [api.anthropic.com]", "hosts: [api.anthropic.com, paste.example.net]"),
			[]want{{SurfaceNetwork, "paste.example.net", KindAdded, H}}},
		{"any host (added, critical)", replace(base, p, "hosts: [api.anthropic.com]", `hosts: [api.anthropic.com, "*"]`),
			[]want{{SurfaceNetwork, "*", KindAdded, C}}},
		{"ALLOW_ANY (critical)", replace(base, p, "REGISTRY_ONLY", "ALLOW_ANY"),
			[]want{{SurfaceNetwork, "*", KindAdded, C}, {SurfaceNetwork, "Sidecar agents/default", KindBroadened, C}}},
		{"outbound policy dropped (critical)", replace(base, p, "  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n", "  egress: [{hosts: [./*]}]\n"),
			[]want{{SurfaceNetwork, "Sidecar agents/default", KindBroadened, C}}},
		{"host removed (narrowed)", replace(base, p, "hosts: [api.anthropic.com]", "hosts: [api2.anthropic.com]"),
			[]want{{SurfaceNetwork, "api.anthropic.com", KindRemoved, I}, {SurfaceNetwork, "api2.anthropic.com", KindAdded, H}}},
		{"a CNI policy does not replace the mesh restriction", with(replace(base, p, "  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n", "  egress: [{hosts: [./*]}]\n"), "deploy/np.yaml",
			"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x, namespace: agents}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n"),
			[]want{{SurfaceNetwork, "NetworkPolicy agents/x", KindNarrowed, I}, {SurfaceNetwork, "Sidecar agents/default", KindBroadened, C}}},
		{"mesh-wide ALLOW_ANY in an IstioOperator (critical)", with(base, "deploy/istio.yaml",
			"apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: mesh, namespace: istio-system}\nspec:\n  meshConfig:\n    outboundTrafficPolicy: {mode: ALLOW_ANY}\n"),
			[]want{{SurfaceNetwork, "*", KindAdded, C}}},
	})
}

// TestMeshPolicyInvalid: malformed CNI and mesh policies are errors naming
// the file (the check fails closed).
func TestMeshPolicyInvalid(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]string{
		"cilium without selector": "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: a, namespace: b}\nspec:\n  egress: [{toEntities: [world]}]\n",
		"cilium bad cidr":         "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: a, namespace: b}\nspec:\n  endpointSelector: {}\n  egress: [{toCIDR: [not-a-cidr]}]\n",
		"cilium without spec":     "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: a, namespace: b}\n",
		"calico unknown action":   "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: a, namespace: b}\nspec:\n  egress: [{action: Accept}]\n",
		"calico bad net":          "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: a, namespace: b}\nspec:\n  egress: [{action: Allow, destination: {nets: [x]}}]\n",
		"istio unknown mode":      "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: a, namespace: b}\nspec:\n  outboundTrafficPolicy: {mode: OPEN}\n",
		"service entry no hosts":  "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: a, namespace: b}\nspec: {location: MESH_EXTERNAL}\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := writeTree(t, map[string]string{"deploy/p.yaml": doc})
			_, err := Scan(t.Context(), dir)
			if err == nil || !strings.Contains(err.Error(), "deploy/p.yaml") {
				t.Fatalf("want an error naming deploy/p.yaml, got %v", err)
			}
		})
	}
}

// A server configured through env: a read-only switch and a toolset list.
const envServer = `{"mcpServers": {"github": {"command": "github-mcp-server", "args": ["stdio"],
  "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}", "GITHUB_READ_ONLY": "1", "GITHUB_TOOLSETS": "issues,pull_requests"}}}}`

func TestMCPServerEnvValues(t *testing.T) {
	t.Parallel()
	const p = ".mcp.json"
	base := map[string]string{p: envServer}
	runDiffCases(t, base, []diffCase{
		{"unchanged", base, nil},
		{"read-only switched off (changed, high)", replace(base, p, `"GITHUB_READ_ONLY": "1"`, `"GITHUB_READ_ONLY": "0"`),
			[]want{{SurfaceMCPServer, "github", KindChanged, H}}},
		{"read-only removed: the default applies (changed, high)", replace(base, p, `"GITHUB_READ_ONLY": "1", `, ""),
			[]want{{SurfaceMCPServer, "github", KindChanged, H}}},
		{"more toolsets (changed, high)", replace(base, p, `issues,pull_requests`, `all`),
			[]want{{SurfaceMCPServer, "github", KindChanged, H}}},
		{"new configuration variable (broadened, high)", replace(base, p, `"GITHUB_READ_ONLY": "1"`, `"GITHUB_READ_ONLY": "1", "GITHUB_HOST": "https://ghe.example.net"`),
			[]want{{SurfaceMCPServer, "github", KindBroadened, H}, {SurfaceNetwork, "ghe.example.net", KindAdded, H}}},
		{"credential rotated (no change: its value is never kept)", replace(base, p, `${GITHUB_TOKEN}`, `${GITHUB_TOKEN_V2}`), nil},
		{"credential removed (narrowed)", replace(base, p, `"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}", `, ""),
			[]want{{SurfaceMCPServer, "github", KindNarrowed, I}}},
	})
}

// TestMCPServerEnvRecordWithoutValues: a record written before env values
// were kept compares by names only.
func TestMCPServerEnvRecordWithoutValues(t *testing.T) {
	t.Parallel()
	base := scanFiles(t, map[string]string{".mcp.json": envServer})
	for i := range base.Grants {
		c := decode(base.Grants[i].Content)
		delete(c, "envValues")
		base.Grants[i].Content = content(c)
	}
	if ch := Diff(base, scanFiles(t, map[string]string{".mcp.json": envServer})); len(ch) != 0 {
		t.Fatalf("old record: want no change, got %+v", ch)
	}
}

// A server run in a container, pinned by digest.
const dockerServer = `{"mcpServers": {"gh": {"command": "docker", "args": ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server:v0.13.0@sha256:5760b81dff688b87693b03473bee12d35f407c32bf086ff8051246250b4cdce9"]}}}`

func TestMCPServerContainerFlags(t *testing.T) {
	t.Parallel()
	const p = ".mcp.json"
	base := map[string]string{p: dockerServer}
	flags := func(f string) map[string]string { return replace(base, p, `"--rm", `, `"--rm", `+f+`, `) }
	runDiffCases(t, base, []diffCase{
		{"unchanged", base, nil},
		{"privileged (critical)", flags(`"--privileged"`), []want{{SurfaceMCPServer, "gh", KindBroadened, C}}},
		{"host root mounted (critical)", flags(`"-v", "/:/host"`), []want{{SurfaceMCPServer, "gh", KindBroadened, C}}},
		{"docker socket (critical)", flags(`"--mount", "type=bind,source=/var/run/docker.sock,target=/var/run/docker.sock"`), []want{{SurfaceMCPServer, "gh", KindBroadened, C}}},
		{"host PID namespace (critical)", flags(`"--pid=host"`), []want{{SurfaceMCPServer, "gh", KindBroadened, C}}},
		{"host network (high)", flags(`"--network", "host"`), []want{{SurfaceMCPServer, "gh", KindBroadened, H}}},
		{"host credentials directory (high)", flags(`"-v", "/root/.ssh:/keys:ro"`), []want{{SurfaceMCPServer, "gh", KindBroadened, H}}},
		{"a named volume is no host privilege (changed, high)", flags(`"-v", "cache:/cache"`), []want{{SurfaceMCPServer, "gh", KindChanged, H}}},
		{"an image argument that looks like a flag value is not a flag", replace(base, p, `"ghcr.io`, `"--name", "gh", "ghcr.io`), []want{{SurfaceMCPServer, "gh", KindChanged, H}}},
		{"unpinned image (changed, high)", replace(base, p, "@sha256:5760b81dff688b87693b03473bee12d35f407c32bf086ff8051246250b4cdce9", ""), []want{{SurfaceMCPServer, "gh", KindChanged, H}}},
	})
	priv := map[string]string{p: replace(base, p, `"--rm", `, `"--rm", "--privileged", `)[p]}
	runDiffCases(t, priv, []diffCase{
		{"privilege dropped (changed only)", base, []want{{SurfaceMCPServer, "gh", KindChanged, H}}},
	})
	runDiffCases(t, map[string]string{"other.txt": "x"}, []diffCase{
		{"new privileged server (added, critical)", flags(`"--privileged"`), []want{{SurfaceMCPServer, "gh", KindAdded, C}}},
		{"new server (added, high)", base, []want{{SurfaceMCPServer, "gh", KindAdded, H}}},
	})
}
