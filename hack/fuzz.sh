#!/usr/bin/env bash
# make fuzz: runs every Go fuzz target in the module for FUZZTIME each
# (default 30s). New crashers are written by `go test` under the package's
# testdata/fuzz/<Target>/ and fail the run; commit them as regression seeds
# once fixed. Usage: FUZZTIME=2m hack/fuzz.sh [PACKAGE_PATTERN]
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-30s}
pattern=${1:-./...}
failed=0
ran=0
while read -r pkg; do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(cd "$dir" && go test -list '^Fuzz' . | grep '^Fuzz' || true); do
    ran=$((ran + 1))
    echo "== $pkg $target ($fuzztime)"
    if ! go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" -fuzzminimizetime=50x "$pkg" 2>&1 | tail -n 3; then
      failed=$((failed + 1))
    fi
  done
done < <(go list "$pattern")
echo "fuzz: $ran targets, $failed failed"
[ "$failed" -eq 0 ]
