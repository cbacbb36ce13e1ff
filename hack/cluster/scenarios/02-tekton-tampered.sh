# Scenario 2, Tekton: a tampered copy (a prompt changed after review) fails
# at the gate, whose log and gate-summary.md name the reason, and the FAILED
# verdict is attested.
SCENARIOS+=(tekton_tampered)

start_tekton_tampered() {
  PR_TAMPERED=$(tekton_run tampered)
  log "tekton_tampered: PipelineRun $PR_TAMPERED"
}

check_tekton_tampered() {
  SCENARIO=tekton_tampered
  wait_for "PipelineRun $PR_TAMPERED" "$RUN_DEADLINE" pr_done "$PR_TAMPERED" || return 1
  tekton_collect tekton_tampered "$PR_TAMPERED"
  local gate attest prov ev=$OUT/evidence/tekton_tampered digest
  gate=$(taskrun "$PR_TAMPERED" gate)
  attest=$(taskrun "$PR_TAMPERED" attest)
  prov=$(taskrun "$PR_TAMPERED" provenance)
  assert "PipelineRun $PR_TAMPERED Succeeded=False (Failed)" eq "$(pr_condition "$PR_TAMPERED")" "False Failed"
  assert "provenance TaskRun Succeeded=True with verdict=fail" eq "$(tr_condition "$prov") $(tr_result "$prov" verdict)" "True Succeeded fail"
  assert "attest TaskRun Succeeded=True with verdict=fail (FAILED attested)" eq "$(tr_condition "$attest") $(tr_result "$attest" verdict)" "True Succeeded fail"
  assert "gate TaskRun Succeeded=False" eq "$(tr_condition "$gate")" "False Failed"
  assert "gate log names the changed prompt" contains "$ev/log-gate.txt" 'prompts/system.md'
  assert "gate-summary.md names the changed prompt" contains "$ev/gate-summary.md" 'prompts/system.md'
  digest=$(tr_result "$prov" artifact-digest)
  echo "$digest" >"$OUT/evidence/tekton_tampered.artifact-digest"
  assert "the FAILED attestation is signed and about the tampered digest (verify refuses it as not PASSED)" \
    verify_refuses "$digest" "$ev/release-gate.sigstore.json" 'FAILED'
}

# verify_refuses DIGEST BUNDLE PATTERN: tollgate verify exits 1 saying PATTERN.
verify_refuses() {
  local out rc=0
  out=$("$TG" verify --artifact-digest "$1" --bundle "$2" --key "$KEYS/signing/cosign.pub" --policy-digest "$POLICY_DIGEST" --log-level error 2>&1) || rc=$?
  [ "$rc" -eq 1 ] && grep -q -- "$3" <<<"$out" || { echo "    exit $rc: $out" >&2; return 1; }
}
