#!/usr/bin/env bash
# Load test (issue #9): an artefact of 50,000 small files plus 20 GB of
# sparse weights. Reviews it, then runs the provenance check on it, and
# reports wall time and peak RSS of each step. Sparse files take no disk.
# The review is written as JSON: YAML encoding needs several KB per file.
# Usage: hack/bench-load.sh [WORKDIR]   (LOAD_FILES=50000 LOAD_GB=20)
set -euo pipefail
cd "$(dirname "$0")/.."
files=${LOAD_FILES:-50000}
gb=${LOAD_GB:-20}
work=${1:-$(mktemp -d /var/tmp/tollgate-load.XXXXXX)}
trap 'rm -rf "$work"' EXIT
bin=$(pwd)/bin
[ -x "$bin/tollgate" ] || make -s build

art="$work/release"
mkdir -p "$art/weights" "$art/prompts"
echo "load: creating $files small files and $gb GB of sparse weights in $art" >&2
for ((d = 0; d < files / 1000; d++)); do
  mkdir -p "$art/prompts/$d"
  for ((i = 0; i < 1000; i++)); do printf 'prompt %d/%d\n' "$d" "$i" >"$art/prompts/$d/$i.md"; done
done
for ((s = 1; s <= 4; s++)); do truncate -s "$((gb * 1000 / 4))M" "$art/weights/shard-$s.safetensors"; done

measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -o "$work/time" -f '%e %M' "$@" >"$work/out" 2>"$work/err" || { echo "load: $label failed:" >&2; tail -5 "$work/err" >&2; return 1; }
  read -r secs kb <"$work/time"
  printf '%-28s %8ss %8s MB peak RSS\n' "$label" "$secs" "$((kb / 1024))"
}
measure "tollgate hash" "$bin/tollgate" hash "$art" --log-level error
measure "tollgate review" "$bin/tollgate" review "$art" -o "$work/review.json" --log-level error
if [ -x "$bin/provenance" ]; then
  measure "provenance check" "$bin/provenance" --artifact "$art" --review "$work/review.json" \
    --evidence-dir "$work/evidence" --results-dir "$work/results" --log-level error
  echo "provenance verdict: $(cat "$work/results/verdict")"
fi
