#!/usr/bin/env bash
# Compares `tollgate hash` with the practical limit of this machine, on the
# same files, in the same run (issues #2 and #16):
#   limit       N `openssl dgst -sha256` processes side by side (N = cores),
#               each over its share of the files (round-robin by name);
#   sequential  one `openssl dgst -sha256` over every file;
#   tollgate    `tollgate hash` in files mode and in shards mode (shards of
#               BENCH_SHARD_MB, so every file is split across several shards).
# The tree is 8 files of BENCH_MB MB of random data, page cache warm. Each
# figure is the best of 3 wall-clock runs; the ratio is limit time / tollgate
# time ("of limit": 1.00 is as fast as N openssl processes). CPU seconds
# (user+sys, least of 3) compare the work per byte, which a busy machine
# disturbs far less than wall time. The 1-minute load
# average is printed beside the figures: on a shared machine they are only a
# record when it is below 1.0 (BENCH_QUIET=1 waits up to 30 minutes for that).
# Usage: hack/bench-hash.sh [WORKDIR]   (needs 8 x BENCH_MB MB free)
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${BENCH_MB:-256}
shard_mb=${BENCH_SHARD_MB:-100}
cores=$(nproc)
work=${1:-$(mktemp -d /var/tmp/tollgate-bench.XXXXXX)}
trap 'rm -rf "$work"' EXIT
bin=$(pwd)/bin/tollgate
[ -x "$bin" ] || make -s build

load() { cut -d' ' -f1 /proc/loadavg; }
if [ "${BENCH_QUIET:-0}" = 1 ]; then
  for _ in $(seq 1 60); do
    awk -v l="$(load)" 'BEGIN{exit !(l < 1.0)}' && break
    echo "bench-hash: load $(load), waiting for a quiet machine" >&2
    sleep 30
  done
fi

mkdir -p "$work/tree"
echo "bench-hash: writing 8 x ${mb} MB of random data under $work" >&2
for i in 1 2 3 4 5 6 7 8; do head -c "${mb}M" /dev/urandom >"$work/tree/shard-$i.bin"; done
cat "$work"/tree/*.bin >/dev/null # warm the page cache for every tool alike

# The limit: one openssl per core, each over every cores-th file.
cat >"$work/limit.sh" <<EOF
#!/usr/bin/env bash
set -euo pipefail
files=("$work"/tree/*.bin)
for ((p = 0; p < $cores; p++)); do
  share=()
  for ((i = p; i < \${#files[@]}; i += $cores)); do share+=("\${files[i]}"); done
  openssl dgst -sha256 "\${share[@]}" >/dev/null &
done
wait
EOF
chmod +x "$work/limit.sh"

best() { # best of 3 wall-clock seconds for a command; CPU seconds (user+sys) of the least
  local b=999999 c=999999 t u
  for _ in 1 2 3; do
    /usr/bin/time -o "$work/time" -f '%e %U %S' "$@" >/dev/null 2>&1
    read -r t u < <(tail -n1 "$work/time" | awk '{print $1, $2 + $3}')
    b=$(awk -v a="$b" -v x="$t" 'BEGIN{print (x<a)?x:a}')
    c=$(awk -v a="$c" -v x="$u" 'BEGIN{print (x<a)?x:a}')
  done
  echo "$b $c"
}
rss() { /usr/bin/time -o "$work/rss" -f '%M' "$@" >/dev/null 2>&1; tail -n1 "$work/rss"; }

load_before=$(load)
shard=$((shard_mb * 1000000))
read -r t_lim c_lim < <(best "$work/limit.sh")
read -r t_seq c_seq < <(best openssl dgst -sha256 "$work"/tree/*.bin)
read -r t_tg c_tg < <(best "$bin" hash "$work/tree" --log-level error)
read -r s_tg cs_tg < <(best "$bin" hash "$work/tree" --serialization shards --shard-size "$shard" --log-level error)
m_tg=$(rss "$bin" hash "$work/tree" --log-level error)
sm_tg=$(rss "$bin" hash "$work/tree" --serialization shards --shard-size "$shard" --log-level error)
load_after=$(load)

total_mb=$((8 * mb))
ratio() { awk -v l="$t_lim" -v t="$1" 'BEGIN{printf "%.2f", l/t}'; }
printf '%-46s %8s %8s %9s %8s %9s\n' "case (8 files, ${total_mb} MB, ${cores} cores)" "seconds" "MB/s" "of limit" "CPU s" "peak RSS"
row() { printf '%-46s %8s %8.0f %9s %8s %9s\n' "$1" "$2" "$(awk -v s="$2" -v m="$total_mb" 'BEGIN{print m/s}')" "$(ratio "$2")" "$3" "${4:-}"; }
row "limit: ${cores} x openssl dgst -sha256 in parallel" "$t_lim" "$c_lim"
row "openssl dgst -sha256, sequential" "$t_seq" "$c_seq"
row "tollgate hash (files)" "$t_tg" "$c_tg" "$((m_tg / 1024)) MB"
row "tollgate hash (shards of ${shard_mb} MB)" "$s_tg" "$cs_tg" "$((sm_tg / 1024)) MB"
echo "files:  $(ratio "$t_tg") of limit, $(awk -v a="$t_seq" -v b="$t_tg" 'BEGIN{printf "%.2fx", a/b}') sequential openssl (target >= 0.90 of limit)"
echo "shards: $(ratio "$s_tg") of limit, $(awk -v a="$t_seq" -v b="$s_tg" 'BEGIN{printf "%.2fx", a/b}') sequential openssl (target >= 0.90 of limit)"
echo "CPU per byte: tollgate files $(awk -v a="$c_tg" -v b="$c_lim" 'BEGIN{printf "%.2f", a/b}')x, shards $(awk -v a="$cs_tg" -v b="$c_lim" 'BEGIN{printf "%.2f", a/b}')x openssl's (load-independent: below 1.0 is cheaper than openssl)"
echo "peak memory: $((m_tg / 1024)) MB / $((sm_tg / 1024)) MB (target < 64 MB)"
echo "1-minute load average: ${load_before} before, ${load_after} after (figures are a record only below 1.0)"
