#!/usr/bin/env bash
# Starts a single-node Kubernetes on this machine from the binaries build.sh
# made: a CNI bridge, the registry (loopback, forwarded on the bridge address
# for pods), etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
# containerd, kubelet, kube-proxy and the hostPath provisioner, each a process
# whose pid is in $STATE/run and whose log is in $STATE/log. Waits for the
# node to be Ready by polling. Idempotent: a running component is left alone.
# down.sh undoes all of it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || die "up.sh must run as root (it starts containerd and kubelet)"
KBIN=$(bin_dir kubernetes)
TOOLS=$(bin_dir tools)
mkdir -p "$STATE"/{run,log,pki,etcd,kubelet,volumes,cni/net.d,containerd,registry}

# start NAME COMMAND...: runs COMMAND in its own session, logging to
# $STATE/log/NAME.log, unless the pid in $STATE/run/NAME.pid is alive.
start() {
  local name=$1
  shift
  if pid_alive "$name"; then
    return 0
  fi
  setsid "$@" >>"$STATE/log/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/run/$name.pid"
  log "started $name (pid $!)"
}

# write FILE: stdin into FILE, only when it differs (kube-proxy exits when
# its configuration file changes under it, so a rerun must not touch it).
write() {
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv "$tmp" "$1"; fi
}

# --- network: the bridge exists before the apiserver advertises its address
network() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$BRIDGE_IP/16" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  # Nothing from the pod network is forwarded anywhere but the bridge.
  local rule
  for rule in "-s $POD_CIDR ! -o $BRIDGE" "-d $POD_CIDR ! -i $BRIDGE"; do
    # shellcheck disable=SC2086
    iptables -C FORWARD $rule -m comment --comment tollgate-e2e -j DROP 2>/dev/null ||
      iptables -I FORWARD $rule -m comment --comment tollgate-e2e -j DROP
  done
  # containerd names pod network namespaces cni-*; remember those that were
  # here before, so down.sh removes only ours.
  [ -e "$STATE/run/netns.before" ] || ls /var/run/netns 2>/dev/null >"$STATE/run/netns.before" || true
  write "$STATE/cni/net.d/10-tollgate.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "tollgate-e2e",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$BRIDGE_IP"}]],
        "routes": [{"dst": "0.0.0.0/0"}],
        "dataDir": "$STATE/cni/ipam"
      }
    }
  ]
}
EOF
}

# --- registry: docker-registry on loopback; socat forwards the bridge address
registry() {
  write "$STATE/registry/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $STATE/registry/data
  delete:
    enabled: true
http:
  addr: $REGISTRY
EOF
  start registry /usr/bin/docker-registry serve "$STATE/registry/config.yml"
  start registry-bridge socat "TCP-LISTEN:${POD_REGISTRY##*:},bind=$BRIDGE_IP,fork,reuseaddr" "TCP:$REGISTRY"
  wait_for "registry on $REGISTRY" 30 curl -fsS "http://$REGISTRY/v2/"
  wait_for "registry on $POD_REGISTRY" 30 curl -fsS "http://$POD_REGISTRY/v2/"
}

# --- certificates: one CA; the apiserver, the admin (system:masters), the
# kubelet (system:node:NAME) and the service-account key pair.
pki() {
  local d=$STATE/pki
  [ -e "$d/.done" ] && return 0
  log "pki: certificates in $d"
  openssl genrsa -out "$d/ca.key" 2048 2>/dev/null
  openssl req -x509 -new -key "$d/ca.key" -subj "/CN=tollgate-e2e-ca" -days 7 -out "$d/ca.crt" 2>/dev/null
  cert() { # name subject [san]
    openssl genrsa -out "$d/$1.key" 2048 2>/dev/null
    openssl req -new -key "$d/$1.key" -subj "$2" -out "$d/$1.csr" 2>/dev/null
    local ext=$d/$1.ext
    printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n' >"$ext"
    [ -z "${3:-}" ] || echo "subjectAltName=$3" >>"$ext"
    openssl x509 -req -in "$d/$1.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 7 -extfile "$ext" -out "$d/$1.crt" 2>/dev/null
  }
  cert apiserver "/CN=kube-apiserver" "IP:$BRIDGE_IP,IP:127.0.0.1,IP:$SERVICE_IP,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  cert admin "/O=system:masters/CN=admin"
  cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" "IP:$BRIDGE_IP,DNS:$NODE_NAME"
  openssl genrsa -out "$d/sa.key" 2048 2>/dev/null
  openssl rsa -in "$d/sa.key" -pubout -out "$d/sa.pub" 2>/dev/null
  kubeconfig admin >"$d/admin.kubeconfig"
  kubeconfig kubelet >"$d/kubelet.kubeconfig"
  touch "$d/.done"
}

kubeconfig() {
  local d=$STATE/pki
  cat <<EOF
apiVersion: v1
kind: Config
clusters:
- name: tollgate-e2e
  cluster:
    server: https://$BRIDGE_IP:$APISERVER_PORT
    certificate-authority: $d/ca.crt
users:
- name: $1
  user:
    client-certificate: $d/$1.crt
    client-key: $d/$1.key
contexts:
- name: tollgate-e2e
  context: {cluster: tollgate-e2e, user: $1}
current-context: tollgate-e2e
EOF
}

# The service-account issuer is the apiserver's own address on the bridge,
# where its discovery document and JWKS are served: the keyless scenario's
# Fulcio (sigstore.sh, on the host) verifies projected tokens against it.
#
# WatchList=false: Debian's etcd 3.4.23 lacks the progress notifications
# streaming lists need (etcd >= 3.4.31), and an API server that offers them
# anyway fails every streaming watch inside the stream, so clients that ask
# for it (Argo's controller) never sync their informers. With the gate off
# the server refuses the request up front and clients fall back to LIST and
# WATCH, as they do against any server without the feature.
control_plane() {
  local d=$STATE/pki
  start etcd etcd --name tollgate-e2e --data-dir "$STATE/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster tollgate-e2e=http://127.0.0.1:2380 --log-level warn
  wait_for "etcd" 60 curl -fsS http://127.0.0.1:2379/health
  start kube-apiserver "$KBIN/kube-apiserver" --etcd-servers=http://127.0.0.1:2379 \
    --bind-address="$BRIDGE_IP" --advertise-address="$BRIDGE_IP" --secure-port="$APISERVER_PORT" \
    --service-cluster-ip-range="$SERVICE_CIDR" --allow-privileged=false \
    --client-ca-file="$d/ca.crt" --tls-cert-file="$d/apiserver.crt" --tls-private-key-file="$d/apiserver.key" \
    --kubelet-client-certificate="$d/admin.crt" --kubelet-client-key="$d/admin.key" \
    --kubelet-preferred-address-types=InternalIP \
    --service-account-key-file="$d/sa.pub" --service-account-signing-key-file="$d/sa.key" \
    --service-account-issuer="https://$BRIDGE_IP:$APISERVER_PORT" \
    --service-account-jwks-uri="https://$BRIDGE_IP:$APISERVER_PORT/openid/v1/jwks" \
    --authorization-mode=Node,RBAC --enable-aggregator-routing=true --profiling=false \
    --enable-admission-plugins=NodeRestriction --feature-gates=WatchList=false
  wait_for "kube-apiserver /readyz" 180 kubectl get --raw /readyz
  start kube-controller-manager "$KBIN/kube-controller-manager" --kubeconfig="$d/admin.kubeconfig" \
    --authentication-kubeconfig="$d/admin.kubeconfig" --authorization-kubeconfig="$d/admin.kubeconfig" \
    --bind-address=127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
    --service-account-private-key-file="$d/sa.key" --root-ca-file="$d/ca.crt" \
    --cluster-signing-cert-file="$d/ca.crt" --cluster-signing-key-file="$d/ca.key" \
    --controllers='*,-nodeipam,-cloud-node-lifecycle' --profiling=false
  start kube-scheduler "$KBIN/kube-scheduler" --kubeconfig="$d/admin.kubeconfig" \
    --authentication-kubeconfig="$d/admin.kubeconfig" --authorization-kubeconfig="$d/admin.kubeconfig" \
    --bind-address=127.0.0.1 --leader-elect=false --profiling=false
}

node() {
  local d=$STATE/pki sock=$STATE/run/containerd/containerd.sock
  mkdir -p "$STATE/run/containerd"
  # restrict_oom_score_adj: this VM's root lacks CAP_SYS_RESOURCE, and runc
  # fails every sandbox without it.
  write "$STATE/containerd/config.toml" <<EOF
version = 2
root = "$STATE/containerd/root"
state = "$STATE/run/containerd/state"
[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
[debug]
  level = "warn"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$REGISTRY/pause:3.10"
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$STATE/run/runc"
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."$REGISTRY"]
    endpoint = ["http://$REGISTRY"]
EOF
  start containerd containerd --config "$STATE/containerd/config.toml"
  wait_for "containerd socket" 60 test -S "$sock"
  write "$STATE/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $BRIDGE_IP
readOnlyPort: 0
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $d/ca.crt}
authorization: {mode: Webhook}
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$sock
serializeImagePulls: false
resolvConf: ""
evictionHard: {memory.available: 100Mi, nodefs.available: "1%", imagefs.available: "1%"}
imageGCHighThresholdPercent: 100
protectKernelDefaults: false
tlsCertFile: $d/kubelet.crt
tlsPrivateKeyFile: $d/kubelet.key
EOF
  start kubelet "$KBIN/kubelet" --config="$STATE/kubelet/config.yaml" --kubeconfig="$d/kubelet.kubeconfig" \
    --root-dir="$STATE/kubelet" --hostname-override="$NODE_NAME" --node-ip="$BRIDGE_IP" --v=1
  write "$STATE/kubelet/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $d/admin.kubeconfig}
mode: iptables
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE_NAME
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
conntrack: {maxPerCore: 0}
EOF
  start kube-proxy "$KBIN/kube-proxy" --config="$STATE/kubelet/kube-proxy.yaml"
  wait_for "node $NODE_NAME Ready" 180 node_ready
}

node_ready() {
  [ "$(kubectl get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}

storage() {
  start provisioner "$TOOLS/provisioner" --kubeconfig "$KUBECONFIG_ADMIN" --dir "$STATE/volumes" --node "$NODE_NAME"
  kubectl apply -f - >/dev/null <<EOF
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: tollgate-hostpath
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: tollgate.dev/hostpath
reclaimPolicy: Delete
volumeBindingMode: WaitForFirstConsumer
EOF
}

network
registry
pki
control_plane
# Images the node needs before its first pod: the sandbox (pause).
"$CLUSTER_DIR/images.sh" pause
node
storage
log "cluster up: KUBECONFIG=$KUBECONFIG_ADMIN"
