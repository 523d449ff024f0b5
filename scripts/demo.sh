#!/usr/bin/env bash
# The signing round trip on a generated model: keygen → init → sign → verify → tamper one byte → verify fails.
set -euo pipefail
AUDIT="${AUDIT:-audit}"
demo="out/demo"
rm -rf "$demo"
mkdir -p "$demo/trust" "$demo/weights"

run() {
    echo "\$ audit $*"
    set +e
    "$AUDIT" "$@"
    local code=$?
    set -e
    echo "(exit $code)"
    echo
    return 0
}

# A small generated "model": weights, config and tokenizer.
head -c 3000000 /dev/zero | tr '\0' '\7' > "$demo/weights/model.safetensors"
printf '{"architectures": ["AcmeForCausalLM"], "hidden_size": 4096}\n' > "$demo/weights/config.json"
printf '{"version": "1.0", "model": {"type": "BPE"}}\n' > "$demo/weights/tokenizer.json"

run keygen --algorithm ecdsa-p256 --out "$demo/acme-release"
cp "$demo/acme-release.pub" "$demo/trust/"
cat > "$demo/trust/trust.json" <<JSON
{
  "version": 1,
  "keys": [
    {
      "file": "acme-release.pub",
      "owner": "Acme AI, Inc.",
      "roles": ["developer", "publisher"],
      "note": "demo release key"
    }
  ]
}
JSON

run init --model-dir "$demo/weights" -o "$demo/draft.yaml"
echo "# signing the draft as it is fails: every required member still to fill in is listed"
"$AUDIT" sign "$demo/draft.yaml" --key "$demo/acme-release.key" -o "$demo/model.json" 2>&1 | head -8 || true
echo "..."
echo
echo "# the completed manifest (docs/examples/manifest.yaml) signs; its subject is recomputed from the directory"
run sign docs/examples/manifest.yaml --key "$demo/acme-release.key" --model-dir "$demo/weights" -o "$demo/model.json"
run verify "$demo/model.json" --trust "$demo/trust" --model-dir "$demo/weights"

printf '\x01' | dd of="$demo/weights/model.safetensors" bs=1 seek=1000 conv=notrunc status=none
echo "# one byte of model.safetensors changed:"
run verify "$demo/model.json" --trust "$demo/trust" --model-dir "$demo/weights"
