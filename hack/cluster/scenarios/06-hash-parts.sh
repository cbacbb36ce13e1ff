# Scenario 6, the engines fan out: the reviewed release through the example
# PipelineRun and Workflow with hash-parts=4. Tekton runs tollgate-hash-part
# as a matrix of 4 TaskRuns over the indices fetch wrote, then
# tollgate-hash-merge; Argo runs tollgate-hash-parts (withSequence, 4 pods).
# From the cluster's own objects: 4 hash-part pods ran and succeeded, and
# the root digest (artifact-digest) and the gate decision equal those of the
# N = 1 runs of scenarios 1 and 4 (the baseline: their hash steps were
# skipped and provenance hashed the candidate itself).
SCENARIOS+=(hash_parts)

PARTS=4

# tekton_run_parts RELEASE N: the example PipelineRun with hash-parts=N.
tekton_run_parts() {
  local ref
  ref=$(cat "$RELEASES/$1.ref")
  sed -e "s#registry.example.com/agents/support-release@sha256:0\{64\}#$ref#" \
    -e "s#name: tollgate-policy\$#name: $(policy_configmap "$1")#" \
    -e "s#^  generateName: tollgate-release-\$#  generateName: tollgate-release-parts-#" \
    -e "/^  params:\$/a\\    - name: allow-insecure-registry\\n      value: \"true\"\\n    - name: hash-parts\\n      value: \"$2\"" \
    "$RENDERED/examples/tekton/pipelinerun.yaml" >"$OUT/objects/pipelinerun-$1-parts.yaml"
  kubectl create -n "$NS" -f "$OUT/objects/pipelinerun-$1-parts.yaml" -o jsonpath='{.metadata.name}'
}

# argo_submit_parts RELEASE N: the example Workflow with hash-parts=N.
argo_submit_parts() {
  local ref
  ref=$(cat "$RELEASES/$1.ref")
  sed -e "s#registry.example.com/agents/support-release@sha256:0\{64\}#$ref#" \
    -e "s#registry.example.com/agents/support-release-evidence#$EVIDENCE_REPO#" \
    -e "s#^  generateName: tollgate-release-\$#  generateName: tollgate-release-parts-#" \
    -e '/- name: allow-insecure-registry$/{n;s/value: "false"/value: "true"/}' \
    -e "/- name: hash-parts\$/{n;s#value: \"1\"#value: \"$2\"#}" \
    -e "/- name: policy-digest\$/{n;s#value: sha256:[0-9a-f]\{64\}#value: $POLICY_DIGEST#}" \
    -e "s#name: tollgate-policy\$#name: $(policy_configmap "$1")#" \
    "$RENDERED/examples/argo/workflow.yaml" >"$OUT/objects/workflow-$1-parts.yaml"
  grep -q "value: \"$2\"" "$OUT/objects/workflow-$1-parts.yaml"
  kubectl create -n "$NS" -f "$OUT/objects/workflow-$1-parts.yaml" -o jsonpath='{.metadata.name}'
}

# parts_taskruns PR: "<name> <Succeeded status> <pod>" of each TaskRun of
# the pipeline task hash-part.
parts_taskruns() {
  kubectl get taskrun -n "$NS" -l "tekton.dev/pipelineRun=$1,tekton.dev/pipelineTask=hash-part" \
    -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Succeeded")].status} {.status.podName}{"\n"}{end}'
}

# skipped PR: the pipeline tasks Tekton skipped, sorted, space separated.
skipped() {
  kubectl get pipelinerun -n "$NS" "$1" -o jsonpath='{range .status.skippedTasks[*]}{.name}{"\n"}{end}' | sort | tr '\n' ' ' | sed 's/ $//'
}

# part_pods WF: the succeeded Pod nodes of the Workflow's hash-part steps.
part_pods() {
  kubectl get workflow -n "$NS" "$1" -o jsonpath='{range .status.nodes.*}{.type}{"\t"}{.displayName}{"\t"}{.phase}{"\n"}{end}' |
    awk -F'\t' '$1 == "Pod" && $2 ~ /^part\(/ && $3 == "Succeeded"' | wc -l
}

start_hash_parts() {
  PR_PARTS=$(tekton_run_parts pass "$PARTS")
  log "hash_parts: PipelineRun $PR_PARTS (hash-parts=$PARTS)"
  if [ -z "${E2E_NO_ARGO:-}" ]; then
    WF_PARTS=$(argo_submit_parts pass "$PARTS")
    log "hash_parts: Workflow $WF_PARTS (hash-parts=$PARTS)"
  fi
}

check_hash_parts() {
  SCENARIO=hash_parts
  local ok=0 pr=$PR_PARTS base=$PR_PASS ev=$OUT/evidence/hash_parts_tekton digest base_digest runs
  wait_for "PipelineRun $pr" "$RUN_DEADLINE" pr_done "$pr" || return 1
  wait_for "PipelineRun $base" "$RUN_DEADLINE" pr_done "$base" || return 1
  tekton_collect hash_parts_tekton "$pr" || ok=1
  # Completed: Tekton's reason for a run with skipped tasks (here the
  # secret scan fan-out, scan-parts 1).
  assert "PipelineRun $pr (hash-parts=$PARTS) Succeeded=True (Completed)" eq "$(pr_condition "$pr")" "True Completed" || ok=1
  assert "it skipped only secret-scan-part (scan-parts 1)" eq "$(skipped "$pr")" "secret-scan-part" || ok=1
  runs=$(parts_taskruns "$pr")
  printf '%s\n' "$runs" >"$OUT/objects/hash_parts-taskruns.txt"
  assert "$PARTS hash-part TaskRuns (matrix), each Succeeded in its own pod" eq \
    "$(printf '%s\n' "$runs" | awk 'NF == 3 && $2 == "True" && $3 != ""' | awk '{print $3}' | sort -u | wc -l)" "$PARTS" || ok=1
  assert "fetch wrote the part indices the matrix fanned out over" eq \
    "$(tr_result "$(taskrun "$pr" fetch)" hash-part-indices | tr -d ' \n')" '["1","2","3","4"]' || ok=1
  digest=$(tr_result "$(taskrun "$pr" provenance)" artifact-digest)
  base_digest=$(tr_result "$(taskrun "$base" provenance)" artifact-digest)
  assert "hash-merge artifact-digest is the root digest" eq "$(tr_result "$(taskrun "$pr" hash-merge)" artifact-digest)" "$ARTIFACT_DIGEST" || ok=1
  assert "provenance artifact-digest with $PARTS parts equals the N = 1 run's ($base)" eq "$digest" "$base_digest" || ok=1
  assert "and both are the release's root digest" eq "$digest" "$ARTIFACT_DIGEST" || ok=1
  assert "provenance read the merged manifest instead of hashing (its report names it)" contains "$ev/provenance.json" '"manifest": "sha256:[0-9a-f]{64}"' || ok=1
  assert "the parts and the merged manifest are in the evidence" test -s "$ev/manifest.json" -a -s "$ev/parts/part-$PARTS.json" || ok=1
  # Succeeded=True both.
  assert "gate decision with $PARTS parts equals the N = 1 run's: verdict $(tr_result "$(taskrun "$base" gate)" verdict), Succeeded=True" eq \
    "$(tr_result "$(taskrun "$pr" gate)" verdict) $(pr_condition "$pr" | cut -d' ' -f1)" "$(tr_result "$(taskrun "$base" gate)" verdict) $(pr_condition "$base" | cut -d' ' -f1)" || ok=1
  assert "the N = 1 run skipped hash-part and hash-merge (and secret-scan-part: scan-parts 1) (when expressions)" eq "$(skipped "$base")" "hash-merge hash-part secret-scan-part" || ok=1
  assert "and ran no hash-part TaskRun" eq "$(parts_taskruns "$base")" "" || ok=1

  [ -z "${E2E_NO_ARGO:-}" ] || return $ok
  local wf=$WF_PARTS
  wait_for "Workflow $wf" "$RUN_DEADLINE" wf_done "$wf" || return 1
  wait_for "Workflow $WF_PASS" "$RUN_DEADLINE" wf_done "$WF_PASS" || return 1
  argo_collect hash_parts_argo "$wf" || ok=1
  ev=$OUT/evidence/hash_parts_argo
  assert "Workflow $wf (hash-parts=$PARTS) phase Succeeded" eq "$(wf_phase "$wf")" Succeeded || ok=1
  assert "$PARTS hash-part pods (withSequence) Succeeded" eq "$(part_pods "$wf")" "$PARTS" || ok=1
  assert "Argo provenance artifact-digest with $PARTS parts equals the N = 1 Workflow's" eq \
    "$(wf_node "$wf" provenance 'outputs.parameters[?(@.name=="artifact-digest")].value')" \
    "$(wf_node "$WF_PASS" provenance 'outputs.parameters[?(@.name=="artifact-digest")].value')" || ok=1
  assert "and is the release's root digest" eq "$(wf_node "$wf" provenance 'outputs.parameters[?(@.name=="artifact-digest")].value')" "$ARTIFACT_DIGEST" || ok=1
  assert "Argo provenance read the merged manifest" contains "$ev/provenance.json" '"manifest": "sha256:[0-9a-f]{64}"' || ok=1
  assert "Argo gate decision equals the N = 1 Workflow's" eq \
    "$(wf_node "$wf" gate phase) $(wf_node "$wf" gate 'outputs.parameters[?(@.name=="verdict")].value')" \
    "$(wf_node "$WF_PASS" gate phase) $(wf_node "$WF_PASS" gate 'outputs.parameters[?(@.name=="verdict")].value')" || ok=1
  assert "the N = 1 Workflow skipped the hash step" eq "$(wf_node "$WF_PASS" hash phase)" Skipped || ok=1
  return $ok
}
