#!/usr/bin/env bash
# Benchmark: hashing a 2 GiB model directory, `openssl dgst -sha256` (one process, the usual baseline) against
# `audit digest` (release build, parallel across files), page cache warm, best of N runs each.
#
#   bash scripts/bench.sh                  # what `make bench` runs
#   BENCH_RUNS=5 bash scripts/bench.sh     # more runs per tool
#   BENCH_AUDIT=/path/to/audit bash …      # time this binary instead of building a release one
#   BENCH_SWIFT_FLAGS="--scratch-path .build-bench" bash …   # extra flags for `swift build -c release`
#
# The model (6 files of random data, 2 GiB in all) is generated once under out/bench/model/ and reused while its
# file sizes are right. MB/s counts 10^6 bytes. Not a test: it always exits 0 once the timings are printed.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${BENCH_RUNS:-3}
TARGET_RATIO=1.7
# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh

openssl_all() { (cd "$MODEL_DIR" && openssl dgst -sha256 -r "${NAMES[@]}"); }
audit_digest() { "$AUDIT" digest "$MODEL_DIR"; }

# ---- hook: `audit verify --model-dir` ------------------------------------------------------------------------
# Times `audit verify --model-dir` on a manifest signed over the bench model (signatures, manifest, every file).
# BENCH_VERIFY_CMD replaces the command; it gets $AUDIT and $BENCH_MODEL_DIR.
bench_verify() {
    export AUDIT BENCH_MODEL_DIR=$MODEL_DIR
    if [ -z "${BENCH_VERIFY_CMD:-}" ]; then
        local work=out/bench/verify
        rm -rf "$work"
        mkdir -p "$work/trust"
        "$AUDIT" keygen --algorithm ed25519 --out "$work/bench" >/dev/null
        cp "$work/bench.pub" "$work/trust/"
        printf '{"version": 1, "keys": [{"file": "bench.pub", "owner": "Bench", "roles": ["developer"]}]}\n' \
            > "$work/trust/trust.json"
        "$AUDIT" sign docs/examples/manifest.yaml --key "$work/bench.key" --model-dir "$MODEL_DIR" \
            -o "$work/model.json" >/dev/null
        BENCH_VERIFY_CMD="\"\$AUDIT\" verify $work/model.json --trust $work/trust --model-dir \"\$BENCH_MODEL_DIR\" >/dev/null"
    fi
    VERIFY_SECONDS=$(best_of "audit verify" bash -c "$BENCH_VERIFY_CMD")
}
# ---------------------------------------------------------------------------------------------------------------

generate_model
build_audit
[ -x "$AUDIT" ] || { say "bench: no audit binary at $AUDIT"; exit 2; }

TOTAL_BYTES=0
for name in "${NAMES[@]}"; do TOTAL_BYTES=$((TOTAL_BYTES + $(file_size "$MODEL_DIR/$name"))); done

say "warming the page cache"
cat "$MODEL_DIR"/* >/dev/null

# Both tools must agree before their speeds mean anything.
expected=$(openssl_all | awk '{ print $1 }' | sort)
observed=$(audit_digest | awk '{ print $1 }' | sort)
if [ "$expected" != "$observed" ]; then
    say "bench: audit digest and openssl disagree"
    exit 1
fi

say "timing (best of $RUNS)"
OPENSSL_SECONDS=$(best_of "openssl" openssl_all)
AUDIT_SECONDS=$(best_of "audit digest" audit_digest)
VERIFY_SECONDS=""
bench_verify

CORES=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
awk -v total="$TOTAL_BYTES" -v files="${#NAMES[@]}" -v runs="$RUNS" -v cores="$CORES" \
    -v o="$OPENSSL_SECONDS" -v a="$AUDIT_SECONDS" -v v="$VERIFY_SECONDS" -v target="$TARGET_RATIO" '
    function row(name, secs) { printf "%-34s %9.3f %9.1f\n", name, secs, total / 1e6 / secs }
    BEGIN {
        printf "hashing %.2f GiB in %d files, page cache warm, best of %d, %s cores\n", total / 2^30, files, runs, cores
        printf "%-34s %9s %9s\n", "tool", "seconds", "MB/s"
        row("openssl dgst -sha256 (1 process)", o)
        row("audit digest (parallel)", a)
        if (v != "") row("audit verify --model-dir", v)
        ratio = o / a
        verdict = ratio >= target ? "reached" : "NOT reached"
        printf "ratio audit/openssl: %.2fx (target >= %.1fx: %s)\n", ratio, target, verdict
    }'
