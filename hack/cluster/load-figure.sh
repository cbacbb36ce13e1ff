#!/usr/bin/env bash
# The load figure on the cluster's pods (issue #16): the synthetic release of
# hack/load-figure.sh (LOAD_FILES small files + LOAD_GB GB of sparse weights)
# hashed by the real tollgate-hash-part Task as TaskRuns on the local
# cluster of `make e2e-cluster`, N = 1 (part 1/1) and N = LOAD_PARTS (all
# parts created at once; the scheduler runs what fits on the node), each
# followed by the real tollgate-hash-merge Task. The release sits on a
# hostPath PersistentVolume (sparse files cannot go through a registry); the
# Tasks' workspaces bind its claim (Pod Security "restricted" still holds:
# the pods name a claim, not a hostPath).
#
# Per pod it reports: wall time (TaskRun start -> completion, and the step's
# own seconds from its log), the step's peak RSS (getrusage, logged by
# `hash --part/--merge`), and the container's memory cgroup peak
# (memory.max_usage_in_bytes of cgroup v1 on this machine, or memory.peak on
# cgroup v2; it counts the page cache the step read through, so it rises to
# the limit on a large release). It checks that the N-part root equals the
# N = 1 root, and recomputes 1 TB on 1, 8 and 32 nodes from the measured
# per-pod throughput. Results in $OUT/load-figure.txt.
#
# Not part of `make e2e-cluster` (minutes at full size). It brings up its own
# cluster (Tekton only) and tears it down, so hold the cluster lock:
#   flock /work/cluster.lock env CLUSTER_CACHE=/work/cluster-cache hack/cluster/load-figure.sh
# LOAD_FILES=2000 LOAD_GB=2 for a quick run; LOAD_KEEP=1 leaves the cluster up.
set -euo pipefail
export E2E_OUT=${E2E_OUT:-$(cd "$(dirname "$0")/../.." && pwd)/out/load-figure}
source "$(dirname "$0")/lib.sh"

files=${LOAD_FILES:-100000}
gb=${LOAD_GB:-200}
parts=${LOAD_PARTS:-4}
NS=tollgate-load
[ "$(id -u)" -eq 0 ] || die "load-figure must run as root (the cluster harness)"
T0=$SECONDS
rm -rf "$OUT"
mkdir -p "$OUT"/{objects,logs}

"$CLUSTER_DIR/build.sh"

sampler_pid=
cleanup() {
  local rc=$?
  trap - EXIT
  set +e
  [ -z "$sampler_pid" ] || kill "$sampler_pid" 2>/dev/null
  if [ -d "$STATE/log" ]; then cp -r "$STATE/log/." "$OUT/logs/" 2>/dev/null; fi
  if [ "${LOAD_KEEP:-0}" = 1 ]; then
    log "LOAD_KEEP=1: the cluster is still up. export KUBECONFIG=$KUBECONFIG_ADMIN; make e2e-cluster-down when done"
  else
    "$CLUSTER_DIR/down.sh"
  fi
  log "load-figure: $((SECONDS - T0))s in all; exit $rc"
  exit $rc
}
trap cleanup EXIT INT TERM

"$CLUSTER_DIR/down.sh"
"$CLUSTER_DIR/up.sh"
"$CLUSTER_DIR/images.sh" busybox tekton
"$CLUSTER_DIR/install.sh" tekton
PLATFORMS=linux/amd64 IMAGES_OUT=$OUT/images "$ROOT/hack/publish-images.sh" "$REGISTRY" "$OUT/rendered" >"$OUT/images.txt"

# --- the synthetic release, on the volume (removed with the cluster state)
LOAD=$STATE/load
art=$LOAD/release
mkdir -p "$art/weights" "$art/prompts"
t=$SECONDS
for ((d = 0; d < (files + 999) / 1000; d++)); do
  mkdir -p "$art/prompts/$d"
  n=$((files - d * 1000))
  ((n > 1000)) && n=1000
  for ((i = 0; i < n; i++)); do printf 'prompt %d/%d\n' "$d" "$i" >"$art/prompts/$d/$i.md"; done
done
for ((s = 1; s <= 8; s++)); do truncate -s "$((gb * 1000000000 / 8))" "$art/weights/shard-$s.safetensors"; done
chmod -R a+rX "$art"
bytes=$(du -b --apparent-size -s "$art" | cut -f1)
for n in 1 "$parts"; do mkdir -p "$LOAD/n$n" && chown 65532:65532 "$LOAD/n$n"; done
log "release: $((files + 8)) files, $bytes bytes apparent, written in $((SECONDS - t))s"

kubectl create namespace "$NS" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
kubectl label namespace "$NS" --overwrite pod-security.kubernetes.io/enforce=restricted >/dev/null
cat <<EOF | kubectl apply -f - >/dev/null
apiVersion: v1
kind: PersistentVolume
metadata: {name: tollgate-load}
spec:
  capacity: {storage: 1Ti}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: ""
  hostPath: {path: $LOAD, type: Directory}
  claimRef: {namespace: $NS, name: tollgate-load}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: tollgate-load, namespace: $NS}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  volumeName: tollgate-load
  resources: {requests: {storage: 1Ti}}
EOF
for task in tollgate-hash-part tollgate-hash-merge; do
  kubectl apply -n "$NS" -f "$OUT/rendered/tasks/tekton/$task/0.1/$task.yaml" >/dev/null
done

# --- memory cgroup peaks of every container, sampled every second (the
# container's cgroup disappears when it exits: the last sample is its peak)
mkdir -p "$OUT/cgroup"
(
  while sleep 1; do
    for f in /sys/fs/cgroup/memory/kubepods/*/pod*/*/memory.max_usage_in_bytes /sys/fs/cgroup/kubepods.slice/*/*/*/memory.peak /sys/fs/cgroup/kubepods/*/pod*/*/memory.peak; do
      [ -r "$f" ] || continue
      v=$(cat "$f" 2>/dev/null) || continue
      echo "$v" >"$OUT/cgroup/$(basename "$(dirname "$f")")"
    done
  done
) &
sampler_pid=$!

# taskrun NAME TASK PARAMS...: creates a TaskRun of TASK binding the claim.
taskrun() {
  local name=$1 task=$2 sub=$3
  shift 3
  {
    printf 'apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata:\n  name: %s\n  namespace: %s\nspec:\n  taskRef: {name: %s}\n  timeout: 1h\n  params:\n' "$name" "$NS" "$task"
    local p
    for p in "$@"; do printf '    - {name: %s, value: "%s"}\n' "${p%%=*}" "${p#*=}"; done
    printf '  workspaces:\n'
    [ "$task" = tollgate-hash-merge ] || printf '    - {name: source, persistentVolumeClaim: {claimName: tollgate-load}}\n'
    printf '    - {name: parts, persistentVolumeClaim: {claimName: tollgate-load}, subPath: %s}\n' "$sub"
  } >"$OUT/objects/$name.yaml"
  kubectl create -f "$OUT/objects/$name.yaml" >/dev/null
}

tr_done() {
  local s
  s=$(kubectl get taskrun -n "$NS" "$1" -o jsonpath='{.status.conditions[?(@.type=="Succeeded")].status}')
  [ "$s" = True ] || [ "$s" = False ]
}

# epoch RFC3339
epoch() { date -u -d "$1" +%s; }

# report NAME: "<wall s> <step s> <peak RSS MiB> <cgroup peak MiB>" of a finished TaskRun
report() {
  local name=$1 st pod uid start end cid line secs rss cg
  st=$(kubectl get taskrun -n "$NS" "$name" -o jsonpath='{.status.conditions[?(@.type=="Succeeded")].status}')
  [ "$st" = True ] || { kubectl get taskrun -n "$NS" "$name" -o yaml >"$OUT/objects/$name.status.yaml"; die "TaskRun $name did not succeed (see $OUT/objects)"; }
  kubectl get taskrun -n "$NS" "$name" -o yaml >"$OUT/objects/$name.status.yaml"
  pod=$(kubectl get taskrun -n "$NS" "$name" -o jsonpath='{.status.podName}')
  start=$(kubectl get taskrun -n "$NS" "$name" -o jsonpath='{.status.startTime}')
  end=$(kubectl get taskrun -n "$NS" "$name" -o jsonpath='{.status.completionTime}')
  cid=$(kubectl get pod -n "$NS" "$pod" -o jsonpath='{.status.containerStatuses[0].containerID}')
  cid=${cid#containerd://}
  kubectl logs -n "$NS" "$pod" -c "$(kubectl get pod -n "$NS" "$pod" -o jsonpath='{.spec.containers[0].name}')" >"$OUT/logs/$name.log" 2>&1 || true
  line=$(grep -E '"msg":"(hashed part|merged parts)"' "$OUT/logs/$name.log" | tail -1)
  secs=$(sed -n 's/.*"seconds":\([0-9.]*\).*/\1/p' <<<"$line")
  rss=$(sed -n 's/.*"peak_rss_mib":\([0-9.]*\).*/\1/p' <<<"$line")
  cg=$(cat "$OUT/cgroup/$cid" 2>/dev/null || echo 0)
  [ -z "$rss" ] || rss=$(printf '%.1f' "$rss")
  [ -z "$secs" ] || secs=$(printf '%.1f' "$secs")
  printf '%s %s %s %s %s %s\n' "$(($(epoch "$end") - $(epoch "$start")))" "${secs:-?}" "${rss:-?}" "$((cg / 1048576))" "$start" "$end"
}

: >"$OUT/load-figure.txt"
out() { echo "$*" | tee -a "$OUT/load-figure.txt"; }
out "load figure on the cluster's pods: $((files + 8)) files, $((bytes / 1000000000)) GB apparent, node $(nproc) cores, $(date -u +%FT%TZ)"
out "$(printf '%-22s %8s %8s %10s %12s  %s' run wall step "peak RSS" "cgroup peak" "start - end")"

declare -A root
for n in 1 "$parts"; do
  t=$SECONDS
  for ((i = 1; i <= n; i++)); do taskrun "load-n$n-part-$i" tollgate-hash-part "n$n" artifact=release index=$i count=$n; done
  for ((i = 1; i <= n; i++)); do wait_for "TaskRun load-n$n-part-$i" 3600 tr_done "load-n$n-part-$i"; done
  wall_parts=$((SECONDS - t))
  slowest=0
  for ((i = 1; i <= n; i++)); do
    read -r wall step rss cg start end < <(report "load-n$n-part-$i")
    out "$(printf '%-22s %7ss %7ss %7s MiB %8s MiB  %s - %s' "N=$n part $i/$n" "$wall" "$step" "$rss" "$cg" "$start" "$end")"
    slowest=$(awk -v a="$slowest" -v b="$step" 'BEGIN {print (b > a) ? b : a}')
    echo "$slowest" >"$OUT/slowest-n$n"
  done
  taskrun "load-n$n-merge" tollgate-hash-merge "n$n"
  wait_for "TaskRun load-n$n-merge" 1200 tr_done "load-n$n-merge"
  read -r wall step rss cg start end < <(report "load-n$n-merge")
  out "$(printf '%-22s %7ss %7ss %7s MiB %8s MiB  %s - %s' "N=$n merge" "$wall" "$step" "$rss" "$cg" "$start" "$end")"
  root[$n]=$(kubectl get taskrun -n "$NS" "load-n$n-merge" -o jsonpath='{.status.results[?(@.name=="artifact-digest")].value}')
  out "N=$n: all $n part(s) done ${wall_parts}s after creation, merge ${wall}s; root ${root[$n]}"
done
[ -n "${root[1]}" ] && [ "${root[1]}" = "${root[$parts]}" ] || die "the $parts-part root ${root[$parts]} differs from the N = 1 root ${root[1]}"
out "the $parts-part root equals the N = 1 root"

# on paper: one pod's throughput is its share of the bytes over the step's
# own seconds (the slowest part); a 1 TB release on K nodes runs one part per
# node, plus the merge.
awk -v bytes="$bytes" -v parts="$parts" -v part="$(cat "$OUT/slowest-n$parts")" -v one="$(cat "$OUT/slowest-n1")" -v merge="$wall" 'BEGIN {
  per_pod = bytes / parts / part
  printf "N = 1 pod: %.2f GB/s; per pod of %d (slowest part): %.2f GB/s\n", bytes / one / 1e9, parts, per_pod / 1e9
  printf "1 TB on paper, from the per-pod figure (+ merge %ds):\n", merge
  n = split("1 8 32", nodes, " ")
  for (i = 1; i <= n; i++) printf "  %2d node(s): %7.0f s\n", nodes[i], 1e12 / nodes[i] / per_pod + merge
}' | tee -a "$OUT/load-figure.txt"
log "load figure: $OUT/load-figure.txt"
