#!/usr/bin/env bash
# Regenerates the reviewed state of the example release, so that a bare
# `tollgate run` (examples/tekton/pipelinerun.yaml on examples/agent-release/,
# policy workspace examples/platform/) passes: examples/agent-release/review.yaml,
# a fresh demo approver's approval in approvals/ (given under the policy),
# examples/platform/policy.yaml trusting that approver, and the policy's
# digest as the default of the Pipeline's policy-digest param (the operator
# constant). The approver's private key is thrown away. Run it after changing
# anything under examples/agent-release/release/, the policy, or the review
# record format.
set -euo pipefail
cd "$(dirname "$0")/.."
ex=examples/agent-release
platform=examples/platform
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tg=${TOLLGATE:-}
if [ -z "$tg" ]; then
  go build -o "$tmp/tollgate" ./cmd/tollgate
  tg=$tmp/tollgate
fi
"$tg" keygen --unencrypted --output-prefix "$tmp/approver" --log-level warn
{
  cat <<'YAML'
# The platform-owned policy of the example, written by hack/example-review.sh.
# It is NOT part of the release: the pipeline reads it from its own read-only
# workspace (policy), and attest and gate accept it only under the digest
# pinned in examples/tekton/pipeline.yaml (param policy-digest). The approver
# is a throw-away demo key; the attestor key comes from the run: `tollgate
# run` passes its ephemeral signing key to the gate (param
# attestor-public-key). In a cluster, list the release bot under
# spec.attestors instead.
apiVersion: tollgate.dev/v1alpha1
kind: ReleasePolicy
metadata:
  name: support-agent-example
spec:
  approvals:
    required: 1
    approvers:
    - name: demo-approver
      publicKey: |
YAML
  sed 's/^/        /' "$tmp/approver.pub"
} >"$platform/policy.yaml"
digest="sha256:$(sha256sum "$platform/policy.yaml" | cut -d' ' -f1)"
sed -i -E "s/^(      default: )sha256:[0-9a-zA-Z_]+\$/\1$digest/" examples/tekton/pipeline.yaml
grep -q "default: $digest" examples/tekton/pipeline.yaml
# the same operator constant in the Argo Workflow and the GitOps verifiers
sed -i -E "/- name: policy-digest/{n;s/^(        value: )sha256:[0-9a-f]+\$/\1$digest/}" examples/argo/workflow.yaml
grep -q "value: $digest" examples/argo/workflow.yaml
sed -i -E "/- name: POLICY_DIGEST/{n;s/^( +value: )sha256:[0-9a-f]+\$/\1$digest/}" examples/gitops/argocd-presync-hook.yaml examples/gitops/kargo-verification.yaml
grep -q "value: $digest" examples/gitops/argocd-presync-hook.yaml
grep -q "value: $digest" examples/gitops/kargo-verification.yaml
rm -rf "$ex/approvals"
"$tg" review "$ex/release" -o "$ex/review.yaml" --name support-agent --log-level warn
"$tg" approve --yes "$ex/review.yaml" --policy "$platform/policy.yaml" --key "$tmp/approver.key" --log-level warn
echo "example-review: wrote $ex/review.yaml, $ex/approvals/, $platform/policy.yaml ($digest, pinned in examples/tekton/pipeline.yaml, examples/argo/workflow.yaml and examples/gitops/)"
