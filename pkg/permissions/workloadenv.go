package permissions

import (
	"fmt"

	"github.com/tollgate-dev/tollgate/pkg/evidence"
)

// Workload actions for what the pods read and where their model traffic
// goes.
const (
	ActionSecret     = "secret"     // scope: NAMESPACE/NAME of a Secret the pods read
	ActionRoutingEnv = "env"        // scope: container NAME: VARIABLE
	ActionSecretCSI  = "secret-csi" // scope: the SecretProviderClass of a Secrets Store CSI volume
	// ActionRuntimeClass is a restriction: the pods run in a sandboxed
	// runtime (runtimeClassName: gvisor, kata), so dropping or changing
	// it lets the agent's code reach the node's kernel.
	ActionRuntimeClass = "runtime-class" // scope: the RuntimeClass
)

// routingEnv are the variables, besides Claude Code's, that decide where
// an agent's model traffic goes or how it is verified: base URLs of the
// model APIs, proxies, CA bundles.
var routingEnv = map[string]bool{
	"OPENAI_BASE_URL": true, "OPENAI_API_BASE": true, "AZURE_OPENAI_ENDPOINT": true, "OPENAI_PROXY": true,
	"GOOGLE_GEMINI_BASE_URL": true, "GEMINI_API_BASE_URL": true, "MISTRAL_API_BASE": true, "OLLAMA_HOST": true,
	"LITELLM_PROXY_API_BASE": true, "HF_ENDPOINT": true, "REQUESTS_CA_BUNDLE": true, "SSL_CERT_FILE": true,
	"SSL_CERT_DIR": true, "CURL_CA_BUNDLE": true, "PYTHONHTTPSVERIFY": true, "GIT_SSL_NO_VERIFY": true,
}

// isRoutingEnv reports whether a container variable decides where model
// traffic goes (and is not itself a credential).
func isRoutingEnv(name string) bool {
	return (claudeRoutingEnv[name] || routingEnv[name]) && !credentialName(name)
}

// workloadReach records what a pod spec's containers read and where they
// send model traffic: every Secret they read (env secretKeyRef, envFrom
// secretRef, secret and projected volumes, Secrets Store CSI volumes),
// and the literal value of each routing variable (ANTHROPIC_BASE_URL,
// HTTPS_PROXY, ...), with the host it names as egress.
func (s *scanner) workloadReach(rel, subject, ns string, pod map[string]any, add func(action, scope string, c any) error) error {
	if rc := str(pod["runtimeClassName"]); rc != "" {
		if err := s.add(Grant{Surface: SurfaceWorkload, Subject: subject, Action: ActionRuntimeClass, Scope: rc, Effect: Deny, Path: rel}); err != nil {
			return err
		}
	}
	secrets := map[string]string{}
	for _, list := range []string{"initContainers", "containers", "ephemeralContainers"} {
		for i, raw := range arr(pod[list]) {
			c := obj(raw)
			cname := str(c["name"])
			if cname == "" {
				cname = fmt.Sprintf("%s[%d]", list, i)
			}
			for _, e := range arr(c["env"]) {
				env := obj(e)
				name := str(env["name"])
				if ref := obj(obj(env["valueFrom"])["secretKeyRef"]); ref != nil {
					secrets[str(ref["name"])] = "env " + name
					continue
				}
				if !isRoutingEnv(name) || env["value"] == nil {
					continue
				}
				value := fmt.Sprint(env["value"])
				if err := add(ActionRoutingEnv, "container "+cname+": "+name, map[string]any{"value": value}); err != nil {
					return err
				}
				if h := hostOf(value); h != "" {
					if err := s.egress(rel, h, subject+" env "+name); err != nil {
						return err
					}
				}
			}
			for _, e := range arr(c["envFrom"]) {
				if ref := obj(obj(e)["secretRef"]); ref != nil {
					secrets[str(ref["name"])] = "envFrom"
				}
			}
		}
	}
	for _, raw := range arr(pod["volumes"]) {
		v := obj(raw)
		if sec := obj(v["secret"]); sec != nil {
			secrets[str(sec["secretName"])] = "volume " + str(v["name"])
		}
		for _, src := range arr(obj(v["projected"])["sources"]) {
			if sec := obj(obj(src)["secret"]); sec != nil {
				secrets[str(sec["name"])] = "volume " + str(v["name"])
			}
		}
		if csi := obj(v["csi"]); csi != nil && str(csi["driver"]) == "secrets-store.csi.k8s.io" {
			class := str(obj(csi["volumeAttributes"])["secretProviderClass"])
			if err := add(ActionSecretCSI, ns+"/"+class, map[string]string{"volume": str(v["name"])}); err != nil {
				return err
			}
		}
	}
	for _, name := range sortedNames(secrets) {
		if name == "" {
			continue
		}
		if err := add(ActionSecret, ns+"/"+name, map[string]string{}); err != nil {
			return err
		}
	}
	return nil
}

// workloadReachSeverity rates a new Secret or routing variable.
func workloadReachSeverity(g *Grant) (evidence.Severity, string, bool) {
	switch g.Action {
	case ActionSecret:
		return evidence.High, "its pods now read Secret " + g.Scope, true
	case ActionSecretCSI:
		return evidence.High, "its pods now mount the secrets of SecretProviderClass " + g.Scope, true
	case ActionRoutingEnv:
		return evidence.High, "sets " + g.Scope + ", which decides where model traffic goes or how it is trusted", true
	}
	return "", "", false
}
