#!/usr/bin/env bash
# Builds the fuzz targets with libFuzzer and AddressSanitizer, then runs each for SECONDS (default 60).
#
#   bash Fuzz/fuzz.sh [SECONDS] [TARGET...]
#
# Each run starts from the seeds in Fuzz/Corpus/<target>/ and keeps what it discovers in Fuzz/corpus-run/<target>/;
# a crash, timeout or out-of-memory input is written to Fuzz/artifacts/<target>/ and makes the script fail.
# Prints, per target: executions, coverage (cov: edges, ft: features), corpus size and the outcome.
# FUZZ_BIN=<directory> runs binaries built earlier instead of building.
set -uo pipefail
cd "$(dirname "$0")"

SECONDS_PER_TARGET="${1:-60}"
shift || true
ALL_TARGETS=(FuzzStrictJSON FuzzEnvelope FuzzManifest FuzzPolicy FuzzScreeningCSV FuzzCustodyJSONL FuzzTrustIndex
             FuzzPEMKey FuzzOMSBundle)
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL_TARGETS[@]}")
# Limits for every run: memory per process, seconds per input, bytes per input (64 KiB covers every seed kind).
LIBFUZZER_OPTIONS=(-rss_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=1)

# The Swift runtime's own crash backtracer would otherwise handle the signal before libFuzzer can save the input.
export SWIFT_BACKTRACE=enable=no
SWIFT="${SWIFT:-swift}"
BUILD=("$SWIFT" build -c release -Xswiftc -sanitize=fuzzer,address)
if [ -n "${FUZZ_BIN:-}" ]; then
    # Already built (e.g. copies kept aside while the sources change): run those binaries as they are.
    BIN="$FUZZ_BIN"
else
    echo "building: ${BUILD[*]}"
    "${BUILD[@]}" || exit 1
    BIN="$("${BUILD[@]}" --show-bin-path)"
fi

dictionary_for() {
    case "$1" in
        FuzzPolicy) echo Dictionaries/policy.dict ;;
        FuzzScreeningCSV) echo Dictionaries/csv.dict ;;
        FuzzPEMKey) ;;
        *) echo Dictionaries/json.dict ;;
    esac
}

failed=()
summary=()
for target in "${TARGETS[@]}"; do
    mkdir -p "corpus-run/$target" "artifacts/$target" logs
    log="logs/$target.log"
    options=("${LIBFUZZER_OPTIONS[@]}" -max_total_time="$SECONDS_PER_TARGET" -artifact_prefix="artifacts/$target/")
    dictionary="$(dictionary_for "$target")"
    [ -z "$dictionary" ] || options+=(-dict="$dictionary")
    echo "running $target for ${SECONDS_PER_TARGET}s (log: Fuzz/$log)"
    "$BIN/$target" "${options[@]}" "corpus-run/$target" "Corpus/$target" >"$log" 2>&1
    status=$?
    # The last status line (e.g. "#123456 DONE cov: 812 ft: 2301 corp: 190/41Kb ...") and the final statistics.
    last="$(grep -E '^#[0-9]+' "$log" | tail -1)"
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
    ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
    corp="$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")"
    outcome="ok"
    if [ $status -ne 0 ]; then
        reason="$(grep -m1 -E 'ERROR: libFuzzer|ERROR: AddressSanitizer|fuzz invariant broken|Fatal error' "$log")"
        outcome="FAILED (exit $status): $reason"
        failed+=("$target")
        grep -E 'Test unit written to' "$log" | sed 's/^/    /'
    fi
    line="$(printf '%-18s execs %-10s cov %-6s ft %-7s corpus %-12s %s' "$target" "${execs:-?}" "${cov:-?}" \
        "${ft:-?}" "${corp:-?}" "$outcome")"
    echo "$line"
    summary+=("$line")
done

echo
echo "fuzzing summary (${SECONDS_PER_TARGET}s per target):"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "crashing targets: ${failed[*]} (reproducers in Fuzz/artifacts/; see Fuzz/README.md)"
    exit 1
fi
