#!/usr/bin/env bash
# Builds the cluster's images from the binaries in the build cache and pushes
# them to the local registry, recording NAME=REF@DIGEST lines in
# $STATE/images.env: every image the cluster runs comes from there, so
# nothing ever tries a public registry.
#
#   pause      the pod sandbox (containerd's sandbox_image, $REGISTRY/pause:3.10)
#   busybox    Debian's busybox-static: Tekton's shell image
#   tekton     controller webhook entrypoint nop workingdirinit sidecarlogresults
#              resolvers,
#              ko-style: /ko-app/<name>, user 65532 (the controller hard-codes
#              /ko-app/entrypoint)
#   argo       workflow-controller argoexec
#
# Usage: images.sh [pause|busybox|tekton|argo]... (default: all)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

TOOLS=$(bin_dir tools)
mkdir -p "$STATE"
touch "$STATE/images.env"

# record NAME REF: appends NAME=REF to images.env, replacing an older line.
record() {
  sed -i "/^$1=/d" "$STATE/images.env"
  echo "$1=$2" >>"$STATE/images.env"
}

image() { # record-name ref build-args...
  local rec=$1 ref=$2 digest
  shift 2
  digest=$("$TOOLS/clusterimage" build --ref "$ref" "$@")
  record "$rec" "${ref%:*}@$digest"
}

pause() {
  image pause "$REGISTRY/pause:3.10" --file /pause="$TOOLS/pause" --entrypoint /pause
}

busybox() {
  local bb=${BUSYBOX:-/bin/busybox} args=()
  file -L "$bb" 2>/dev/null | grep -q 'statically linked' || die "busybox: $bb is not a static busybox (install busybox-static: make cluster-deps)"
  for a in sh ash cat cp echo env ls mkdir mv rm sleep test true false wc grep sed tar; do args+=(--link "/bin/$a=busybox"); done
  image busybox "$REGISTRY/busybox:latest" --file /bin/busybox="$bb" "${args[@]}" --entrypoint /bin/sh --user 65532:65532
}

tekton() {
  local b n
  b=$(bin_dir tekton)
  for n in controller webhook entrypoint nop workingdirinit sidecarlogresults resolvers; do
    image "tekton_$n" "$REGISTRY/tekton/$n:$TEKTON_VERSION" --file "/ko-app/$n=$b/$n" --entrypoint "/ko-app/$n" --env KO_DATA_PATH=/var/run/ko
  done
}

argo() {
  local b
  b=$(bin_dir argo)
  image argo_workflow_controller "$REGISTRY/argo/workflow-controller:$ARGO_VERSION" --file "/bin/workflow-controller=$b/workflow-controller" --entrypoint /bin/workflow-controller
  image argo_argoexec "$REGISTRY/argo/argoexec:$ARGO_VERSION" --file "/bin/argoexec=$b/argoexec" --entrypoint /bin/argoexec
}

which=("$@")
[ ${#which[@]} -gt 0 ] || which=(pause busybox tekton argo)
for w in "${which[@]}"; do
  case $w in
  pause | busybox | tekton | argo) "$w" ;;
  *) die "images.sh: unknown image set $w" ;;
  esac
done
log "images: ${which[*]} pushed to $REGISTRY"
