#!/usr/bin/env bash
# Builds the cluster's binaries from their Go modules into the build cache:
#
#   kubernetes  kube-apiserver kube-controller-manager kube-scheduler kubelet
#               kube-proxy kubectl                (k8s.io/kubernetes $KUBE_VERSION)
#   tekton      controller webhook entrypoint nop workingdirinit sidecarlogresults
#               resolvers (the bundles resolver of scenario 8)
#   argo        workflow-controller argoexec
#   cosign      cosign $COSIGN_VERSION (scenario 1 verifies the attestation with it)
#   fulcio      fulcio $FULCIO_VERSION (scenario 7: keyless certificates)
#   tsa         timestamp-server $TSA_VERSION (scenario 7: RFC 3161 timestamps)
#   tools       the harness's own programs (pause, provisioner, clusterimage)
#
# Each comes from a wrapper module under hack/cluster/modules (go.mod and
# go.sum pin exact versions) and lands in $CACHE/bin/<component>-<version>-<key>,
# where the key hashes the wrapper module, the ldflags, the packages, the
# build function and the Go version: a change to any of them rebuilds,
# anything else (another component's lines in this file) is reused. $CACHE/bin/<component>.current
# names the directory in use. Usage: build.sh [component...] (default: all).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

GO=${GO:-go}
export CGO_ENABLED=0 GOFLAGS=-mod=readonly
mkdir -p "$CACHE/bin" "$CACHE/src"

# key FILES... : a short hash of the files, the Go version and "$flags".
key() {
  { cat "$@"; "$GO" env GOVERSION GOOS GOARCH; echo "$flags"; } | sha256sum | cut -c1-12
}

# build COMPONENT VERSION MODULE_DIR PACKAGES...: go build into the cache.
build() {
  local comp=$1 version=$2 mod=$3
  shift 3
  local k dir
  k=$(key "$mod/go.mod" "$mod/go.sum" "$mod/tools.go" <(declare -f build key; echo "$*"))
  dir=$CACHE/bin/$comp-$version-$k
  if [ -e "$dir/.done" ]; then
    log "build $comp $version: cached ($dir)"
  else
    log "build $comp $version: ${*##*/}"
    local t0=$SECONDS
    rm -rf "$dir.tmp"
    mkdir -p "$dir.tmp"
    (cd "$mod" && "$GO" build -trimpath -ldflags "$flags" -o "$dir.tmp/" "$@")
    touch "$dir.tmp/.done"
    rm -rf "$dir"
    mv "$dir.tmp" "$dir"
    log "build $comp $version: $((SECONDS - t0))s"
  fi
  echo "$dir" >"$CACHE/bin/$comp.current"
}

kubernetes() {
  local v=${KUBE_VERSION#v} ver=()
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ver+=("-X $pkg.gitVersion=$KUBE_VERSION" "-X $pkg.gitMajor=${v%%.*}"
      "-X $pkg.gitMinor=$(echo "$v" | cut -d. -f2)" "-X $pkg.gitTreeState=clean"
      "-X $pkg.buildDate=1970-01-01T00:00:00Z")
  done
  flags="-s -w ${ver[*]}"
  build kubernetes "$KUBE_VERSION" "$CLUSTER_DIR/modules/kubernetes" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet \
    k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kubectl
}

tekton() {
  flags="-s -w"
  build tekton "$TEKTON_VERSION" "$CLUSTER_DIR/modules/tekton" \
    github.com/tektoncd/pipeline/cmd/controller github.com/tektoncd/pipeline/cmd/webhook \
    github.com/tektoncd/pipeline/cmd/entrypoint github.com/tektoncd/pipeline/cmd/nop \
    github.com/tektoncd/pipeline/cmd/workingdirinit github.com/tektoncd/pipeline/cmd/sidecarlogresults \
    github.com/tektoncd/pipeline/cmd/resolvers
}

# argo_source prints a copy of the Argo module with
# workflow/executor/os-specific/signal_linux.go restored. In git it is a
# symbolic link to signal_darwin.go; module zips drop links, so the published
# module does not build argoexec for linux (undefined: Setpgid).
argo_source() {
  local src=$CACHE/src/argo-workflows-$ARGO_VERSION mod
  if [ ! -e "$src/.done" ]; then
    mod=$(cd "$CLUSTER_DIR/modules/argo" && "$GO" mod download -json "github.com/argoproj/argo-workflows/v3@$ARGO_VERSION" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [ -d "$mod" ] || die "argo module $ARGO_VERSION not downloaded"
    rm -rf "$src"
    cp -r "$mod" "$src"
    chmod -R u+w "$src"
    cp "$src/workflow/executor/os-specific/signal_darwin.go" "$src/workflow/executor/os-specific/signal_linux.go"
    touch "$src/.done"
  fi
  echo "$src"
}

argo() {
  local src wrapper=$CACHE/src/argo-wrapper
  src=$(argo_source)
  rm -rf "$wrapper"
  cp -r "$CLUSTER_DIR/modules/argo" "$wrapper"
  (cd "$wrapper" && "$GO" mod edit -replace "github.com/argoproj/argo-workflows/v3=$src")
  local p=github.com/argoproj/argo-workflows/v3
  flags="-s -w -X $p.version=$ARGO_VERSION -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  build argo "$ARGO_VERSION" "$wrapper" "$p/cmd/workflow-controller" "$p/cmd/argoexec"
}

cosign() {
  flags="-s -w -X sigs.k8s.io/release-utils/version.gitVersion=$COSIGN_VERSION"
  build cosign "$COSIGN_VERSION" "$CLUSTER_DIR/modules/cosign" github.com/sigstore/cosign/v3/cmd/cosign
}

# fulcio and tsa: the local certificate and timestamp authorities of the
# keyless scenario (hack/cluster/sigstore.sh runs them on the host).
fulcio() {
  flags="-s -w -X sigs.k8s.io/release-utils/version.gitVersion=$FULCIO_VERSION"
  build fulcio "$FULCIO_VERSION" "$CLUSTER_DIR/modules/fulcio" github.com/sigstore/fulcio
}

tsa() {
  flags="-s -w -X sigs.k8s.io/release-utils/version.gitVersion=$TSA_VERSION"
  build tsa "$TSA_VERSION" "$CLUSTER_DIR/modules/tsa" github.com/sigstore/timestamp-authority/cmd/timestamp-server
}

# tools: the harness's own Go programs (main module): the pause image's
# binary, the hostPath provisioner and the image builder.
tools() {
  flags="-s -w"
  local k dir
  k=$( (cd "$ROOT" && find go.mod go.sum hack/cluster/cmd internal/image -type f -name '*.go' -o -name 'go.*' | sort | xargs cat; "$GO" env GOVERSION) | sha256sum | cut -c1-12)
  dir=$CACHE/bin/tools-$k
  if [ ! -e "$dir/.done" ]; then
    log "build tools: pause provisioner clusterimage"
    rm -rf "$dir"
    mkdir -p "$dir"
    (cd "$ROOT" && "$GO" build -trimpath -ldflags "$flags" -o "$dir/" ./hack/cluster/cmd/...)
    touch "$dir/.done"
  fi
  echo "$dir" >"$CACHE/bin/tools.current"
}

comps=("$@")
[ ${#comps[@]} -gt 0 ] || comps=(tools kubernetes tekton argo cosign fulcio tsa)
for c in "${comps[@]}"; do
  case $c in
  kubernetes | tekton | argo | cosign | fulcio | tsa | tools) "$c" ;;
  *) die "build.sh: unknown component $c (kubernetes, tekton, argo, cosign, fulcio, tsa, tools)" ;;
  esac
done
