package permissions

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

// FormatNetworkPolicy is a Kubernetes NetworkPolicy (networking.k8s.io/v1),
// or a List holding some: what the agent's pods may reach and be reached by.
const FormatNetworkPolicy = "kubernetes-networkpolicy"

// Network policy actions. A policy that lists a direction in policyTypes
// isolates the pods it selects in that direction (a restriction: removing
// it opens them to everything); each of its rules then allows peers on
// ports.
const (
	ActionIsolateEgress  = "isolate-egress"
	ActionIsolateIngress = "isolate-ingress"
	// ActionIsolateMesh is Istio's REGISTRY_ONLY outbound traffic
	// policy: the sidecar forwards only to known services. It is not
	// the CNI's isolation (traffic that bypasses the sidecar is not
	// held), so neither replaces the other.
	ActionIsolateMesh  = "isolate-mesh-egress"
	ActionAllowEgress  = "allow-egress"
	ActionAllowIngress = "allow-ingress"
)

// isNetworkPolicy recognises a NetworkPolicy (or a List holding one).
func isNetworkPolicy(m map[string]any) bool {
	if isList(m) {
		return anyItem(m, isNetworkPolicy)
	}
	return str(m["kind"]) == "NetworkPolicy" && strings.HasPrefix(str(m["apiVersion"]), "networking.k8s.io/")
}

// netRule is the content of an allow grant: one peer and the ports.
type netRule struct {
	Pods     string         `json:"pods"`               // the policy's pod selector, as text
	Selector map[string]any `json:"selector,omitempty"` // and as written
	Peer     map[string]any `json:"peer,omitempty"`     // absent: any peer
	Ports    []string       `json:"ports,omitempty"`
	// L7 are the application-layer rules that restrict the rule
	// further (Cilium toPorts rules, Calico http); absent: none.
	L7 any `json:"l7,omitempty"`
}

// networkPolicy reads a NetworkPolicy as Kubernetes applies it: the
// directions it isolates (policyTypes, defaulting to Ingress, plus Egress
// when egress rules are present), and one allow grant per peer of each
// rule. A rule without peers allows every peer; one without ports every
// port.
func (s *scanner) networkPolicy(rel string, m map[string]any) error {
	if isList(m) {
		return eachItem(rel, m, isNetworkPolicy, s.networkPolicy)
	}
	meta := obj(m["metadata"])
	name, ns := str(meta["name"]), str(meta["namespace"])
	if name == "" {
		return fmt.Errorf("%w: NetworkPolicy without metadata.name", ErrInvalid)
	}
	if ns == "" {
		ns = "default"
	}
	subject := "NetworkPolicy " + ns + "/" + name
	spec := obj(m["spec"])
	if spec == nil {
		return fmt.Errorf("%w: %s has no spec", ErrInvalid, subject)
	}
	sel, err := selectorText(spec["podSelector"])
	if err != nil {
		return fmt.Errorf("%w: %s spec.podSelector: %w", ErrInvalid, subject, err)
	}
	types, err := strs(spec["policyTypes"], subject+" spec.policyTypes")
	if err != nil {
		return err
	}
	if spec["policyTypes"] == nil {
		types = []string{"Ingress"}
		if spec["egress"] != nil {
			types = append(types, "Egress")
		}
	}
	for _, t := range types {
		var isolate, allow, rulesKey, peersKey string
		switch t {
		case "Egress":
			isolate, allow, rulesKey, peersKey = ActionIsolateEgress, ActionAllowEgress, "egress", "to"
		case "Ingress":
			isolate, allow, rulesKey, peersKey = ActionIsolateIngress, ActionAllowIngress, "ingress", "from"
		default:
			return fmt.Errorf("%w: %s spec.policyTypes: unknown type %q", ErrInvalid, subject, t)
		}
		if err := s.add(Grant{Surface: SurfaceNetwork, Subject: subject, Action: isolate, Scope: "pods " + sel, Effect: Deny, Path: rel,
			Content: content(map[string]any{"podSelector": spec["podSelector"]})}); err != nil {
			return err
		}
		for i, r := range arr(spec[rulesKey]) {
			rule := obj(r)
			if rule == nil {
				return fmt.Errorf("%w: %s spec.%s[%d] must be an object", ErrInvalid, subject, rulesKey, i)
			}
			ports, err := portsText(rule["ports"])
			if err != nil {
				return fmt.Errorf("%w: %s spec.%s[%d].ports: %w", ErrInvalid, subject, rulesKey, i, err)
			}
			peers := arr(rule[peersKey])
			if len(peers) == 0 {
				peers = []any{nil}
			}
			for j, p := range peers {
				peer := obj(p)
				if p != nil && peer == nil {
					return fmt.Errorf("%w: %s spec.%s[%d].%s[%d] must be an object", ErrInvalid, subject, rulesKey, i, peersKey, j)
				}
				desc, err := peerText(peer)
				if err != nil {
					return fmt.Errorf("%w: %s spec.%s[%d].%s[%d]: %w", ErrInvalid, subject, rulesKey, i, peersKey, j, err)
				}
				scope := desc + " ports " + strings.Join(ports, ",")
				if len(ports) == 0 {
					scope = desc + " all ports"
				}
				if err := s.add(Grant{Surface: SurfaceNetwork, Subject: subject, Action: allow, Scope: scope, Effect: Allow, Path: rel,
					Content: content(netRule{Pods: sel, Selector: obj(spec["podSelector"]), Peer: peer, Ports: ports})}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// selectorText is a label selector in a canonical one-line form: "all" for
// the empty selector (every pod, or every namespace).
func selectorText(v any) (string, error) {
	if v == nil {
		return "all", nil
	}
	m := obj(v)
	if m == nil {
		return "", fmt.Errorf("a label selector must be an object")
	}
	var parts []string
	for k, val := range obj(m["matchLabels"]) {
		parts = append(parts, k+"="+fmt.Sprint(val))
	}
	for i, e := range arr(m["matchExpressions"]) {
		o := obj(e)
		if o == nil {
			return "", fmt.Errorf("matchExpressions[%d] must be an object", i)
		}
		vals, err := strs(o["values"], fmt.Sprintf("matchExpressions[%d].values", i))
		if err != nil {
			return "", err
		}
		sort.Strings(vals)
		parts = append(parts, fmt.Sprintf("%s %s (%s)", str(o["key"]), str(o["operator"]), strings.Join(vals, ",")))
	}
	if len(parts) == 0 {
		return "all", nil
	}
	sort.Strings(parts)
	return strings.Join(parts, ","), nil
}

// portsText is a rule's ports as sorted "TCP/443" or "TCP/8000-9000".
func portsText(v any) ([]string, error) {
	var out []string
	for i, p := range arr(v) {
		o := obj(p)
		if o == nil {
			return nil, fmt.Errorf("[%d] must be an object", i)
		}
		proto := str(o["protocol"])
		if proto == "" {
			proto = "TCP"
		}
		port, err := portText(o["port"])
		if err != nil {
			return nil, fmt.Errorf("[%d].port: %w", i, err)
		}
		if o["endPort"] != nil {
			end, err := portText(o["endPort"])
			if err != nil || port == "*" {
				return nil, fmt.Errorf("[%d].endPort: a number after a numeric port", i)
			}
			port += "-" + end
		}
		out = append(out, proto+"/"+port)
	}
	sort.Strings(out)
	return out, nil
}

// portText is a port number or name; "*" when absent.
func portText(v any) (string, error) {
	switch p := v.(type) {
	case nil:
		return "*", nil
	case string:
		if p == "" {
			return "", fmt.Errorf("an empty port name")
		}
		return p, nil
	case float64:
		return fmt.Sprint(int64(p)), nil
	case int64:
		return fmt.Sprint(p), nil
	}
	return "", fmt.Errorf("a port is a number or a name, not %T", v)
}

// peerText describes a peer: "anywhere" (no peer: every address), an
// ipBlock, or namespaces and pods by selector.
func peerText(peer map[string]any) (string, error) {
	if peer == nil {
		return "anywhere", nil
	}
	if v, ok := otherPeer(peer); ok {
		return v, nil
	}
	if b := obj(peer["ipBlock"]); b != nil {
		cidr := str(b["cidr"])
		if _, err := netip.ParsePrefix(cidr); err != nil {
			return "", fmt.Errorf("ipBlock.cidr %q: %w", cidr, err)
		}
		ex, err := strs(b["except"], "ipBlock.except")
		if err != nil {
			return "", err
		}
		sort.Strings(ex)
		if len(ex) > 0 {
			return "cidr " + cidr + " except " + strings.Join(ex, ","), nil
		}
		return "cidr " + cidr, nil
	}
	ns, nsOK := peer["namespaceSelector"]
	pods, podsOK := peer["podSelector"]
	if !nsOK && !podsOK {
		return "", fmt.Errorf("a peer needs ipBlock, namespaceSelector or podSelector")
	}
	d := "this namespace"
	if nsOK {
		t, err := selectorText(ns)
		if err != nil {
			return "", fmt.Errorf("namespaceSelector: %w", err)
		}
		d = "namespaces " + t
	}
	p := "all"
	if podsOK {
		t, err := selectorText(pods)
		if err != nil {
			return "", fmt.Errorf("podSelector: %w", err)
		}
		p = t
	}
	return d + " pods " + p, nil
}

// netAnywhere reports whether an allow rule reaches every address: no
// peer, an ipBlock of the whole IPv4 or IPv6 space without exceptions, or
// every pod of every namespace.
func netAnywhere(g *Grant) bool {
	var r netRule
	_ = json.Unmarshal(g.Content, &r)
	if r.Peer == nil || str(r.Peer["fqdn"]) == "*" {
		return true
	}
	if b := obj(r.Peer["ipBlock"]); b != nil {
		p, err := netip.ParsePrefix(str(b["cidr"]))
		// the whole address space, even minus private ranges, is the
		// internet
		return err == nil && p.Bits() == 0
	}
	return strings.HasPrefix(g.Scope, "namespaces all pods all ")
}

// netRuleCovers reports whether reviewed allow rule b allows at least what
// candidate rule g allows to the same pods: the same direction and
// namespace, b's policy selecting the same pods (or every pod), b's ports
// a superset (or all), and b's peer everything, the same peer, or an
// ipBlock holding g's (exceptions only on b's side count against it).
// Kubernetes allows a pod the union of the rules of every policy that
// selects it, so a renamed or split policy is no broadening.
func netRuleCovers(b, g *Grant) bool {
	if b.Action != g.Action || policyNamespace(b) != policyNamespace(g) {
		return false
	}
	var rb, rg netRule
	if json.Unmarshal(b.Content, &rb) != nil || json.Unmarshal(g.Content, &rg) != nil {
		return false
	}
	if rb.Pods != rg.Pods && rb.Pods != "all" {
		return false
	}
	if len(rb.Ports) > 0 {
		if len(rg.Ports) == 0 {
			return false
		}
		have := map[string]bool{}
		for _, p := range rb.Ports {
			have[p] = true
		}
		for _, p := range rg.Ports {
			if !have[p] {
				return false
			}
		}
	}
	if rb.L7 != nil && !equalJSON(rb.L7, rg.L7) {
		return false // the reviewed rule was restricted further
	}
	if rb.Peer == nil {
		return true
	}
	if fb, fg := str(rb.Peer["fqdn"]), str(rg.Peer["fqdn"]); fb != "" && fg != "" {
		return hostCovers(fb, fg)
	}
	bb, gb := obj(rb.Peer["ipBlock"]), obj(rg.Peer["ipBlock"])
	if bb == nil || gb == nil || len(rb.Peer) != 1 || len(rg.Peer) != 1 {
		return equalJSON(rb.Peer, rg.Peer)
	}
	pb, err1 := netip.ParsePrefix(str(bb["cidr"]))
	pg, err2 := netip.ParsePrefix(str(gb["cidr"]))
	if err1 != nil || err2 != nil || pb.Addr().Is4() != pg.Addr().Is4() || pb.Bits() > pg.Bits() || !pb.Contains(pg.Addr()) {
		return false
	}
	// every range b excepts that g's range touches, g excepts too
	for _, e := range arr(bb["except"]) {
		pe, err := netip.ParsePrefix(str(e))
		if err != nil {
			return false
		}
		if !pe.Overlaps(pg) {
			continue
		}
		kept := false
		for _, x := range arr(gb["except"]) {
			px, err := netip.ParsePrefix(str(x))
			if err == nil && px.Bits() <= pe.Bits() && px.Contains(pe.Addr()) {
				kept = true
				break
			}
		}
		if !kept {
			return false
		}
	}
	return true
}

// isIsolation reports whether a network action isolates pods.
func isIsolation(action string) bool {
	return action == ActionIsolateEgress || action == ActionIsolateIngress || action == ActionIsolateMesh
}

// isolationRemoved rates a reviewed isolation that no candidate policy
// keeps: the pods it selected now send (or accept) any traffic.
func isolationRemoved(b *Grant) (evidence.Severity, string) {
	if b.Action == ActionIsolateMesh {
		return evidence.Critical, "mesh egress restriction (REGISTRY_ONLY) removed: the workloads " + strings.TrimPrefix(b.Scope, "pods ") + " it selected may now reach any host (Istio's default is ALLOW_ANY)"
	}
	if b.Action == ActionIsolateEgress {
		return evidence.Critical, "egress isolation removed: the " + b.Scope + " it selected may now send traffic anywhere"
	}
	return evidence.High, "ingress isolation removed: the " + b.Scope + " it selected may now be reached from anywhere"
}

// isolationKept reports whether candidate grant c isolates, in the same
// direction and namespace, every pod reviewed isolation b did (the same
// selector, or every pod): a renamed or merged policy.
func isolationKept(b, c *Grant) bool {
	return c.Surface == SurfaceNetwork && c.Action == b.Action && policyNamespace(c) == policyNamespace(b) && (c.Scope == b.Scope || c.Scope == "pods all")
}

// newlyIsolated reports whether candidate allow rule g belongs to a policy
// whose pods the review left open in that direction: no reviewed policy of
// the namespace isolated them. Those pods could reach (or be reached by)
// every peer, so the rule only narrows. A reviewed selector counts as
// sharing pods with g's unless the two are provably disjoint (both give a
// label the same key and different values).
func newlyIsolated(g *Grant, reviewed []*item) bool {
	isolate := ActionIsolateEgress
	if g.Action == ActionAllowIngress {
		isolate = ActionIsolateIngress
	}
	var r netRule
	if json.Unmarshal(g.Content, &r) != nil {
		return false
	}
	if policyNamespace(g) == clusterwide {
		// a cluster-wide policy selects pods of every namespace
		return false
	}
	for _, b := range reviewed {
		if b.g.Action != isolate || (policyNamespace(b.g) != policyNamespace(g) && policyNamespace(b.g) != clusterwide) {
			continue
		}
		var c struct {
			PodSelector map[string]any `json:"podSelector"`
		}
		if json.Unmarshal(b.g.Content, &c) != nil || !disjoint(c.PodSelector, r.Selector) {
			return false
		}
	}
	return true
}

// disjoint reports whether no pod can match both selectors: they require
// different values of the same label.
func disjoint(a, b map[string]any) bool {
	la, lb := obj(a["matchLabels"]), obj(b["matchLabels"])
	for k, v := range la {
		if w, ok := lb[k]; ok && str(v) != str(w) {
			return true
		}
	}
	return false
}

// policyNamespace is the namespace of a network policy grant's subject
// ("KIND NAMESPACE/NAME"; "*" for cluster-wide policies).
func policyNamespace(g *Grant) string {
	_, rest, _ := strings.Cut(g.Subject, " ")
	ns, _, _ := strings.Cut(rest, "/")
	return ns
}

// otherPeers are the peers of CNI policies that NetworkPolicy has no
// form for, as "KEY VALUE" text.
var otherPeers = []string{"fqdn", "entity", "cidrGroup", "services", "nodes", "groups"}

// otherPeer describes a peer of a CNI policy kind (a DNS name, a Cilium
// entity or service, Calico selectors), or reports that it is none.
func otherPeer(peer map[string]any) (string, bool) {
	for _, k := range otherPeers {
		if v, ok := peer[k]; ok {
			return k + " " + fmt.Sprint(v), true
		}
	}
	var parts []string
	for k, v := range peer {
		if strings.HasPrefix(k, "calico ") {
			parts = append(parts, strings.TrimPrefix(k, "calico ")+" "+fmt.Sprint(v))
		}
	}
	if len(parts) == 0 {
		return "", false
	}
	sort.Strings(parts)
	if b := obj(peer["ipBlock"]); b != nil {
		parts = append(parts, fmt.Sprintf("not nets %v", b["except"]))
	}
	return strings.Join(parts, " "), true
}

// netPolicySeverity rates a new allow rule.
func netPolicySeverity(g *Grant) (evidence.Severity, string) {
	anywhere := netAnywhere(g)
	switch {
	case g.Action == ActionAllowEgress && anywhere:
		return evidence.Critical, "pods may now send traffic anywhere (" + g.Scope + ")"
	case g.Action == ActionAllowEgress:
		return evidence.High, "new egress destination (" + g.Scope + ")"
	case anywhere:
		return evidence.High, "pods may now be reached from anywhere (" + g.Scope + ")"
	}
	return evidence.Medium, "new ingress source (" + g.Scope + ")"
}
