# Shared settings and helpers of the e2e cluster harness (sourced, not run).
# Every script under hack/cluster sources this file after `set -euo pipefail`.

CLUSTER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$CLUSTER_DIR/../.." && pwd)

# Versions of everything the cluster runs. Changing one rebuilds what depends
# on it (the build cache is keyed by these and by the wrapper modules).
KUBE_VERSION=v1.32.3
TEKTON_VERSION=v1.0.0
ARGO_VERSION=v3.6.10
COSIGN_VERSION=v3.1.3
FULCIO_VERSION=v1.8.5
TSA_VERSION=v1.2.9

# Builds are cached here (git-ignored); the Makefile passes CLUSTER_CACHE.
CACHE=${CLUSTER_CACHE:-$ROOT/.cache/cluster}
case $CACHE in /*) ;; *) CACHE=$ROOT/$CACHE ;; esac
# Everything a running cluster writes: etcd data, certificates, containerd and
# kubelet state, provisioned volumes, logs, pids. Removed by down.sh.
STATE=${E2E_STATE:-/var/lib/tollgate-e2e}
# Outputs of a run (rendered YAML, collected evidence, timings): kept.
OUT=${E2E_OUT:-$ROOT/out/e2e-cluster}

# Addresses. The pod network is a CNI bridge on this machine only; nothing is
# routed off it (ipMasq off, FORWARD to other interfaces dropped).
POD_CIDR=10.88.0.0/16
BRIDGE=cni0
BRIDGE_IP=10.88.0.1
SERVICE_CIDR=10.96.0.0/16
SERVICE_IP=10.96.0.1 # the kubernetes Service
NODE_NAME=tollgate-e2e
# The registry listens on loopback (what containerd pulls from, in the host
# network namespace) and is forwarded on the bridge address for pods.
REGISTRY=127.0.0.1:5000
POD_REGISTRY=$BRIDGE_IP:5000
APISERVER_PORT=6443

KUBECONFIG_ADMIN=$STATE/pki/admin.kubeconfig

log() { printf '%s [e2e] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

# bin_dir COMPONENT prints the cache directory of a component's binaries
# (kubernetes, tekton, argo, tools); build.sh fills it.
bin_dir() { cat "$CACHE/bin/$1.current" 2>/dev/null || die "$1 is not built; run hack/cluster/build.sh"; }

kubectl() { "$(bin_dir kubernetes)/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }

# wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND every second until it
# succeeds, failing after SECONDS with the last output. Never a fixed sleep.
wait_for() {
  local what=$1 secs=$2
  shift 2
  local deadline=$((SECONDS + secs)) out
  while :; do
    if out=$("$@" 2>&1); then
      return 0
    fi
    if ((SECONDS >= deadline)); then
      log "timed out after ${secs}s waiting for $what: ${out:0:2000}"
      return 1
    fi
    sleep 1
  done
}

# pid_alive NAME: the process the harness started as NAME is running.
pid_alive() {
  local f=$STATE/run/$1.pid
  [ -r "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null
}
