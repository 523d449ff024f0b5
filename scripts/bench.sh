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

MODEL_DIR=out/bench/model
RUNS=${BENCH_RUNS:-3}
TARGET_RATIO=1.7
# Varied sizes, as a sharded checkpoint plus small side files would have: 640+512+384+256+160+96 = 2048 MiB.
NAMES=(model-00001-of-00004.safetensors model-00002-of-00004.safetensors model-00003-of-00004.safetensors
    model-00004-of-00004.safetensors embeddings.bin lm_head.bin)
SIZES_MIB=(640 512 384 256 160 96)

say() { printf '%s\n' "$*" >&2; }

file_size() { stat -c %s "$1" 2>/dev/null || stat -f %z "$1" 2>/dev/null || echo -1; }

# Seconds since the epoch with nanoseconds; differences computed with awk.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'; }

generate_model() {
    mkdir -p "$MODEL_DIR"
    # Anything else in the directory would be hashed by audit but not by openssl.
    local entry known name
    for entry in "$MODEL_DIR"/* "$MODEL_DIR"/.[!.]*; do
        [ -e "$entry" ] || [ -L "$entry" ] || continue
        known=0
        for name in "${NAMES[@]}"; do [ "$entry" = "$MODEL_DIR/$name" ] && known=1; done
        [ $known = 1 ] || { say "removing stray $entry"; rm -rf "$entry"; }
    done
    local i bytes path
    for i in "${!NAMES[@]}"; do
        path="$MODEL_DIR/${NAMES[$i]}"
        bytes=$((SIZES_MIB[i] * 1024 * 1024))
        if [ -f "$path" ] && [ ! -L "$path" ] && [ "$(file_size "$path")" = "$bytes" ]; then continue; fi
        say "generating $path (${SIZES_MIB[$i]} MiB of random data)"
        if ! openssl rand -out "$path.tmp" "$bytes" 2>/dev/null; then
            head -c "$bytes" /dev/urandom >"$path.tmp"
        fi
        mv -f "$path.tmp" "$path"
    done
}

build_audit() {
    if [ -n "${BENCH_AUDIT:-}" ]; then
        AUDIT=$BENCH_AUDIT
        return
    fi
    say "building audit (release)"
    # shellcheck disable=SC2086
    swift build -c release ${BENCH_SWIFT_FLAGS:-} >&2
    # shellcheck disable=SC2086
    AUDIT="$(swift build -c release ${BENCH_SWIFT_FLAGS:-} --show-bin-path)/audit"
}

# best_of NAME COMMAND...: runs COMMAND $RUNS times (stdout discarded) and prints the fastest time in seconds.
best_of() {
    local label=$1 best="" run start end took
    shift
    for run in $(seq "$RUNS"); do
        start=$(now)
        "$@" >/dev/null
        end=$(now)
        took=$(elapsed "$start" "$end")
        say "  $label run $run: ${took}s"
        if [ -z "$best" ] || awk -v t="$took" -v b="$best" 'BEGIN { exit !(t < b) }'; then best=$took; fi
    done
    printf '%s' "$best"
}

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
