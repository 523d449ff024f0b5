# Shared by the benchmark scripts (sourced, not run): the 2 GiB bench model, the release build of `audit`,
# and best-of-N timing. The caller sets RUNS and runs from the repository root.
#
# The model (6 files of random data, 2 GiB in all) is generated once under out/bench/model/ and reused while its
# file sizes are right. BENCH_AUDIT=/path/to/audit times that binary instead of building a release one;
# BENCH_SWIFT_FLAGS adds flags to the release build (scripts/release-build.sh).

MODEL_DIR=out/bench/model
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
    AUDIT=$(bash scripts/release-build.sh ${BENCH_SWIFT_FLAGS:-})
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
