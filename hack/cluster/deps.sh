#!/usr/bin/env bash
# make cluster-deps: the Debian packages the e2e cluster needs, installed
# once (make e2e-cluster never runs apt-get). Idempotent.
#
#   etcd-server containerd runc containernetworking-plugins   the node
#   iptables conntrack                                        kube-proxy
#   socat                          forwards the registry to the pod network
#   docker-registry                the local OCI registry
#   busybox-static                 Tekton's shell image (a static busybox)
#   openssl curl file              certificates, readiness probes
set -euo pipefail
pkgs=(etcd-server containerd runc containernetworking-plugins iptables conntrack socat docker-registry busybox-static openssl curl file)
need=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "cluster-deps: missing ${need[*]}; run as root or: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
echo "cluster-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# --no-install-recommends, and no service is started: there is no init
# system here, and the harness starts its own processes.
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
