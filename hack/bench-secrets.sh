#!/usr/bin/env bash
# bench-secrets.sh: scan the Go distribution's src/ tree with tollgate's
# secret scanner and with gitleaks v8.30.1 (built -tags gore2regex), in the
# same run, and report wall time, throughput, peak memory and finding
# counts. gitleaks runs twice: as installed, and with --max-archive-depth 3
# so that it opens the archives and compressed files tollgate opens.
# Targets (issues #4, #14): tollgate >= 10x gitleaks' throughput, peak
# memory < 256 MB, fewer findings than gitleaks on DIR (Go's src/ holds no
# live credential: every finding there is a false positive).
#
#   hack/bench-secrets.sh [-n RUNS] [--strict] [--before BIN] [DIR]
#
# --before BIN also measures another tollgate binary (for example one built
# from main) in the same run, so that before and after are compared on the
# same machine load.
#
# DIR defaults to "$(go env GOROOT)/src". gitleaks is built into
# $GITLEAKS_BIN_DIR (default ~/.cache/tollgate-bench/bin) when missing;
# outputs go to $BENCH_OUT (default /tmp/tollgate-bench-secrets). --strict exits
# 1 when a target is missed. Needs GNU time (/usr/bin/time, Debian "time").
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
strict=false
before=""
dir=""
while [[ $# -gt 0 ]]; do
	case "$1" in
	-n) runs="$2"; shift 2 ;;
	--strict) strict=true; shift ;;
	--before) before="$2"; shift 2 ;;
	-h | --help) sed -n '2,20p' "$0"; exit 0 ;;
	*) dir="$1"; shift ;;
	esac
done
dir="${dir:-$(go env GOROOT)/src}"
[[ -d "$dir" ]] || { echo "bench-secrets: $dir is not a directory" >&2; exit 2; }
[[ -z "$before" || -x "$before" ]] || { echo "bench-secrets: --before $before is not an executable" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "bench-secrets: needs GNU time (apt-get install time)" >&2; exit 2; }

out="${BENCH_OUT:-${TMPDIR:-/tmp}/tollgate-bench-secrets}"
bindir="${GITLEAKS_BIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tollgate-bench/bin}"
mkdir -p "$out" "$bindir"
bindir="$(cd "$bindir" && pwd)"

gitleaks="$bindir/gitleaks"
if [[ ! -x "$gitleaks" ]]; then
	echo "building gitleaks v8.30.1 (-tags gore2regex) into $bindir ..." >&2
	GOBIN="$bindir" go install -tags gore2regex github.com/zricethezav/gitleaks/v8@v8.30.1
fi
echo "building tollgate and its lean sibling scan-secrets ..." >&2
# As make build and go install ./cmd/... install them: side by side, so
# that tollgate hands scan-secrets to its sibling (internal/handoff).
CGO_ENABLED=0 go build -trimpath -o "$out/" ./cmd/tollgate ./cmd/scan-secrets

bytes=$(du -sb "$dir" | cut -f1)
files=$(find "$dir" -type f | wc -l)

# measure NAME CMD...: runs CMD $runs times, keeps the fastest wall time,
# the smallest CPU time (user + system) and the largest peak RSS. On a
# shared machine CPU time is the steadier figure: a short process loses
# more of its wall time to the scheduler than a long one.
measure() {
	local name="$1"; shift
	local best="" cpu="" peak=0
	for ((i = 1; i <= runs; i++)); do
		/usr/bin/time -f '%e %M %U %S' -o "$out/$name.time" "$@" >"$out/$name.stdout" 2>"$out/$name.stderr" || true
		read -r secs kb usr sys < <(tail -n 1 "$out/$name.time")
		c=$(awk -v u="$usr" -v s="$sys" 'BEGIN{printf "%.2f", u+s}')
		if [[ -z "$best" ]] || awk -v a="$secs" -v b="$best" 'BEGIN{exit !(a<b)}'; then best="$secs"; fi
		if [[ -z "$cpu" ]] || awk -v a="$c" -v b="$cpu" 'BEGIN{exit !(a<b)}'; then cpu="$c"; fi
		((kb > peak)) && peak=$kb
	done
	echo "$best $peak $cpu"
}

echo "corpus: $dir ($files files, $((bytes / 1024 / 1024)) MiB), $runs runs each, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if [[ -n "$before" ]]; then
	read -r b_secs b_kb b_cpu < <(measure tollgate-before "$before" scan-secrets "$dir" --format json --log-level error)
fi
read -r t_secs t_kb t_cpu < <(measure tollgate "$out/tollgate" scan-secrets "$dir" --format json --log-level error)
# The same binary with the hand-over turned off: the scan in tollgate's own
# process, after its ~1,000 package initialisers.
read -r p_secs p_kb p_cpu < <(TOLLGATE_NO_SIBLING=1 measure tollgate-in-process "$out/tollgate" scan-secrets "$dir" --format json --log-level error)
# Start-up: the same command on an empty directory (process start, package
# initialisers, flag parsing), which the figures above include.
empty="$out/empty"
mkdir -p "$empty"
read -r s_secs _ s_cpu < <(measure tollgate-startup "$out/tollgate" scan-secrets "$empty" --format json --log-level error)
read -r sp_secs _ sp_cpu < <(TOLLGATE_NO_SIBLING=1 measure tollgate-startup-in-process "$out/tollgate" scan-secrets "$empty" --format json --log-level error)
read -r g_secs g_kb g_cpu < <(measure gitleaks "$gitleaks" dir "$dir" --no-banner --log-level error --exit-code 0 \
	--report-format json --report-path "$out/gitleaks.json")
# The same work: tollgate opens archives and compressed files (zip, tar,
# gzip, bzip2, xz, zstd), which gitleaks does only when asked.
read -r a_secs a_kb a_cpu < <(measure gitleaks-archives "$gitleaks" dir "$dir" --no-banner --log-level error --exit-code 0 \
	--max-archive-depth 3 --report-format json --report-path "$out/gitleaks-archives.json")

t_found=$(grep -c '"rule":' "$out/tollgate.stdout" || true)
t_problems=$(awk '/"problems": \[/{p=1;next} p&&/"path":/{n++} /^\s*\],?$/{p=0} END{print n+0}' "$out/tollgate.stdout")
g_found=$(grep -c '"RuleID":' "$out/gitleaks.json" || true)
a_found=$(grep -c '"RuleID":' "$out/gitleaks-archives.json" || true)
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

mbps() { awk -v b="$bytes" -v s="$1" 'BEGIN{printf "%.1f", b/1048576/s}'; }
ratio=$(awk -v t="$t_secs" -v g="$g_secs" 'BEGIN{printf "%.1f", g/t}')
aratio=$(awk -v t="$t_secs" -v g="$a_secs" 'BEGIN{printf "%.1f", g/t}')
printf '%-10s %8s %7s %10s %9s %9s\n' tool "wall s" "cpu s" "MiB/s" "peak MB" findings
if [[ -n "$before" ]]; then
	b_found=$(grep -c '"rule":' "$out/tollgate-before.stdout" || true)
	printf '%-10s %8s %7s %10s %9d %9s\n' before "$b_secs" "$b_cpu" "$(mbps "$b_secs")" $((b_kb / 1024)) "$b_found"
fi
printf '%-10s %8s %7s %10s %9d %9s\n' tollgate "$t_secs" "$t_cpu" "$(mbps "$t_secs")" $((t_kb / 1024)) "$t_found (+$t_problems not scanned)"
printf '%-10s %8s %7s %10s %9d %9s\n' "in-process" "$p_secs" "$p_cpu" "$(mbps "$p_secs")" $((p_kb / 1024)) "$(grep -c '"rule":' "$out/tollgate-in-process.stdout" || true) (TOLLGATE_NO_SIBLING=1)"
printf '%-10s %8s %7s %10s %9d %9s\n' gitleaks "$g_secs" "$g_cpu" "$(mbps "$g_secs")" $((g_kb / 1024)) "$g_found"
printf '%-10s %8s %7s %10s %9d %9s\n' "gitleaks+a" "$a_secs" "$a_cpu" "$(mbps "$a_secs")" $((a_kb / 1024)) "$a_found (--max-archive-depth 3)"
cratio=$(awk -v t="$t_cpu" -v g="$g_cpu" 'BEGIN{printf "%.1f", g/t}')
echo "speed-up: ${ratio}x gitleaks in wall time (target >= 10x), ${cratio}x in CPU time, ${aratio}x gitleaks opening archives as tollgate does; tollgate peak $((t_kb / 1024)) MB (target < 256 MB)"
if [[ -n "$before" ]]; then
	echo "before: $(awk -v t="$b_secs" -v g="$g_secs" 'BEGIN{printf "%.1f", g/t}')x gitleaks in wall time, $(awk -v t="$b_cpu" -v g="$g_cpu" 'BEGIN{printf "%.1f", g/t}')x in CPU time; after/before: wall $(awk -v t="$t_secs" -v b="$b_secs" 'BEGIN{printf "%.2f", t/b}'), CPU $(awk -v t="$t_cpu" -v b="$b_cpu" 'BEGIN{printf "%.2f", t/b}')"
fi
echo "tollgate start-up (empty directory): ${s_secs} s wall, ${s_cpu} CPU-s, included in its figures above; in process: ${sp_secs} s wall, ${sp_cpu} CPU-s"
echo "in process (TOLLGATE_NO_SIBLING=1): $(awk -v t="$p_secs" -v g="$g_secs" 'BEGIN{printf "%.1f", g/t}')x gitleaks in wall time, $(awk -v t="$p_cpu" -v g="$g_cpu" 'BEGIN{printf "%.1f", g/t}')x in CPU time"
echo "outputs: $out/tollgate.stdout, $out/gitleaks.json"

ok=true
awk -v r="$ratio" 'BEGIN{exit !(r>=10)}' || ok=false
((t_kb < 256 * 1024)) || ok=false
((t_found < g_found)) || ok=false
if $ok; then echo "targets: met"; else echo "targets: NOT met"; $strict && exit 1; fi
exit 0
