#!/usr/bin/env bash
# bench-lint.sh: emmdev lint vs kubeconform v0.8.0 (-n 4 -strict) on the same
# input, the same schemas and the same machine, offline. One run reports the
# three sizes issue 9 sets targets for:
#
#   big   8,000 objects in 100 files          target emmdev/kubeconform <= 1.0
#   small one file of 80 objects               target <= 0.5
#   one   one file with one Deployment         target <= 1.0 (the typical pre-commit)
#   (goal for all three: 0.25)
#
#   1. installs kubeconform v0.8.0 with `go install` into a cache dir (not the repo);
#   2. generates the corpora with hack/gencorpus (the Go benchmarks' generator);
#      the one-Deployment file is internal/lint/testdata/resources/valid-deployment.yaml;
#   3. exports emmdev's embedded schemas in kubeconform's layout, so kubeconform
#      validates against exactly the same schemas with no network;
#   4. drops both binaries from the page cache and reads them back (same
#      state for both), checks both tools accept every input (a race between tools that
#      disagree means nothing), then runs them alternately (emmdev, kubeconform,
#      emmdev, ...) after warm-up runs, so load drift hits both alike;
#   5. prints per tool and input the MEDIAN wall time, median CPU time and
#      median peak RSS of all runs, the wall-time ratios against the targets,
#      and both binaries' sizes.
#
# Env: RUNS_SMALL (default 21, also used for "one"), RUNS_BIG (default 5),
#      WARMUP (default 2), SKIP_BIG=1, KEEP=1 (keep the work dir).
# A loaded machine makes every number noisy; the medians and the alternation
# keep the ratio honest, not the absolute times.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/emmdev/bench
KC_VERSION=v0.8.0
KC=$CACHE/kubeconform-$KC_VERSION/kubeconform
RUNS_SMALL=${RUNS_SMALL:-21}
RUNS_BIG=${RUNS_BIG:-5}
WARMUP=${WARMUP:-2}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/emmdev-bench.XXXXXX")
if [[ -z ${KEEP:-} ]]; then trap 'rm -rf "$WORK"' EXIT; fi

step() { printf '• %s\n' "$*"; }
ok() { printf '✓ %s\n' "$*"; }
die() { printf '✗ %s\n' "$*" >&2; exit 2; }

cd "$ROOT"
[[ -x /usr/bin/time ]] || die "needs GNU time at /usr/bin/time (apt-get install -y time)"

step "kubeconform $KC_VERSION"
if [[ ! -x $KC ]]; then
  mkdir -p "$(dirname "$KC")"
  GOBIN=$(dirname "$KC") go install "github.com/yannh/kubeconform/cmd/kubeconform@$KC_VERSION" ||
    die "go install kubeconform@$KC_VERSION failed (needs the Go module proxy once)"
fi
ok "kubeconform at $KC"

step "build emmdev"
go build -o "$WORK/emmdev" ./cmd/emmdev || die "go build ./cmd/emmdev"
ok "built into $WORK"

step "generate inputs"
go run ./hack/gencorpus -out "$WORK/small" -files 1 -objects 80 >/dev/null || die "gencorpus failed"
inputs=(one small)
if [[ -z ${SKIP_BIG:-} ]]; then
  go run ./hack/gencorpus -out "$WORK/big" -files 100 -objects 80 >/dev/null || die "gencorpus failed"
  inputs+=(big)
fi
mkdir -p "$WORK/one"
cp internal/lint/testdata/resources/valid-deployment.yaml "$WORK/one/deployment.yaml"
ok "inputs: ${inputs[*]} under $WORK"

step "export emmdev's schemas for kubeconform"
LOC=$(go run ./hack/bench/exportschemas -out "$WORK/schemas") || die "exportschemas failed"
ok "schema location $LOC"

emmdev_cmd() { echo "$WORK/emmdev lint $1"; }
kc_cmd() { echo "$KC -n 4 -strict -summary -kubernetes-version 1.37.2 -schema-location $LOC $1"; }

# The same page-cache state for both binaries: whether a binary's pages sit
# in the cache as the linker wrote them or as read back moves its start-up
# by up to ~30 ms here (measured on copies of one binary), more than most
# changes under test. Both are dropped from the cache and read back.
for bin in "$WORK/emmdev" "$KC"; do
  dd if="$bin" iflag=nocache count=0 status=none && cat "$bin" >/dev/null || die "resetting the page cache of $bin"
done

step "sanity: both tools accept every input"
for input in "${inputs[@]}"; do
  $(emmdev_cmd "$WORK/$input") >"$WORK/$input.emmdev.out" 2>&1 || { tail -5 "$WORK/$input.emmdev.out"; die "emmdev lint failed on $input"; }
  $(kc_cmd "$WORK/$input") >"$WORK/$input.kc.out" 2>&1 || { tail -5 "$WORK/$input.kc.out"; die "kubeconform failed on $input"; }
  ok "$input: emmdev: $(tail -1 "$WORK/$input.emmdev.out") | kubeconform: $(tail -1 "$WORK/$input.kc.out")"
done

# once NAME CMD: one timed run appended to $WORK/NAME.runs as
# "wall_s cpu_s rss_kb" (wall from bash's clock around GNU time, which
# adds the same small cost to both tools).
once() {
  local name=$1 cmd=$2 t0 t1 cpu rss
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%U %S %M' -o "$WORK/$name.time" $cmd >/dev/null 2>&1 || true
  t1=$EPOCHREALTIME
  read -r u s rss <"$WORK/$name.time"
  cpu=$(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}')
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.6f", b-a}') $cpu $rss" >>"$WORK/$name.runs"
}

# median FILE COLUMN
median() { sort -g -k"$2","$2" "$1" | awk -v c="$2" '{v[NR]=$c} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

declare -A wall cpu rss
for input in "${inputs[@]}"; do
  runs=$RUNS_SMALL; [[ $input == big ]] && runs=$RUNS_BIG
  step "$input: $WARMUP warm-up + $runs measured runs per tool, alternating"
  for ((i = 0; i < WARMUP + runs; i++)); do
    for tool in emmdev kubeconform; do
      case $tool in
        emmdev) cmd=$(emmdev_cmd "$WORK/$input") ;;
        kubeconform) cmd=$(kc_cmd "$WORK/$input") ;;
      esac
      if ((i < WARMUP)); then $cmd >/dev/null 2>&1 || true; continue; fi
      once "$input-$tool" "$cmd"
    done
  done
  for tool in emmdev kubeconform; do
    f="$WORK/$input-$tool.runs"
    wall[$input-$tool]=$(median "$f" 1)
    cpu[$input-$tool]=$(median "$f" 2)
    rss[$input-$tool]=$(median "$f" 3)
  done
done

label() { case $1 in one) echo "1 Deployment" ;; small) echo "80 objects" ;; big) echo "8,000 objects" ;; esac; }
target() { case $1 in small) echo 0.5 ;; *) echo 1.0 ;; esac; }

echo
printf '%-14s %-17s %12s %12s %10s\n' input tool "wall (ms)" "cpu (ms)" "rss (MB)"
for input in "${inputs[@]}"; do
  for tool in emmdev kubeconform; do
    printf '%-14s %-17s %12.1f %12.1f %10.1f\n' "$(label "$input")" \
      "$([[ $tool == emmdev ]] && echo 'emmdev lint' || echo 'kubeconform -n 4')" \
      "$(awk -v w="${wall[$input-$tool]}" 'BEGIN{print w*1000}')" \
      "$(awk -v c="${cpu[$input-$tool]}" 'BEGIN{print c*1000}')" \
      "$(awk -v k="${rss[$input-$tool]}" 'BEGIN{print k/1024}')"
  done
done

echo
fail=0
for input in "${inputs[@]}"; do
  read -r ratio verdict < <(awk -v a="${wall[$input-emmdev]}" -v b="${wall[$input-kubeconform]}" -v lim="$(target "$input")" \
    'BEGIN {r=a/b; printf "%.2f %s\n", r, (r <= lim ? "PASS" : "FAIL")}')
  mem=$(awk -v a="${rss[$input-emmdev]}" -v b="${rss[$input-kubeconform]}" 'BEGIN {printf "%.2f", a/b}')
  printf '%-14s emmdev/kubeconform wall = %s (target <= %s, goal 0.25): %s; peak RSS ratio %s\n' \
    "$(label "$input"):" "$ratio" "$(target "$input")" "$verdict" "$mem"
  [[ $verdict == PASS ]] || fail=1
done
printf 'binary size: emmdev %.1f MB, kubeconform %.1f MB\n' \
  "$(awk -v s="$(stat -c %s "$WORK/emmdev")" 'BEGIN{print s/1048576}')" \
  "$(awk -v s="$(stat -c %s "$KC")" 'BEGIN{print s/1048576}')"
echo "(median of $RUNS_SMALL runs (1 Deployment, 80 objects) and $RUNS_BIG (8,000); machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
exit $fail
