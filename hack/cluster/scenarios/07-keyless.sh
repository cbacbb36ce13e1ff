# Scenario 7, Tekton keyless: attest signs with no key at all. Its TaskRun
# runs as the ServiceAccount tollgate-signer, whose projected token
# (audience sigstore) in the oidc-token workspace the local Fulcio
# (hack/cluster/sigstore.sh) certifies; the signature is timestamped by the
# local timestamp authority; there is no Rekor. The gate verifies it against
# the policy's keyless attestor (that identity, under the trusted_root.json
# shipped next to policy.yaml in the policy ConfigMap), and from the host
# `tollgate verify --certificate-identity ... --trusted-root` accepts it,
# while another ServiceAccount's identity, or no trusted root, is refused.
SCENARIOS+=(keyless)

KEYLESS_SA=tollgate-signer
KEYLESS_ID=https://kubernetes.io/namespaces/$NS/serviceaccounts/$KEYLESS_SA
KEYLESS_OTHER_ID=https://kubernetes.io/namespaces/$NS/serviceaccounts/default
KEYLESS_ISSUER=https://$BRIDGE_IP:$APISERVER_PORT
KEYLESS_FULCIO=http://$BRIDGE_IP:${FULCIO_PORT:-5555}
KEYLESS_TSA=http://$BRIDGE_IP:${TSA_PORT:-5556}/api/v1/timestamp
KEYLESS_ROOT=$OUT/sigstore/trusted_root.json

# keyless_pipeline: the rendered example Pipeline as tollgate-release-keyless:
# pinned to the keyless policy, attest in signing-mode keyless against the
# local Fulcio and TSA with no Rekor, and an oidc-token workspace bound to
# attest only.
keyless_pipeline() {
  local src=$RENDERED/examples/tekton/pipeline.yaml dst=$OUT/objects/pipeline-keyless.yaml
  awk -v digest="$KEYLESS_POLICY_DIGEST" -v fulcio="$KEYLESS_FULCIO" -v tsa="$KEYLESS_TSA" '
    /^  name: tollgate-release$/ { print "  name: tollgate-release-keyless"; n++; next }
    /^      default: sha256:[0-9a-f]+$/ && length($2) == 71 { print "      default: " digest; n++; next }
    /^  results:$/ && !ws { print "    - name: oidc-token\n      description: A projected ServiceAccount token of audience sigstore, for attest only.\n      optional: true"; ws = 1; n++ }
    { print }
    /^          value: \$\(params\.attestation-ref\)$/ {
      print "        - name: signing-mode\n          value: keyless\n        - name: fulcio-url\n          value: " fulcio
      print "        - name: tsa-url\n          value: " tsa "\n        - name: rekor-url\n          value: \"\""; n++
    }
    /^          workspace: signing$/ { print "        - name: oidc-token\n          workspace: oidc-token"; n++ }
    END { if (n != 5) { print "keyless_pipeline: " n " of 5 edits applied" > "/dev/stderr"; exit 1 } }
  ' "$src" >"$dst"
  kubectl apply -n "$NS" -f "$dst" >/dev/null
}

start_keyless() {
  "$CLUSTER_DIR/sigstore.sh" up
  # The platform's keyless policy: the same approver, and as attestor the
  # ServiceAccount identity under the local Sigstore's trusted root, which
  # ships next to policy.yaml in the policy ConfigMap.
  local plat=$OUT/platform-keyless rel=$RELEASES/keyless
  mkdir -p "$plat"
  cp "$KEYLESS_ROOT" "$plat/trusted_root.json"
  {
    sed -n '1,/^  attestors:$/p' "$OUT/platform/policy.yaml" | sed '$d'
    printf '  attestors:\n  - name: e2e-release-bot-keyless\n    keyless:\n'
    printf '      issuer: %s\n      subject: %s\n      trustedRoot: trusted_root.json\n' "$KEYLESS_ISSUER" "$KEYLESS_ID"
  } >"$plat/policy.yaml"
  KEYLESS_POLICY_DIGEST=sha256:$(sha256sum "$plat/policy.yaml" | cut -d' ' -f1)
  # The reviewed release, approved under this policy.
  rm -rf "$rel"
  cp -R "$RELEASES/pass" "$rel"
  rm -rf "$rel/approvals"
  "$TG" approve --yes "$rel/review.yaml" --policy "$plat/policy.yaml" --key "$KEYS/approver.key" --log-level error >/dev/null
  "$TG" push "$rel" "$POD_REGISTRY/tollgate-e2e/release:keyless" --allow-insecure-registry --log-level error >"$RELEASES/keyless.ref"

  kubectl create serviceaccount "$KEYLESS_SA" -n "$NS" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  kubectl create configmap tollgate-policy-keyless -n "$NS" --from-file=policy.yaml="$plat/policy.yaml" \
    --from-file=trusted_root.json="$plat/trusted_root.json" >/dev/null
  keyless_pipeline
  # The PipelineRun: the example's, with the keyless Pipeline and policy,
  # attest (only) running as tollgate-signer with its projected token, and
  # no signing Secret.
  local ref
  ref=$(cat "$RELEASES/keyless.ref")
  sed -e "s#registry.example.com/agents/support-release@sha256:0\{64\}#$ref#" \
    -e "s#^    name: tollgate-release\$#    name: tollgate-release-keyless#" \
    -e "s#name: tollgate-policy\$#name: tollgate-policy-keyless#" \
    -e "/^  params:\$/a\\    - name: allow-insecure-registry\\n      value: \"true\"\\n    - name: attestation-ref\\n      value: $ref" \
    -e "/^  taskRunTemplate:\$/i\\  taskRunSpecs:\\n    - pipelineTaskName: attest\\n      serviceAccountName: $KEYLESS_SA" \
    -e '/^    - name: signing$/,$d' \
    "$RENDERED/examples/tekton/pipelinerun.yaml" >"$OUT/objects/pipelinerun-keyless.yaml"
  cat >>"$OUT/objects/pipelinerun-keyless.yaml" <<EOF
    - name: oidc-token
      projected:
        sources:
          - serviceAccountToken:
              audience: sigstore
              expirationSeconds: 600
              path: token
EOF
  grep -q "name: tollgate-release-keyless" "$OUT/objects/pipelinerun-keyless.yaml" || die "keyless: PipelineRun not rendered"
  PR_KEYLESS=$(kubectl create -n "$NS" -f "$OUT/objects/pipelinerun-keyless.yaml" -o jsonpath='{.metadata.name}')
  log "keyless: PipelineRun $PR_KEYLESS (attest as $KEYLESS_ID)"
}

# keyless_verify IDENTITY [ROOT]: tollgate verify of the keyless attestation
# for IDENTITY, under ROOT (empty: no --trusted-root, the public-good root).
keyless_verify() {
  local args=(verify --artifact-digest "$KEYLESS_DIGEST" --bundle "$OUT/evidence/keyless/release-gate.sigstore.json"
    --certificate-identity "$1" --certificate-oidc-issuer "$KEYLESS_ISSUER" --policy-digest "$KEYLESS_POLICY_DIGEST"
    --max-age 1h --log-level error)
  [ -z "${2:-}" ] || args+=(--trusted-root "$2")
  "$TG" "${args[@]}"
}

# refuses COMMAND...: COMMAND exits 1 (refused), not 0 and not a usage error.
refuses() {
  local rc=0
  "$@" >"$OUT/evidence/keyless/refused.txt" 2>&1 || rc=$?
  [ "$rc" -eq 1 ] || { echo "    exit $rc, want 1: $(head -c 600 "$OUT/evidence/keyless/refused.txt")" >&2; return 1; }
  sed 's/^/    /' "$OUT/evidence/keyless/refused.txt" | head -3 >&2
}

# no_tlog_entry BUNDLE: the bundle's verificationMaterial has no tlogEntries.
no_tlog_entry() {
  ! tr -d ' \n\t' <"$1" | grep -q '"tlogEntries":\[{'
}

check_keyless() {
  SCENARIO=keyless
  wait_for "PipelineRun $PR_KEYLESS" "$RUN_DEADLINE" pr_done "$PR_KEYLESS" || return 1
  tekton_collect keyless "$PR_KEYLESS"
  local gate attest ev=$OUT/evidence/keyless
  gate=$(taskrun "$PR_KEYLESS" gate)
  attest=$(taskrun "$PR_KEYLESS" attest)
  KEYLESS_DIGEST=$(tr_result "$(taskrun "$PR_KEYLESS" provenance)" artifact-digest)
  assert "PipelineRun $PR_KEYLESS Succeeded=True" eq "$(pr_condition "$PR_KEYLESS")" "True Completed"
  assert "attest TaskRun ran as ServiceAccount $KEYLESS_SA" eq "$(kubectl get taskrun -n "$NS" "$attest" -o jsonpath='{.spec.serviceAccountName}')" "$KEYLESS_SA"
  assert "gate TaskRun Succeeded=True, verdict=pass (policy attestor: keyless $KEYLESS_SA)" eq "$(tr_condition "$gate") $(tr_result "$gate" verdict)" "True Succeeded pass"
  assert "the bundle carries a Fulcio certificate and an RFC 3161 timestamp, no Rekor entry" \
    grep -q '"certificate"' "$ev/release-gate.sigstore.json"
  assert "  ... with a signed timestamp" grep -q '"rfc3161Timestamps"' "$ev/release-gate.sigstore.json"
  assert "  ... and no transparency log entry" no_tlog_entry "$ev/release-gate.sigstore.json"
  assert "tollgate verify accepts it for $KEYLESS_ID under the local trusted root" keyless_verify "$KEYLESS_ID" "$KEYLESS_ROOT"
  assert "cosign $COSIGN_VERSION verifies it for that identity under the same root (signed timestamp; no tlog, no SCT)" \
    "$(bin_dir cosign)/cosign" verify-blob-attestation --bundle "$ev/release-gate.sigstore.json" --trusted-root "$KEYLESS_ROOT" \
    --certificate-identity "$KEYLESS_ID" --certificate-oidc-issuer "$KEYLESS_ISSUER" --type https://tollgate.dev/release-gate/v1 \
    --digest "${KEYLESS_DIGEST#sha256:}" --digestAlg sha256 --use-signed-timestamps --insecure-ignore-tlog --insecure-ignore-sct
  assert "tollgate verify refuses it for another ServiceAccount ($KEYLESS_OTHER_ID)" refuses keyless_verify "$KEYLESS_OTHER_ID" "$KEYLESS_ROOT"
  assert "tollgate verify refuses it without the trusted root (public-good root)" refuses keyless_verify "$KEYLESS_ID"
  assert "tollgate verify refuses it under a root without the TSA (no verified time)" refuses keyless_verify "$KEYLESS_ID" "$OUT/sigstore/trusted_root-no-tsa.json"
}
