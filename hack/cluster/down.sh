#!/usr/bin/env bash
# Tears the e2e cluster down, leaving nothing behind: every container (runc),
# every process the harness started (by the pids it recorded), kube-proxy's
# iptables rules (kube-proxy --cleanup) and the harness's own, the pod network
# namespaces containerd made, every mount under $STATE, the cni0 bridge, and
# $STATE itself. Safe to run at any time, also after an interrupted run
# (make e2e-cluster-down). Build caches are kept.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || die "down.sh must run as root"

# stop NAME...: SIGTERM the recorded processes (and their sessions), wait
# up to 10 s for them to exit, then SIGKILL what is left.
stop() {
  local name pid pids=() names=()
  for name in "$@"; do
    [ -r "$STATE/run/$name.pid" ] || continue
    pid=$(cat "$STATE/run/$name.pid")
    rm -f "$STATE/run/$name.pid"
    kill -0 "$pid" 2>/dev/null || continue
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    pids+=("$pid")
    names+=("$name")
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  for _ in $(seq 100); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null; done
  log "stopped ${names[*]}"
}

if [ ! -d "$STATE" ]; then
  log "nothing to tear down ($STATE does not exist)"
  exit 0
fi

stop provisioner kubelet
# Every container and sandbox the runtime started: runc state lives under
# our own root, so only ours are listed.
if [ -d "$STATE/run/runc" ]; then
  for ns in "$STATE"/run/runc/*; do
    [ -d "$ns" ] || continue
    for id in $(runc --root "$ns" list -q 2>/dev/null); do
      runc --root "$ns" kill "$id" KILL 2>/dev/null
      runc --root "$ns" delete --force "$id" 2>/dev/null
    done
  done
fi
# containerd-shim processes serving our containerd (matched by our socket
# path in their command line, killed by pid).
sock=$STATE/run/containerd/containerd.sock
for p in /proc/[0-9]*; do
  if { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qF -- "-address $sock"; then
    kill -KILL "${p#/proc/}" 2>/dev/null && log "stopped containerd shim ${p#/proc/}"
  fi
done
stop containerd kube-proxy
kbin=$(cat "$CACHE/bin/kubernetes.current" 2>/dev/null || true)
if [ -n "$kbin" ] && [ -x "$kbin/kube-proxy" ]; then
  "$kbin/kube-proxy" --cleanup >/dev/null 2>&1 || true
fi
stop kube-scheduler kube-controller-manager kube-apiserver
stop etcd registry-bridge registry
stop fulcio tsa # the keyless scenario's Sigstore (sigstore.sh)

# iptables: the harness's FORWARD rules, and any CNI chains.
for rule in "-s $POD_CIDR ! -o $BRIDGE" "-d $POD_CIDR ! -i $BRIDGE"; do
  # shellcheck disable=SC2086
  while iptables -D FORWARD $rule -m comment --comment tollgate-e2e -j DROP 2>/dev/null; do :; done
done
for table in nat filter mangle; do
  iptables -t "$table" -S 2>/dev/null | grep -E '^-A .*(CNI-|KUBE-)' | sed 's/^-A/-D/' | while read -r r; do
    # shellcheck disable=SC2086
    iptables -t "$table" $r 2>/dev/null
  done
  iptables -t "$table" -S 2>/dev/null | grep -oE '^-N (CNI-|KUBE-)[^ ]*' | cut -d' ' -f2 | while read -r ch; do
    iptables -t "$table" -F "$ch" 2>/dev/null
    iptables -t "$table" -X "$ch" 2>/dev/null
  done
done

# Pod network namespaces containerd created during this cluster's life.
if [ -d /var/run/netns ]; then
  for n in /var/run/netns/cni-*; do
    [ -e "$n" ] || continue
    if ! grep -qxF "$(basename "$n")" "$STATE/run/netns.before" 2>/dev/null; then
      umount "$n" 2>/dev/null
      rm -f "$n"
    fi
  done
fi

# Every mount under $STATE, deepest first.
for _ in 1 2 3; do
  mapfile -t mounts < <(awk -v s="$STATE" '$5 == s || index($5, s "/") == 1 {print $5}' /proc/self/mountinfo | sort -r)
  [ ${#mounts[@]} -eq 0 ] && break
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
done

if ip link show "$BRIDGE" >/dev/null 2>&1; then
  ip link set "$BRIDGE" down 2>/dev/null
  ip link delete "$BRIDGE" 2>/dev/null && log "deleted bridge $BRIDGE"
fi

left=$(awk -v s="$STATE" 'index($5, s) == 1 {print $5}' /proc/self/mountinfo)
[ -z "$left" ] || die "mounts left under $STATE: $left"
rm -rf "$STATE"
log "cluster down"
