#!/usr/bin/env bash
# Installs the real Tekton Pipelines and Argo Workflows controllers, from the
# release manifests in their Go modules, with their default configuration
# except what the README asks every user to set (Tekton's
# set-security-context, Argo's executor securityContext, for Pod Security
# "restricted") and the image references, which point at the local registry
# (images.sh). Waits, by polling conditions, until the CRDs are Established,
# the controllers Available and the webhooks' CA bundles injected.
#
# Usage: install.sh [tekton|resolvers|argo]... (default: tekton argo)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC1091
source "$STATE/images.env"
MOD=$(cd "$CLUSTER_DIR/modules/tekton" && go mod download -json "github.com/tektoncd/pipeline@$TEKTON_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
mkdir -p "$STATE/manifests"

tekton() {
  local cfg=$MOD/config out=$STATE/manifests/tekton.yaml f
  [ -d "$cfg" ] || die "tekton: $cfg not found"
  : >"$out"
  # The release manifest, as tekton's release assembles it from config/
  # (events, HPA and remote resolvers left out).
  for f in "$cfg"/100-namespace/*.yaml "$cfg"/200-*.yaml "$cfg"/201-*.yaml "$cfg"/300-crds/*.yaml \
    "$cfg"/clusterrole-aggregate-*.yaml "$cfg"/config-*.yaml "$cfg"/500-webhooks.yaml "$cfg"/controller.yaml "$cfg"/webhook.yaml; do
    printf -- '---\n' >>"$out"
    cat "$f" >>"$out"
  done
  local ko=ko://github.com/tektoncd/pipeline/cmd
  sed -i -e "s#$ko/controller#$tekton_controller#g" -e "s#$ko/webhook#$tekton_webhook#g" \
    -e "s#$ko/entrypoint#$tekton_entrypoint#g" -e "s#$ko/nop#$tekton_nop#g" \
    -e "s#$ko/sidecarlogresults#$tekton_sidecarlogresults#g" -e "s#$ko/workingdirinit#$tekton_workingdirinit#g" \
    -e "s#cgr.dev/chainguard/busybox@sha256:[0-9a-f]*#$busybox#g" \
    -e "s#mcr.microsoft.com/powershell:nanoserver@sha256:[0-9a-f]*#$busybox#g" "$out"
  if grep -nE '(image:|-image",) *"?(ko://|cgr\.dev|gcr\.io|mcr\.microsoft|docker\.io|quay\.io|ghcr\.io)' "$out"; then
    die "tekton: the manifest still names a public image"
  fi
  log "install tekton $TEKTON_VERSION"
  kubectl apply --server-side -f "$out" >/dev/null
  wait_for "tekton CRDs Established" 120 kubectl wait --for=condition=Established --timeout=5s \
    crd/tasks.tekton.dev crd/pipelines.tekton.dev crd/taskruns.tekton.dev crd/pipelineruns.tekton.dev
  # Pod Security "restricted": the README asks users to set this flag, the
  # same way.
  kubectl patch configmap feature-flags -n tekton-pipelines --type merge -p '{"data":{"set-security-context":"true"}}' >/dev/null
  wait_for "tekton controllers Available" 300 kubectl wait -n tekton-pipelines --for=condition=Available --timeout=5s \
    deployment/tekton-pipelines-controller deployment/tekton-pipelines-webhook
  local w
  for w in mutatingwebhookconfiguration/webhook.pipeline.tekton.dev validatingwebhookconfiguration/validation.webhook.pipeline.tekton.dev \
    validatingwebhookconfiguration/config.webhook.pipeline.tekton.dev; do
    wait_for "$w CA bundle" 120 has_ca_bundle "$w" '{.webhooks[0].clientConfig.caBundle}'
  done
  for w in tasks pipelines taskruns pipelineruns; do
    wait_for "crd/$w.tekton.dev conversion CA bundle" 120 has_ca_bundle "crd/$w.tekton.dev" '{.spec.conversion.webhook.clientConfig.caBundle}'
  done
  # The webhook answers admission requests (it may have its CA injected and
  # still be starting its server).
  wait_for "tekton webhook admission" 120 kubectl create --dry-run=server -n default -f - <<'EOF'
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: tollgate-e2e-probe}
spec:
  steps:
    - {name: s, image: busybox, command: ["true"]}
EOF
  log "tekton $TEKTON_VERSION ready"
}

# resolvers: Tekton's remote resolvers (config/resolvers of the module), for
# the bundles resolver: scenario 8 resolves the Tasks from an OCI bundle in
# the local registry at 10.88.0.1:5000 (plain HTTP: go-containerregistry
# speaks HTTP to a private-range registry address without being told). The
# hub and git resolvers are switched off: nothing here may reach them.
resolvers() {
  local cfg=$MOD/config/resolvers out=$STATE/manifests/tekton-resolvers.yaml f
  [ -d "$cfg" ] || die "resolvers: $cfg not found"
  : >"$out"
  for f in "$cfg"/*.yaml; do
    printf -- '---\n' >>"$out"
    cat "$f" >>"$out"
  done
  sed -i -e "s#ko://github.com/tektoncd/pipeline/cmd/resolvers#$tekton_resolvers#g" \
    -e 's#enable-hub-resolver: "true"#enable-hub-resolver: "false"#' -e 's#enable-git-resolver: "true"#enable-git-resolver: "false"#' "$out"
  if grep -nE 'image: *"?(ko://|cgr\.dev|gcr\.io|docker\.io|quay\.io|ghcr\.io)' "$out"; then
    die "resolvers: the manifest still names a public image"
  fi
  log "install tekton resolvers $TEKTON_VERSION"
  kubectl apply --server-side -f "$out" >/dev/null
  wait_for "tekton resolvers Available" 300 kubectl wait -n tekton-pipelines-resolvers --for=condition=Available --timeout=5s \
    deployment/tekton-pipelines-remote-resolvers
  log "tekton resolvers ready (bundles)"
}

has_ca_bundle() {
  [ -n "$(kubectl get "$1" -o jsonpath="$2")" ]
}

argo() {
  local src=$CACHE/src/argo-workflows-$ARGO_VERSION dir=$STATE/manifests/argo
  [ -d "$src/manifests" ] || die "argo: $src not found; run build.sh argo"
  mkdir -p "$dir"
  # Pod Security "restricted" for Argo's init and wait containers: the
  # executor securityContext in the controller ConfigMap, as the README asks.
  cat >"$dir/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: argo
resources:
- $(realpath --relative-to="$dir" "$src/manifests/base/crds")
- $(realpath --relative-to="$dir" "$src/manifests/base/workflow-controller")
- $(realpath --relative-to="$dir" "$src/manifests/cluster-install/workflow-controller-rbac")
images:
- name: quay.io/argoproj/workflow-controller
  newName: ${argo_workflow_controller%@*}
  digest: ${argo_workflow_controller#*@}
patches:
- target: {kind: Deployment, name: workflow-controller}
  patch: |-
    - op: replace
      path: /spec/template/spec/containers/0/args
      value: ["--executor-image", "$argo_argoexec"]
- target: {kind: ConfigMap, name: workflow-controller-configmap}
  patch: |-
    - op: add
      path: /data
      value:
        executor: |
          securityContext:
            runAsNonRoot: true
            runAsUser: 65532
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
            seccompProfile:
              type: RuntimeDefault
EOF
  "$(bin_dir kubernetes)/kubectl" kustomize --load-restrictor LoadRestrictionsNone "$dir" >"$dir/argo.yaml"
  if grep -nE '(image:|executor-image).*(quay\.io|docker\.io|gcr\.io|ghcr\.io)' "$dir/argo.yaml"; then
    die "argo: the manifest still names a public image"
  fi
  log "install argo $ARGO_VERSION"
  kubectl create namespace argo --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  kubectl apply --server-side -f "$dir/argo.yaml" >/dev/null
  wait_for "argo CRDs Established" 120 kubectl wait --for=condition=Established --timeout=5s \
    crd/workflows.argoproj.io crd/workflowtemplates.argoproj.io crd/clusterworkflowtemplates.argoproj.io crd/workflowtaskresults.argoproj.io
  wait_for "argo workflow-controller Available" 300 kubectl wait -n argo --for=condition=Available --timeout=5s deployment/workflow-controller
  log "argo $ARGO_VERSION ready"
}

which=("$@")
[ ${#which[@]} -gt 0 ] || which=(tekton argo)
for w in "${which[@]}"; do
  case $w in
  tekton | resolvers | argo) "$w" ;;
  *) die "install.sh: unknown component $w" ;;
  esac
done
