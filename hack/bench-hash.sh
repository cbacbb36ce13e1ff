#!/usr/bin/env bash
# Compares `tollgate hash` with sequential `openssl dgst -sha256` over the
# same files, in the same run (issue #2):
#   1. a tree of 8 files of 256 MB, files serialization;
#   2. one 2 GB file, shards serialization (1 GB shards).
# Reports wall time, throughput, the ratio and tollgate's peak RSS.
# Usage: hack/bench-hash.sh [WORKDIR]   (needs ~4 GB free; BENCH_MB=64 for a quick run)
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${BENCH_MB:-256}
work=${1:-$(mktemp -d /var/tmp/tollgate-bench.XXXXXX)}
trap 'rm -rf "$work"' EXIT
bin=$(pwd)/bin/tollgate
[ -x "$bin" ] || make -s build

mkdir -p "$work/tree" "$work/big"
echo "bench-hash: writing 8 x ${mb} MB and 1 x $((8 * mb)) MB of random data under $work" >&2
for i in 1 2 3 4 5 6 7 8; do head -c "${mb}M" /dev/urandom >"$work/tree/shard-$i.bin"; done
cat "$work"/tree/*.bin >"$work/big/model.bin"
# warm the page cache for both tools alike
cat "$work"/tree/*.bin "$work/big/model.bin" >/dev/null

best() { # best of 3 wall-clock seconds for a command
  local b=999999 t
  for _ in 1 2 3; do
    /usr/bin/time -o "$work/time" -f '%e' "$@" >/dev/null 2>&1
    t=$(tail -n1 "$work/time")
    b=$(awk -v a="$b" -v c="$t" 'BEGIN{print (c<a)?c:a}')
  done
  echo "$b"
}
rss() { /usr/bin/time -o "$work/rss" -f '%M' "$@" >/dev/null 2>&1; tail -n1 "$work/rss"; }

total_mb=$((8 * mb))
shard=$((total_mb * 1000000 / 2)) # 1 GB shards at the default size: two shards
[ "$mb" -eq 256 ] && shard=1000000000
t_tg=$(best "$bin" hash "$work/tree" --log-level error)
t_os=$(best openssl dgst -sha256 "$work"/tree/*.bin)
m_tg=$(rss "$bin" hash "$work/tree" --log-level error)
s_tg=$(best "$bin" hash "$work/big" --serialization shards --shard-size "$shard" --log-level error)
s_os=$(best openssl dgst -sha256 "$work/big/model.bin")
sm_tg=$(rss "$bin" hash "$work/big" --serialization shards --shard-size "$shard" --log-level error)

printf '%-44s %8s %10s %8s\n' "case (${total_mb} MB in total)" "seconds" "MB/s" "peak RSS"
row() { printf '%-44s %8s %10.0f %8s\n' "$1" "$2" "$(awk -v s="$2" -v m="$total_mb" 'BEGIN{print m/s}')" "${3:-}"; }
row "tollgate hash (8 files, files)" "$t_tg" "$((m_tg / 1024)) MB"
row "openssl dgst -sha256 (8 files, sequential)" "$t_os"
row "tollgate hash (1 file, shards)" "$s_tg" "$((sm_tg / 1024)) MB"
row "openssl dgst -sha256 (1 file)" "$s_os"
echo "ratio files:  $(awk -v a="$t_os" -v b="$t_tg" 'BEGIN{printf "%.2fx", a/b}') faster than openssl (target >= 1.7x)"
echo "ratio shards: $(awk -v a="$s_os" -v b="$s_tg" 'BEGIN{printf "%.2fx", a/b}') faster than openssl (target >= 1.7x)"
echo "peak memory:  $((m_tg / 1024)) MB / $((sm_tg / 1024)) MB (target < 64 MB)"
