# Scenario 4, Argo: the same three releases through the example Workflow and
# the WorkflowTemplates. The DAG runs attest after the checks and the gate
# after attest however they ended, every output parameter has a default, and
# the gate blocks on error and empty values. The exit handler pushes the
# evidence to the registry (the run volume is deleted when a workflow
# succeeds), where it is read back by digest.
SCENARIOS+=(argo)

start_argo() {
  WF_PASS=$(argo_submit pass)
  WF_TAMPERED=$(argo_submit tampered)
  WF_UNDECIDABLE=$(argo_submit undecidable)
  log "argo: Workflows $WF_PASS (pass) $WF_TAMPERED (tampered) $WF_UNDECIDABLE (undecidable)"
}

check_argo() {
  SCENARIO=argo
  local ok=0 wf ev
  for wf in "$WF_PASS" "$WF_TAMPERED" "$WF_UNDECIDABLE"; do
    wait_for "Workflow $wf" "$RUN_DEADLINE" wf_done "$wf" || return 1
  done
  # reviewed release
  wf=$WF_PASS
  argo_collect argo_pass "$wf" || ok=1
  ev=$OUT/evidence/argo_pass
  assert "Workflow $wf phase Succeeded" eq "$(wf_phase "$wf")" Succeeded || ok=1
  assert "gate node Succeeded, verdict=pass" eq "$(wf_node "$wf" gate phase) $(wf_node "$wf" gate 'outputs.parameters[?(@.name=="verdict")].value')" "Succeeded pass" || ok=1
  assert "export-evidence exit handler pushed the evidence (gate-summary.md, bundles)" test -s "$ev/gate-summary.md" -a -s "$ev/release-gate.sigstore.json" || ok=1
  assert "tollgate verify accepts the Argo attestation" "$TG" verify --artifact-digest "$ARTIFACT_DIGEST" --bundle "$ev/release-gate.sigstore.json" \
    --key "$KEYS/signing/cosign.pub" --policy-digest "$POLICY_DIGEST" --log-level error || ok=1
  assert "the run volume was deleted after success (volumeClaimGC), the evidence kept in the registry" no_pvc_of "$wf" || ok=1
  # tampered
  wf=$WF_TAMPERED
  argo_collect argo_tampered "$wf" || ok=1
  ev=$OUT/evidence/argo_tampered
  assert "Workflow $wf phase Failed" eq "$(wf_phase "$wf")" Failed || ok=1
  assert "provenance node Succeeded with verdict=fail" eq "$(wf_node "$wf" provenance phase) $(wf_node "$wf" provenance 'outputs.parameters[?(@.name=="verdict")].value')" "Succeeded fail" || ok=1
  assert "attest node Succeeded with verdict=fail" eq "$(wf_node "$wf" attest phase) $(wf_node "$wf" attest 'outputs.parameters[?(@.name=="verdict")].value')" "Succeeded fail" || ok=1
  assert "gate node Failed" eq "$(wf_node "$wf" gate phase)" Failed || ok=1
  assert "gate-summary.md names the changed prompt" contains "$ev/gate-summary.md" 'prompts/system.md' || ok=1
  # undecidable
  wf=$WF_UNDECIDABLE
  argo_collect argo_undecidable "$wf" || ok=1
  ev=$OUT/evidence/argo_undecidable
  assert "Workflow $wf phase Failed" eq "$(wf_phase "$wf")" Failed || ok=1
  local c
  for c in provenance secret-inventory permission-diff; do
    assert "$c node Failed with verdict=error" eq "$(wf_node "$wf" "$c" phase) $(wf_node "$wf" "$c" 'outputs.parameters[?(@.name=="verdict")].value')" "Failed error" || ok=1
  done
  assert "attest node ran after the failed checks" test -n "$(wf_node "$wf" attest phase)" || ok=1
  assert "gate node ran after attest and Failed" eq "$(wf_node "$wf" gate phase)" Failed || ok=1
  assert "gate wrote its full report" test -s "$ev/gate-summary.md" -a -s "$ev/gate.json" -a -s "$ev/gate-junit.xml" || ok=1
  return $ok
}

# no_pvc_of WF: the workflow's volumeClaimTemplate claim is gone.
no_pvc_of() {
  local uid
  uid=$(kubectl get workflow -n "$NS" "$1" -o jsonpath='{.metadata.uid}')
  wait_for "claims of $1 deleted" 60 test -z "$(kubectl get pvc -n "$NS" -o jsonpath="{range .items[?(@.metadata.ownerReferences[0].uid==\"$uid\")]}{.metadata.name}{end}")"
}
