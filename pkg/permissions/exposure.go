package permissions

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

// FormatExposure is a Kubernetes resource that makes the agent reachable
// from outside the cluster: a Service of type LoadBalancer or NodePort or
// with externalIPs, an Ingress (networking.k8s.io), a Gateway API Gateway
// or route (gateway.networking.k8s.io HTTPRoute, GRPCRoute, TLSRoute,
// TCPRoute, UDPRoute), an OpenShift Route (route.openshift.io), an Istio
// Gateway or a VirtualService bound to one (networking.istio.io), or a
// List holding some.
const FormatExposure = "kubernetes-exposure"

// SurfaceExposure holds who may reach the agent from outside the cluster.
const SurfaceExposure = "kubernetes-exposure"

// Exposure actions.
const (
	ActionLoadBalancer = "load-balancer" // scope: PROTOCOL/PORT
	ActionNodePort     = "node-port"     // scope: PROTOCOL/PORT
	ActionExternalIP   = "external-ip"   // scope: IP PROTOCOL/PORT
	ActionIngress      = "ingress"       // scope: HOST PATH
	ActionListener     = "listener"      // scope: PROTOCOL/PORT HOST
	ActionRoute        = "route"         // scope: via PARENT HOST PATH
	// ActionRouterHost is an OpenShift Route served by the cluster's
	// router; scope: PROTOCOL/PORT HOST PATH.
	ActionRouterHost = "router-host"
	// ActionMeshServer is a server of an Istio ingress Gateway; scope:
	// PROTOCOL/PORT NAMESPACE/HOST.
	ActionMeshServer = "mesh-gateway-server"
)

// gatewayRoutes are the Gateway API route kinds.
var gatewayRoutes = map[string]bool{"HTTPRoute": true, "GRPCRoute": true, "TLSRoute": true, "TCPRoute": true, "UDPRoute": true}

// internalLBAnnotations make a cloud load balancer internal (an address of
// the cloud network, not of the internet), with the value that does.
var internalLBAnnotations = map[string]string{
	"service.beta.kubernetes.io/aws-load-balancer-internal":   "true",
	"service.beta.kubernetes.io/aws-load-balancer-scheme":     "internal",
	"service.beta.kubernetes.io/azure-load-balancer-internal": "true",
	"networking.gke.io/load-balancer-type":                    "internal",
	"cloud.google.com/load-balancer-type":                     "internal",
	"service.beta.kubernetes.io/oci-load-balancer-internal":   "true",
}

// isExposure recognises a resource that exposes pods outside the cluster
// (or could: every Service is read, ClusterIP ones grant nothing).
func isExposure(m map[string]any) bool {
	if isList(m) {
		return anyItem(m, isExposure)
	}
	kind, api := str(m["kind"]), str(m["apiVersion"])
	switch {
	case kind == "Service":
		return api == "v1"
	case kind == "Ingress":
		return strings.HasPrefix(api, "networking.k8s.io/") || strings.HasPrefix(api, "extensions/")
	case kind == "Gateway" || gatewayRoutes[kind]:
		return strings.HasPrefix(api, "gateway.networking.k8s.io/") || (kind == "Gateway" && isIstioNetworking(api))
	case kind == "VirtualService":
		return isIstioNetworking(api)
	case kind == "Route":
		return strings.HasPrefix(api, "route.openshift.io/")
	}
	return false
}

// exposure is the content of an exposure grant: what coverage compares.
type exposure struct {
	// Port is PROTOCOL/PORT of a Service port or Gateway listener.
	Port string `json:"port,omitempty"`
	// Host is the host name requests must carry: "*" any, "*.x" a
	// wildcard; for a route, "" means every name its listener accepts.
	Host string `json:"host,omitempty"`
	// Path and PathType select requests (Prefix or Exact).
	Path     string `json:"path,omitempty"`
	PathType string `json:"pathType,omitempty"`
	// Parent is the Gateway (and listener) a route attaches to.
	Parent string `json:"parent,omitempty"`
	// Backend is where the traffic goes: the pods a Service selects, or
	// the Services an Ingress or route sends to.
	Backend string `json:"backend,omitempty"`
	// SourceRanges are the client ranges a load balancer admits; none:
	// every address.
	SourceRanges []string `json:"sourceRanges,omitempty"`
	// Internal is a load balancer on the cloud network only.
	Internal bool `json:"internal,omitempty"`
	// RoutesFrom is a listener's allowedRoutes.namespaces.from.
	RoutesFrom string `json:"routesFrom,omitempty"`
	// Namespaces names the one namespace routes are admitted from when
	// RoutesFrom is Selector and a name says which (an Istio Gateway
	// server host "NAMESPACE/HOST").
	Namespaces string `json:"namespaces,omitempty"`
	// TLS is how an Istio Gateway server treats TLS when that changes
	// who may connect: "mutual" (client certificates required),
	// "auto-passthrough" (any mesh service by SNI), or "".
	TLS string `json:"tls,omitempty"`
}

// exposureResource reads a Service, Ingress, Gateway or route.
func (s *scanner) exposureResource(rel string, m map[string]any) error {
	if isList(m) {
		return eachItem(rel, m, isExposure, s.exposureResource)
	}
	kind := str(m["kind"])
	meta := obj(m["metadata"])
	name, ns := str(meta["name"]), str(meta["namespace"])
	if name == "" {
		return fmt.Errorf("%w: %s without metadata.name", ErrInvalid, kind)
	}
	if ns == "" {
		ns = "default"
	}
	subject := kind + " " + ns + "/" + name
	spec := obj(m["spec"])
	if spec == nil {
		if m["spec"] == nil && kind == "Service" {
			return nil // a ClusterIP Service with everything defaulted
		}
		return fmt.Errorf("%w: %s spec must be an object", ErrInvalid, subject)
	}
	add := func(action, scope string, e exposure) error {
		return s.add(Grant{Surface: SurfaceExposure, Subject: subject, Action: action, Scope: scope, Effect: Allow, Path: rel, Content: content(e)})
	}
	var err error
	switch kind {
	case "Service":
		err = serviceExposure(spec, obj(meta["annotations"]), add)
	case "Ingress":
		err = ingressExposure(ns, spec, add)
	case "Gateway":
		if isIstioNetworking(str(m["apiVersion"])) {
			err = istioGatewayExposure(spec, add)
		} else {
			err = gatewayExposure(spec, add)
		}
	case "VirtualService":
		err = virtualServiceExposure(ns, spec, add)
	case "Route":
		err = openShiftRouteExposure(ns, spec, add)
	default:
		err = routeExposure(kind, ns, spec, add)
	}
	if err != nil {
		return fmt.Errorf("%w: %s %w", ErrInvalid, subject, err)
	}
	return nil
}

type addExposure func(action, scope string, e exposure) error

// serviceExposure: a LoadBalancer Service answers on a cloud address
// (from loadBalancerSourceRanges, or from anywhere); a NodePort Service
// on every node's address; externalIPs on addresses the cluster routes
// to it. ClusterIP and headless Services stay inside the cluster.
func serviceExposure(spec, annotations map[string]any, add addExposure) error {
	typ := str(spec["type"])
	switch typ {
	case "", "ClusterIP", "NodePort", "LoadBalancer", "ExternalName":
	default:
		return fmt.Errorf("spec.type: unknown Service type %q", typ)
	}
	ips, err := strs(spec["externalIPs"], "spec.externalIPs")
	if err != nil {
		return err
	}
	for _, ip := range ips {
		if _, err := netip.ParseAddr(ip); err != nil {
			return fmt.Errorf("spec.externalIPs: %q: %w", ip, err)
		}
	}
	if typ != "NodePort" && typ != "LoadBalancer" && len(ips) == 0 {
		return nil
	}
	sel := map[string]any{}
	if ls := obj(spec["selector"]); ls != nil {
		sel["matchLabels"] = ls
	}
	pods, err := selectorText(sel)
	if err != nil {
		return fmt.Errorf("spec.selector: %w", err)
	}
	if spec["selector"] == nil {
		pods = "none (endpoints managed by hand)"
	}
	ranges, err := strs(spec["loadBalancerSourceRanges"], "spec.loadBalancerSourceRanges")
	if err != nil {
		return err
	}
	for i, r := range ranges {
		p, err := netip.ParsePrefix(strings.TrimSpace(r))
		if err != nil {
			return fmt.Errorf("spec.loadBalancerSourceRanges[%d]: %q: %w", i, r, err)
		}
		ranges[i] = p.Masked().String()
	}
	sort.Strings(ranges)
	internal := false
	for k, v := range internalLBAnnotations {
		internal = internal || strings.EqualFold(fmt.Sprint(annotations[k]), v)
	}
	ports := arr(spec["ports"])
	if len(ports) == 0 {
		return fmt.Errorf("spec.ports: a %s Service needs ports", typ)
	}
	for i, raw := range ports {
		p := obj(raw)
		if p == nil {
			return fmt.Errorf("spec.ports[%d] must be an object", i)
		}
		port, err := portNumber(p["port"], fmt.Sprintf("spec.ports[%d].port", i))
		if err != nil {
			return err
		}
		proto := strings.ToUpper(str(p["protocol"]))
		if proto == "" {
			proto = "TCP"
		}
		pp := proto + "/" + port
		target, _ := portText(p["targetPort"])
		if target == "*" {
			target = port
		}
		backend := "pods " + pods + " port " + target
		switch typ {
		case "LoadBalancer":
			if err := add(ActionLoadBalancer, pp, exposure{Port: pp, Backend: backend, SourceRanges: ranges, Internal: internal}); err != nil {
				return err
			}
		case "NodePort":
			if err := add(ActionNodePort, pp, exposure{Port: pp, Backend: backend}); err != nil {
				return err
			}
		}
		for _, ip := range ips {
			if err := add(ActionExternalIP, ip+" "+pp, exposure{Port: pp, Host: ip, Backend: backend}); err != nil {
				return err
			}
		}
	}
	return nil
}

// ingressBackend describes an Ingress backend: a Service and port, or a
// resource.
func ingressBackend(ns string, b map[string]any) string {
	if b == nil {
		return ""
	}
	if svc := obj(b["service"]); svc != nil {
		port := obj(svc["port"])
		p, _ := portText(port["number"])
		if p == "*" {
			p = str(port["name"])
		}
		return "Service " + ns + "/" + str(svc["name"]) + ":" + p
	}
	if r := obj(b["resource"]); r != nil {
		return str(r["kind"]) + " " + ns + "/" + str(r["name"])
	}
	// extensions/v1beta1 and networking.k8s.io/v1beta1 spelling
	if str(b["serviceName"]) == "" {
		return ""
	}
	p, _ := portText(b["servicePort"])
	return "Service " + ns + "/" + str(b["serviceName"]) + ":" + p
}

// ingressExposure: each host and path of an Ingress routes outside
// requests to a backend. A rule without a host, and the default backend,
// answer for every host name.
func ingressExposure(ns string, spec map[string]any, add addExposure) error {
	if def := obj(spec["defaultBackend"]); def != nil || obj(spec["backend"]) != nil {
		if def == nil {
			def = obj(spec["backend"])
		}
		if err := add(ActionIngress, "* (default backend)", exposure{Host: "*", Path: "/", PathType: "Prefix", Backend: ingressBackend(ns, def)}); err != nil {
			return err
		}
	}
	for i, raw := range arr(spec["rules"]) {
		r := obj(raw)
		if r == nil {
			return fmt.Errorf("spec.rules[%d] must be an object", i)
		}
		host := strings.ToLower(str(r["host"]))
		if host == "" {
			host = "*"
		}
		paths := arr(obj(r["http"])["paths"])
		if len(paths) == 0 && obj(spec["defaultBackend"]) != nil {
			if err := add(ActionIngress, host+"/ (default backend)", exposure{Host: host, Path: "/", PathType: "Prefix", Backend: ingressBackend(ns, obj(spec["defaultBackend"]))}); err != nil {
				return err
			}
		}
		for j, rawp := range paths {
			p := obj(rawp)
			if p == nil {
				return fmt.Errorf("spec.rules[%d].http.paths[%d] must be an object", i, j)
			}
			pth := str(p["path"])
			if pth == "" {
				pth = "/"
			}
			// ImplementationSpecific is read as a prefix: the worst case.
			pt := "Prefix"
			if str(p["pathType"]) == "Exact" {
				pt = "Exact"
			}
			b := ingressBackend(ns, obj(p["backend"]))
			if b == "" {
				return fmt.Errorf("spec.rules[%d].http.paths[%d] has no backend", i, j)
			}
			if err := add(ActionIngress, host+pth, exposure{Host: host, Path: pth, PathType: pt, Backend: b}); err != nil {
				return err
			}
		}
	}
	return nil
}

// portNumber reads a port that must be given (a number or a name) at
// field.
func portNumber(v any, field string) (string, error) {
	port, err := portText(v)
	if err != nil || port == "*" {
		return "", fmt.Errorf("%s: a port number is required", field)
	}
	return port, nil
}

// gatewayExposure: each listener of a Gateway accepts traffic on a port
// for a host name (every name when it has none) and admits routes from
// the namespaces allowedRoutes names (its own by default).
func gatewayExposure(spec map[string]any, add addExposure) error {
	for i, raw := range arr(spec["listeners"]) {
		l := obj(raw)
		if l == nil {
			return fmt.Errorf("spec.listeners[%d] must be an object", i)
		}
		port, err := portNumber(l["port"], fmt.Sprintf("spec.listeners[%d].port", i))
		if err != nil {
			return err
		}
		pp := strings.ToUpper(str(l["protocol"])) + "/" + port
		host := strings.ToLower(str(l["hostname"]))
		if host == "" {
			host = "*"
		}
		from := str(obj(obj(l["allowedRoutes"])["namespaces"])["from"])
		if from == "" {
			from = "Same"
		}
		if routesFromRank(from) < 0 {
			return fmt.Errorf("spec.listeners[%d].allowedRoutes.namespaces.from: unknown value %q", i, from)
		}
		if err := add(ActionListener, pp+" "+host, exposure{Port: pp, Host: host, RoutesFrom: from}); err != nil {
			return err
		}
	}
	return nil
}

// routesFromRank orders allowedRoutes.namespaces.from, narrowest first.
func routesFromRank(from string) int {
	switch from {
	case "None":
		return 0
	case "Same":
		return 1
	case "Selector":
		return 2
	case "All":
		return 3
	}
	return -1
}

// routeExposure: a route attaches to each of its parentRefs (Gateways,
// or listeners of them) for its hostnames (every name its listener
// accepts when it has none) and sends matching requests to its backends.
func routeExposure(kind, ns string, spec map[string]any, add addExposure) error {
	hosts, err := strs(spec["hostnames"], "spec.hostnames")
	if err != nil {
		return err
	}
	if len(hosts) == 0 {
		hosts = []string{""}
	}
	type match struct{ path, pathType, backend string }
	var matches []match
	for i, raw := range arr(spec["rules"]) {
		r := obj(raw)
		if r == nil {
			return fmt.Errorf("spec.rules[%d] must be an object", i)
		}
		var backends []string
		for _, b := range arr(r["backendRefs"]) {
			bo := obj(b)
			bk := str(bo["kind"])
			if bk == "" {
				bk = "Service"
			}
			bns := str(bo["namespace"])
			if bns == "" {
				bns = ns
			}
			p, _ := portText(bo["port"])
			backends = append(backends, bk+" "+bns+"/"+str(bo["name"])+":"+p)
		}
		sort.Strings(backends)
		backend := strings.Join(backends, ",")
		ms := arr(r["matches"])
		if len(ms) == 0 {
			matches = append(matches, match{"/", "Prefix", backend})
		}
		for _, rawm := range ms {
			mo := obj(rawm)
			switch kind {
			case "GRPCRoute":
				meth := obj(mo["method"])
				svc, fn := str(meth["service"]), str(meth["method"])
				switch {
				case svc != "" && fn != "":
					matches = append(matches, match{"/" + svc + "/" + fn, "Exact", backend})
				case svc != "":
					matches = append(matches, match{"/" + svc + "/", "Prefix", backend})
				default:
					matches = append(matches, match{"/", "Prefix", backend})
				}
			default:
				p := obj(mo["path"])
				v, t := str(p["value"]), "Prefix"
				if v == "" {
					v = "/"
				}
				if str(p["type"]) == "Exact" {
					t = "Exact"
				}
				matches = append(matches, match{v, t, backend})
			}
		}
	}
	if kind != "HTTPRoute" && kind != "GRPCRoute" {
		// TLS, TCP and UDP routes select by host name (TLS) or not at all.
		for i := range matches {
			matches[i].path, matches[i].pathType = "", ""
		}
	}
	parents := arr(spec["parentRefs"])
	if len(parents) == 0 {
		return fmt.Errorf("spec.parentRefs: a route needs a parent")
	}
	for i, raw := range parents {
		p := obj(raw)
		if p == nil || str(p["name"]) == "" {
			return fmt.Errorf("spec.parentRefs[%d] needs a name", i)
		}
		pk := str(p["kind"])
		if pk == "" {
			pk = "Gateway"
		}
		pns := str(p["namespace"])
		if pns == "" {
			pns = ns
		}
		parent := pk + " " + pns + "/" + str(p["name"])
		if sec := str(p["sectionName"]); sec != "" {
			parent += " listener " + sec
		}
		if p["port"] != nil {
			port, _ := portText(p["port"])
			parent += " port " + port
		}
		for _, h := range hosts {
			h = strings.ToLower(h)
			for _, mt := range matches {
				scope := strings.TrimSpace("via " + parent + " " + orEvery(h) + " " + mt.path)
				if err := add(ActionRoute, scope, exposure{Parent: parent, Host: h, Path: mt.path, PathType: mt.pathType, Backend: mt.backend}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func orEvery(host string) string {
	if host == "" {
		return "(every listener host)"
	}
	return host
}

func exposureOf(g *Grant) (exposure, bool) {
	var e exposure
	err := json.Unmarshal(g.Content, &e)
	return e, err == nil
}

// exposureKind is the resource kind of an exposure grant's subject.
func exposureKind(g *Grant) string {
	k, _, _ := strings.Cut(g.Subject, " ")
	return k
}

// exposureCovers reports whether reviewed exposure b already exposes at
// least what candidate g does, so that a renamed or moved resource (or a
// renamed Service port) is no change: the same kind, namespace, action,
// port, parent and backend; b's host and path matching every request
// g's do; b's client ranges holding g's; b no narrower in the routes it
// admits.
func exposureCovers(b, g *Grant) bool {
	if b.Surface != SurfaceExposure || b.Action != g.Action || exposureKind(b) != exposureKind(g) || policyNamespace(b) != policyNamespace(g) {
		return false
	}
	eb, ok1 := exposureOf(b)
	eg, ok2 := exposureOf(g)
	return ok1 && ok2 && exposureContentCovers(eb, eg)
}

// exposureKept reports whether a candidate exposure still exposes
// everything reviewed exposure b did: its removal is no narrowing.
func exposureKept(b *Grant, cand []*item) bool {
	for _, c := range cand {
		if c.g.Surface == SurfaceExposure && exposureCovers(c.g, b) {
			return true
		}
	}
	return false
}

func exposureContentCovers(eb, eg exposure) bool {
	if eb.Port != eg.Port || eb.Parent != eg.Parent || eb.Backend != eg.Backend {
		return false
	}
	if !exposureHostCovers(eb.Host, eg.Host) {
		return false
	}
	if eb.Path != eg.Path || eb.PathType != eg.PathType {
		if eb.PathType != "Prefix" || !pathUnder(eb.Path, eg.Path) {
			return false
		}
	}
	if !rangesCover(eb.SourceRanges, eg.SourceRanges) || (eb.Internal && !eg.Internal) {
		return false
	}
	if tlsRank(eb.TLS) < tlsRank(eg.TLS) {
		return false
	}
	if eb.RoutesFrom == "Selector" && eg.RoutesFrom == "Selector" && eb.Namespaces != eg.Namespaces {
		return false
	}
	return routesFromRank(eb.RoutesFrom) >= routesFromRank(eg.RoutesFrom)
}

// exposureHostCovers reports whether host b matches every request host
// g does; a route's "" (every name its listener accepts) covers any.
func exposureHostCovers(b, g string) bool {
	switch {
	case b == g || b == "":
		return true
	case g == "":
		return false
	}
	return hostCovers(b, g)
}

// pathUnder reports whether path p lies under prefix (element-wise, as
// Ingress and Gateway API Prefix matches).
func pathUnder(prefix, p string) bool {
	prefix = strings.TrimSuffix(prefix, "/")
	return prefix == "" || p == prefix || strings.HasPrefix(p, prefix+"/")
}

// rangesCover reports whether client ranges b admit every address g
// does (no ranges: every address).
func rangesCover(b, g []string) bool {
	if openRanges(b) {
		return true
	}
	if openRanges(g) {
		return false
	}
	for _, x := range g {
		pg, err := netip.ParsePrefix(x)
		if err != nil {
			return false
		}
		held := false
		for _, y := range b {
			pb, err := netip.ParsePrefix(y)
			if err == nil && pb.Addr().Is4() == pg.Addr().Is4() && pb.Bits() <= pg.Bits() && pb.Contains(pg.Addr()) {
				held = true
				break
			}
		}
		if !held {
			return false
		}
	}
	return true
}

// openRanges reports whether client ranges admit the whole internet.
func openRanges(rs []string) bool {
	if len(rs) == 0 {
		return true
	}
	for _, r := range rs {
		if p, err := netip.ParsePrefix(r); err == nil && p.Bits() == 0 {
			return true
		}
	}
	return false
}

func wildcardHost(h string) bool { return h == "*" || strings.HasPrefix(h, "*.") }

// exposureSeverity rates an exposure the review did not cover.
func exposureSeverity(g *Grant) (evidence.Severity, string) {
	e, _ := exposureOf(g)
	switch g.Action {
	case ActionLoadBalancer:
		switch {
		case e.Internal:
			return evidence.High, "internal load balancer on " + e.Port + " to " + e.Backend
		case openRanges(e.SourceRanges):
			return evidence.Critical, "public load balancer on " + e.Port + " open to every address (no loadBalancerSourceRanges) to " + e.Backend
		}
		return evidence.High, "load balancer on " + e.Port + " from " + strings.Join(e.SourceRanges, ",") + " to " + e.Backend
	case ActionNodePort:
		return evidence.High, "opens " + e.Port + " on every node's address (NodePort) to " + e.Backend
	case ActionExternalIP:
		return evidence.High, "answers on external IP " + g.Scope + " to " + e.Backend
	case ActionIngress:
		if wildcardHost(e.Host) {
			return evidence.Critical, "Ingress answers for every host name (" + g.Scope + ") to " + e.Backend
		}
		return evidence.High, "Ingress routes " + g.Scope + " to " + e.Backend
	case ActionListener:
		d := "Gateway listener on " + e.Port + " for " + e.Host + ", routes from namespaces: " + e.RoutesFrom
		if wildcardHost(e.Host) {
			return evidence.Critical, d + " (wildcard host name)"
		}
		return evidence.High, d
	case ActionRouterHost:
		d := "OpenShift Route " + g.Scope + " to " + e.Backend
		switch {
		case wildcardHost(e.Host):
			return evidence.Critical, d + " (wildcardPolicy Subdomain: every host name of the domain)"
		case e.Port == routerInsecurePort:
			return evidence.High, d + " (plain HTTP: insecureEdgeTerminationPolicy Allow, or no TLS)"
		}
		return evidence.High, d
	case ActionMeshServer:
		d := "Istio Gateway server on " + e.Port + " for " + e.Host + " (VirtualServices from namespaces: " + e.RoutesFrom + ") on " + e.Backend
		switch e.TLS {
		case tlsAutoPassthrough:
			return evidence.Critical, d + " (tls.mode AUTO_PASSTHROUGH: every mesh service reachable by SNI, no VirtualService needed)"
		case tlsMutual:
			d += " (client certificates required)"
		}
		if wildcardHost(e.Host) {
			return evidence.Critical, d + " (wildcard host name)"
		}
		return evidence.High, d
	case ActionRoute:
		d := exposureKind(g) + " " + g.Scope + " to " + e.Backend
		if wildcardHost(e.Host) {
			return evidence.Critical, d + " (wildcard host name)"
		}
		return evidence.High, d
	}
	return evidence.High, "new exposure"
}

// compareExposure compares two exposure grants of one slot.
func compareExposure(a *accumulator, b, c *Grant) {
	o, ok1 := exposureOf(b)
	n, ok2 := exposureOf(c)
	if !ok1 || !ok2 {
		a.add(KindChanged, evidence.High, "exposure changed")
		return
	}
	if o.Backend != n.Backend {
		a.add(KindChanged, evidence.High, "now sends outside traffic to "+n.Backend+" (was "+o.Backend+")")
		o.Backend = n.Backend
	}
	switch {
	case !exposureContentCovers(o, n):
		sev, d := exposureSeverity(c)
		if sev != evidence.Critical {
			sev = evidence.High
		}
		a.add(KindBroadened, sev, "reachable by more: "+d)
	case !exposureContentCovers(n, o):
		a.add(KindNarrowed, evidence.Info, "reachable by fewer")
	}
}
