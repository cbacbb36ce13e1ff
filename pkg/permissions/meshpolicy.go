package permissions

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// Network policy formats beyond Kubernetes' own NetworkPolicy: the CNI
// and service-mesh resources that decide what the agent's pods may reach.
const (
	// FormatCiliumPolicy is a CiliumNetworkPolicy or
	// CiliumClusterwideNetworkPolicy (cilium.io/v2).
	FormatCiliumPolicy = "cilium-network-policy"
	// FormatCalicoPolicy is a Calico NetworkPolicy or GlobalNetworkPolicy
	// (projectcalico.org/v3, crd.projectcalico.org/v1).
	FormatCalicoPolicy = "calico-network-policy"
	// FormatIstioEgress is an Istio ServiceEntry, a Sidecar's or an
	// IstioOperator's outbound traffic policy (networking.istio.io,
	// install.istio.io).
	FormatIstioEgress = "istio-egress"
)

// Deny rules of CNI policies (Cilium egressDeny and ingressDeny, Calico
// action Deny): restrictions, so removing one broadens.
const (
	ActionDenyEgress  = "deny-egress"
	ActionDenyIngress = "deny-ingress"
)

// clusterwide is the namespace recorded for cluster-scoped policies: they
// select pods of every namespace.
const clusterwide = "*"

func kindIn(m map[string]any, group string, kinds ...string) bool {
	api := str(m["apiVersion"])
	if !strings.HasPrefix(api, group+"/") {
		return false
	}
	k := str(m["kind"])
	for _, want := range kinds {
		if k == want {
			return true
		}
	}
	return false
}

func isCiliumPolicy(m map[string]any) bool {
	if isList(m) {
		return anyItem(m, isCiliumPolicy)
	}
	return kindIn(m, "cilium.io", "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy")
}

func isCalicoPolicy(m map[string]any) bool {
	if isList(m) {
		return anyItem(m, isCalicoPolicy)
	}
	return kindIn(m, "projectcalico.org", "NetworkPolicy", "GlobalNetworkPolicy") ||
		kindIn(m, "crd.projectcalico.org", "NetworkPolicy", "GlobalNetworkPolicy")
}

func isIstioEgress(m map[string]any) bool {
	if isList(m) {
		return anyItem(m, isIstioEgress)
	}
	return kindIn(m, "networking.istio.io", "ServiceEntry", "Sidecar") || kindIn(m, "install.istio.io", "IstioOperator")
}

// policyMeta returns the subject ("KIND NAMESPACE/NAME", the namespace
// "*" for cluster-scoped kinds) and the spec of a policy object.
func policyMeta(m map[string]any, cluster bool) (subject string, spec map[string]any, err error) {
	meta := obj(m["metadata"])
	kind, name, ns := str(m["kind"]), str(meta["name"]), str(meta["namespace"])
	if name == "" {
		return "", nil, fmt.Errorf("%w: %s without metadata.name", ErrInvalid, kind)
	}
	switch {
	case cluster:
		ns = clusterwide
	case ns == "":
		ns = "default"
	}
	subject = kind + " " + ns + "/" + name
	spec = obj(m["spec"])
	if spec == nil && m["spec"] != nil {
		return "", nil, fmt.Errorf("%w: %s spec must be an object", ErrInvalid, subject)
	}
	return subject, spec, nil
}

// netGrant records one allow (or deny) rule of a policy in the shape
// NetworkPolicy rules take, so that coverage and severity are the same
// for every kind.
func (s *scanner) netGrant(rel, subject, action string, effect Effect, sel string, selector, peer map[string]any, ports []string, l7 any) error {
	desc, err := peerText(peer)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInvalid, subject, err)
	}
	scope := desc + " ports " + strings.Join(ports, ",")
	if len(ports) == 0 {
		scope = desc + " all ports"
	}
	if l7 != nil {
		b, _ := json.Marshal(l7)
		h := sha256.Sum256(b)
		scope += " l7 rules " + hex.EncodeToString(h[:4])
	}
	if effect == Deny {
		scope = "pods " + sel + " " + scope
	}
	return s.add(Grant{Surface: SurfaceNetwork, Subject: subject, Action: action, Scope: scope, Effect: effect, Path: rel,
		Content: content(netRule{Pods: sel, Selector: selector, Peer: peer, Ports: ports, L7: l7})})
}

// isolate records that a policy puts the pods it selects in default deny
// in one direction.
func (s *scanner) isolate(rel, subject, action, sel string, selector map[string]any) error {
	return s.add(Grant{Surface: SurfaceNetwork, Subject: subject, Action: action, Scope: "pods " + sel, Effect: Deny, Path: rel,
		Content: content(map[string]any{"podSelector": selector})})
}

// ciliumPolicy reads a CiliumNetworkPolicy or
// CiliumClusterwideNetworkPolicy as Cilium enforces it: spec and specs are
// rules; each selects endpoints (endpointSelector, or nodeSelector for
// host policies) and puts them in default deny in every direction it has
// rules for (unless enableDefaultDeny says otherwise); each egress rule
// allows its L3 peers (toEndpoints, toEntities, toCIDR, toCIDRSet,
// toFQDNs, toServices, toNodes, toGroups; none: every peer) on its ports
// (toPorts, icmps; none: every port), L7 rules restricting it further.
func (s *scanner) ciliumPolicy(rel string, m map[string]any) error {
	if isList(m) {
		return eachItem(rel, m, isCiliumPolicy, s.ciliumPolicy)
	}
	cluster := str(m["kind"]) == "CiliumClusterwideNetworkPolicy"
	subject, spec, err := policyMeta(m, cluster)
	if err != nil {
		return err
	}
	var rules []map[string]any
	if spec != nil {
		rules = append(rules, spec)
	}
	for i, r := range arr(m["specs"]) {
		o := obj(r)
		if o == nil {
			return fmt.Errorf("%w: %s specs[%d] must be an object", ErrInvalid, subject, i)
		}
		rules = append(rules, o)
	}
	if len(rules) == 0 {
		return fmt.Errorf("%w: %s has neither spec nor specs", ErrInvalid, subject)
	}
	for i, r := range rules {
		where := subject
		if len(rules) > 1 {
			where = fmt.Sprintf("%s rule %d", subject, i+1)
		}
		if err := s.ciliumRule(rel, subject, where, cluster, r); err != nil {
			return err
		}
	}
	return nil
}

func (s *scanner) ciliumRule(rel, subject, where string, cluster bool, r map[string]any) error {
	selKey := "endpointSelector"
	if r[selKey] == nil && r["nodeSelector"] != nil {
		selKey = "nodeSelector"
	}
	if r[selKey] == nil {
		return fmt.Errorf("%w: %s needs an endpointSelector or a nodeSelector", ErrInvalid, where)
	}
	sel, err := selectorText(r[selKey])
	if err != nil {
		return fmt.Errorf("%w: %s %s: %w", ErrInvalid, where, selKey, err)
	}
	if selKey == "nodeSelector" {
		sel = "nodes " + sel
	}
	selector := obj(r[selKey])
	defaults := obj(r["enableDefaultDeny"])
	for _, d := range []struct {
		rules, deny, peer, isolate, allow, denyAction, defaultKey string
	}{
		{"egress", "egressDeny", "to", ActionIsolateEgress, ActionAllowEgress, ActionDenyEgress, "egress"},
		{"ingress", "ingressDeny", "from", ActionIsolateIngress, ActionAllowIngress, ActionDenyIngress, "ingress"},
	} {
		_, hasRules := r[d.rules]
		_, hasDeny := r[d.deny]
		on := hasRules || hasDeny
		if v, ok := boolean(defaults[d.defaultKey]); ok {
			on = v
		}
		if on {
			if err := s.isolate(rel, subject, d.isolate, sel, selector); err != nil {
				return err
			}
		}
		for _, k := range []struct {
			key    string
			action string
			effect Effect
		}{{d.rules, d.allow, Allow}, {d.deny, d.denyAction, Deny}} {
			for i, raw := range arr(r[k.key]) {
				rule := obj(raw)
				if rule == nil {
					return fmt.Errorf("%w: %s %s[%d] must be an object", ErrInvalid, where, k.key, i)
				}
				peers, err := ciliumPeers(rule, d.peer, cluster)
				if err != nil {
					return fmt.Errorf("%w: %s %s[%d]: %w", ErrInvalid, where, k.key, i, err)
				}
				ports, l7, err := ciliumPorts(rule, d.peer)
				if err != nil {
					return fmt.Errorf("%w: %s %s[%d]: %w", ErrInvalid, where, k.key, i, err)
				}
				for _, p := range peers {
					if err := s.netGrant(rel, subject, k.action, k.effect, sel, selector, p, ports, l7); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// worldEntities are the Cilium entities outside the cluster (world) and
// everything (all).
var worldEntities = map[string]string{"world": "0.0.0.0/0", "world-ipv4": "0.0.0.0/0", "world-ipv6": "::/0"}

// ciliumPeers returns the peers of one Cilium rule in NetworkPolicy form;
// a nil peer is every peer. dir is "to" or "from".
func ciliumPeers(rule map[string]any, dir string, cluster bool) ([]map[string]any, error) {
	var peers []map[string]any
	l3 := false
	for _, e := range arr(rule[dir+"Entities"]) {
		l3 = true
		name := strings.ToLower(str(e))
		switch {
		case name == "all":
			peers = append(peers, nil)
		case worldEntities[name] != "":
			peers = append(peers, map[string]any{"ipBlock": map[string]any{"cidr": worldEntities[name]}})
		case name == "":
			return nil, fmt.Errorf("%sEntities: an entity is a non-empty string", dir)
		default:
			peers = append(peers, map[string]any{"entity": name})
		}
	}
	for _, c := range arr(rule[dir+"CIDR"]) {
		l3 = true
		cidr, err := cidrText(str(c))
		if err != nil {
			return nil, fmt.Errorf("%sCIDR: %w", dir, err)
		}
		peers = append(peers, map[string]any{"ipBlock": map[string]any{"cidr": cidr}})
	}
	for i, c := range arr(rule[dir+"CIDRSet"]) {
		l3 = true
		o := obj(c)
		if o == nil {
			return nil, fmt.Errorf("%sCIDRSet[%d] must be an object", dir, i)
		}
		if ref := str(o["cidrGroupRef"]); ref != "" {
			peers = append(peers, map[string]any{"cidrGroup": ref})
			continue
		}
		cidr, err := cidrText(str(o["cidr"]))
		if err != nil {
			return nil, fmt.Errorf("%sCIDRSet[%d].cidr: %w", dir, i, err)
		}
		b := map[string]any{"cidr": cidr}
		if ex := arr(o["except"]); len(ex) > 0 {
			b["except"] = ex
		}
		peers = append(peers, map[string]any{"ipBlock": b})
	}
	for i, f := range arr(rule["toFQDNs"]) {
		l3 = true
		o := obj(f)
		name := strings.ToLower(strings.TrimSuffix(str(o["matchName"]), "."))
		if name == "" {
			name = strings.ToLower(strings.TrimSuffix(str(o["matchPattern"]), "."))
		}
		if name == "" {
			return nil, fmt.Errorf("toFQDNs[%d] needs matchName or matchPattern", i)
		}
		peers = append(peers, map[string]any{"fqdn": name})
	}
	for _, k := range []string{"Endpoints", "Requires"} {
		for i, e := range arr(rule[dir+k]) {
			l3 = true
			sel, err := selectorText(e)
			if err != nil {
				return nil, fmt.Errorf("%s%s[%d]: %w", dir, k, i, err)
			}
			p := map[string]any{"podSelector": obj(e)}
			if cluster || strings.Contains(sel, "io.kubernetes.pod.namespace") {
				// every namespace, unless the selector names one
				p["namespaceSelector"] = map[string]any{}
			}
			if p["podSelector"] == nil {
				p["podSelector"] = map[string]any{}
			}
			peers = append(peers, p)
		}
	}
	for _, k := range []string{"Services", "Nodes", "Groups"} {
		for _, e := range arr(rule[dir+k]) {
			l3 = true
			b, _ := json.Marshal(e)
			peers = append(peers, map[string]any{strings.ToLower(k): string(b)})
		}
	}
	if !l3 {
		// Only ports (or nothing): every peer on those ports.
		peers = append(peers, nil)
	}
	return peers, nil
}

// ciliumPorts returns the ports of a Cilium rule (toPorts or fromPorts,
// icmps) and its L7 rules, nil when it has none.
func ciliumPorts(rule map[string]any, dir string) ([]string, any, error) {
	var out []string
	var l7 []any
	for i, tp := range arr(rule[dir+"Ports"]) {
		o := obj(tp)
		if o == nil {
			return nil, nil, fmt.Errorf("%sPorts[%d] must be an object", dir, i)
		}
		for j, p := range arr(o["ports"]) {
			po := obj(p)
			if po == nil {
				return nil, nil, fmt.Errorf("%sPorts[%d].ports[%d] must be an object", dir, i, j)
			}
			proto := strings.ToUpper(str(po["protocol"]))
			if proto == "" {
				proto = "ANY"
			}
			port, err := portText(po["port"])
			if err != nil {
				return nil, nil, fmt.Errorf("%sPorts[%d].ports[%d].port: %w", dir, i, j, err)
			}
			if port == "0" {
				port = "*"
			}
			if po["endPort"] != nil {
				end, err := portText(po["endPort"])
				if err != nil {
					return nil, nil, fmt.Errorf("%sPorts[%d].ports[%d].endPort: %w", dir, i, j, err)
				}
				port += "-" + end
			}
			out = append(out, proto+"/"+port)
		}
		if r := o["rules"]; r != nil {
			l7 = append(l7, r)
		}
	}
	for range arr(rule["icmps"]) {
		out = append(out, "ICMP/*")
	}
	sort.Strings(out)
	out = compactStrings(out)
	if len(l7) == 0 {
		return out, nil, nil
	}
	return out, l7, nil
}

// cidrText is a CIDR or a single address as a prefix.
func cidrText(s string) (string, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.String(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return "", fmt.Errorf("%q is neither a CIDR nor an address", s)
	}
	return netip.PrefixFrom(a, a.BitLen()).String(), nil
}

// calicoPolicy reads a Calico NetworkPolicy or GlobalNetworkPolicy: the
// pods its selector picks are isolated in each direction of types; each
// Allow rule allows its destination (egress) or source (ingress) — nets,
// selectors, domains, services, or everything when it names none — and
// each Deny rule is a restriction. Pass and Log rules grant nothing.
func (s *scanner) calicoPolicy(rel string, m map[string]any) error {
	if isList(m) {
		return eachItem(rel, m, isCalicoPolicy, s.calicoPolicy)
	}
	global := str(m["kind"]) == "GlobalNetworkPolicy"
	subject, spec, err := policyMeta(m, global)
	if err != nil {
		return err
	}
	if spec == nil {
		return fmt.Errorf("%w: %s has no spec", ErrInvalid, subject)
	}
	expr := strings.TrimSpace(str(spec["selector"]))
	if expr == "" || expr == "all()" {
		expr = "all"
	}
	if ns := strings.TrimSpace(str(spec["namespaceSelector"])); ns != "" && ns != "all()" {
		expr += " in namespaces " + ns
	}
	selector := map[string]any{"expression": expr}
	types, err := strs(spec["types"], subject+" spec.types")
	if err != nil {
		return err
	}
	if spec["types"] == nil {
		if spec["egress"] != nil {
			types = append(types, "Egress")
		}
		if spec["ingress"] != nil || spec["egress"] == nil {
			types = append(types, "Ingress")
		}
	}
	for _, t := range types {
		var isolate, allow, deny, rulesKey, peerKey string
		switch t {
		case "Egress":
			isolate, allow, deny, rulesKey, peerKey = ActionIsolateEgress, ActionAllowEgress, ActionDenyEgress, "egress", "destination"
		case "Ingress":
			isolate, allow, deny, rulesKey, peerKey = ActionIsolateIngress, ActionAllowIngress, ActionDenyIngress, "ingress", "source"
		default:
			return fmt.Errorf("%w: %s spec.types: unknown type %q", ErrInvalid, subject, t)
		}
		if err := s.isolate(rel, subject, isolate, expr, selector); err != nil {
			return err
		}
		for i, raw := range arr(spec[rulesKey]) {
			rule := obj(raw)
			if rule == nil {
				return fmt.Errorf("%w: %s spec.%s[%d] must be an object", ErrInvalid, subject, rulesKey, i)
			}
			var action string
			var effect Effect
			switch a := str(rule["action"]); a {
			case "Allow":
				action, effect = allow, Allow
			case "Deny":
				action, effect = deny, Deny
			case "Pass", "Log":
				continue
			default:
				return fmt.Errorf("%w: %s spec.%s[%d].action %q: Allow, Deny, Pass or Log", ErrInvalid, subject, rulesKey, i, a)
			}
			peers, ports, err := calicoPeers(rule, peerKey)
			if err != nil {
				return fmt.Errorf("%w: %s spec.%s[%d]: %w", ErrInvalid, subject, rulesKey, i, err)
			}
			var l7 any
			if h := rule["http"]; h != nil {
				l7 = h
			}
			for _, p := range peers {
				if err := s.netGrant(rel, subject, action, effect, expr, selector, p, ports, l7); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// calicoPeers returns the peers and ports of a Calico rule's destination
// or source; a nil peer is every peer.
func calicoPeers(rule map[string]any, key string) ([]map[string]any, []string, error) {
	ep := obj(rule[key])
	if rule[key] != nil && ep == nil {
		return nil, nil, fmt.Errorf("%s must be an object", key)
	}
	proto := strings.ToUpper(fmt.Sprint(rule["protocol"]))
	if rule["protocol"] == nil {
		proto = "ANY"
	}
	var ports []string
	for i, p := range arr(ep["ports"]) {
		t, err := portText(p)
		if err != nil {
			return nil, nil, fmt.Errorf("%s.ports[%d]: %w", key, i, err)
		}
		ports = append(ports, proto+"/"+strings.ReplaceAll(t, ":", "-"))
	}
	if len(ports) == 0 && rule["protocol"] != nil {
		ports = []string{proto + "/*"}
	}
	sort.Strings(ports)
	var peers []map[string]any
	var rest map[string]any
	for k, v := range ep {
		switch k {
		case "ports":
		case "nets":
			for _, n := range arr(v) {
				cidr, err := cidrText(str(n))
				if err != nil {
					return nil, nil, fmt.Errorf("%s.nets: %w", key, err)
				}
				peers = append(peers, map[string]any{"ipBlock": map[string]any{"cidr": cidr}})
			}
		case "domains":
			for _, d := range arr(v) {
				peers = append(peers, map[string]any{"fqdn": strings.ToLower(strings.TrimSuffix(str(d), "."))})
			}
		case "notNets":
			if rest == nil {
				rest = map[string]any{}
			}
			rest["ipBlock"] = map[string]any{"cidr": "0.0.0.0/0", "except": v}
		default:
			// selector, namespaceSelector, serviceAccounts, services,
			// notSelector, notPorts: compared as written
			if rest == nil {
				rest = map[string]any{}
			}
			b, _ := json.Marshal(v)
			rest["calico "+k] = string(b)
		}
	}
	if rest != nil {
		peers = append(peers, rest)
	}
	if len(peers) == 0 {
		peers = append(peers, nil)
	}
	return peers, ports, nil
}

// istioEgress reads Istio's egress configuration: a ServiceEntry's hosts
// and addresses are new destinations for the mesh; a Sidecar's (or the
// mesh's) outboundTrafficPolicy ALLOW_ANY lets the workloads it selects
// reach any host, REGISTRY_ONLY confines them to known services.
func (s *scanner) istioEgress(rel string, m map[string]any) error {
	if isList(m) {
		return eachItem(rel, m, isIstioEgress, s.istioEgress)
	}
	kind := str(m["kind"])
	subject, spec, err := policyMeta(m, kind == "IstioOperator")
	if err != nil {
		return err
	}
	via := "istio " + subject
	switch kind {
	case "ServiceEntry":
		hosts, err := strs(spec["hosts"], subject+" spec.hosts")
		if err != nil {
			return err
		}
		addrs, err := strs(spec["addresses"], subject+" spec.addresses")
		if err != nil {
			return err
		}
		if len(hosts) == 0 {
			return fmt.Errorf("%w: %s has no spec.hosts", ErrInvalid, subject)
		}
		for _, h := range append(hosts, addrs...) {
			if err := s.egress(rel, strings.ToLower(strings.TrimSpace(h)), via); err != nil {
				return err
			}
		}
		return nil
	case "Sidecar":
		sel := "all"
		if ws := obj(spec["workloadSelector"]); ws != nil {
			if sel, err = selectorText(map[string]any{"matchLabels": ws["labels"]}); err != nil {
				return fmt.Errorf("%w: %s spec.workloadSelector: %w", ErrInvalid, subject, err)
			}
		}
		return s.outboundPolicy(rel, subject, via, sel, obj(spec["outboundTrafficPolicy"]))
	}
	return s.outboundPolicy(rel, subject, via, "all", obj(lookup(spec, "meshConfig.outboundTrafficPolicy")))
}

// outboundPolicy records an Istio outboundTrafficPolicy: ALLOW_ANY is
// egress to any host, REGISTRY_ONLY isolates the selected workloads'
// egress (removing it lets them reach any host again, Istio's default).
func (s *scanner) outboundPolicy(rel, subject, via, sel string, p map[string]any) error {
	if p == nil {
		return nil
	}
	switch mode := str(p["mode"]); mode {
	case "ALLOW_ANY":
		return s.egress(rel, "*", via)
	case "REGISTRY_ONLY":
		return s.isolate(rel, subject, ActionIsolateMesh, sel, nil)
	case "":
		return nil
	default:
		return fmt.Errorf("%w: %s outboundTrafficPolicy.mode %q: ALLOW_ANY or REGISTRY_ONLY", ErrInvalid, subject, mode)
	}
}
