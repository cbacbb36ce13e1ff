# Scenario 9, the secret scan fans out: the reviewed release through the
# example PipelineRun and Workflow with scan-parts=4. Tekton runs
# tollgate-secret-scan-part as a matrix of 4 TaskRuns over the indices fetch
# wrote, Argo tollgate-secret-scan-parts (withSequence, 4 pods); each writes
# a sealed part and secret-inventory merges them instead of scanning. From
# the cluster's own objects: 4 scan-part pods ran and succeeded, and the
# secret-inventory report (byte for byte but for its startedAt/finishedAt
# wall-clock stamps), its SARIF digest, summary and verdict, and the gate
# decision equal those of the N = 1 runs of scenarios 1 and 4. A candidate
# with a planted literal secret scanned in 4 parts is still blocked, and no
# part holds the secret.
SCENARIOS+=(scan_parts)

SCAN_PARTS=4

# tekton_run_scan RELEASE N: the example PipelineRun with scan-parts=N.
tekton_run_scan() {
  local ref
  ref=$(cat "$RELEASES/$1.ref")
  sed -e "s#registry.example.com/agents/support-release@sha256:0\{64\}#$ref#" \
    -e "s#name: tollgate-policy\$#name: $(policy_configmap "$1")#" \
    -e "s#^  generateName: tollgate-release-\$#  generateName: tollgate-release-scan-#" \
    -e "/^  params:\$/a\\    - name: allow-insecure-registry\\n      value: \"true\"\\n    - name: scan-parts\\n      value: \"$2\"" \
    "$RENDERED/examples/tekton/pipelinerun.yaml" >"$OUT/objects/pipelinerun-$1-scan.yaml"
  kubectl create -n "$NS" -f "$OUT/objects/pipelinerun-$1-scan.yaml" -o jsonpath='{.metadata.name}'
}

# argo_submit_scan RELEASE N: the example Workflow with scan-parts=N.
argo_submit_scan() {
  local ref
  ref=$(cat "$RELEASES/$1.ref")
  sed -e "s#registry.example.com/agents/support-release@sha256:0\{64\}#$ref#" \
    -e "s#registry.example.com/agents/support-release-evidence#$EVIDENCE_REPO#" \
    -e "s#^  generateName: tollgate-release-\$#  generateName: tollgate-release-scan-#" \
    -e '/- name: allow-insecure-registry$/{n;s/value: "false"/value: "true"/}' \
    -e "/- name: scan-parts\$/{n;s#value: \"1\"#value: \"$2\"#}" \
    -e "/- name: policy-digest\$/{n;s#value: sha256:[0-9a-f]\{64\}#value: $POLICY_DIGEST#}" \
    -e "s#name: tollgate-policy\$#name: $(policy_configmap "$1")#" \
    "$RENDERED/examples/argo/workflow.yaml" >"$OUT/objects/workflow-$1-scan.yaml"
  grep -q "value: \"$2\"" "$OUT/objects/workflow-$1-scan.yaml"
  kubectl create -n "$NS" -f "$OUT/objects/workflow-$1-scan.yaml" -o jsonpath='{.metadata.name}'
}

# scan_taskruns PR: "<name> <Succeeded status> <pod>" of each TaskRun of the
# pipeline task secret-scan-part.
scan_taskruns() {
  kubectl get taskrun -n "$NS" -l "tekton.dev/pipelineRun=$1,tekton.dev/pipelineTask=secret-scan-part" \
    -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Succeeded")].status} {.status.podName}{"\n"}{end}'
}

# scan_pods WF: the succeeded Pod nodes of the Workflow's scan-part steps.
scan_pods() {
  kubectl get workflow -n "$NS" "$1" -o jsonpath='{range .status.nodes.*}{.type}{"\t"}{.displayName}{"\t"}{.phase}{"\n"}{end}' |
    awk -F'\t' '$1 == "Pod" && $2 ~ /^scan-part\(/ && $3 == "Succeeded"' | wc -l
}

# same_report A B: two secret-inventory reports are byte-identical once
# their wall-clock stamps (startedAt, finishedAt) are left out.
same_report() {
  cmp -s <(grep -vE '^  "(startedAt|finishedAt)": ' "$1") <(grep -vE '^  "(startedAt|finishedAt)": ' "$2") ||
    { echo "    $1 and $2 differ beyond their stamps:" >&2; diff <(grep -vE '"(startedAt|finishedAt)"' "$1") <(grep -vE '"(startedAt|finishedAt)"' "$2") | head -20 >&2; return 1; }
}

# no_value FILE...: none of the part files holds the planted password.
no_value() {
  ! grep -qF -- "$PLANTED_PASSWORD" "$@" || { echo "    a part holds the planted secret" >&2; return 1; }
}

start_scan_parts() {
  # planted: the reviewed release plus a configuration file with a literal
  # database password, generated for this run.
  PLANTED_PASSWORD=$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 16)
  cp -R "$RELEASES/pass" "$RELEASES/planted"
  printf 'database:\n  url: postgres://agent:%s@db.internal:5432/agent\n' "$PLANTED_PASSWORD" >"$RELEASES/planted/release/agent/db.yaml"
  "$TG" push "$RELEASES/planted" "$POD_REGISTRY/tollgate-e2e/release:planted" --allow-insecure-registry --log-level error >"$RELEASES/planted.ref"
  PR_SCAN=$(tekton_run_scan pass "$SCAN_PARTS")
  log "scan_parts: PipelineRun $PR_SCAN (scan-parts=$SCAN_PARTS)"
  PR_SCAN_PLANTED=$(tekton_run_scan planted "$SCAN_PARTS")
  log "scan_parts: PipelineRun $PR_SCAN_PLANTED (planted secret, scan-parts=$SCAN_PARTS)"
  if [ -z "${E2E_NO_ARGO:-}" ]; then
    WF_SCAN=$(argo_submit_scan pass "$SCAN_PARTS")
    log "scan_parts: Workflow $WF_SCAN (scan-parts=$SCAN_PARTS)"
  fi
}

check_scan_parts() {
  SCENARIO=scan_parts
  local ok=0 pr=$PR_SCAN base=$PR_PASS ev=$OUT/evidence/scan_parts_tekton si base_si runs
  wait_for "PipelineRun $pr" "$RUN_DEADLINE" pr_done "$pr" || return 1
  wait_for "PipelineRun $base" "$RUN_DEADLINE" pr_done "$base" || return 1
  tekton_collect scan_parts_tekton "$pr" || ok=1
  [ -s "$OUT/evidence/tekton_pass/secret-inventory.json" ] || tekton_collect tekton_pass "$base" || ok=1
  assert "PipelineRun $pr (scan-parts=$SCAN_PARTS) Succeeded=True" eq "$(pr_condition "$pr" | cut -d' ' -f1)" "True" || ok=1
  runs=$(scan_taskruns "$pr")
  printf '%s\n' "$runs" >"$OUT/objects/scan_parts-taskruns.txt"
  assert "$SCAN_PARTS secret-scan-part TaskRuns (matrix), each Succeeded in its own pod" eq \
    "$(printf '%s\n' "$runs" | awk 'NF == 3 && $2 == "True" && $3 != ""' | awk '{print $3}' | sort -u | wc -l)" "$SCAN_PARTS" || ok=1
  assert "fetch wrote the scan part indices the matrix fanned out over" eq \
    "$(tr_result "$(taskrun "$pr" fetch)" scan-part-indices | tr -d ' \n')" '["1","2","3","4"]' || ok=1
  assert "the $SCAN_PARTS sealed parts are in the evidence" test -s "$ev/secret-parts/part-1.json" -a -s "$ev/secret-parts/part-$SCAN_PARTS.json" || ok=1
  si=$(taskrun "$pr" secret-inventory)
  base_si=$(taskrun "$base" secret-inventory)
  assert "secret-inventory verdict and summary with $SCAN_PARTS parts equal the N = 1 run's ($base)" eq \
    "$(tr_result "$si" verdict) $(tr_result "$si" summary)" "$(tr_result "$base_si" verdict) $(tr_result "$base_si" summary)" || ok=1
  assert "the secret-inventory report with $SCAN_PARTS parts is the N = 1 report, byte for byte but for its stamps" \
    same_report "$ev/secret-inventory.json" "$OUT/evidence/tekton_pass/secret-inventory.json" || ok=1
  assert "and its SARIF is byte-identical" cmp "$ev/secret-inventory.sarif" "$OUT/evidence/tekton_pass/secret-inventory.sarif" || ok=1
  assert "gate decision with $SCAN_PARTS scan parts equals the N = 1 run's: verdict $(tr_result "$(taskrun "$base" gate)" verdict), Succeeded=True" eq \
    "$(tr_result "$(taskrun "$pr" gate)" verdict) $(pr_condition "$pr" | cut -d' ' -f1)" "$(tr_result "$(taskrun "$base" gate)" verdict) $(pr_condition "$base" | cut -d' ' -f1)" || ok=1
  assert "and ran no secret-scan-part TaskRun at N = 1" eq "$(scan_taskruns "$base")" "" || ok=1

  # the planted secret blocks with parts, and no part carries it
  pr=$PR_SCAN_PLANTED
  ev=$OUT/evidence/scan_parts_planted
  wait_for "PipelineRun $pr" "$RUN_DEADLINE" pr_done "$pr" || return 1
  tekton_collect scan_parts_planted "$pr" || ok=1
  si=$(taskrun "$pr" secret-inventory)
  assert "planted secret, $SCAN_PARTS scan parts: PipelineRun $pr Succeeded=False (blocked)" eq "$(pr_condition "$pr" | cut -d' ' -f1)" "False" || ok=1
  assert "$SCAN_PARTS secret-scan-part TaskRuns Succeeded" eq \
    "$(scan_taskruns "$pr" | awk 'NF == 3 && $2 == "True"' | wc -l)" "$SCAN_PARTS" || ok=1
  assert "secret-inventory merged the parts into verdict=fail" eq "$(tr_result "$si" verdict)" fail || ok=1
  assert "its report names the literal password in agent/db.yaml" contains "$ev/secret-inventory.json" '"class": "secrets.literal.connection-url-password"' || ok=1
  assert "gate TaskRun Succeeded=False" eq "$(tr_condition "$(taskrun "$pr" gate)" | cut -d' ' -f1)" "False" || ok=1
  assert "no part, report or log holds the planted password" no_value "$ev"/secret-parts/*.json "$ev"/*.json "$ev"/*.sarif "$ev"/log-*.txt || ok=1

  [ -z "${E2E_NO_ARGO:-}" ] || return $ok
  local wf=$WF_SCAN
  wait_for "Workflow $wf" "$RUN_DEADLINE" wf_done "$wf" || return 1
  wait_for "Workflow $WF_PASS" "$RUN_DEADLINE" wf_done "$WF_PASS" || return 1
  argo_collect scan_parts_argo "$wf" || ok=1
  [ -s "$OUT/evidence/argo_pass/secret-inventory.json" ] || argo_collect argo_pass "$WF_PASS" || ok=1
  ev=$OUT/evidence/scan_parts_argo
  assert "Workflow $wf (scan-parts=$SCAN_PARTS) phase Succeeded" eq "$(wf_phase "$wf")" Succeeded || ok=1
  assert "$SCAN_PARTS scan-part pods (withSequence) Succeeded" eq "$(scan_pods "$wf")" "$SCAN_PARTS" || ok=1
  assert "Argo secret-inventory verdict with $SCAN_PARTS parts equals the N = 1 Workflow's" eq \
    "$(wf_node "$wf" secret-inventory 'outputs.parameters[?(@.name=="verdict")].value')" \
    "$(wf_node "$WF_PASS" secret-inventory 'outputs.parameters[?(@.name=="verdict")].value')" || ok=1
  assert "the Argo secret-inventory report is the N = 1 report but for its stamps" \
    same_report "$ev/secret-inventory.json" "$OUT/evidence/argo_pass/secret-inventory.json" || ok=1
  assert "Argo gate decision equals the N = 1 Workflow's" eq \
    "$(wf_node "$wf" gate phase) $(wf_node "$wf" gate 'outputs.parameters[?(@.name=="verdict")].value')" \
    "$(wf_node "$WF_PASS" gate phase) $(wf_node "$WF_PASS" gate 'outputs.parameters[?(@.name=="verdict")].value')" || ok=1
  assert "the N = 1 Workflow skipped the scan step" eq "$(wf_node "$WF_PASS" scan phase)" Skipped || ok=1
  return $ok
}
