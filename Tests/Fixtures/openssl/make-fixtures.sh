#!/usr/bin/env bash
# Builds DSSE envelopes with nothing but the openssl CLI and coreutils, so the tests can check that our
# verifier accepts what an independent implementation produces. See README.md beside this script.
#
#   bash Tests/Fixtures/openssl/make-fixtures.sh
#
# Every run makes new keys and signatures; the private keys live in a temporary directory that is removed on
# exit, so only public keys are ever written here.
set -euo pipefail

out="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

payload_type='application/vnd.in-toto+json'

# A small in-toto Statement. No trailing newline: the payload is exactly these bytes.
printf '%s' \
    '{"_type":"https://in-toto.io/Statement/v1",' \
    '"subject":[{"name":"model.safetensors","digest":' \
    '{"sha256":"9f86d081884c7d659a2feb15c15b0b2f4c2c53a7d2c6a6b8b8e0c2f7b8f1e3a4"}}],' \
    '"predicateType":"https://model-audit.dev/provenance/v1",' \
    '"predicate":{"model":{"name":"fixture-model","version":"1.0.0"}}}' \
    >"$out/payload.json"

# PAE = "DSSEv1" SP len(type) SP type SP len(payload) SP payload, lengths as decimal byte counts.
type_len=$(printf '%s' "$payload_type" | wc -c)
payload_len=$(wc -c <"$out/payload.json")
pae="$work/pae.bin"
printf 'DSSEv1 %d %s %d ' "$type_len" "$payload_type" "$payload_len" >"$pae"
cat "$out/payload.json" >>"$pae"

b64() { base64 -w0 <"$1"; }
b64url_unpadded() { base64 -w0 <"$1" | tr '+/' '-_' | tr -d '='; }

# sha256: + hex of the DER SubjectPublicKeyInfo, the key id the trust store derives.
keyid() { printf 'sha256:%s' "$(openssl pkey -pubin -in "$1" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)"; }

# make_fixture NAME SIGN-KIND GENPKEY-ARGS...
#   Generates a key, writes NAME.pub and NAME.envelope.json, checks the signature with openssl, drops the key.
#   SIGN-KIND: ed25519 | sha256 | sha384 (ECDSA) | pss (RSA-PSS, SHA-256, MGF1-SHA-256, salt 32) | pkcs1
make_fixture() {
    local name="$1" kind="$2"
    shift 2
    local key="$work/$name.key" sig="$work/$name.sig"
    openssl genpkey "$@" -out "$key"
    openssl pkey -in "$key" -pubout -out "$out/$name.pub"
    case "$kind" in
        ed25519)
            openssl pkeyutl -sign -rawin -inkey "$key" -in "$pae" -out "$sig"
            openssl pkeyutl -verify -rawin -pubin -inkey "$out/$name.pub" -in "$pae" -sigfile "$sig" >/dev/null
            ;;
        sha256 | sha384)
            openssl dgst "-$kind" -sign "$key" -out "$sig" "$pae"
            openssl dgst "-$kind" -verify "$out/$name.pub" -signature "$sig" "$pae" >/dev/null
            ;;
        pss)
            local pss=(-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256)
            openssl dgst -sha256 -sign "$key" "${pss[@]}" -out "$sig" "$pae"
            openssl dgst -sha256 -verify "$out/$name.pub" "${pss[@]}" -signature "$sig" "$pae" >/dev/null
            ;;
        pkcs1)
            openssl dgst -sha256 -sign "$key" -out "$sig" "$pae"
            openssl dgst -sha256 -verify "$out/$name.pub" -signature "$sig" "$pae" >/dev/null
            ;;
    esac
    rm -f "$key"

    # Ed25519 carries URL-safe, unpadded base64 and no keyid; the others standard base64 and a keyid hint.
    if [ "$kind" = ed25519 ]; then
        printf '{"payloadType":"%s","payload":"%s","signatures":[{"sig":"%s"}]}\n' \
            "$payload_type" "$(b64url_unpadded "$out/payload.json")" "$(b64url_unpadded "$sig")" \
            >"$out/$name.envelope.json"
    else
        printf '{"payloadType":"%s","payload":"%s","signatures":[{"keyid":"%s","sig":"%s"}]}\n' \
            "$payload_type" "$(b64 "$out/payload.json")" "$(keyid "$out/$name.pub")" "$(b64 "$sig")" \
            >"$out/$name.envelope.json"
    fi
}

make_fixture ed25519 ed25519 -algorithm ED25519
make_fixture ecdsa-p256 sha256 -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve
make_fixture ecdsa-p384 sha384 -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:named_curve
make_fixture rsa-pss-2048 pss -algorithm RSA -pkeyopt rsa_keygen_bits:2048
make_fixture rsa-pkcs1-2048 pkcs1 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
# An id-RSASSA-PSS key (not rsaEncryption) restricted to SHA-256 / MGF1-SHA-256 / salt >= 32.
make_fixture rsassa-pss-key-2048 pss -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 \
    -pkeyopt rsa_pss_keygen_md:sha256 -pkeyopt rsa_pss_keygen_mgf1_md:sha256 -pkeyopt rsa_pss_keygen_saltlen:32

cat >"$out/trust.json" <<'JSON'
{
  "version": 1,
  "keys": [
    {"file": "ecdsa-p256.pub", "owner": "Fixture ECDSA P-256 signer", "roles": ["developer"]},
    {"file": "ecdsa-p384.pub", "owner": "Fixture ECDSA P-384 signer", "roles": ["publisher"]},
    {"file": "ed25519.pub", "owner": "Fixture Ed25519 signer", "roles": ["developer"]},
    {"file": "rsa-pkcs1-2048.pub", "owner": "Fixture RSA PKCS#1 v1.5 signer", "roles": ["auditor"],
     "scheme": "rsa-pkcs1v15-sha256"},
    {"file": "rsa-pss-2048.pub", "owner": "Fixture RSA-PSS signer", "roles": ["host"], "scheme": "rsa-pss-sha256"},
    {"file": "rsassa-pss-key-2048.pub", "owner": "Fixture RSASSA-PSS key signer", "roles": ["deployer"],
     "scheme": "rsa-pss-sha256"}
  ]
}
JSON

echo "wrote fixtures to $out"
