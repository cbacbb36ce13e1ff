#!/usr/bin/env bash
# make e2e-cluster: the example pipelines on a real Kubernetes with the real
# Tekton and Argo controllers, on this machine.
#
#   1. build.sh      the cluster's binaries (cached in $CACHE, keyed by version)
#   2. down.sh       whatever an interrupted run left, then up.sh: the cluster
#   3. images.sh     Tekton, Argo, busybox and pause images into the local registry
#   4. install.sh    Tekton and Argo controllers, waited for by condition
#   5. publish-images.sh   tollgate's images, tasks/ and examples/ rendered
#                    pinned to the local registry (committed files untouched)
#   6. scenarios/*.sh      each scenario starts its runs, then each checks them
#                    from the cluster's own objects and the evidence pods wrote
#   7. down.sh       unless E2E_KEEP=1 (then the kubeconfig path is printed)
#
# Outputs in $OUT (default out/e2e-cluster): rendered YAML, each scenario's
# evidence and objects, component logs, timings.txt and summary.txt.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || die "e2e-cluster must run as root (containerd, kubelet, iptables); run make cluster-deps once first"
T0=$SECONDS
rm -rf "$OUT"
mkdir -p "$OUT"/{evidence,objects,logs}
: >"$OUT/timings.txt"
phase() { # NAME START
  printf '%-28s %4ds\n' "$1" $((SECONDS - $2)) | tee -a "$OUT/timings.txt" >&2
}

t=$SECONDS
"$CLUSTER_DIR/build.sh"
(cd "$ROOT" && make --no-print-directory build BIN="$OUT/bin" >/dev/null)
phase build "$t"

sampler_pid=
cleanup() {
  local rc=$?
  trap - EXIT
  set +e
  [ -z "$sampler_pid" ] || kill "$sampler_pid" 2>/dev/null
  if [ -d "$STATE/log" ]; then cp -r "$STATE/log/." "$OUT/logs/" 2>/dev/null; fi
  if [ "${E2E_KEEP:-0}" = 1 ]; then
    log "E2E_KEEP=1: the cluster is still up. export KUBECONFIG=$KUBECONFIG_ADMIN; make e2e-cluster-down when done"
  else
    "$CLUSTER_DIR/down.sh"
  fi
  [ -z "${PEAK_FILE:-}" ] || [ ! -r "$PEAK_FILE" ] || log "peak memory of the cluster: $(cat "$PEAK_FILE") MiB"
  log "e2e-cluster: $((SECONDS - T0))s in all; exit $rc"
  exit $rc
}
trap cleanup EXIT INT TERM

t=$SECONDS
"$CLUSTER_DIR/down.sh"
"$CLUSTER_DIR/up.sh"
phase "cluster up (node Ready)" "$t"

# Peak memory: resident memory of the harness's processes (control plane,
# containerd, kubelet, registry) plus the kubepods memory cgroup, every 2 s.
PEAK_FILE=$OUT/peak-mib
echo 0 >"$PEAK_FILE"
(
  peak=0
  while sleep 2; do
    kb=0
    for f in "$STATE"/run/*.pid; do
      p=$(cat "$f" 2>/dev/null) || continue
      r=$(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null) || continue
      kb=$((kb + ${r:-0}))
    done
    pods=$(cat /sys/fs/cgroup/memory/kubepods/memory.usage_in_bytes 2>/dev/null || echo 0)
    mib=$(((kb * 1024 + pods) / 1048576))
    if [ "$mib" -gt "$peak" ]; then peak=$mib; echo "$peak" >"$PEAK_FILE"; fi
  done
) &
sampler_pid=$!

t=$SECONDS
"$CLUSTER_DIR/images.sh" busybox tekton argo
"$CLUSTER_DIR/install.sh" tekton resolvers argo
phase "tekton + argo installed" "$t"

t=$SECONDS
PLATFORMS=linux/amd64 IMAGES_OUT=$OUT/images "$ROOT/hack/publish-images.sh" "$REGISTRY" "$OUT/rendered" >"$OUT/images.txt"
phase "tollgate images published" "$t"

# --- the scenarios
source "$CLUSTER_DIR/scenarios/lib.sh"
t=$SECONDS
prepare
phase "releases pushed" "$t"

SCENARIOS=()
for f in "$CLUSTER_DIR"/scenarios/[0-9]*.sh; do
  # shellcheck disable=SC1090
  source "$f"
done
t=$SECONDS
for s in "${SCENARIOS[@]}"; do "start_$s"; done
declare -A outcome
failed=0
for s in "${SCENARIOS[@]}"; do
  ts=$SECONDS
  if ("check_$s") && [ ! -e "$OUT/failed-$s" ]; then
    outcome[$s]="PASS"
  else
    outcome[$s]="FAIL"
    failed=1
  fi
  phase "scenario $s" "$ts"
done
phase "scenarios" "$t"

{
  echo "scenario                      outcome"
  for s in "${SCENARIOS[@]}"; do printf '%-29s %s\n' "$s" "${outcome[$s]}"; done
  echo
  cat "$OUT/asserted.txt" 2>/dev/null
} | tee "$OUT/summary.txt"
[ $failed -eq 0 ] || die "some scenarios failed; see $OUT (logs/, objects/, evidence/)"
log "all ${#SCENARIOS[@]} scenarios passed"
