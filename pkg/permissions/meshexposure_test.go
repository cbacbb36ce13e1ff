package permissions

import (
	"context"
	"testing"
)

// An OpenShift Route for one host and path, TLS at the edge, plain HTTP
// redirected.
const exposureRoute = `apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: agent, namespace: agents}
spec:
  host: agent.apps.example.com
  path: /api
  to: {kind: Service, name: agent, weight: 100}
  port: {targetPort: http}
  tls: {termination: edge, insecureEdgeTerminationPolicy: Redirect}
  wildcardPolicy: None
`

// An Istio ingress Gateway with one HTTPS server, a VirtualService bound
// to it, and one bound to the mesh only.
const exposureIstio = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: agents}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [./agent.example.com]
    tls: {mode: SIMPLE, credentialName: agent-cert}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: agent, namespace: agents}
spec:
  hosts: [agent.example.com]
  gateways: [edge]
  http:
  - match: [{uri: {prefix: /v1}}]
    route: [{destination: {host: agent.agents.svc.cluster.local, port: {number: 80}}}]
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: tools, namespace: agents}
spec:
  hosts: [tools.agents.svc.cluster.local]
  http:
  - route: [{destination: {host: tools.agents.svc.cluster.local}}]
`

func TestExposureRouterAndMesh(t *testing.T) {
	t.Parallel()
	const rp, mp = "deploy/route.yaml", "deploy/istio.yaml"
	const route, gw, vs, tools = "Route agents/agent", "Gateway agents/edge", "VirtualService agents/agent", "VirtualService agents/tools"
	base := map[string]string{rp: exposureRoute, mp: exposureIstio}
	X := SurfaceExposure
	runDiffCases(t, base, []diffCase{
		{"unchanged", base, nil},
		// OpenShift Route
		{"new Route (added, high)", with(base, "deploy/admin-route.yaml", "apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: admin, namespace: agents}\nspec:\n  host: admin.apps.example.com\n  to: {kind: Service, name: admin}\n  tls: {termination: reencrypt}\n"),
			[]want{{X, "Route agents/admin", KindAdded, H}}},
		{"new Route with a generated host (added, high)", with(base, "deploy/admin-route.yaml", "apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: admin, namespace: agents}\nspec:\n  to: {name: admin}\n"),
			[]want{{X, "Route agents/admin", KindAdded, H}}},
		{"Route wildcardPolicy Subdomain (broadened, critical)", replace(base, rp, "wildcardPolicy: None", "wildcardPolicy: Subdomain"),
			[]want{{X, route, KindBroadened, C}}},
		{"Route plain HTTP allowed (broadened, high)", replace(base, rp, "insecureEdgeTerminationPolicy: Redirect", "insecureEdgeTerminationPolicy: Allow"),
			[]want{{X, route, KindBroadened, H}}},
		{"Route TLS dropped (broadened, high)", replace(base, rp, "  tls: {termination: edge, insecureEdgeTerminationPolicy: Redirect}\n", ""),
			[]want{{X, route, KindBroadened, H}, {X, route, KindRemoved, I}}},
		{"Route path widened to / (broadened, high)", replace(base, rp, "  path: /api\n", ""),
			[]want{{X, route, KindBroadened, H}}},
		{"Route new host (broadened, high)", replace(base, rp, "host: agent.apps.example.com", "host: chat.example.com"),
			[]want{{X, route, KindBroadened, H}, {X, route, KindRemoved, I}}},
		{"Route alternate backend (changed, high)", replace(base, rp, "  port: {targetPort: http}\n", "  alternateBackends: [{kind: Service, name: admin, weight: 10}]\n  port: {targetPort: http}\n"),
			[]want{{X, route, KindChanged, H}}},
		{"Route path narrowed (removed)", replace(base, rp, "path: /api", "path: /api/v2"), []want{{X, route, KindRemoved, I}}},
		{"Route renamed and moved is no change", with(with(base, rp, ""), "deploy/edge/route.yaml", replaceStr(exposureRoute, "name: agent,", "name: agent-edge,")), nil},
		{"Route fields reordered and weight changed is no change", replace(base, rp, "  to: {kind: Service, name: agent, weight: 100}\n  port: {targetPort: http}\n", "  port: {targetPort: http}\n  to: {name: agent, weight: 50}\n"), nil},
		{"Route removed (removed)", with(base, rp, ""), []want{{X, route, KindRemoved, I}}},
		{"Route in a List (added, critical)", with(base, "deploy/list.yaml", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: route.openshift.io/v1\n  kind: Route\n  metadata: {name: wild, namespace: agents}\n  spec: {host: www.example.com, wildcardPolicy: Subdomain, to: {name: agent}}\n"),
			[]want{{X, "Route agents/wild", KindAdded, C}}},
		// Istio Gateway
		{"Gateway server for every host (broadened, critical)", replace(base, mp, "hosts: [./agent.example.com]", "hosts: [./agent.example.com, \"*/*\"]"),
			[]want{{X, gw, KindBroadened, C}}},
		{"Gateway wildcard host (broadened, critical)", replace(base, mp, "hosts: [./agent.example.com]", "hosts: [\"./*.example.com\"]"),
			[]want{{X, gw, KindBroadened, C}}},
		{"Gateway new port (broadened, high)", replace(base, mp, "    tls: {mode: SIMPLE, credentialName: agent-cert}\n", "    tls: {mode: SIMPLE, credentialName: agent-cert}\n  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [./agent.example.com]\n"),
			[]want{{X, gw, KindBroadened, H}}},
		{"Gateway host open to every namespace (broadened, high)", replace(base, mp, "hosts: [./agent.example.com]", "hosts: [\"*/agent.example.com\"]"),
			[]want{{X, gw, KindBroadened, H}}},
		{"Gateway on other gateway pods (changed, high)", replace(base, mp, "selector: {istio: ingressgateway}", "selector: {istio: public-ingressgateway}"),
			[]want{{X, gw, KindChanged, H}}},
		{"Gateway host bound from another namespace (broadened, high)", replace(base, mp, "hosts: [./agent.example.com]", "hosts: [team-a/agent.example.com]"),
			[]want{{X, gw, KindBroadened, H}}},
		{"Route TLS termination moved to the pods is no change", replace(base, rp, "termination: edge, insecureEdgeTerminationPolicy: Redirect", "termination: passthrough"), nil},
		{"Gateway TLS AUTO_PASSTHROUGH (broadened, critical)", replace(base, mp, "mode: SIMPLE", "mode: AUTO_PASSTHROUGH"),
			[]want{{X, gw, KindBroadened, C}}},
		{"Gateway requires client certificates (narrowed)", replace(base, mp, "mode: SIMPLE", "mode: MUTUAL"),
			[]want{{X, gw, KindNarrowed, I}}},
		{"Gateway plain HTTP server that only redirects is no exposure", replace(base, mp, "  servers:\n", "  servers:\n  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [./agent.example.com]\n    tls: {httpsRedirect: true}\n"), nil},
		{"Gateway servers reordered is no change", replace(base, mp, "  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: [./agent.example.com]\n    tls: {mode: SIMPLE, credentialName: agent-cert}\n",
			"  - hosts: [./agent.example.com]\n    tls: {credentialName: agent-cert, mode: SIMPLE}\n    port: {protocol: HTTPS, name: web, number: 443}\n"), nil},
		{"Gateway removed (removed)", with(base, mp, "# moved to the platform repository\n"),
			[]want{{X, gw, KindRemoved, I}, {X, vs, KindRemoved, I}}},
		// VirtualService
		{"VirtualService bound to a gateway (added, high)", replace(base, mp, "  hosts: [tools.agents.svc.cluster.local]\n", "  hosts: [tools.agents.svc.cluster.local]\n  gateways: [mesh, istio-system/public]\n"),
			[]want{{X, tools, KindAdded, H}}},
		{"VirtualService bound to the mesh only is no exposure", replace(base, mp, "  hosts: [tools.agents.svc.cluster.local]\n", "  hosts: [tools.agents.svc.cluster.local]\n  gateways: [mesh]\n"), nil},
		{"VirtualService wildcard host (broadened, critical)", replace(base, mp, "hosts: [agent.example.com]\n  gateways: [edge]", "hosts: [\"*\"]\n  gateways: [edge]"),
			[]want{{X, vs, KindBroadened, C}}},
		{"VirtualService another gateway (broadened, high)", replace(base, mp, "gateways: [edge]", "gateways: [edge, infra/public]"),
			[]want{{X, vs, KindBroadened, H}}},
		{"VirtualService path widened (broadened, high)", replace(base, mp, "uri: {prefix: /v1}", "uri: {prefix: /}"),
			[]want{{X, vs, KindBroadened, H}}},
		{"VirtualService new destination (changed, high)", replace(base, mp, "host: agent.agents.svc.cluster.local, port", "host: admin.agents.svc.cluster.local, port"),
			[]want{{X, vs, KindChanged, H}}},
		{"VirtualService unbound from the gateway (removed)", replace(base, mp, "gateways: [edge]", "gateways: [mesh]"),
			[]want{{X, vs, KindRemoved, I}}},
		{"VirtualService renamed is no change", replace(base, mp, "metadata: {name: agent, namespace: agents}", "metadata: {name: agent-edge, namespace: agents}"), nil},
		{"VirtualService gateway spelled with its namespace is no change", replace(base, mp, "gateways: [edge]", "gateways: [agents/edge]"), nil},
		{"VirtualService delegates to another (changed, high)", replace(base, mp, "    route: [{destination: {host: agent.agents.svc.cluster.local, port: {number: 80}}}]\n", "    delegate: {name: admin, namespace: infra}\n"),
			[]want{{X, vs, KindChanged, H}}},
		{"new TCP VirtualService (added, high)", with(base, "deploy/db.yaml", "apiVersion: networking.istio.io/v1alpha3\nkind: VirtualService\nmetadata: {name: db, namespace: agents}\nspec:\n  hosts: [db.example.com]\n  gateways: [edge]\n  tcp: [{route: [{destination: {host: postgres, port: {number: 5432}}}]}]\n"),
			[]want{{X, "VirtualService agents/db", KindAdded, H}}},
	})
	// A Gateway server requiring client certificates.
	mutual := replace(base, mp, "mode: SIMPLE", "mode: ISTIO_MUTUAL")
	runDiffCases(t, mutual, []diffCase{
		{"Gateway client certificates no longer required (broadened, high)", replace(mutual, mp, "mode: ISTIO_MUTUAL", "mode: OPTIONAL_MUTUAL"),
			[]want{{X, gw, KindBroadened, H}}},
	})
	// A plain HTTP server that only redirects.
	redirect := replace(base, mp, "  servers:\n", "  servers:\n  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [./agent.example.com]\n    tls: {httpsRedirect: true}\n")
	runDiffCases(t, redirect, []diffCase{
		{"Gateway HTTP server serves instead of redirecting (broadened, high)", replace(redirect, mp, "tls: {httpsRedirect: true}", "tls: {httpsRedirect: false}"),
			[]want{{X, gw, KindBroadened, H}}},
	})
	// A Gateway host bound from one named namespace.
	named := replace(base, mp, "hosts: [./agent.example.com]", "hosts: [team-a/agent.example.com]")
	runDiffCases(t, named, []diffCase{
		{"Gateway host bound from another named namespace (broadened, high)", replace(named, mp, "team-a/agent", "team-b/agent"),
			[]want{{X, gw, KindBroadened, H}, {X, gw, KindRemoved, I}}},
		{"Gateway host bound from every namespace (broadened, high)", replace(named, mp, "team-a/agent.example.com]", "\"*/agent.example.com\"]"),
			[]want{{X, gw, KindBroadened, H}}},
		{"Gateway host bound from the Gateway's namespace only (narrowed)", replace(named, mp, "team-a/agent", "./agent"),
			[]want{{X, gw, KindRemoved, I}}},
	})
}

func TestExposureRouterAndMeshInvalid(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		"apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {namespace: a}\nspec: {to: {name: a}}\n",
		"apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: a}\nspec: {host: a.example.com}\n",
		"apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: a}\nspec: {to: {name: a}, wildcardPolicy: Everything}\n",
		"apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: a}\nspec: {to: {name: a}, tls: {termination: none}}\n",
		"apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: a}\nspec: {to: {name: a}, tls: {termination: edge, insecureEdgeTerminationPolicy: Sometimes}}\n",
		"apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: a}\nspec: {to: {name: a}, alternateBackends: [{weight: 1}]}\n",
		"apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: a}\nspec: {to: {name: a}, tls: [edge]}\n",
		"apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: a}\nspec: {selector: {istio: ingressgateway}}\n",
		"apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: a}\nspec: {servers: [{port: {protocol: HTTP}, hosts: [\"*\"]}]}\n",
		"apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: a}\nspec: {servers: [{port: {number: 80}, hosts: [\"*\"]}]}\n",
		"apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: a}\nspec: {servers: [{port: {number: 80, protocol: HTTP}}]}\n",
		"apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: a}\nspec: {servers: [{port: {number: 80, protocol: HTTP}, hosts: [ns/]}]}\n",
		"apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: a}\nspec: {selector: [x], servers: [{port: {number: 80, protocol: HTTP}, hosts: [\"*\"]}]}\n",
		"apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: a}\nspec: {servers: [{port: {number: 443, protocol: HTTPS}, hosts: [\"*\"], tls: {mode: SOMETIMES}}]}\n",
		"apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: a}\nspec: {servers: [{port: {number: 443, protocol: HTTPS}, hosts: [\"*\"], tls: on}]}\n",
		"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: a}\nspec: {gateways: [edge], http: [{route: [{destination: {host: a}}]}]}\n",
		"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: a}\nspec: {hosts: [a.example.com], gateways: [edge]}\n",
		"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: a}\nspec: {hosts: [a.example.com], gateways: [edge], http: [{route: [{destination: {port: {number: 80}}}]}]}\n",
		"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: a}\nspec: {hosts: [a.example.com], gateways: edge}\n",
		"apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: a}\nspec: {hosts: [a.example.com], gateways: [\"\"]}\n",
	} {
		if _, err := Scan(context.Background(), writeTree(t, map[string]string{"expose.yaml": body})); err == nil {
			t.Errorf("%q: want an error", body)
		}
	}
}
