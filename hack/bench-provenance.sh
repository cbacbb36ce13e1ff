#!/usr/bin/env bash
# Streams a 20 GB sparse-file artefact through `tollgate provenance` (issue
# #3) and reports wall time, throughput and peak RSS (/usr/bin/time -v),
# next to `openssl dgst -sha256` over the same file in the same run.
#   1. files serialization: the whole file is one resource (one core);
#   2. shards serialization (1 GB shards): parallel over all cores.
# Peak memory must stay under 128 MB whatever the file size.
# Usage: hack/bench-provenance.sh [WORKDIR]   (GB=20 by default; GB=2 for a quick run)
# Needs no disk space: the file is sparse.
set -euo pipefail
cd "$(dirname "$0")/.."
gb=${GB:-20}
work=${1:-$(mktemp -d /var/tmp/tollgate-bench-prov.XXXXXX)}
trap 'rm -rf "$work"' EXIT
bin=$work/tollgate
go build -o "$bin" ./cmd/tollgate

mkdir -p "$work/rel/model" "$work/ev" "$work/res"
truncate -s "${gb}G" "$work/rel/model/model.safetensors"
printf 'You are a support agent.\n' >"$work/rel/prompt.md"
bytes=$(stat -c %s "$work/rel/model/model.safetensors")

measure() { # label, command...: prints seconds and peak RSS in MB
  local label=$1
  shift
  /usr/bin/time -v -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  local secs rss
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$work/time")
  rss=$(awk -F': ' '/Maximum resident set size/{printf "%.1f", $2/1024}' "$work/time")
  awk -v l="$label" -v s="$secs" -v b="$bytes" -v r="$rss" \
    'BEGIN{printf "%-34s %8.2f s %9.1f MB/s  peak RSS %7s MB\n", l, s, b/1e6/s, r}'
  echo "$secs $rss" >"$work/last"
}

echo "bench-provenance: ${gb} GB sparse file ($bytes bytes), $(nproc) cores" >&2
for ser in files shards; do
  "$bin" review "$work/rel" -o "$work/review-$ser.yaml" --serialization "$ser" --log-level error >/dev/null
  measure "tollgate provenance ($ser)" "$bin" provenance --artifact "$work/rel" --review "$work/review-$ser.yaml" \
    --evidence-dir "$work/ev" --results-dir "$work/res" --log-level error
  read -r secs rss <"$work/last"
  grep -qx pass "$work/res/verdict" || { echo "verdict $(cat "$work/res/verdict"), want pass" >&2; exit 1; }
  awk -v r="$rss" 'BEGIN{exit !(r < 128)}' || { echo "peak RSS ${rss} MB is not under 128 MB" >&2; exit 1; }
  eval "t_$ser=$secs"
done
measure "openssl dgst -sha256" openssl dgst -sha256 "$work/rel/model/model.safetensors"
read -r t_os _ <"$work/last"
awk -v f="$t_files" -v s="$t_shards" -v o="$t_os" \
  'BEGIN{printf "ratio tollgate/openssl: files %.2f, shards %.2f (below 1 is faster)\n", f/o, s/o}'
