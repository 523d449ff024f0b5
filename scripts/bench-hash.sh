#!/usr/bin/env bash
# Benchmark of the hash functions: on the 2 GiB bench model, `audit digest` with BLAKE3 beside `audit digest` with
# SHA-256 and beside `b3sum`; then one 2 GiB file in shard mode (`audit digest --shard-size`, SHA-256) beside
# `openssl dgst -sha256` on that file. Release build, page cache warm, best of N wall-clock runs each.
#
#   bash scripts/bench-hash.sh                  # what `make bench-hash` runs
#   BENCH_RUNS=5 bash scripts/bench-hash.sh     # more runs per tool
#   BENCH_SHARD_SIZE=268435456 bash …           # shard size in bytes (default 1 GiB)
#   BENCH_AUDIT=/path/to/audit bash …           # time this binary instead of building a release one
#
# `b3sum` is the Debian package of the same name; without it that row is skipped. The single file is the model's
# files concatenated, made once under out/bench/single/. MB/s counts 10^6 bytes. Not a test: it always exits 0
# once the figures are printed (1 when two tools disagree on a digest).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${BENCH_RUNS:-3}
SHARD_SIZE=${BENCH_SHARD_SIZE:-1073741824}
TARGET_BLAKE3_VS_SHA256=1.5
TARGET_BLAKE3_VS_B3SUM=0.5
TARGET_SHARDS_VS_OPENSSL=1.7
# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh

SINGLE_DIR=out/bench/single
SINGLE_FILE=$SINGLE_DIR/model.bin

make_single_file() {
    local total=0 name
    for name in "${NAMES[@]}"; do total=$((total + $(file_size "$MODEL_DIR/$name"))); done
    mkdir -p "$SINGLE_DIR"
    find "$SINGLE_DIR" -mindepth 1 ! -path "$SINGLE_FILE" -exec rm -rf {} +
    if [ "$(file_size "$SINGLE_FILE")" = "$total" ]; then return; fi
    say "making $SINGLE_FILE ($((total / 1048576)) MiB)"
    (cd "$MODEL_DIR" && cat "${NAMES[@]}") >"$SINGLE_FILE.tmp"
    mv -f "$SINGLE_FILE.tmp" "$SINGLE_FILE"
}

# timed NAME COMMAND...: like best_of, but prints "wall cpu" for the fastest run, cpu being user + system seconds
# (all threads). On a busy machine the wall times of a parallel tool say little; CPU seconds still show how much
# work each tool does per byte.
timed() {
    local label=$1 best="" cpu="" run took used log TIMEFORMAT
    shift
    log=$(mktemp)
    for run in $(seq "$RUNS"); do
        # Bash's own `time` keyword: it can time shell functions, and counts the user and system time of children.
        { TIMEFORMAT='%R %U %S'; time "$@" >/dev/null; } 2>"$log"
        took=$(tail -1 "$log" | awk '{ print $1 }')
        used=$(tail -1 "$log" | awk '{ printf "%.2f", $2 + $3 }')
        say "  $label run $run: ${took}s wall, ${used}s CPU"
        if [ -z "$best" ] || awk -v t="$took" -v b="$best" 'BEGIN { exit !(t < b) }'; then best=$took; cpu=$used; fi
    done
    rm -f "$log"
    printf '%s %s' "$best" "$cpu"
}

audit_sha256() { "$AUDIT" digest "$MODEL_DIR"; }
audit_blake3() { "$AUDIT" digest "$MODEL_DIR" --algorithm blake3; }
b3sum_all() { (cd "$MODEL_DIR" && b3sum "${NAMES[@]}"); }
openssl_single() { openssl dgst -sha256 "$SINGLE_FILE"; }
b3sum_one_core() { b3sum --num-threads 1 "$SINGLE_FILE"; }
audit_shards() { "$AUDIT" digest "$SINGLE_DIR" --shard-size "$SHARD_SIZE"; }

generate_model
make_single_file
build_audit
[ -x "$AUDIT" ] || { say "bench-hash: no audit binary at $AUDIT"; exit 2; }
HAVE_B3SUM=0
command -v b3sum >/dev/null 2>&1 && HAVE_B3SUM=1

TOTAL_BYTES=0
for name in "${NAMES[@]}"; do TOTAL_BYTES=$((TOTAL_BYTES + $(file_size "$MODEL_DIR/$name"))); done
SINGLE_BYTES=$(file_size "$SINGLE_FILE")

say "warming the page cache"
cat "$MODEL_DIR"/* "$SINGLE_FILE" >/dev/null

# The tools must agree before their speeds mean anything.
if [ $HAVE_B3SUM = 1 ]; then
    if [ "$(audit_blake3 | sort)" != "$(b3sum_all | sort)" ]; then
        say "bench-hash: audit digest --algorithm blake3 and b3sum disagree"
        exit 1
    fi
else
    say "b3sum not found (Debian package b3sum): its row is skipped"
fi
first_shard=$(audit_shards | head -1 | awk '{ print $1 }')
if [ "$first_shard" != "$(head -c "$SHARD_SIZE" "$SINGLE_FILE" | openssl dgst -sha256 -r | awk '{ print $1 }')" ]; then
    say "bench-hash: the first shard's digest is not openssl's SHA-256 of the first $SHARD_SIZE bytes"
    exit 1
fi

say "timing (best of $RUNS)"
read -r SHA256_SECONDS SHA256_CPU <<<"$(timed "audit digest (sha256)" audit_sha256)"
read -r BLAKE3_SECONDS BLAKE3_CPU <<<"$(timed "audit digest --algorithm blake3" audit_blake3)"
B3SUM_SECONDS=""
B3SUM_CPU=""
[ $HAVE_B3SUM = 1 ] && read -r B3SUM_SECONDS B3SUM_CPU <<<"$(timed "b3sum" b3sum_all)"
read -r OPENSSL_SECONDS OPENSSL_CPU <<<"$(timed "openssl dgst -sha256 (one file)" openssl_single)"
read -r SHARDS_SECONDS SHARDS_CPU <<<"$(timed "audit digest --shard-size (one file)" audit_shards)"
# The reference implementations on one core each: b3sum's hand-written SIMD (reading through mmap) beside OpenSSL's
# SHA-256 (`openssl dgst` is single-threaded). Their ratio is what BLAKE3's design gains over SHA-256 on this CPU.
B3SUM_ONE_SECONDS=""
B3SUM_ONE_CPU=""
if [ $HAVE_B3SUM = 1 ]; then
    read -r B3SUM_ONE_SECONDS B3SUM_ONE_CPU <<<"$(timed "b3sum --num-threads 1 (one file)" b3sum_one_core)"
fi

CORES=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
LOAD=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
awk -v total="$TOTAL_BYTES" -v single="$SINGLE_BYTES" -v files="${#NAMES[@]}" -v runs="$RUNS" -v cores="$CORES" \
    -v load="$LOAD" -v shard="$SHARD_SIZE" -v s="$SHA256_SECONDS" -v b="$BLAKE3_SECONDS" -v b3="$B3SUM_SECONDS" \
    -v o="$OPENSSL_SECONDS" -v sh="$SHARDS_SECONDS" -v sc="$SHA256_CPU" -v bc="$BLAKE3_CPU" -v b3c="$B3SUM_CPU" \
    -v oc="$OPENSSL_CPU" -v shc="$SHARDS_CPU" -v t1="$TARGET_BLAKE3_VS_SHA256" -v t2="$TARGET_BLAKE3_VS_B3SUM" \
    -v t3="$TARGET_SHARDS_VS_OPENSSL" -v b31="$B3SUM_ONE_SECONDS" -v b31c="${B3SUM_ONE_CPU:-}" '
    function row(name, bytes, secs, cpu) {
        printf "%-40s %8.3f %8.1f %8.2f\n", name, secs, bytes / 1e6 / secs, cpu
    }
    function ratio(label, value, target, cpuValue) {
        verdict = (value >= target) ? "reached" : "NOT reached"
        printf "%-40s %6.2fx (target >= %.1fx: %s)", label, value, target, verdict
        printf "; per CPU second %.2fx", cpuValue
        printf "\n"
    }
    BEGIN {
        printf "page cache warm, best of %d (wall), %s cores, load average %s\n", runs, cores, load
        printf "model: %.2f GiB in %d files\n", total / 2^30, files
        printf "%-40s %8s %8s %8s\n", "tool", "wall s", "MB/s", "CPU s"
        row("audit digest (sha256, parallel)", total, s, sc)
        row("audit digest --algorithm blake3", total, b, bc)
        if (b3 != "") row("b3sum", total, b3, b3c)
        printf "one file: %.2f GiB, shards of %d bytes\n", single / 2^30, shard
        row("openssl dgst -sha256", single, o, oc)
        row("audit digest --shard-size (sha256)", single, sh, shc)
        if (b31 != "") row("b3sum --num-threads 1", single, b31, b31c)
        ratio("ratio blake3 / our sha256:", s / b, t1, sc / bc)
        if (b3 != "") ratio("ratio blake3 / b3sum:", b3 / b, t2, b3c / bc)
        ratio("ratio shard mode / openssl dgst -sha256:", o / sh, t3, oc / shc)
        if (b31 != "") {
            printf "%-40s %6.2fx (b3sum --num-threads 1 / openssl dgst -sha256, one core each)\n", \
                "reference blake3 / sha256, one core:", o / b31
        }
        if (load + 0 > cores + 0) {
            print "note: the load average is above the core count; wall-clock ratios of parallel tools understate"
            print "      what they reach on an idle machine"
        }
    }'
