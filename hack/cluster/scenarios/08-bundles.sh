# Scenario 8, Tekton: a swapped gate is not used. In a namespace of its own
# (the other scenarios' Tasks stay untouched), someone with `update tasks`
# replaces tollgate-gate and tollgate-attest with Tasks whose step exits 0
# and reports pass. The tampered release then runs through
#
#   - the example Pipeline as shipped, Tasks referenced by name: it is
#     fooled (Succeeded, verdict pass), which is the attack;
#   - the same Pipeline pinned by hack/mkbundle to the Tasks' OCI bundle at
#     its digest (bundles resolver, the bundle read by the resolver pod from
#     the registry at 10.88.0.1:5000): the real gate runs, and BLOCKS.
SCENARIOS+=(bundles)

SWAP_NS=tollgate-e2e-swap

# swapped_task FILE: the Task in FILE with its steps replaced by one that
# reports pass for every result the Pipeline reads and exits 0; params,
# workspaces and results unchanged, so the Pipeline cannot tell.
swapped_task() {
  awk -v image="$busybox" '
    /^  steps:$/ {
      print
      print "    - name: looks-fine"
      print "      image: " image
      print "      command: [\"sh\", \"-c\"]"
      print "      args:"
      print "        - |"
      print "          printf pass >/tekton/results/verdict"
      print "          printf ok >/tekton/results/summary"
      print "          printf sha256:0000000000000000000000000000000000000000000000000000000000000000 >/tekton/results/attestation-digest"
      print "      securityContext: {runAsNonRoot: true, runAsUser: 65532, allowPrivilegeEscalation: false, capabilities: {drop: [\"ALL\"]}, seccompProfile: {type: RuntimeDefault}}"
      skip = 1
      next
    }
    skip && /^[^ ]/ { skip = 0 }
    !skip { print }
  ' "$1"
}

start_bundles() {
  # shellcheck disable=SC1091
  source "$STATE/images.env"
  local tasks=("$RENDERED"/tasks/tekton/*/0.1/tollgate-*.yaml) f
  # The bundle: the rendered Tasks, pushed to the registry the resolver pod
  # reads; the Pipeline copy rewritten to reference each Task in it by digest.
  (cd "$ROOT" && go build -o "$OUT/bin/mkbundle" ./hack/mkbundle)
  cp "$RENDERED/examples/tekton/pipeline.yaml" "$OUT/objects/pipeline-bundles.yaml"
  sed -i 's/^  name: tollgate-release$/  name: tollgate-release-bundles/' "$OUT/objects/pipeline-bundles.yaml"
  BUNDLE_REF=$("$OUT/bin/mkbundle" --ref "$POD_REGISTRY/tollgate-e2e/tasks:e2e" --pipeline "$OUT/objects/pipeline-bundles.yaml" "${tasks[@]}")
  log "bundles: Tasks pushed as $BUNDLE_REF"

  kubectl create namespace "$SWAP_NS" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  kubectl label namespace "$SWAP_NS" --overwrite pod-security.kubernetes.io/enforce=restricted >/dev/null
  kubectl create secret generic tollgate-signing -n "$SWAP_NS" --from-file=cosign.key="$KEYS/signing/cosign.key" >/dev/null
  kubectl create configmap tollgate-policy -n "$SWAP_NS" --from-file=policy.yaml="$OUT/platform/policy.yaml" >/dev/null
  # One apply for every object (one kubectl start-up and discovery, not one
  # per file).
  local files=()
  for f in "${tasks[@]}" "$RENDERED/examples/tekton/pipeline.yaml" "$OUT/objects/pipeline-bundles.yaml"; do files+=(-f "$f"); done
  kubectl apply -n "$SWAP_NS" "${files[@]}" >/dev/null
  # The swap.
  files=()
  for f in "$RENDERED"/tasks/tekton/tollgate-gate/0.1/tollgate-gate.yaml "$RENDERED"/tasks/tekton/tollgate-attest/0.1/tollgate-attest.yaml; do
    swapped_task "$f" >"$OUT/objects/swapped-$(basename "$f")"
    files+=(-f "$OUT/objects/swapped-$(basename "$f")")
  done
  kubectl apply -n "$SWAP_NS" "${files[@]}" >/dev/null
  log "bundles: namespace $SWAP_NS has tollgate-gate and tollgate-attest swapped for Tasks that exit 0"

  local ref
  ref=$(cat "$RELEASES/tampered.ref")
  for p in byname bundles; do
    local pipeline=tollgate-release
    [ "$p" = byname ] || pipeline=tollgate-release-bundles
    sed -e "s#registry.example.com/agents/support-release@sha256:0\{64\}#$ref#" \
      -e "s#^    name: tollgate-release\$#    name: $pipeline#" \
      -e "/^  params:\$/a\\    - name: allow-insecure-registry\\n      value: \"true\"" \
      "$RENDERED/examples/tekton/pipelinerun.yaml" >"$OUT/objects/pipelinerun-swap-$p.yaml"
  done
  PR_SWAP_BYNAME=$(kubectl create -n "$SWAP_NS" -f "$OUT/objects/pipelinerun-swap-byname.yaml" -o jsonpath='{.metadata.name}')
  PR_SWAP_BUNDLES=$(kubectl create -n "$SWAP_NS" -f "$OUT/objects/pipelinerun-swap-bundles.yaml" -o jsonpath='{.metadata.name}')
  log "bundles: tampered release, PipelineRuns $PR_SWAP_BYNAME (Tasks by name) and $PR_SWAP_BUNDLES (Tasks from the bundle)"
}

check_bundles() {
  SCENARIO=bundles
  local NS=$SWAP_NS
  wait_for "PipelineRun $PR_SWAP_BYNAME" "$RUN_DEADLINE" pr_done "$PR_SWAP_BYNAME" || return 1
  wait_for "PipelineRun $PR_SWAP_BUNDLES" "$RUN_DEADLINE" pr_done "$PR_SWAP_BUNDLES" || return 1
  tekton_collect bundles-byname "$PR_SWAP_BYNAME" || true
  tekton_collect bundles "$PR_SWAP_BUNDLES"
  local gate_byname gate ev=$OUT/evidence/bundles
  gate_byname=$(taskrun "$PR_SWAP_BYNAME" gate)
  gate=$(taskrun "$PR_SWAP_BUNDLES" gate)
  assert "Tasks by name: the swapped gate passes the tampered release (the attack works)" \
    eq "$(pr_condition "$PR_SWAP_BYNAME") $(tr_result "$gate_byname" verdict)" "True Completed pass"
  assert "Tasks from the bundle: PipelineRun $PR_SWAP_BUNDLES Succeeded=False" eq "$(pr_condition "$PR_SWAP_BUNDLES")" "False Failed"
  assert "  ... its gate was resolved by the bundles resolver from $BUNDLE_REF" \
    eq "$(kubectl get taskrun -n "$NS" "$gate" -o jsonpath='{.spec.taskRef.resolver} {.status.provenance.refSource.digest.sha256}')" "bundles ${BUNDLE_REF##*sha256:}"
  assert "  ... the real gate BLOCKED it (Succeeded=False, verdict fail)" eq "$(tr_condition "$gate") $(tr_result "$gate" verdict)" "False Failed fail"
  assert "  ... and gate-summary.md names the changed prompt" contains "$ev/gate-summary.md" 'prompts/system.md'
}
