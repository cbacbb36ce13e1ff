# Scenario 3, Tekton: checks that cannot decide (the policy cannot be
# parsed: each check exits 3 after writing verdict=error). Their steps
# continue on error, attest cannot attest, and the gate still runs, blocks,
# and writes its full report.
SCENARIOS+=(tekton_undecidable)

start_tekton_undecidable() {
  PR_UNDECIDABLE=$(tekton_run undecidable)
  log "tekton_undecidable: PipelineRun $PR_UNDECIDABLE"
}

check_tekton_undecidable() {
  SCENARIO=tekton_undecidable
  local pr=$PR_UNDECIDABLE
  wait_for "PipelineRun $pr" "$RUN_DEADLINE" pr_done "$pr" || return 1
  tekton_collect tekton_undecidable "$pr"
  local ev=$OUT/evidence/tekton_undecidable c tr gate
  assert "PipelineRun $pr Succeeded=False (Failed)" eq "$(pr_condition "$pr")" "False Failed"
  for c in provenance secret-inventory permission-diff; do
    tr=$(taskrun "$pr" "$c")
    assert "$c TaskRun Succeeded=True (step onError: continue) with verdict=error" eq "$(tr_condition "$tr") $(tr_result "$tr" verdict)" "True Succeeded error"
    assert "$c step exit code 3 recorded" eq "$(kubectl get taskrun -n "$NS" "$tr" -o jsonpath='{.status.steps[0].terminated.exitCode}')" 3
  done
  tr=$(taskrun "$pr" attest)
  assert "attest TaskRun ran, verdict=error, empty attestation-digest" eq "$(tr_result "$tr" verdict)/$(tr_result "$tr" attestation-digest)" "error/"
  gate=$(taskrun "$pr" gate)
  assert "gate TaskRun ran and Succeeded=False" eq "$(tr_condition "$gate")" "False Failed"
  assert "gate wrote gate-summary.md, gate.json and gate-junit.xml" test -s "$ev/gate-summary.md" -a -s "$ev/gate.json" -a -s "$ev/gate-junit.xml"
  assert "gate-summary.md reports BLOCKED/FAILED" contains "$ev/gate-summary.md" 'BLOCKED|FAILED'
  assert "gate-summary.md names the checks' error verdict" contains "$ev/gate-summary.md" 'error'
}
