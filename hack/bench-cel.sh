#!/usr/bin/env bash
# bench-cel.sh: what ten custom CEL rules add to `emmdev lint` on the
# 8,000-object corpus (issue 13: at most 30% of lint's wall time), measured
# on the binary a user runs, start-up included:
#
#   none  emmdev lint CORPUS
#   ten   emmdev lint --policy internal/celpolicy/testdata/bench-rules.yaml CORPUS
#
#   1. builds emmdev and generates the corpus with hack/gencorpus (the Go
#      benchmarks' generator); a private EMMDEV_CACHE, so the ten rules'
#      checks are cached after the first run as on a developer's machine;
#   2. checks both runs pass (exit 0, no finding: the rules hold on the corpus);
#   3. runs them alternately after warm-up runs, so load drift hits both alike;
#   4. prints the median wall time, CPU time (user+sys) and peak RSS of each,
#      and the ratios ten/none.
#
# Env: RUNS (default 9), WARMUP (default 2), KEEP=1 (keep the work dir), and
# GOGC/GOMEMLIMIT/GOMAXPROCS pass through to emmdev.
# On a loaded machine wall time means little: compare CPU time, and say so.
# The Go benchmarks (go test -bench LintCorpus ./internal/celpolicy/) measure
# the same in-process, without start-up.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-9}
WARMUP=${WARMUP:-2}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/emmdev-bench-cel.XXXXXX")
if [[ -z ${KEEP:-} ]]; then trap 'rm -rf "$WORK"' EXIT; fi

step() { printf '• %s\n' "$*"; }
die() { printf '✗ %s\n' "$*" >&2; exit 2; }

cd "$ROOT"
[[ -x /usr/bin/time ]] || die "needs GNU time at /usr/bin/time (apt-get install -y time)"
step "build emmdev, generate the corpus in $WORK"
go build -o "$WORK/emmdev" ./cmd/emmdev || die "go build ./cmd/emmdev"
go run ./hack/gencorpus -out "$WORK/corpus" >/dev/null || die "gencorpus failed"
RULES=$ROOT/internal/celpolicy/testdata/bench-rules.yaml
export EMMDEV_CACHE=$WORK/cache

cmd() {
  case $1 in
    none) echo "$WORK/emmdev lint $WORK/corpus" ;;
    ten) echo "$WORK/emmdev lint --policy $RULES $WORK/corpus" ;;
  esac
}

for v in none ten; do
  $(cmd $v) >"$WORK/$v.out" 2>&1 || { tail -5 "$WORK/$v.out"; die "$v: emmdev lint failed"; }
  step "$v: $(tail -1 "$WORK/$v.out")"
done

# once NAME: one timed run appended to $WORK/NAME.runs as "wall_s cpu_s rss_kb".
once() {
  local t0 t1 u s rss
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%U %S %M' -o "$WORK/$1.time" $(cmd "$1") >/dev/null 2>&1
  t1=$EPOCHREALTIME
  read -r u s rss <"$WORK/$1.time"
  awk -v a="$t0" -v b="$t1" -v u="$u" -v s="$s" -v r="$rss" 'BEGIN{printf "%.6f %.2f %d\n", b-a, u+s, r}' >>"$WORK/$1.runs"
}

# median FILE COLUMN
median() { sort -g -k"$2","$2" "$1" | awk -v c="$2" '{v[NR]=$c} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

load0=$(cut -d' ' -f1-3 /proc/loadavg)
step "$WARMUP warm-up + $RUNS measured runs each, alternating (load $load0)"
for ((i = 0; i < WARMUP + RUNS; i++)); do
  for v in none ten; do
    if ((i < WARMUP)); then $(cmd $v) >/dev/null 2>&1; else once $v; fi
  done
done

echo
printf '%-28s %10s %10s %10s\n' "" "wall (s)" "cpu (s)" "rss (MB)"
for v in none ten; do
  printf '%-28s %10.2f %10.2f %10.0f\n' "$([[ $v == none ]] && echo 'lint' || echo 'lint + ten CEL rules')" \
    "$(median "$WORK/$v.runs" 1)" "$(median "$WORK/$v.runs" 2)" "$(awk -v k="$(median "$WORK/$v.runs" 3)" 'BEGIN{print k/1024}')"
done
awk -v w0="$(median "$WORK/none.runs" 1)" -v w1="$(median "$WORK/ten.runs" 1)" \
  -v c0="$(median "$WORK/none.runs" 2)" -v c1="$(median "$WORK/ten.runs" 2)" \
  'BEGIN {printf "\nten rules add: wall %+.0f%%, cpu %+.0f%% (target: wall <= +30%%)\n", (w1/w0-1)*100, (c1/c0-1)*100}'
echo "(medians of $RUNS runs; machine: $(nproc) cores, load before $load0, after $(cut -d' ' -f1-3 /proc/loadavg))"
