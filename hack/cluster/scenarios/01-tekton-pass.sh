# Scenario 1, Tekton: the example PipelineRun on the reviewed release
# succeeds, the gate's result is pass, and the attestation verifies with
# tollgate verify and with cosign.
SCENARIOS+=(tekton_pass)

start_tekton_pass() {
  PR_PASS=$(tekton_run pass)
  log "tekton_pass: PipelineRun $PR_PASS"
}

check_tekton_pass() {
  SCENARIO=tekton_pass
  wait_for "PipelineRun $PR_PASS" "$RUN_DEADLINE" pr_done "$PR_PASS" || return 1
  tekton_collect tekton_pass "$PR_PASS"
  local gate attest ev=$OUT/evidence/tekton_pass digest
  gate=$(taskrun "$PR_PASS" gate)
  attest=$(taskrun "$PR_PASS" attest)
  # Completed: Tekton's reason for a run that succeeded with skipped tasks
  # (hash-part and hash-merge, skipped at hash-parts=1).
  assert "PipelineRun $PR_PASS Succeeded=True (Completed: the fan-out skipped)" eq "$(pr_condition "$PR_PASS")" "True Completed"
  assert "TaskRun $gate Succeeded=True, result verdict=pass" eq "$(tr_condition "$gate") $(tr_result "$gate" verdict)" "True Succeeded pass"
  assert "PipelineRun result verdict=pass" eq "$(kubectl get pipelinerun -n "$NS" "$PR_PASS" -o jsonpath='{.status.results[?(@.name=="verdict")].value}')" pass
  digest=$(tr_result "$(taskrun "$PR_PASS" provenance)" artifact-digest)
  assert "provenance artifact-digest is the release's root digest" eq "$digest" "$ARTIFACT_DIGEST"
  echo "$digest" >"$OUT/evidence/tekton_pass.artifact-digest"
  assert "attestation-digest result is sha256 of release-gate.sigstore.json" eq "$(tr_result "$attest" attestation-digest)" "sha256:$(sha256sum "$ev/release-gate.sigstore.json" | cut -d' ' -f1)"
  assert "gate-summary.md, gate.json, gate-junit.xml written" test -s "$ev/gate-summary.md" -a -s "$ev/gate.json" -a -s "$ev/gate-junit.xml"
  assert "tollgate verify accepts the attestation" "$TG" verify --artifact-digest "$digest" --bundle "$ev/release-gate.sigstore.json" \
    --key "$KEYS/signing/cosign.pub" --policy-digest "$POLICY_DIGEST" --max-age 1h --log-level error
  assert "tollgate verify --oci finds it attached to the candidate" "$TG" verify --artifact-digest "$digest" --oci "$(cat "$RELEASES/pass.ref")" \
    --key "$KEYS/signing/cosign.pub" --policy-digest "$POLICY_DIGEST" --log-level error
  assert "cosign $COSIGN_VERSION verifies the attestation" "$(bin_dir cosign)/cosign" verify-blob-attestation \
    --bundle "$ev/release-gate.sigstore.json" --key "$KEYS/signing/cosign.pub" --type https://tollgate.dev/release-gate/v1 \
    --digest "${digest#sha256:}" --digestAlg sha256 --insecure-ignore-tlog
}
