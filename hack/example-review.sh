#!/usr/bin/env bash
# Regenerates the reviewed state of the example release, so that a bare
# `tollgate run` (examples/tekton/pipelinerun.yaml on examples/agent-release/)
# passes: examples/agent-release/review.yaml, a fresh demo approver's
# approval in approvals/, and policy.yaml trusting that approver. The
# approver's private key is thrown away. Run it after changing anything
# under examples/agent-release/release/ or the review record format.
set -euo pipefail
cd "$(dirname "$0")/.."
ex=examples/agent-release
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
# The example release's policy, written by hack/example-review.sh. The
# approver is a throw-away demo key; the attestor key comes from the run:
# `tollgate run` passes its ephemeral signing key to the gate
# (param attestor-public-key). In a cluster, list the release bot under
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
} >"$ex/policy.yaml"
rm -rf "$ex/approvals"
"$tg" review "$ex/release" -o "$ex/review.yaml" --name support-agent --log-level warn
"$tg" approve --yes "$ex/review.yaml" --key "$tmp/approver.key" --log-level warn
echo "example-review: wrote $ex/review.yaml, $ex/policy.yaml and $ex/approvals/"
