#!/usr/bin/env bash
# Writes tasks/argo/cluster/<name>.yaml, the ClusterWorkflowTemplate of each
# tasks/argo/<name>.yaml WorkflowTemplate: the same document with kind
# ClusterWorkflowTemplate and templateRefs marked clusterScope.
# internal/engines' tests fail when the two drift apart.
set -euo pipefail
cd "$(dirname "$0")/../tasks/argo"
mkdir -p cluster
for f in *.yaml; do
  {
    echo "# Generated from tasks/argo/$f by hack/gen-argo-cluster.sh; do not edit."
    sed -e 's/^kind: WorkflowTemplate$/kind: ClusterWorkflowTemplate/' \
        -e 's/^\( *\)templateRef:$/\1templateRef:\n\1  clusterScope: true/' "$f"
  } >"cluster/$f"
done
