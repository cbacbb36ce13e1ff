package permissions

import (
	"context"
	"testing"
)

// The agent's Services: an internal ClusterIP one, and a load balancer
// admitting the office range only.
const exposureServices = `apiVersion: v1
kind: Service
metadata: {name: agent, namespace: agents}
spec:
  selector: {app: support-agent}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: agent-public, namespace: agents}
spec:
  type: LoadBalancer
  loadBalancerSourceRanges: [203.0.113.0/24]
  selector: {app: support-agent}
  ports: [{name: https, port: 443, targetPort: 8443}]
`

// An Ingress for one host and path, and a Gateway API Gateway with an
// HTTPRoute.
const exposureIngress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: agent, namespace: agents}
spec:
  ingressClassName: internal
  rules:
  - host: agent.example.com
    http:
      paths:
      - {path: /api, pathType: Prefix, backend: {service: {name: agent, port: {number: 80}}}}
`

const exposureGateway = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: agents}
spec:
  gatewayClassName: cloud
  listeners:
  - {name: https, protocol: HTTPS, port: 443, hostname: agent.example.com}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: agent, namespace: agents}
spec:
  parentRefs: [{name: edge}]
  hostnames: [agent.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /v1}}]
    backendRefs: [{name: agent, port: 80}]
`

func TestExposure(t *testing.T) {
	t.Parallel()
	const sp, ip, gp = "deploy/service.yaml", "deploy/ingress.yaml", "deploy/gateway.yaml"
	const lb, ing, gw, rt = "Service agents/agent-public", "Ingress agents/agent", "Gateway agents/edge", "HTTPRoute agents/agent"
	base := map[string]string{sp: exposureServices, ip: exposureIngress, gp: exposureGateway}
	X := SurfaceExposure
	runDiffCases(t, base, []diffCase{
		{"unchanged", base, nil},
		// Services
		{"ClusterIP Service added is no exposure", with(base, "deploy/metrics.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: metrics, namespace: agents}\nspec:\n  clusterIP: None\n  selector: {app: support-agent}\n  ports: [{port: 9090}]\n"), nil},
		{"ClusterIP turned LoadBalancer (added, critical)", replace(base, sp, "  selector: {app: support-agent}\n  ports: [{name: http", "  type: LoadBalancer\n  selector: {app: support-agent}\n  ports: [{name: http"),
			[]want{{X, "Service agents/agent", KindAdded, C}}},
		{"ClusterIP turned NodePort (added, high)", replace(base, sp, "  selector: {app: support-agent}\n  ports: [{name: http", "  type: NodePort\n  selector: {app: support-agent}\n  ports: [{name: http"),
			[]want{{X, "Service agents/agent", KindAdded, H}}},
		{"externalIPs (added, high)", replace(base, sp, "  selector: {app: support-agent}\n  ports: [{name: http", "  externalIPs: [198.51.100.7]\n  selector: {app: support-agent}\n  ports: [{name: http"),
			[]want{{X, "Service agents/agent", KindAdded, H}}},
		{"source ranges dropped (broadened, critical)", replace(base, sp, "  loadBalancerSourceRanges: [203.0.113.0/24]\n", ""),
			[]want{{X, lb, KindBroadened, C}}},
		{"source range 0.0.0.0/0 (broadened, critical)", replace(base, sp, "[203.0.113.0/24]", "[203.0.113.0/24, 0.0.0.0/0]"),
			[]want{{X, lb, KindBroadened, C}}},
		{"wider source range (broadened, high)", replace(base, sp, "[203.0.113.0/24]", "[203.0.0.0/16]"),
			[]want{{X, lb, KindBroadened, H}}},
		{"narrower source range (narrowed)", replace(base, sp, "[203.0.113.0/24]", "[203.0.113.0/25]"),
			[]want{{X, lb, KindNarrowed, I}}},
		{"another load balancer port, ranges kept (broadened, high)", replace(base, sp, "[{name: https, port: 443, targetPort: 8443}]", "[{name: https, port: 443, targetPort: 8443}, {name: ssh, port: 22}]"),
			[]want{{X, lb, KindBroadened, H}}},
		{"load balancer sends to other pods (changed, high)", replace(base, sp, "  loadBalancerSourceRanges: [203.0.113.0/24]\n  selector: {app: support-agent}", "  loadBalancerSourceRanges: [203.0.113.0/24]\n  selector: {app: admin-console}"),
			[]want{{X, lb, KindChanged, H}}},
		{"load balancer made internal (narrowed)", replace(base, sp, "metadata: {name: agent-public, namespace: agents}", "metadata:\n  name: agent-public\n  namespace: agents\n  annotations: {service.beta.kubernetes.io/aws-load-balancer-internal: \"true\"}"),
			[]want{{X, lb, KindNarrowed, I}}},
		{"load balancer turned ClusterIP (removed)", replace(base, sp, "  type: LoadBalancer\n", ""),
			[]want{{X, lb, KindRemoved, I}}},
		{"Service port renamed is no change", replace(base, sp, "name: https, port: 443", "name: web-tls, port: 443"), nil},
		{"Service renamed, same exposure, is no change", replace(base, sp, "name: agent-public,", "name: agent-lb,"), nil},
		{"source ranges reordered and re-spelled is no change", replace(base, sp, "[203.0.113.0/24]", "[\"203.0.113.0/24\", \"203.0.113.128/25\"]"), nil},
		// Ingress
		{"Ingress new host (broadened, high)", replace(base, ip, "  rules:\n", "  rules:\n  - host: admin.example.com\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: agent, port: {number: 80}}}}\n"),
			[]want{{X, ing, KindBroadened, H}}},
		{"Ingress new path (broadened, high)", replace(base, ip, "      - {path: /api,", "      - {path: /debug, pathType: Exact, backend: {service: {name: agent, port: {number: 80}}}}\n      - {path: /api,"),
			[]want{{X, ing, KindBroadened, H}}},
		{"Ingress host dropped answers every name (critical)", replace(base, ip, "  - host: agent.example.com\n    http:", "  - http:"),
			[]want{{X, ing, KindBroadened, C}}},
		{"Ingress wildcard host (critical)", replace(base, ip, "host: agent.example.com", "host: \"*.example.com\""),
			[]want{{X, ing, KindBroadened, C}}},
		{"Ingress default backend (critical)", replace(base, ip, "  rules:\n", "  defaultBackend: {service: {name: agent, port: {number: 80}}}\n  rules:\n"),
			[]want{{X, ing, KindBroadened, C}}},
		{"Ingress path under a reviewed prefix is no change", replace(base, ip, "      - {path: /api,", "      - {path: /api/v2, pathType: Exact, backend: {service: {name: agent, port: {number: 80}}}}\n      - {path: /api,"), nil},
		{"Ingress removed (removed)", with(base, ip, ""), []want{{X, ing, KindRemoved, I}}},
		{"Ingress renamed and moved is no change", with(with(base, ip, ""), "deploy/edge/ingress.yaml", replaceStr(exposureIngress, "name: agent,", "name: agent-edge,")), nil},
		{"new Ingress (added, high)", with(base, "deploy/admin.yaml", "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: admin, namespace: agents}\nspec:\n  rules:\n  - host: admin.example.com\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: admin, port: {name: http}}}}\n"),
			[]want{{X, "Ingress agents/admin", KindAdded, H}}},
		// Gateway API
		{"Gateway listener for every host (critical)", replace(base, gp, "  - {name: https, protocol: HTTPS, port: 443, hostname: agent.example.com}\n", "  - {name: https, protocol: HTTPS, port: 443, hostname: agent.example.com}\n  - {name: http, protocol: HTTP, port: 80}\n"),
			[]want{{X, gw, KindBroadened, C}}},
		{"Gateway listener new host (high)", replace(base, gp, "  - {name: https, protocol: HTTPS, port: 443, hostname: agent.example.com}\n", "  - {name: https, protocol: HTTPS, port: 443, hostname: agent.example.com}\n  - {name: admin, protocol: HTTPS, port: 443, hostname: admin.example.com}\n"),
			[]want{{X, gw, KindBroadened, H}}},
		{"Gateway listener admits routes from every namespace (broadened)", replace(base, gp, "hostname: agent.example.com}", "hostname: agent.example.com, allowedRoutes: {namespaces: {from: All}}}"),
			[]want{{X, gw, KindBroadened, H}}},
		{"Gateway listener renamed is no change", replace(base, gp, "{name: https, protocol", "{name: tls, protocol"), nil},
		{"HTTPRoute new hostname (broadened, high)", replace(base, gp, "hostnames: [agent.example.com]", "hostnames: [agent.example.com, admin.example.com]"),
			[]want{{X, rt, KindBroadened, H}}},
		{"HTTPRoute wildcard hostname (critical)", replace(base, gp, "hostnames: [agent.example.com]", "hostnames: [\"*.example.com\"]"),
			[]want{{X, rt, KindBroadened, C}}},
		{"HTTPRoute attached to another gateway (broadened)", replace(base, gp, "parentRefs: [{name: edge}]", "parentRefs: [{name: edge}, {name: public, namespace: infra}]"),
			[]want{{X, rt, KindBroadened, H}}},
		{"HTTPRoute path widened to / (broadened)", replace(base, gp, "value: /v1", "value: /"),
			[]want{{X, rt, KindBroadened, H}}},
		{"HTTPRoute path narrowed (narrowed)", replace(base, gp, "value: /v1", "value: /v1/chat"),
			[]want{{X, rt, KindRemoved, I}}},
		{"HTTPRoute hostnames dropped (every listener host, high)", replace(base, gp, "  hostnames: [agent.example.com]\n", ""),
			[]want{{X, rt, KindBroadened, H}}},
		{"Gateway and route removed (removed)", with(base, gp, ""), []want{{X, gw, KindRemoved, I}, {X, rt, KindRemoved, I}}},
		{"new TCPRoute (added, high)", with(base, "deploy/tcp.yaml", "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute\nmetadata: {name: db, namespace: agents}\nspec:\n  parentRefs: [{name: edge, sectionName: tcp}]\n  rules: [{backendRefs: [{name: postgres, port: 5432}]}]\n"),
			[]want{{X, "TCPRoute agents/db", KindAdded, H}}},
		{"new GRPCRoute with a wildcard host (added, critical)", with(base, "deploy/grpc.yaml", "apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\nmetadata: {name: tools, namespace: agents}\nspec:\n  parentRefs: [{name: edge}]\n  hostnames: [\"*.example.com\"]\n  rules: [{matches: [{method: {service: tools.v1.Tools}}], backendRefs: [{name: tools, port: 9000}]}]\n"),
			[]want{{X, "GRPCRoute agents/tools", KindAdded, C}}},
	})
	// An internal load balancer made public.
	internal := replace(map[string]string{sp: exposureServices}, sp, "metadata: {name: agent-public, namespace: agents}\nspec:\n  type: LoadBalancer\n  loadBalancerSourceRanges: [203.0.113.0/24]\n",
		"metadata:\n  name: agent-public\n  namespace: agents\n  annotations: {networking.gke.io/load-balancer-type: Internal}\nspec:\n  type: LoadBalancer\n")
	runDiffCases(t, internal, []diffCase{
		{"internal annotation removed (broadened, critical)", replace(internal, sp, "  annotations: {networking.gke.io/load-balancer-type: Internal}\n", ""),
			[]want{{X, lb, KindBroadened, C}}},
		{"internal kept, ranges added (narrowed)", replace(internal, sp, "  type: LoadBalancer\n", "  type: LoadBalancer\n  loadBalancerSourceRanges: [10.0.0.0/8]\n"),
			[]want{{X, lb, KindNarrowed, I}}},
	})
	// From nothing: every exposure is new.
	empty := map[string]string{"README.md": "x"}
	runDiffCases(t, empty, []diffCase{
		{"first release exposes the agent", base, []want{
			{X, lb, KindAdded, H}, {X, ing, KindAdded, H}, {X, gw, KindAdded, H}, {X, rt, KindAdded, H}}},
	})
}

func replaceStr(s, from, to string) string {
	return replace(map[string]string{"x": s}, "x", from, to)["x"]
}

func TestExposureInvalid(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		"apiVersion: v1\nkind: Service\nmetadata: {namespace: a}\nspec: {type: LoadBalancer, ports: [{port: 80}]}\n",
		"apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {type: Public, ports: [{port: 80}]}\n",
		"apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {type: LoadBalancer, loadBalancerSourceRanges: [office], ports: [{port: 80}]}\n",
		"apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {type: LoadBalancer}\n",
		"apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {type: NodePort, ports: [{name: x}]}\n",
		"apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {externalIPs: [not-an-ip], ports: [{port: 80}]}\n",
		"apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: [1]\n",
		"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: a}\nspec: {rules: [{http: {paths: [{path: /}]}}]}\n",
		"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: a}\nspec: {rules: [x]}\n",
		"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: a}\nspec: {listeners: [{name: x, protocol: HTTP}]}\n",
		"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: a}\nspec: {listeners: [{name: x, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: Everywhere}}}]}\n",
		"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: a}\nspec: {hostnames: [a.example.com]}\n",
		"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: a}\nspec: {parentRefs: [{name: g}], hostnames: [1]}\n",
		"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: a\n  bad: [\n",
	} {
		if _, err := Scan(context.Background(), writeTree(t, map[string]string{"expose.yaml": body})); err == nil {
			t.Errorf("%q: want an error", body)
		}
	}
}
