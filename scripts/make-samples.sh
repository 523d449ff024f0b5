#!/usr/bin/env bash
# Regenerates every signed sample in manifests/ from its readable source in manifests/src/.
#
#   AUDIT=path/to/audit scripts/make-samples.sh [OUT]  (`make samples` builds the binary and sets AUDIT)
#
# OUT defaults to manifests/; the end-to-end tests regenerate into a scratch directory and compare it with the
# committed samples byte for byte, so a source edited without regenerating is caught.
#
# What it does, in order:
# 1. writes each sample's model directory, OUT/<name>/, with scripts/sample-model-files.sh (deterministic);
# 2. signs each source into OUT/<name>.json with the demo keys in keys/test-only-signing/ — parents before
#    children, each placeholder "@manifest:<sample>" in a source replaced first by the SHA-256 of that sample's
#    signed envelope file (how a child names its parent: lineage.parents[].manifestDigest.sha256);
# 3. records the chains of custody (OUT/<name>.custody.jsonl) with `audit custody append`, at pinned times.
#
# Source conventions (YAML comments, which are not signed):
#   # model files: weights|service|gguf    the files the manifest is signed over
#   # delivered files: KIND                what the custody chain ends with, when a hop transforms the files
#   # signed by: KEY [KEY…]                key names in keys/test-only-signing/ (without .key)
#
# Ed25519 signatures are deterministic, so running this twice gives byte-identical envelopes and custody bundles:
# after editing a source, `git diff manifests/` shows exactly the samples that changed (a parent's change also
# changes every descendant, whose sources name its digest).
set -euo pipefail
export LC_ALL=C

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/manifests}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
shown="${out#"$root"/}"

AUDIT="${AUDIT:-}"
if [[ -z "$AUDIT" ]]; then
    for candidate in .build/debug/audit .build/release/audit; do
        if [[ -x "$root/$candidate" ]]; then AUDIT="$root/$candidate"; break; fi
    done
elif [[ "$AUDIT" == */* && "$AUDIT" != /* ]]; then
    AUDIT="$PWD/$AUDIT"
fi
cd "$root"
if [[ -z "$AUDIT" || ! -x "$AUDIT" ]]; then
    echo "make-samples: set AUDIT to the audit binary (or run make samples)" >&2
    exit 1
fi

keys="keys/test-only-signing"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

header() { sed -n "/^# $2:/{s/^# $2: *//p;q;}" "$1"; }

# SHA-256 of a file in hex (coreutils, or shasum where there is no sha256sum).
sha256_of() {
    if command -v sha256sum > /dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -c1-64
}

quiet() {
    local output
    if ! output="$("$@" 2>&1)"; then
        echo "make-samples: failed: $*" >&2
        echo "$output" >&2
        exit 1
    fi
}

# 1. Model directories.
bash scripts/sample-model-files.sh "$out"

# 2. Signed manifests, parents first.
rm -f "$out"/*.json "$out"/*.custody.jsonl
pending=()
for source in manifests/src/*.yaml; do pending+=("$(basename "$source" .yaml)"); done
while [[ ${#pending[@]} -gt 0 ]]; do
    waiting=()
    for name in "${pending[@]}"; do
        source="manifests/src/$name.yaml"
        ready=1
        for dependency in $(grep -o '@manifest:[A-Za-z0-9._-]*' "$source" | sed 's/^@manifest://' | sort -u); do
            [[ -f "manifests/src/$dependency.yaml" ]] || {
                echo "make-samples: $source names @manifest:$dependency, which has no source" >&2
                exit 1
            }
            [[ -f "$out/$dependency.json" ]] || ready=0
        done
        if [[ $ready -eq 0 ]]; then
            waiting+=("$name")
            continue
        fi
        cp "$source" "$work/$name.yaml"
        for dependency in $(grep -o '@manifest:[A-Za-z0-9._-]*' "$source" | sed 's/^@manifest://' | sort -u); do
            digest="$(sha256_of "$out/$dependency.json")"
            sed "s/@manifest:$dependency\"/$digest\"/g" "$work/$name.yaml" > "$work/$name.yaml.next"
            mv "$work/$name.yaml.next" "$work/$name.yaml"
        done
        if grep -q '@manifest:' "$work/$name.yaml"; then
            echo "make-samples: $source: a placeholder is not a whole quoted string:" \
                "$(grep -m1 '@manifest:' "$source")" >&2
            exit 1
        fi
        signed_kind="$(header "$source" "model files")"
        delivered_kind="$(header "$source" "delivered files")"
        model_dir="$out/$name"
        if [[ -n "$delivered_kind" && "$delivered_kind" != "$signed_kind" ]]; then
            # The manifest covers the files as released; the directory holds what the custody chain delivers.
            model_dir="$work/$name.released"
            bash scripts/sample-model-files.sh --one "$signed_kind" "$name" "$model_dir"
        fi
        key_args=()
        for key in $(header "$source" "signed by"); do key_args+=(--key "$keys/$key.key"); done
        [[ ${#key_args[@]} -gt 0 ]] || { echo "make-samples: $source has no \"# signed by:\" line" >&2; exit 1; }
        quiet "$AUDIT" sign "$work/$name.yaml" "${key_args[@]}" --model-dir "$model_dir" -o "$out/$name.json"
        echo "signed   $shown/$name.json"
    done
    if [[ ${#waiting[@]} -eq ${#pending[@]} ]]; then
        echo "make-samples: cannot order ${waiting[*]}: their @manifest: references form a cycle" >&2
        exit 1
    fi
    pending=("${waiting[@]+"${waiting[@]}"}")
done

# 3. Chains of custody. hop SAMPLE ACTION KEY TIME COUNTRY "ACTOR" "LEGAL NAME" "LOCATION" [extra options…]
hop() {
    local sample=$1 action=$2 key=$3 time=$4 country=$5 actor=$6 legal=$7 location=$8
    shift 8
    quiet "$AUDIT" custody append "$out/$sample.json" --action "$action" --actor "$actor" \
        --actor-legal-name "$legal" --actor-country "$country" --location "$location" \
        --key "$keys/$key.key" --at "$time" "$@"
}

larkspur=("Larkspur Financial" "Larkspur Financial Group, Inc.")

hop larkspur-advisor-7b published larkspur-ml-platform 2026-09-15T14:00:00Z US "${larkspur[@]}" \
    "registry.larkspur.example"
hop larkspur-advisor-7b deployed larkspur-deploy 2026-09-22T09:30:00Z US "${larkspur[@]}" \
    "us-east-2 advisory cluster"

hop aldercrest-orca-marketplace published aldercrest-release 2026-04-20T16:00:00Z US \
    "Aldercrest AI" "Aldercrest AI, Inc." "models.aldercrest.example"
hop aldercrest-orca-marketplace hosted nimbarra-marketplace 2026-05-02T12:00:00Z US \
    "Nimbarra Cloud" "Nimbarra Cloud Services, LLC" "Nimbarra AI Marketplace, us-east-1 and us-west-2"
hop aldercrest-orca-marketplace deployed larkspur-deploy 2026-05-20T10:00:00Z US "${larkspur[@]}" \
    "private endpoint in the us-east-1 production account"

hop tamarisk-coder-15b-q4 published tamarisk-release 2026-06-01T17:00:00Z US \
    "Tamarisk Code Labs" "Tamarisk Code Labs, Inc." "models.tamarisk.example"
hop tamarisk-coder-15b-q4 quantized quantfolk-collective 2026-06-10T08:15:00Z DE \
    "Quantfolk Collective" "Quantfolk Collective e.V." "quantfolk.example build farm" \
    --model-dir "$out/tamarisk-coder-15b-q4" --note "llama.cpp-style Q4_K_M quantization of the 1.3.0 release"
hop tamarisk-coder-15b-q4 deployed larkspur-deploy 2026-07-01T11:00:00Z US "${larkspur[@]}" \
    "developer-tools cluster, us-east-2"

hop corrivale-summarize published corrivale-release 2026-02-10T15:00:00Z US \
    "Corrivale Text Systems" "Corrivale Text Systems, Inc." "api.corrivale.example"
hop corrivale-summarize hosted corrivale-release 2026-02-10T15:30:00Z US \
    "Corrivale Text Systems" "Corrivale Text Systems, Inc." "us-central"
hop corrivale-summarize deployed larkspur-deploy 2026-03-01T09:00:00Z US "${larkspur[@]}" \
    "document-workflow integration"

for bundle in "$out"/*.custody.jsonl; do
    echo "custody  $shown/$(basename "$bundle") ($(wc -l < "$bundle" | tr -d ' ') records)"
done
echo "$(ls "$out"/*.json | wc -l | tr -d ' ') signed samples in $shown"
