# Scenario 5, GitOps: the Argo CD PreSync hook's Job spec (examples/gitops),
# rendered with the local image, the policy digest and the promoted image
# (what kustomize replacements put there: the candidate, REF@sha256), runs as
# a Job reading the attestation attest attached to that digest:
# Complete for the PASSED release (scenario 1), Failed for the FAILED one
# (scenario 2).
SCENARIOS+=(gitops)

start_gitops() { :; }

# presync_job NAME RELEASE: creates the hook Job promoting RELEASE's
# candidate; prints its name.
presync_job() {
  local ref
  ref=$(cat "$RELEASES/$2.ref")
  sed -e "s#^  name: tollgate-verify\$#  name: tollgate-verify-$1#" \
    -e "/- name: POLICY_DIGEST\$/{n;s#value: .*#value: $POLICY_DIGEST#}" \
    -e "/- name: PROMOTED_IMAGE\$/{n;n;s#value: .*#value: $ref#}" \
    "$RENDERED/examples/gitops/argocd-presync-hook.yaml" >"$OUT/objects/presync-$1.yaml"
  kubectl create -n "$NS" -f "$OUT/objects/presync-$1.yaml" -o jsonpath='{.metadata.name}'
}

job_done() {
  local c
  c=$(kubectl get job -n "$NS" "$1" -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}')
  case " $c" in *" Complete "* | *" Failed "*) return 0 ;; esac
  return 1
}

job_state() {
  kubectl get job -n "$NS" "$1" -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}' | tr ' ' '\n' | grep -xE 'Complete|Failed'
}

check_gitops() {
  SCENARIO=gitops
  local ok=0 pass fail
  [ -s "$OUT/evidence/tekton_pass.artifact-digest" ] && [ -s "$OUT/evidence/tekton_tampered.artifact-digest" ] ||
    { echo "    scenarios 1 and 2 left no artifact digests" >&2; return 1; }
  pass=$(presync_job passed pass)
  fail=$(presync_job failed tampered)
  wait_for "Job $pass" 300 job_done "$pass" || return 1
  wait_for "Job $fail" 300 job_done "$fail" || return 1
  kubectl get job -n "$NS" "$pass" "$fail" -o yaml >"$OUT/objects/gitops-jobs.yaml"
  kubectl logs -n "$NS" "job/$pass" >"$OUT/evidence/gitops-passed.log" 2>&1
  kubectl logs -n "$NS" "job/$fail" >"$OUT/evidence/gitops-failed.log" 2>&1
  assert "PreSync Job for the PASSED attestation: Complete" eq "$(job_state "$pass")" Complete || ok=1
  assert "its log says PASSED" contains "$OUT/evidence/gitops-passed.log" 'PASSED' || ok=1
  assert "PreSync Job for the FAILED attestation: Failed" eq "$(job_state "$fail")" Failed || ok=1
  assert "its log names the FAILED verdict" contains "$OUT/evidence/gitops-failed.log" 'FAILED' || ok=1
  return $ok
}
