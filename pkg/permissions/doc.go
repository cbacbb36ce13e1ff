// Package permissions is the permission-diff check: the agent can do no
// more than what was reviewed.
//
// Scan reads an artefact tree (or one file) and normalises every permission
// surface it finds into Grants, one per (surface, subject, action, scope,
// effect, approval mode, source file), keeping the full reviewable content:
// tool descriptions and schemas, rule text, RBAC rules. Formats are found by
// name and by content:
//
//   - MCP client configuration (mcpServers in Claude Desktop, Cursor,
//     Windsurf, Claude Code .mcp.json; servers in VS Code): command, args,
//     env names, url, transport, header names;
//   - MCP tools/list snapshots: name, description, inputSchema, outputSchema
//     and annotations, read with the specification's worst-case defaults
//     (readOnlyHint false, destructiveHint true, openWorldHint true);
//   - Claude Code settings: permissions allow, ask and deny rules (applied
//     deny, then ask, then allow), defaultMode, additionalDirectories,
//     disableBypassPermissionsMode, sandbox network and filesystem, hooks;
//   - OpenAI Responses and Agents SDK tool configuration (allowed_tools,
//     require_approval, tool_filter) and A2A AgentCards (skills, security);
//   - Kubernetes Role, ClusterRole and their bindings, expanded per subject,
//     verb, resource and resource name; ClusterRoles labelled to aggregate
//     into admin, edit or view grant their rules to every subject of those;
//   - Kubernetes workloads (Pod, Deployment, StatefulSet, DaemonSet,
//     ReplicaSet, ReplicationController, Job, CronJob, PodTemplate): the
//     service account and its token, host namespaces, privileged
//     containers, privilege escalation, added capabilities, hostPath;
//   - GitHub Actions permissions per job (none < read < write), triggers,
//     deployment environments, self-hosted runners, actions and reusable
//     workflows (third-party, pinned or not), inherited secrets, and the
//     privileges the Docker options of job and service containers grant
//     on the runner (--privileged, --cap-add, host namespaces, devices,
//     the Docker socket);
//   - Claude Code slash commands, subagents and skills: the
//     allowed-tools, permissionMode, hooks and mcpServers of their
//     front matter;
//   - Cilium (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy) and
//     Calico (NetworkPolicy, GlobalNetworkPolicy) policies and Istio
//     egress (ServiceEntry hosts, outboundTrafficPolicy of a Sidecar or
//     an IstioOperator), read into the NetworkPolicy grant shapes;
//   - inbound exposure outside the cluster: Services of type
//     LoadBalancer (with loadBalancerSourceRanges) or NodePort, or with
//     externalIPs; Ingress hosts and paths; Gateway API Gateway
//     listeners and HTTPRoute, GRPCRoute, TLSRoute, TCPRoute and
//     UDPRoute hostnames and parents (exposure.go); OpenShift Routes
//     (host, wildcardPolicy, path, plain HTTP through
//     insecureEdgeTerminationPolicy Allow, backends), Istio Gateway
//     servers and VirtualServices bound to a gateway rather than the mesh
//     (meshexposure.go);
//   - the Secrets a workload's pods read and the routing variables
//     (base URLs, proxies) set on its containers;
//   - package registry configuration (.npmrc, .yarnrc, pip.conf,
//     uv.toml) that decides where package runners fetch MCP servers;
//   - Codex config.toml (MCP servers, approval policy, sandbox mode,
//     network access, model provider base URLs), Continue and Gemini CLI
//     settings, Claude Code credential helpers and env (base URLs,
//     proxies);
//   - network egress hosts and filesystem paths from all of the above.
//
// Every value a snapshot keeps goes through a masker (WithMasker; tollgate
// passes the secret scanner's detectors): URL userinfo, credentials in
// arguments and descriptions never reach a review record or a report, and
// Snapshot.Redactions says what was masked. YAML streams are split with
// k8s.io/apimachinery's reader, as kubectl splits them; a permission file
// reached through a symbolic link inside the root is read under the
// link's name.
//
// Diff compares a reviewed Snapshot with a candidate one. A candidate grant
// that no reviewed grant covers is a change of kind "added" (new subject) or
// "broadened"; a restriction (deny or ask rule, required approval) that
// disappears is "broadened"; a reviewed capability that disappears is
// "removed" and a tightened one "narrowed", neither of which ever blocks.
// Content-only changes (a tool description) are "changed", medium unless
// the new text adds URLs, instructions aimed at the model, hidden
// characters or references to other tools (high).
//
// A reviewed grant covers a candidate one when it allows at least as much:
// the same slot, a Claude Code rule whose pattern includes the other
// ("Bash(npm run:*)" covers "Bash(npm run test:*)"), a wildcard egress
// domain, an RBAC rule with a wildcard verb, resource or name or a wider
// namespace, an OpenAI MCP server without allowed_tools, in any file of
// the artefact. Tools, servers, skills and settings match only in the same
// file: moving a tools/list snapshot shows as new tools.
//
// Every file is read through fixed bounds (size, nesting depth, number of
// grants); JSON is decoded with duplicate keys refused, YAML goes through
// sigs.k8s.io/yaml, which refuses duplicate keys and alias bombs. A file
// named like a permission file, or one that fails to parse but mentions a
// permission keyword (mcpServers, inputSchema, rbac.authorization.k8s.io,
// ...), is an error naming it, so the check fails closed. Files recognised
// only by content that are larger than MaxFileSize, and unrendered
// templates, are listed in Snapshot.Skipped. .git and node_modules are not
// read.
package permissions
