package permissions

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

// FormatWorkload is a Kubernetes workload manifest (Pod, Deployment,
// StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job,
// CronJob, PodTemplate).
const FormatWorkload = "kubernetes-workload"

// SurfaceWorkload holds what a workload's pods run as and may touch on
// their node.
const SurfaceWorkload = "kubernetes-workload"

// Workload grant actions.
const (
	ActionServiceAccount = "service-account"       // scope: namespace/name
	ActionTokenMount     = "service-account-token" // scope: "mounted"
	ActionHostNamespace  = "host-namespace"        // scope: network, pid, ipc
	ActionPrivileged     = "privileged"            // scope: container NAME
	ActionEscalation     = "privilege-escalation"  // scope: container NAME
	ActionCapability     = "capability"            // scope: container NAME: CAP
	ActionHostPath       = "host-path"             // scope: the host path
	ActionHostPort       = "host-port"             // scope: container NAME: PORT/PROTOCOL
	ActionUnconfined     = "unconfined"            // scope: seccomp|apparmor [container NAME], procMount container NAME
	ActionSysctl         = "sysctl"                // scope: the sysctl name
)

// podSpecPath is where each workload kind keeps its pod spec.
var podSpecPath = map[string][]string{
	"Pod":                   {"spec"},
	"PodTemplate":           {"template", "spec"},
	"Deployment":            {"spec", "template", "spec"},
	"StatefulSet":           {"spec", "template", "spec"},
	"DaemonSet":             {"spec", "template", "spec"},
	"ReplicaSet":            {"spec", "template", "spec"},
	"ReplicationController": {"spec", "template", "spec"},
	"Job":                   {"spec", "template", "spec"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template", "spec"},
}

// isWorkload recognises a workload manifest (or a List holding one).
func isWorkload(m map[string]any) bool {
	if isList(m) {
		return anyItem(m, isWorkload)
	}
	_, ok := podSpecPath[str(m["kind"])]
	return ok && str(m["apiVersion"]) != ""
}

// criticalCapabilities hand a container the node; baselineCapabilities
// are those the Pod Security Standards' baseline profile allows.
var (
	criticalCapabilities = map[string]bool{"ALL": true, "SYS_ADMIN": true, "SYS_PTRACE": true, "SYS_MODULE": true,
		"NET_ADMIN": true, "DAC_READ_SEARCH": true, "BPF": true, "SYS_RAWIO": true, "SYS_BOOT": true, "PERFMON": true}
	baselineCapabilities = map[string]bool{"AUDIT_WRITE": true, "CHOWN": true, "DAC_OVERRIDE": true, "FOWNER": true,
		"FSETID": true, "KILL": true, "MKNOD": true, "NET_BIND_SERVICE": true, "SETFCAP": true, "SETGID": true,
		"SETPCAP": true, "SETUID": true, "SYS_CHROOT": true}
	// criticalHostPaths give a container the node or its container runtime.
	criticalHostPaths = []string{"/", "/etc", "/root", "/home", "/proc", "/sys", "/dev", "/boot", "/var/run", "/run",
		"/var/lib/kubelet", "/var/lib/docker", "/var/lib/containerd", "/var/run/docker.sock", "/run/containerd",
		"/var/run/containerd", "/var/run/crio", "/etc/kubernetes", "/var/log"}
	// safeSysctls are the sysctls the Pod Security Standards' baseline
	// profile allows; any other is namespaced to the node's kernel.
	safeSysctls = map[string]bool{"kernel.shm_rmid_forced": true, "net.ipv4.ip_local_port_range": true,
		"net.ipv4.ip_unprivileged_port_start": true, "net.ipv4.tcp_syncookies": true, "net.ipv4.ping_group_range": true,
		"net.ipv4.ip_local_reserved_ports": true, "net.ipv4.tcp_keepalive_time": true, "net.ipv4.tcp_fin_timeout": true,
		"net.ipv4.tcp_keepalive_intvl": true, "net.ipv4.tcp_keepalive_probes": true}
)

// unconfined reports whether a seccomp or AppArmor profile object
// ({type: Unconfined}) turns confinement off.
func unconfined(profile any) bool {
	return strings.EqualFold(str(obj(profile)["type"]), "Unconfined")
}

// workload reads what a workload's pods run as and what they may touch on
// the node: the service account and whether its token is mounted
// (automatically or as a projected volume), host namespaces, privileged
// and Windows HostProcess containers, privilege escalation, added
// capabilities, hostPath volumes, and what else the Pod Security
// Standards' baseline profile forbids: host ports, unconfined seccomp or
// AppArmor, an unmasked /proc and unsafe sysctls.
func (s *scanner) workload(rel string, m map[string]any) error {
	if isList(m) {
		return eachItem(rel, m, isWorkload, s.workload)
	}
	kind := str(m["kind"])
	meta := obj(m["metadata"])
	name, ns := str(meta["name"]), str(meta["namespace"])
	if name == "" {
		name = str(meta["generateName"]) + "*"
	}
	if ns == "" {
		ns = "default"
	}
	var spec any = m
	for _, k := range podSpecPath[kind] {
		spec = obj(spec)[k]
	}
	pod := obj(spec)
	if pod == nil {
		return fmt.Errorf("%w: %s %s/%s has no pod spec at %s", ErrInvalid, kind, ns, name, strings.Join(podSpecPath[kind], "."))
	}
	subject := kind + " " + ns + "/" + name
	add := func(action, scope string, c any) error {
		return s.add(Grant{Surface: SurfaceWorkload, Subject: subject, Action: action, Scope: scope, Effect: Allow, Path: rel, Content: content(c)})
	}
	sa := str(pod["serviceAccountName"])
	if sa == "" {
		sa = str(pod["serviceAccount"]) // deprecated alias
	}
	if sa == "" {
		sa = "default"
	}
	if err := add(ActionServiceAccount, ns+"/"+sa, map[string]string{"permissions": "unknown"}); err != nil {
		return err
	}
	// The token is mounted unless the pod (or, not visible here, its
	// service account) says otherwise.
	if v, ok := boolean(pod["automountServiceAccountToken"]); !ok || v {
		if err := add(ActionTokenMount, "mounted", map[string]string{"serviceAccount": ns + "/" + sa}); err != nil {
			return err
		}
	}
	for _, h := range []struct{ key, scope string }{{"hostNetwork", "network"}, {"hostPID", "pid"}, {"hostIPC", "ipc"}} {
		if v, ok := boolean(pod[h.key]); ok && v {
			if err := add(ActionHostNamespace, h.scope, map[string]bool{"value": true}); err != nil {
				return err
			}
		}
	}
	psc := obj(pod["securityContext"])
	podHostProcess, _ := boolean(obj(psc["windowsOptions"])["hostProcess"])
	for _, k := range []string{"seccompProfile", "appArmorProfile"} {
		if unconfined(psc[k]) {
			if err := add(ActionUnconfined, strings.ToLower(strings.TrimSuffix(k, "Profile"))+" pod", map[string]string{"type": "Unconfined"}); err != nil {
				return err
			}
		}
	}
	for _, raw := range arr(psc["sysctls"]) {
		n := str(obj(raw)["name"])
		if n == "" || safeSysctls[n] {
			continue
		}
		if err := add(ActionSysctl, n, map[string]string{"value": str(obj(raw)["value"])}); err != nil {
			return err
		}
	}
	// AppArmor annotations (before Kubernetes 1.30's appArmorProfile).
	annotations := obj(podMeta(m, kind)["annotations"])
	for _, k := range slices.Sorted(maps.Keys(annotations)) {
		if c, ok := strings.CutPrefix(k, "container.apparmor.security.beta.kubernetes.io/"); ok && str(annotations[k]) == "unconfined" {
			if err := add(ActionUnconfined, "apparmor container "+c, map[string]string{"type": "unconfined"}); err != nil {
				return err
			}
		}
	}
	for _, list := range []string{"initContainers", "containers", "ephemeralContainers"} {
		for i, raw := range arr(pod[list]) {
			c := obj(raw)
			cname := str(c["name"])
			if cname == "" {
				cname = fmt.Sprintf("%s[%d]", list, i)
			}
			sc := obj(c["securityContext"])
			hostProcess, ok := boolean(obj(sc["windowsOptions"])["hostProcess"])
			if !ok {
				hostProcess = podHostProcess
			}
			if v, _ := boolean(sc["privileged"]); v || hostProcess {
				// A Windows HostProcess container is the node's
				// administrator, as a privileged Linux container is root.
				if err := add(ActionPrivileged, "container "+cname, map[string]bool{"value": true, "hostProcess": hostProcess}); err != nil {
					return err
				}
			}
			for _, k := range []string{"seccompProfile", "appArmorProfile"} {
				if unconfined(sc[k]) {
					if err := add(ActionUnconfined, strings.ToLower(strings.TrimSuffix(k, "Profile"))+" container "+cname, map[string]string{"type": "Unconfined"}); err != nil {
						return err
					}
				}
			}
			if strings.EqualFold(str(sc["procMount"]), "Unmasked") {
				if err := add(ActionUnconfined, "procMount container "+cname, map[string]string{"procMount": "Unmasked"}); err != nil {
					return err
				}
			}
			for _, raw := range arr(c["ports"]) {
				pt := obj(raw)
				hp, _ := pt["hostPort"].(int64)
				if f, ok := pt["hostPort"].(float64); ok {
					hp = int64(f)
				}
				if hp == 0 {
					continue
				}
				proto := str(pt["protocol"])
				if proto == "" {
					proto = "TCP"
				}
				if err := add(ActionHostPort, fmt.Sprintf("container %s: %d/%s", cname, hp, strings.ToUpper(proto)), map[string]bool{"value": true}); err != nil {
					return err
				}
			}
			if v, ok := boolean(sc["allowPrivilegeEscalation"]); ok && v {
				if err := add(ActionEscalation, "container "+cname, map[string]bool{"value": true}); err != nil {
					return err
				}
			}
			caps, err := strs(obj(sc["capabilities"])["add"], fmt.Sprintf("%s[%d].securityContext.capabilities.add", list, i))
			if err != nil {
				return err
			}
			for _, cp := range caps {
				cp = strings.ToUpper(strings.TrimPrefix(strings.ToUpper(cp), "CAP_"))
				if err := add(ActionCapability, "container "+cname+": "+cp, map[string]bool{"value": true}); err != nil {
					return err
				}
			}
		}
	}
	if err := s.workloadReach(rel, subject, ns, pod, add); err != nil {
		return err
	}
	for _, raw := range arr(pod["volumes"]) {
		v := obj(raw)
		// A projected service-account token is mounted whatever
		// automountServiceAccountToken says.
		for _, src := range arr(obj(v["projected"])["sources"]) {
			if t := obj(obj(src)["serviceAccountToken"]); t != nil {
				if err := add(ActionTokenMount, "projected volume "+str(v["name"]), map[string]string{"serviceAccount": ns + "/" + sa, "audience": str(t["audience"])}); err != nil {
					return err
				}
			}
		}
		hp := obj(v["hostPath"])
		if hp == nil {
			continue
		}
		p := str(hp["path"])
		if err := add(ActionHostPath, p, map[string]string{"volume": str(v["name"]), "type": str(hp["type"])}); err != nil {
			return err
		}
	}
	return nil
}

// podMeta returns the metadata of a workload's pod template (the Pod's
// own for a Pod).
func podMeta(m map[string]any, kind string) map[string]any {
	p := podSpecPath[kind]
	var cur any = m
	for _, k := range p[:len(p)-1] {
		cur = obj(cur)[k]
	}
	return obj(obj(cur)["metadata"])
}

// criticalHostPath reports whether mounting host path p hands a container
// the node: a path at or above a sensitive directory, or inside one.
func criticalHostPath(p string) bool {
	p = path.Clean("/" + strings.TrimSpace(p))
	for _, c := range criticalHostPaths {
		if p == c || strings.HasPrefix(c, strings.TrimSuffix(p, "/")+"/") || (c != "/" && strings.HasPrefix(p, c+"/")) {
			return true
		}
	}
	return false
}

// workloadAccounts records, in each service-account grant, what the
// artefact's RBAC grants that account: "critical" when a grant to it is
// critical, "granted" when it holds any, "none in the artefact" else.
func (s *scanner) workloadAccounts() {
	strength := map[string]string{}
	for i := range s.snap.Grants {
		g := &s.snap.Grants[i]
		acct, ok := strings.CutPrefix(g.Subject, "ServiceAccount ")
		if g.Surface != SurfaceRBAC || !ok {
			continue
		}
		var sc rbacScope
		_ = json.Unmarshal(g.Content, &sc)
		if _, crit := rbacSeverity(g, &sc); crit {
			strength[acct] = "critical"
		} else if strength[acct] == "" {
			strength[acct] = "granted"
		}
	}
	for i := range s.snap.Grants {
		g := &s.snap.Grants[i]
		switch {
		case g.Surface != SurfaceWorkload:
		case g.Action == ActionServiceAccount:
			st := strength[g.Scope]
			if st == "" {
				st = "none in the artefact"
			}
			g.Content = content(map[string]string{"permissions": st})
		case g.Action == ActionTokenMount:
			c := decode(g.Content)
			st := strength[str(c["serviceAccount"])]
			if st == "" {
				st = "none in the artefact"
			}
			g.Content = content(map[string]string{"serviceAccount": str(c["serviceAccount"]), "permissions": st})
		}
	}
}

// workloadSeverity ranks a workload grant the review did not cover.
func workloadSeverity(g *Grant) (evidence.Severity, string) {
	if sev, d, ok := workloadReachSeverity(g); ok {
		return sev, d
	}
	switch g.Action {
	case ActionServiceAccount:
		var c struct {
			Permissions string `json:"permissions"`
		}
		_ = json.Unmarshal(g.Content, &c)
		if c.Permissions == "critical" {
			return evidence.Critical, "runs as service account " + g.Scope + ", which holds critical permissions"
		}
		return evidence.High, "runs as service account " + g.Scope + " (" + c.Permissions + ")"
	case ActionTokenMount:
		// The token lets every process of the pod call the Kubernetes
		// API as the account (CIS 5.1.6: mount it only where needed).
		c := decode(g.Content)
		if p := str(c["permissions"]); p == "critical" || p == "granted" {
			return evidence.High, "mounts the token of service account " + str(c["serviceAccount"]) + ", which holds RBAC permissions"
		}
		return evidence.High, "mounts the token of service account " + str(c["serviceAccount"]) + " (its permissions are not in the artefact)"
	case ActionHostNamespace:
		if g.Scope == "pid" {
			return evidence.Critical, "shares the node's process namespace (hostPID)"
		}
		return evidence.High, "shares the node's " + g.Scope + " namespace (host" + strings.ToUpper(g.Scope[:1]) + g.Scope[1:] + ")"
	case ActionPrivileged:
		return evidence.Critical, "privileged " + g.Scope
	case ActionEscalation:
		return evidence.Medium, g.Scope + " allows privilege escalation"
	case ActionCapability:
		cp := g.Scope[strings.LastIndexByte(g.Scope, ' ')+1:]
		switch {
		case criticalCapabilities[cp]:
			return evidence.Critical, "adds capability " + cp
		case baselineCapabilities[cp]:
			return evidence.Medium, "adds capability " + cp
		}
		return evidence.High, "adds capability " + cp
	case ActionHostPort:
		// The Pod Security Standards' baseline profile forbids host
		// ports: the pod answers on the node's address, bypassing
		// Services and NetworkPolicies.
		return evidence.High, "binds host port " + g.Scope
	case ActionUnconfined:
		return evidence.High, "turns off " + g.Scope + " confinement"
	case ActionSysctl:
		return evidence.High, "sets unsafe sysctl " + g.Scope
	case ActionHostPath:
		if criticalHostPath(g.Scope) {
			return evidence.Critical, "mounts host path " + g.Scope
		}
		return evidence.High, "mounts host path " + g.Scope
	}
	return evidence.High, "new workload permission"
}
