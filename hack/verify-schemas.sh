#!/usr/bin/env bash
# Fails when schemas/ differs from the schemas generated from the Go types.
# Fix with: go run ./hack/genschema schemas
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run ./hack/genschema "$tmp"
if ! diff -ru schemas "$tmp"; then
  echo "verify-schemas: schemas/ is stale; run: go run ./hack/genschema schemas" >&2
  exit 1
fi
echo "verify-schemas: schemas/ matches the Go types"
