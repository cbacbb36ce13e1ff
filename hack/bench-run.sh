#!/usr/bin/env bash
# Compares `tollgate run` on the example pipeline with the same five step
# commands run by hand (sequentially, as a shell script would), on the same
# reviewed release, N times each (default 10). Needs `make build`.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10}
BIN=${BIN:-bin}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=examples/agent-release
pol=examples/platform/policy.yaml
pd="sha256:$(sha256sum "$pol" | cut -d' ' -f1)"

"$BIN/tollgate" keygen --unencrypted --output-prefix "$tmp/cosign" --log-level warn >/dev/null

byhand() {
  local out=$tmp/hand
  rm -rf "$out"
  for c in provenance secret-inventory permission-diff; do
    "$BIN/$c" --artifact "$src/release" --review "$src/review.yaml" --policy "$pol" --evidence-dir "$out/ev" --results-dir "$out/r/$c"
  done
  r() { cat "$out/r/$1/$2"; }
  local d=(--artifact-digest "$(r provenance artifact-digest)"
    --provenance-verdict "$(r provenance verdict)" --provenance-report-digest "$(r provenance report-digest)"
    --secret-inventory-verdict "$(r secret-inventory verdict)" --secret-inventory-report-digest "$(r secret-inventory report-digest)"
    --permission-diff-verdict "$(r permission-diff verdict)" --permission-diff-report-digest "$(r permission-diff report-digest)")
  "$BIN/attest" "${d[@]}" --review "$src/review.yaml" --policy "$pol" --policy-digest "$pd" --evidence-dir "$out/ev" --results-dir "$out/r/attest" --key "$tmp/cosign.key" --run-engine local
  "$BIN/gate" "${d[@]}" --attest-verdict "$(r attest verdict)" --attestation-digest "$(r attest attestation-digest)" \
    --key "$tmp/cosign.pub" --review "$src/review.yaml" --policy "$pol" --policy-digest "$pd" --evidence-dir "$out/ev" --results-dir "$out/r/gate"
}

run() {
  "$BIN/tollgate" run --bin-dir "$BIN" --param attestor-public-key="$tmp/cosign.pub" \
    --workspace signing="$tmp" --out "$tmp/run"
}

time_it() {
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$N"); do "$@" >/dev/null 2>&1 || { echo "bench-run: $1 failed; run it without the bench to see why" >&2; exit 1; }; done
  end=$(date +%s%N)
  echo $(((end - start) / N / 1000000))
}

hand_ms=$(time_it byhand)
run_ms=$(time_it run)
echo "five step commands by hand: ${hand_ms} ms per run (N=$N)"
echo "tollgate run (Tekton YAML validated, DAG, independent checks in parallel): ${run_ms} ms per run"
awk -v a="$run_ms" -v b="$hand_ms" 'BEGIN { if (b > 0) printf "ratio run/by-hand: %.2f\n", a / b }'
