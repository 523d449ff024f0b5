#!/usr/bin/env bash
# A/B benchmark: two builds of `audit` over the same fleet, run in alternating pairs (A, B, A, B…), reported as the
# median wall and CPU time of each and the ratio of B's median to A's.
#
# On a shared machine one run can take 1.5 or 2.5 s depending on what else runs, far more than most changes move
# it; alternating the builds puts both through the same phases, and medians ignore the odd slow run. Even so, a set
# of pairs only separates changes larger than a few percent: repeat it before believing a smaller one.
#
#   bash scripts/bench-ab.sh OLD_AUDIT NEW_AUDIT              # 10 pairs, 10,000 manifests, every core
#   BENCH_PAIRS=12 BENCH_SIZE=1000 BENCH_JOBS=1 bash scripts/bench-ab.sh OLD NEW
#
# The fleet is the one `make bench-fleet` generates (scripts/make-fleet.py), with the enterprise policy and
# `--format json -o /dev/null`. Not a test: it always exits 0 once the figures are printed.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -ne 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
    echo "usage: bash scripts/bench-ab.sh OLD_AUDIT NEW_AUDIT (two executable builds of audit)" >&2
    exit 2
fi
PAIRS=${BENCH_PAIRS:-10}
SIZE=${BENCH_SIZE:-10000}
JOBS=${BENCH_JOBS:-$(nproc 2>/dev/null || echo 2)}
fleet=out/bench/fleet-$SIZE
if [ "$(ls "$fleet" 2>/dev/null | wc -l)" -ne "$SIZE" ]; then
    rm -rf "$fleet"
    python3 scripts/make-fleet.py "$SIZE" "$fleet" >&2
fi

# One run: prints "wall-seconds cpu-seconds" (user + system) from `/usr/bin/time`, which writes them to a file of its
# own so that audit's output and exit status stay out of it.
times=$(mktemp)
trap 'rm -f "$times"' EXIT
measure() {   # the fleet has non-compliant models: audit exits 1 by design
    /usr/bin/time -o "$times" -f '%e %U %S' "$1" report "$fleet" --trust keys \
        --policy policies/enterprise-default.yaml --store manifests --at 2026-10-01T00:00:00Z --format json \
        --output /dev/null --jobs "$JOBS" >/dev/null 2>&1 || true
    awk 'END { print $1, $2 + $3 }' "$times"
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $PAIRS pairs, $SIZE manifests, --jobs $JOBS"
walls_a=""; walls_b=""; cpus_a=""; cpus_b=""
for pair in $(seq "$PAIRS"); do
    read -r wall_a cpu_a < <(measure "$1")
    read -r wall_b cpu_b < <(measure "$2")
    printf 'pair %2s   A %6.2f s wall %6.2f s CPU   B %6.2f s wall %6.2f s CPU\n' "$pair" "$wall_a" "$cpu_a" \
        "$wall_b" "$cpu_b"
    walls_a+=" $wall_a"; walls_b+=" $wall_b"; cpus_a+=" $cpu_a"; cpus_b+=" $cpu_b"
done
for kind in wall CPU; do
    if [ "$kind" = wall ]; then a=$(echo "$walls_a" | median); b=$(echo "$walls_b" | median)
    else a=$(echo "$cpus_a" | median); b=$(echo "$cpus_b" | median); fi
    printf 'median %-4s  A %.3f s   B %.3f s   B/A %.3f\n' "$kind" "$a" "$b" \
        "$(awk -v a="$a" -v b="$b" 'BEGIN { print b / a }')"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
