#!/usr/bin/env bash
# Writes the small model directories of the sample fleet, byte for byte the same on every machine.
#
#   scripts/sample-model-files.sh [DEST]            every sample's directory, DEST/<name>/ (default: manifests)
#   scripts/sample-model-files.sh --one KIND NAME DIR   one model's files of KIND into DIR
#
# The signed envelopes in manifests/ list these files by SHA-256, so their bytes must never change: the content is
# derived only from the model's name (no dates, no randomness, no locale-dependent tools), using bash and coreutils
# alone. Which files a sample has comes from its source, manifests/src/<name>.yaml:
#   "# model files: KIND"       the files the manifest was signed over;
#   "# delivered files: KIND"   what is deployed after the custody chain, when it differs (a quantization).
# Kinds: weights (config.json, model.safetensors, tokenizer.json), service (service.json, MODEL_CARD.md),
# gguf (model-q4_k_m.gguf, README.md).
set -euo pipefail
export LC_ALL=C

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# 8 bytes, little-endian, of an unsigned number.
u64le() {
    local n=$1 i out=""
    for ((i = 0; i < 8; i++)); do
        out+=$(printf '\\x%02x' $((n & 255)))
        n=$((n >> 8))
    done
    printf '%b' "$out"
}

# N bytes of filler derived from a seed string: the seed's SHA-256 in hex, repeated (no pipe into `head`, whose
# early exit would be a SIGPIPE failure under pipefail).
filler() {
    local seed=$1 size=$2 digest i
    if command -v sha256sum > /dev/null 2>&1; then
        digest=$(printf '%s' "$seed" | sha256sum | cut -c1-64)
    else
        digest=$(printf '%s' "$seed" | shasum -a 256 | cut -c1-64)
    fi
    for ((i = 0; i < size / 64; i++)); do printf '%s' "$digest"; done
    printf '%s' "${digest:0:$((size % 64))}"
}

write_weights() {
    local name=$1 dir=$2
    local header size=16384
    printf '{\n  "architectures": ["SampleForCausalLM"],\n  "model_type": "sample",\n  "name": "%s",\n' "$name" \
        > "$dir/config.json"
    printf '  "hidden_size": 64,\n  "num_hidden_layers": 2,\n  "vocab_size": 256,\n  "torch_dtype": "float16"\n}\n' \
        >> "$dir/config.json"
    printf '{"version": "1.0", "model": {"type": "BPE", "vocab": {"<s>": 0, "</s>": 1}}, "sample": "%s"}\n' "$name" \
        > "$dir/tokenizer.json"
    # A well-formed safetensors file: header length, JSON header padded to 8 bytes, then the tensor bytes.
    header=$(printf '{"__metadata__":{"format":"pt","sample":"%s"},' "$name")
    header+=$(printf '"lm_head.weight":{"dtype":"F16","shape":[128,64],"data_offsets":[0,%d]}}' "$size")
    while (( ${#header} % 8 != 0 )); do header+=" "; done
    {
        u64le "${#header}"
        printf '%s' "$header"
        filler "$name/model.safetensors" "$size"
    } > "$dir/model.safetensors"
}

write_service() {
    local name=$1 dir=$2
    printf '{\n  "model": "%s",\n  "api": "chat-completions",\n  "endpoint": "https://%s.example/v1/chat",\n' \
        "$name" "$name" > "$dir/service.json"
    printf '  "maxContextTokens": 32768,\n  "streaming": true\n}\n' >> "$dir/service.json"
    printf '# %s\n\nThe service descriptor and model card the provider publishes for %s.\n' "$name" "$name" \
        > "$dir/MODEL_CARD.md"
}

write_gguf() {
    local name=$1 dir=$2
    # GGUF magic, version 3, zero tensors, zero metadata entries, then the quantized blocks.
    {
        printf 'GGUF'
        printf '\x03\x00\x00\x00'
        u64le 0
        u64le 0
        filler "$name/model-q4_k_m.gguf" 8192
    } > "$dir/model-q4_k_m.gguf"
    printf '# %s (Q4_K_M)\n\n4-bit GGUF quantization of %s, converted by the community.\n' "$name" "$name" \
        > "$dir/README.md"
}

# Replaces DIR with exactly the files of KIND.
write_model() {
    local kind=$1 name=$2 dir=$3
    rm -rf "$dir"
    mkdir -p "$dir"
    case "$kind" in
        weights) write_weights "$name" "$dir" ;;
        service) write_service "$name" "$dir" ;;
        gguf) write_gguf "$name" "$dir" ;;
        *) echo "sample-model-files: unknown kind \"$kind\" for $name" >&2; return 1 ;;
    esac
}

# A "# key: value" header line of a source file.
source_header() {
    sed -n "/^# $2:/{s/^# $2: *//p;q;}" "$1"
}

if [[ "${1:-}" == "--one" ]]; then
    [[ $# -eq 4 ]] || { echo "usage: $0 --one KIND NAME DIR" >&2; exit 64; }
    write_model "$2" "$3" "$4"
    exit 0
fi

dest="${1:-$root/manifests}"
shopt -s nullglob
sources=("$root"/manifests/src/*.yaml)
[[ ${#sources[@]} -gt 0 ]] || { echo "sample-model-files: no sources in manifests/src" >&2; exit 1; }
for source in "${sources[@]}"; do
    name="$(basename "$source" .yaml)"
    kind="$(source_header "$source" "delivered files")"
    [[ -n "$kind" ]] || kind="$(source_header "$source" "model files")"
    [[ -n "$kind" ]] || { echo "sample-model-files: $source has no \"# model files:\" line" >&2; exit 1; }
    write_model "$kind" "$name" "$dest/$name"
done
