#!/usr/bin/env bash
# Benchmark: `audit verify` on a model with a 10-deep lineage and a 50-hop chain of custody, beside the same model
# verified without them; then `audit verify` and `audit lineage` on a diamond-shaped ancestry (BENCH_DIAMOND
# generations of two manifests, each naming both manifests of the generation above: 2^N paths through 2N distinct
# manifests). Best and median of N runs each. Prints figures; asserts nothing (not part of `make test`).
#
#   bash scripts/bench-lineage.sh                   # builds a release binary first
#   BENCH_AUDIT=.build/debug/audit bash …           # time this binary instead (say which build you report)
#   BENCH_RUNS=9 BENCH_DEPTH=10 BENCH_HOPS=50 BENCH_DIAMOND=64 bash …
#   BENCH_WORK=out/bench-lineage-big BENCH_HOPS=2000 bash …   # another work directory
#   BENCH_SWIFT_FLAGS="--scratch-path .build-bench" bash …   # extra flags for `swift build -c release`
#
# Everything is generated under out/bench-lineage/ on each run: three Ed25519 keys and a trust store, BENCH_DEPTH
# ancestor manifests in store/ (each a fine-tune of the one before, each naming its parent's envelope digest), the
# model on top, and BENCH_HOPS custody records (published, transfers and mirrors, one quantization, deployed).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${BENCH_RUNS:-5}
DEPTH=${BENCH_DEPTH:-10}
HOPS=${BENCH_HOPS:-50}
DIAMOND=${BENCH_DIAMOND:-64}
WORK=${BENCH_WORK:-out/bench-lineage}
AT=2030-01-01T00:00:00Z

say() { printf '%s\n' "$*" >&2; }
now() { date +%s.%N; }
sha256() { sha256sum "$1" | cut -c1-64; }

if [ -n "${BENCH_AUDIT:-}" ]; then
    AUDIT=$BENCH_AUDIT
    BUILD="binary $AUDIT"
else
    say "building audit (release)"
    # shellcheck disable=SC2086
    AUDIT=$(bash scripts/release-build.sh ${BENCH_SWIFT_FLAGS:-})
    BUILD="release build"
fi
audit() { "$AUDIT" "$@"; }
((HOPS >= 3)) || { say "BENCH_HOPS must be at least 3"; exit 64; }
((DIAMOND >= 1 && DIAMOND <= 64)) || { say "BENCH_DIAMOND must be between 1 and 64 (the generation limit)"; exit 64; }

rm -rf "$WORK"
mkdir -p "$WORK/keys" "$WORK/trust" "$WORK/store" "$WORK/manifests" "$WORK/weights" "$WORK/weights-q4" \
    "$WORK/diamond-store"
for key in developer host deployer; do
    audit keygen --out "$WORK/keys/$key" >/dev/null
    cp "$WORK/keys/$key.pub" "$WORK/trust/"
done
cat >"$WORK/trust/trust.json" <<'EOF'
{"version": 1, "keys": [
  {"file": "developer.pub", "owner": "Bench Developer", "roles": ["developer", "publisher"]},
  {"file": "host.pub", "owner": "Bench Host", "roles": ["host"]},
  {"file": "deployer.pub", "owner": "Bench Deployer", "roles": ["deployer"]}
]}
EOF
head -c 1048576 /dev/urandom >"$WORK/weights/model.safetensors"
head -c 262144 /dev/urandom >"$WORK/weights-q4/model-q4_0.gguf"

# manifest NAME [PARENT DIGEST]...: a minimal complete manifest; one parent is a fine-tune, more are a merge.
manifest() {
    local parents=" []" name=$1 relation=fine-tune
    shift
    [ $# -gt 2 ] && relation=merge
    if [ $# -ge 2 ]; then parents=""; fi
    while [ $# -ge 2 ]; do
        parents+=$'\n'"      - {name: \"$1\", relation: \"$relation\", manifestDigest: {sha256: \"$2\"}}"
        shift 2
    done
    set -- "$name"
    cat >"$WORK/manifests/$1.yaml" <<EOF
_type: "https://in-toto.io/Statement/v1"
subject: [{name: "model.safetensors", digest: {sha256: "$(sha256 "$WORK/weights/model.safetensors")"}}]
predicateType: "https://model-audit.dev/provenance/v1"
predicate:
  model: {name: "$1", version: "1.0.0", license: "Apache-2.0", format: "safetensors",
    source: "https://example.invalid/$1"}
  origin:
    developer: {name: "Bench Developer", country: "US", affiliations: []}
  hosting: {mode: "self-hosted"}
  lineage:
    parents:$parents
    datasets: []
  dataRetention: []
  audits: []
EOF
}

say "signing $DEPTH ancestors and the model"
manifest gen-01
audit sign "$WORK/manifests/gen-01.yaml" --key "$WORK/keys/developer.key" -o "$WORK/store/gen-01.json" >/dev/null
for ((i = 2; i <= DEPTH; i++)); do
    name=$(printf 'gen-%02d' "$i")
    parent=$(printf 'gen-%02d' $((i - 1)))
    manifest "$name" "$parent" "$(sha256 "$WORK/store/$parent.json")"
    audit sign "$WORK/manifests/$name.yaml" --key "$WORK/keys/developer.key" -o "$WORK/store/$name.json" >/dev/null
done
top=$(printf 'gen-%02d' "$DEPTH")
manifest model "$top" "$(sha256 "$WORK/store/$top.json")"
audit sign "$WORK/manifests/model.yaml" --key "$WORK/keys/developer.key" --model-dir "$WORK/weights" \
    -o "$WORK/model.json" >/dev/null

say "appending $HOPS custody records"
# Not beside the manifest (model.custody.jsonl), so the baseline runs without it.
bundle=$WORK/chain.custody.jsonl
hop() { audit custody append "$WORK/model.json" --custody "$bundle" --at "$AT" "$@" >/dev/null; }
hop --action published --actor "Bench Developer" --actor-country US --key "$WORK/keys/developer.key"
for ((i = 2; i < HOPS; i++)); do
    if ((i == HOPS / 2)); then
        hop --action quantized --actor "Bench Developer" --actor-country US --key "$WORK/keys/developer.key" \
            --model-dir "$WORK/weights-q4"
    elif ((i % 2 == 0)); then
        hop --action mirrored --actor "Bench Host" --actor-country IE --key "$WORK/keys/host.key"
    else
        hop --action transferred --actor "Bench Host" --actor-country DE --key "$WORK/keys/host.key"
    fi
done
hop --action deployed --actor "Bench Deployer" --actor-country US --key "$WORK/keys/deployer.key"

say "signing a $DIAMOND-generation diamond ($((2 * DIAMOND)) ancestors) and its model"
above=()
for ((i = DIAMOND; i >= 1; i--)); do
    current=()
    for side in left right; do
        name=$(printf 'diamond-%s-%02d' "$side" "$i")
        manifest "$name" "${above[@]}"
        audit sign "$WORK/manifests/$name.yaml" --key "$WORK/keys/developer.key" -o "$WORK/diamond-store/$name.json" \
            >/dev/null
        current+=("$name" "$(sha256 "$WORK/diamond-store/$name.json")")
    done
    above=("${current[@]}")
done
manifest diamond-model "${above[@]}"
audit sign "$WORK/manifests/diamond-model.yaml" --key "$WORK/keys/developer.key" --model-dir "$WORK/weights" \
    -o "$WORK/diamond-model.json" >/dev/null

cat >"$WORK/policy.yaml" <<EOF
version: 1
name: "Bench lineage and custody"
rules:
  - {id: ANCESTORS, type: lineage.ancestors-verified, severity: critical}
  - {id: DEPTH, type: lineage.max-depth, severity: high, maxDepth: $DEPTH}
  - {id: CUSTODY, type: custody.required, severity: critical}
  - id: ROLES
    type: custody.authorized-roles
    severity: critical
    actions: {published: [developer], mirrored: [host], transferred: [host], quantized: [developer],
      deployed: [deployer]}
  - {id: COUNTRIES, type: custody.hop-countries, severity: high, deny: [CN, RU]}
EOF

# time LABEL ARGS...: runs `audit verify` RUNS times; prints best and median wall time in milliseconds.
time_verify() {
    local label=$1 start end status
    shift
    local samples=()
    for ((run = 0; run < RUNS; run++)); do
        start=$(now)
        status=0
        audit verify "$WORK/model.json" --trust "$WORK/trust" --at "$AT" "$@" >/dev/null || status=$?
        end=$(now)
        if [ "$status" != 0 ]; then
            say "audit verify $* exited $status"
            audit verify "$WORK/model.json" --trust "$WORK/trust" --at "$AT" "$@" >&2 || true
            exit 1
        fi
        samples+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) * 1000 }')")
    done
    report_samples "$label" "${samples[@]}"
}

# report_samples LABEL MS...: prints the best and median of the samples.
report_samples() {
    local label=$1
    shift
    printf '%s\n' "$@" | sort -n | awk -v label="$label" -v runs="$RUNS" '
        { t[NR] = $1 }
        END { printf "%-44s best %8.1f ms   median %8.1f ms   (%d runs)\n", label, t[1], t[int((NR + 1) / 2)], runs }'
}

# time_audit LABEL ARGS...: runs `audit ARGS` RUNS times (it must exit 0) and reports the wall time.
time_audit() {
    local label=$1 start end status
    shift
    local samples=()
    for ((run = 0; run < RUNS; run++)); do
        start=$(now)
        status=0
        audit "$@" >/dev/null || status=$?
        end=$(now)
        if [ "$status" != 0 ]; then
            say "audit $* exited $status"
            audit "$@" >&2 || true
            exit 1
        fi
        samples+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) * 1000 }')")
    done
    report_samples "$label" "${samples[@]}"
}

printf 'audit verify (%s), %d-deep lineage, %d-hop custody chain, %s cores\n' \
    "$BUILD" "$DEPTH" "$HOPS" "$(nproc 2>/dev/null || echo '?')"
time_verify "signature + files only" --model-dir "$WORK/weights"
time_verify "--store (lineage)" --store "$WORK/store" --model-dir "$WORK/weights"
time_verify "--custody (chain)" --custody "$bundle" --model-dir "$WORK/weights-q4"
time_verify "--store --custody" --store "$WORK/store" --custody "$bundle" --model-dir "$WORK/weights-q4"
time_verify "--store --custody --policy" --store "$WORK/store" --custody "$bundle" --model-dir "$WORK/weights-q4" \
    --policy "$WORK/policy.yaml"

printf '\naudit on a %d-generation diamond: %d distinct ancestors, %d links, 2^%d paths\n' \
    "$DIAMOND" $((2 * DIAMOND)) $((2 + 4 * (DIAMOND - 1))) "$DIAMOND"
time_audit "verify --store (diamond)" verify "$WORK/diamond-model.json" --trust "$WORK/trust" --at "$AT" \
    --store "$WORK/diamond-store" --model-dir "$WORK/weights"
time_audit "lineage --store (diamond, text)" lineage "$WORK/diamond-model.json" --trust "$WORK/trust" --at "$AT" \
    --store "$WORK/diamond-store"
