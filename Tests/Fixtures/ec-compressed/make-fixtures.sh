#!/usr/bin/env bash
# Regenerates the compressed-point EC fixtures with the openssl CLI only (see README.md beside this script).
set -euo pipefail
cd "$(dirname "$0")"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf 'a message signed by a key whose public point is compressed' > message.txt
for spec in p256:P-256:sha256 p384:P-384:sha384 p521:P-521:sha512; do
    IFS=: read -r name curve hash <<<"$spec"
    openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$curve" -pkeyopt ec_param_enc:named_curve \
        -out "$work/$name.key" 2>/dev/null
    openssl ec -in "$work/$name.key" -pubout -conv_form compressed -out "$name-compressed.pub" 2>/dev/null
    openssl ec -in "$work/$name.key" -pubout -conv_form uncompressed -out "$name-uncompressed.pub" 2>/dev/null
    openssl dgst "-$hash" -sign "$work/$name.key" -out "$name.sig" message.txt
    openssl dgst "-$hash" -verify "$name-compressed.pub" -signature "$name.sig" message.txt >/dev/null
done
echo "written: message.txt and p256/p384/p521 compressed and uncompressed public keys with their signatures"
