#!/usr/bin/env bash
# Load figure (issue #16): a synthetic release of LOAD_FILES small files plus
# LOAD_GB GB of sparse weights (truncate -s: no disk, and reading a hole is
# cheap, so the figure is SHA-256 and walking, not the disk). Hashes it
#   - in one pass (tollgate hash, N = 1),
#   - in LOAD_PARTS parts, each part alone (one pod's throughput), then all
#     parts at once (one machine standing in for N pods), then the merge,
# and prints wall time and peak RSS per process (/usr/bin/time), checks that
# the merged root equals the single pass, and computes on paper what a 1 TB
# release costs on 1, 8 and 32 nodes from the measured per-part throughput.
# On the cluster's pods instead of host processes: hack/cluster/load-figure.sh.
# Usage: hack/load-figure.sh [WORKDIR]   (LOAD_FILES=100000 LOAD_GB=200 LOAD_PARTS=4)
set -euo pipefail
cd "$(dirname "$0")/.."
files=${LOAD_FILES:-100000}
gb=${LOAD_GB:-200}
parts=${LOAD_PARTS:-4}
work=${1:-$(mktemp -d /var/tmp/tollgate-load-figure.XXXXXX)}
trap 'rm -rf "$work"' EXIT
bin=$(pwd)/bin
[ -x "$bin/tollgate" ] || make -s build
[ -x /usr/bin/time ] || { echo "load-figure: /usr/bin/time missing (make deps)" >&2; exit 1; }

art="$work/release"
mkdir -p "$art/weights" "$art/prompts"
echo "load-figure: $files small files and $gb GB of sparse weights in $art ($(nproc) cores)" >&2
for ((d = 0; d < (files + 999) / 1000; d++)); do
  mkdir -p "$art/prompts/$d"
  n=$((files - d * 1000)); ((n > 1000)) && n=1000
  for ((i = 0; i < n; i++)); do printf 'prompt %d/%d\n' "$d" "$i" >"$art/prompts/$d/$i.md"; done
done
# 8 weight files of gb/8 GB each (decimal GB, as disks are sold)
for ((s = 1; s <= 8; s++)); do truncate -s "$((gb * 1000000000 / 8))" "$art/weights/shard-$s.safetensors"; done
bytes=$(du -b --apparent-size -s "$art" | cut -f1)

# measure LABEL COMMAND...: runs it under /usr/bin/time; prints the label,
# wall seconds and peak RSS in MB, and leaves "secs kb" in $work/time.
measure() {
  local label=$1; shift
  /usr/bin/time -o "$work/time" -f '%e %M' "$@" >"$work/out" 2>"$work/err" || { echo "load-figure: $label failed:" >&2; tail -5 "$work/err" >&2; return 1; }
  read -r secs kb <"$work/time"
  printf '%-34s %9ss %6s MB peak RSS\n' "$label" "$secs" "$((kb / 1024))"
}

echo "bytes: $bytes ($((bytes / 1000000000)) GB apparent), files: $((files + 8))"
measure "tollgate hash (N = 1)" "$bin/tollgate" hash "$art" --log-level error
single=$(cat "$work/out")
single_secs=$(cut -d' ' -f1 "$work/time")

# each part alone: one pod's throughput
max_part=0
for ((i = 1; i <= parts; i++)); do
  measure "tollgate hash --part $i/$parts (alone)" "$bin/tollgate" hash "$art" --part "$i/$parts" -o "$work/part-$i.json" --log-level error
  s=$(cut -d' ' -f1 "$work/time")
  max_part=$(awk -v a="$max_part" -v b="$s" 'BEGIN {print (b > a) ? b : a}')
done
measure "tollgate hash --merge" "$bin/tollgate" hash --merge "$work"/part-*.json --log-level error
merged=$(cat "$work/out")
merge_secs=$(cut -d' ' -f1 "$work/time")
[ "$merged" = "$single" ] || { echo "load-figure: merged root $merged differs from the single pass $single" >&2; exit 1; }
echo "merged root equals the single pass: $single"

# all parts at once on this machine
t0=$(date +%s.%N)
for ((i = 1; i <= parts; i++)); do
  /usr/bin/time -o "$work/ptime-$i" -f '%e %M' "$bin/tollgate" hash "$art" --part "$i/$parts" -o "$work/ppart-$i.json" --log-level error &
done
wait
t1=$(date +%s.%N)
peak=0
for ((i = 1; i <= parts; i++)); do
  kb=$(cut -d' ' -f2 "$work/ptime-$i")
  ((kb > peak)) && peak=$kb
done
printf '%-34s %9ss %6s MB peak RSS per process\n' "$parts parts at once, this machine" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')" "$((peak / 1024))"

# on paper: per-pod throughput = the bytes of one part over its time alone
# (the slowest part); a 1 TB release on K nodes runs K parts at once, one per
# node, plus the merge (which reads only the part manifests).
awk -v bytes="$bytes" -v parts="$parts" -v part="$max_part" -v single="$single_secs" -v merge="$merge_secs" 'BEGIN {
  per_pod = bytes / parts / part
  printf "single pass: %.2f GB/s; per pod (slowest part alone): %.2f GB/s\n", bytes / single / 1e9, per_pod / 1e9
  printf "1 TB on paper, from the per-pod figure (+ merge %.1fs):\n", merge
  n = split("1 8 32", nodes, " ")
  for (i = 1; i <= n; i++) {
    printf "  %2d node(s): %7.0f s\n", nodes[i], 1e12 / nodes[i] / per_pod + merge
  }
}'
