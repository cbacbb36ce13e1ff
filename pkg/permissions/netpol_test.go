package permissions

import (
	"context"
	"strings"
	"testing"
)

// A NetworkPolicy that confines the agent's egress to an internal range on
// 443 and to cluster DNS, and admits ingress from the gateway only.
const netpolBase = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: agent, namespace: agents}
spec:
  podSelector: {matchLabels: {app: support-agent}}
  policyTypes: [Egress, Ingress]
  egress:
    - to: [{ipBlock: {cidr: 10.20.0.0/16}}]
      ports: [{protocol: TCP, port: 443}]
    - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
      ports: [{protocol: UDP, port: 53}]
  ingress:
    - from: [{podSelector: {matchLabels: {app: gateway}}}]
      ports: [{port: 8080}]
`

func TestNetworkPolicy(t *testing.T) {
	t.Parallel()
	const p = "deploy/netpol.yaml"
	const subject = "NetworkPolicy agents/agent"
	base := map[string]string{p: netpolBase}
	runDiffCases(t, base, []diffCase{
		{"unchanged", base, nil},
		{"reordered and re-spelled is no change", map[string]string{p: `{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
 "metadata": {"namespace": "agents", "name": "agent"},
 "spec": {"policyTypes": ["Ingress", "Egress"], "podSelector": {"matchLabels": {"app": "support-agent"}},
  "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "gateway"}}}], "ports": [{"port": 8080, "protocol": "TCP"}]}],
  "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}], "ports": [{"port": 53, "protocol": "UDP"}]},
   {"ports": [{"port": 443}], "to": [{"ipBlock": {"cidr": "10.20.0.0/16"}}]}]}}`}, nil},
		{"policy deleted (egress isolation removed, critical)", map[string]string{"other.txt": "x"},
			[]want{{SurfaceNetwork, subject, KindRemoved, I}, {SurfaceNetwork, subject, KindRemoved, I}, {SurfaceNetwork, subject, KindRemoved, I},
				{SurfaceNetwork, subject, KindBroadened, C}, {SurfaceNetwork, subject, KindBroadened, H}}},
		{"egress to 0.0.0.0/0 (broadened, critical)", replace(base, p, "cidr: 10.20.0.0/16", "cidr: 0.0.0.0/0"),
			[]want{{SurfaceNetwork, subject, KindBroadened, C}, {SurfaceNetwork, subject, KindRemoved, I}}},
		{"egress rule without peers (critical)", replace(base, p, "- to: [{ipBlock: {cidr: 10.20.0.0/16}}]\n      ports:", "- ports:"),
			[]want{{SurfaceNetwork, subject, KindBroadened, C}, {SurfaceNetwork, subject, KindRemoved, I}}},
		{"narrower range (narrowed only)", replace(base, p, "cidr: 10.20.0.0/16", "cidr: 10.20.5.0/24"),
			[]want{{SurfaceNetwork, subject, KindRemoved, I}}},
		{"another port (broadened)", replace(base, p, "[{protocol: TCP, port: 443}]", "[{protocol: TCP, port: 443}, {protocol: TCP, port: 22}]"),
			[]want{{SurfaceNetwork, subject, KindBroadened, H}, {SurfaceNetwork, subject, KindRemoved, I}}},
		{"every port (broadened)", replace(base, p, "\n      ports: [{protocol: TCP, port: 443}]", ""),
			[]want{{SurfaceNetwork, subject, KindBroadened, H}, {SurfaceNetwork, subject, KindRemoved, I}}},
		{"port range (broadened)", replace(base, p, "{protocol: TCP, port: 443}", "{protocol: TCP, port: 443, endPort: 8443}"),
			[]want{{SurfaceNetwork, subject, KindBroadened, H}, {SurfaceNetwork, subject, KindRemoved, I}}},
		{"egress dropped from policyTypes (critical)", replace(base, p, "policyTypes: [Egress, Ingress]", "policyTypes: [Ingress]"),
			[]want{{SurfaceNetwork, subject, KindRemoved, I}, {SurfaceNetwork, subject, KindRemoved, I}, {SurfaceNetwork, subject, KindBroadened, C}}},
		{"selector no longer matches the agent (critical)", replace(base, p, "{app: support-agent}", "{app: support-agent-v0}"),
			[]want{{SurfaceNetwork, subject, KindBroadened, C}, {SurfaceNetwork, subject, KindNarrowed, I},
				{SurfaceNetwork, subject, KindBroadened, H}, {SurfaceNetwork, subject, KindNarrowed, I}}},
		{"ingress from anywhere (broadened)", replace(base, p, "- from: [{podSelector: {matchLabels: {app: gateway}}}]\n      ports:", "- ports:"),
			[]want{{SurfaceNetwork, subject, KindBroadened, H}, {SurfaceNetwork, subject, KindRemoved, I}}},
		{"ingress from every namespace (broadened)", replace(base, p, "{podSelector: {matchLabels: {app: gateway}}}", "{namespaceSelector: {}}"),
			[]want{{SurfaceNetwork, subject, KindBroadened, H}, {SurfaceNetwork, subject, KindRemoved, I}}},
		{"renamed policy keeps isolation", replace(base, p, "name: agent,", "name: agent-v2,"),
			[]want{
				{SurfaceNetwork, subject, KindRemoved, I}, {SurfaceNetwork, subject, KindRemoved, I}, {SurfaceNetwork, subject, KindRemoved, I},
				{SurfaceNetwork, subject + "-v2", KindNarrowed, I}, {SurfaceNetwork, subject + "-v2", KindNarrowed, I}}},
		{"split into two policies keeps every rule", map[string]string{p: netpolBase, "deploy/dns.yaml": `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: agent-dns, namespace: agents}
spec:
  podSelector: {matchLabels: {app: support-agent}}
  policyTypes: [Egress]
  egress:
    - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
      ports: [{protocol: UDP, port: 53}]
`}, []want{{SurfaceNetwork, "NetworkPolicy agents/agent-dns", KindNarrowed, I}}},
		{"a rule for other pods of the namespace (added)", map[string]string{p: netpolBase, "deploy/batch.yaml": `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: batch, namespace: agents}
spec:
  podSelector: {matchLabels: {app: batch}}
  egress:
    - to: [{ipBlock: {cidr: 0.0.0.0/0}}]
`}, []want{{SurfaceNetwork, "NetworkPolicy agents/batch", KindNarrowed, I}, {SurfaceNetwork, "NetworkPolicy agents/batch", KindNarrowed, I}, {SurfaceNetwork, "NetworkPolicy agents/batch", KindNarrowed, I}}},
		{"a policy for every pod of the namespace opens the agent (critical)", map[string]string{p: netpolBase, "deploy/all.yaml": `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all-egress, namespace: agents}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{}]
`}, []want{{SurfaceNetwork, "NetworkPolicy agents/allow-all-egress", KindAdded, C}, {SurfaceNetwork, "NetworkPolicy agents/allow-all-egress", KindNarrowed, I}}},
		{"a default-deny policy added (narrowed)", replace(base, p, "kind: NetworkPolicy\n", "kind: NetworkPolicy\n"),
			nil},
	})
	// A namespace the review left open: a new policy only narrows.
	open := map[string]string{"deploy/app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"}
	runDiffCases(t, open, []diffCase{
		{"first policy of the namespace (narrowed)", map[string]string{"deploy/app.yaml": open["deploy/app.yaml"], p: netpolBase},
			[]want{{SurfaceNetwork, subject, KindNarrowed, I}, {SurfaceNetwork, subject, KindNarrowed, I}, {SurfaceNetwork, subject, KindNarrowed, I},
				{SurfaceNetwork, subject, KindNarrowed, I}, {SurfaceNetwork, subject, KindNarrowed, I}}},
	})
}

func TestNetworkPolicyInvalid(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {namespace: a}\nspec: {podSelector: {}}\n",
		"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\n",
		"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec: {podSelector: {}, policyTypes: [Sideways]}\n",
		"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec: {podSelector: {}, egress: [{to: [{ipBlock: {cidr: not-a-cidr}}]}]}\n",
		"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec: {podSelector: {}, egress: [{to: [{}]}]}\n",
		"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec: {podSelector: {}, egress: [{ports: [{port: [1]}]}]}\n",
		"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec: {podSelector: {}, egress: [\"x\"]}\n",
		"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a\n  bad: [\n",
	} {
		if _, err := Scan(context.Background(), writeTree(t, map[string]string{"netpol.yaml": body})); err == nil {
			t.Errorf("%q: want an error", body)
		}
	}
}

// TestManifestEncodings: a manifest in UTF-16 is read as kubectl reads it;
// one that does not parse (duplicate keys) is an error, never silence.
func TestManifestEncodings(t *testing.T) {
	t.Parallel()
	body := "apiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: agents}\nspec:\n  hostPID: true\n  containers: [{name: a, image: a}]\n"
	utf16le := []byte{0xFF, 0xFE}
	for _, r := range body {
		utf16le = append(utf16le, byte(r), 0)
	}
	snap, err := Scan(context.Background(), writeTree(t, map[string]string{"pod.yaml": string(utf16le)}))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, g := range snap.Grants {
		found = found || (g.Surface == SurfaceWorkload && g.Scope == "pid")
	}
	if !found {
		t.Fatalf("UTF-16 manifest not read: %+v", snap.Grants)
	}
	for _, bad := range []string{
		strings.Replace(body, "  hostPID: true\n", "  hostPID: true\n  hostPID: false\n", 1),
		"\xff\xfe\x00",
		"\x00\x00\xfe\xff" + body,
		strings.Replace(body, "agents", "agents\xff", 1),
	} {
		if _, err := Scan(context.Background(), writeTree(t, map[string]string{"pod.yaml": bad})); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}
