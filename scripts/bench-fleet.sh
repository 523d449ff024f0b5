#!/usr/bin/env bash
# Benchmark: `audit report --format json` over a synthetic fleet of signed manifests with the enterprise policy,
# one worker (`--jobs 1`, the single-core figure) beside every core (`--jobs $(nproc)`), at 1,000 and 10,000
# manifests: wall time (best of N), peak memory (max RSS), cost per manifest, and the speed-up as a ratio.
#
#   bash scripts/bench-fleet.sh                   # what `make bench-fleet` runs
#   BENCH_RUNS=5 bash scripts/bench-fleet.sh      # more runs per setting
#   BENCH_SIZES="1000" bash scripts/bench-fleet.sh
#   BENCH_AUDIT=/path/to/audit bash …             # time this binary instead of building a release one
#
# The fleets are generated once under out/bench/fleet-N/ by scripts/make-fleet.py (Python's `cryptography`).
# Targets from the design: ≤ 1.5 s wall and ≤ 300 MiB peak for 10,000 manifests on 2 cores. Not a test: it
# always exits 0 once the figures are printed.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${BENCH_RUNS:-3}
SIZES=${BENCH_SIZES:-"1000 10000"}
CORES=$(nproc 2>/dev/null || echo 2)

if [ -n "${BENCH_AUDIT:-}" ]; then
    AUDIT=$BENCH_AUDIT
else
    swift build -c release ${BENCH_SWIFT_FLAGS:-} >&2
    AUDIT="$(swift build -c release ${BENCH_SWIFT_FLAGS:-} --show-bin-path)/audit"
fi

# One run: prints "seconds max-rss-kib" (time's last line).
measure() {
    local fleet=$1 jobs=$2 out
    out=$( { /usr/bin/time -f '%e %M' "$AUDIT" report "$fleet" --trust keys --policy policies/enterprise-default.yaml \
        --store manifests --at 2026-10-01T00:00:00Z --format json --output /dev/null --jobs "$jobs" >/dev/null; } \
        2>&1 | tail -1 || true)   # the fleet has non-compliant models: audit exits 1 by design
    echo "$out"
}

printf '%-8s %-6s %10s %12s %14s\n' manifests jobs "wall (s)" "peak (MiB)" "ms/manifest"
for size in $SIZES; do
    fleet=out/bench/fleet-$size
    if [ "$(ls "$fleet" 2>/dev/null | wc -l)" -ne "$size" ]; then
        rm -rf "$fleet"
        python3 scripts/make-fleet.py "$size" "$fleet" >&2
    fi
    declare -A best=()
    for jobs in 1 "$CORES"; do
        wall=999999; peak=0
        for _ in $(seq "$RUNS"); do
            read -r seconds kib < <(measure "$fleet" "$jobs")
            wall=$(awk -v a="$wall" -v b="$seconds" 'BEGIN { print (b < a) ? b : a }')
            peak=$(awk -v a="$peak" -v b="$kib" 'BEGIN { print (b > a) ? b : a }')
        done
        best[$jobs]=$wall
        printf '%-8s %-6s %10.2f %12.1f %14.3f\n' "$size" "$jobs" "$wall" "$(awk -v k="$peak" 'BEGIN { print k / 1024 }')" \
            "$(awk -v s="$wall" -v n="$size" 'BEGIN { print s * 1000 / n }')"
    done
    printf '%-8s speed-up with %s jobs: %.2fx\n' "$size" "$CORES" \
        "$(awk -v a="${best[1]}" -v b="${best[$CORES]}" 'BEGIN { print a / b }')"
    unset best
done
