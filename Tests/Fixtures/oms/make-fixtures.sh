#!/usr/bin/env bash
# Signs a small generated model with the reference OpenSSF model-signing tool (model-signing 1.1.1 on PyPI) in
# every mode, so the tests can check that `audit` verifies what the field produces. Run by hand, never by
# `make test`; it needs network access to PyPI once. See README.md beside this script.
#
#   bash Tests/Fixtures/oms/make-fixtures.sh
#
# Every run makes new keys, certificates and signatures. Private keys live in a temporary directory that is
# removed on exit: only public keys, certificates, the model and the bundles are written here.
set -euo pipefail

out="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

venv="${OMS_VENV:-$work/venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
# pyOpenSSL is imported by the certificate verifier but not declared by model-signing 1.1.1.
"$venv/bin/pip" install --quiet model-signing==1.1.1 pyOpenSSL
py="$venv/bin/python"
ms="$venv/bin/model_signing"

rm -rf "$out/model" "$out/bundles" "$out/keys"
mkdir -p "$out/model/tokenizer" "$out/model/notes" "$out/bundles" "$out/keys"

# The model: a config, 2,500 bytes of weights (three shards of 1,000), a nested file, an empty file, a git file
# and a notes directory that one bundle leaves out with an ignore path.
printf '{"architecture":"fixture","layers":2}\n' >"$out/model/config.json"
"$py" -c 'import sys; sys.stdout.buffer.write(bytes((i * 7 + 3) % 256 for i in range(2500)))' \
    >"$out/model/weights.bin"
printf 'hello\nworld\n' >"$out/model/tokenizer/vocab.txt"
: >"$out/model/empty.txt"
printf '*.bin binary\n' >"$out/model/.gitattributes"
printf 'Release notes, not part of the model.\n' >"$out/model/notes/README.md"

# Keys: P-256, P-384, P-521, and a P-256 key encrypted with a password.
for curve in P-256 P-384 P-521; do
    name="$(echo "$curve" | tr -d '-' | tr 'P' 'p')"
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"$curve" -out "$work/$name.key"
    openssl pkey -in "$work/$name.key" -pubout -out "$out/keys/$name.pub"
done
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes-256-cbc -pass pass:fixture \
    -out "$work/encrypted.key"
openssl pkey -in "$work/encrypted.key" -passin pass:fixture -pubout -out "$out/keys/p256-encrypted.pub"

# A certificate chain: root CA → intermediate CA → leaf with digitalSignature and codeSigning, and a SAN e-mail.
cat >"$work/ca.cnf" <<'CNF'
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[intermediate]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectAltName = email:release@fixture.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$work/root.key"
openssl req -x509 -new -key "$work/root.key" -subj "/O=Fixture PKI/CN=Fixture Root CA" -days 3650 -sha384 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$out/keys/root-ca.pem"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/intermediate.key"
openssl req -new -key "$work/intermediate.key" -subj "/O=Fixture PKI/CN=Fixture Intermediate CA" \
    -out "$work/intermediate.csr"
openssl x509 -req -in "$work/intermediate.csr" -CA "$out/keys/root-ca.pem" -CAkey "$work/root.key" \
    -CAcreateserial -days 3000 -sha384 -extfile "$work/ca.cnf" -extensions intermediate \
    -out "$out/keys/intermediate-ca.pem"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/leaf.key"
openssl req -new -key "$work/leaf.key" -subj "/O=Fixture Models/CN=Fixture Release Signing" -out "$work/leaf.csr"
openssl x509 -req -in "$work/leaf.csr" -CA "$out/keys/intermediate-ca.pem" -CAkey "$work/intermediate.key" \
    -CAcreateserial -days 2000 -sha256 -extfile "$work/ca.cnf" -extensions leaf -out "$out/keys/leaf.pem"
openssl pkey -in "$work/leaf.key" -pubout -out "$out/keys/leaf.pub"

cd "$out"
# The CLI covers key and certificate signing with file serialization and SHA-256.
"$ms" sign key model --private_key "$work/p256.key" --signature bundles/key-p256.sig
"$ms" sign key model --private_key "$work/p384.key" --signature bundles/key-p384.sig
"$ms" sign key model --private_key "$work/p521.key" --signature bundles/key-p521.sig
"$ms" sign key model --private_key "$work/p256.key" --ignore-paths model/notes --signature bundles/ignore-paths.sig
"$ms" sign key model --private_key "$work/p256.key" --no-ignore-git-paths --signature bundles/no-git-ignore.sig
"$ms" sign key model/weights.bin --private_key "$work/p256.key" --signature bundles/single-file.sig
"$ms" sign certificate model --private_key "$work/leaf.key" --signing_certificate keys/leaf.pem \
    --certificate_chain keys/intermediate-ca.pem --signature bundles/certificate-chain.sig

# Shards and the other hash functions are only reachable through the Python API.
"$py" - "$work/p256.key" "$work/encrypted.key" <<'PY'
import sys
import model_signing

key = sys.argv[1]

def sign(name, configure):
    hashing = configure(model_signing.hashing.Config())
    model_signing.signing.Config().use_elliptic_key_signer(private_key=key).set_hashing_config(
        hashing).sign("model", f"bundles/{name}.sig")

# The CLI passes --password as text, which the key loader refuses; the API takes bytes.
model_signing.signing.Config().use_elliptic_key_signer(
    private_key=sys.argv[2], password=b"fixture").sign("model", "bundles/key-encrypted.sig")
sign("shards-sha256", lambda c: c.use_shard_serialization(hashing_algorithm="sha256", shard_size=1000))
sign("shards-blake2b", lambda c: c.use_shard_serialization(hashing_algorithm="blake2", shard_size=1000))
sign("files-blake2b", lambda c: c.use_file_serialization(hashing_algorithm="blake2"))
sign("files-blake3", lambda c: c.use_file_serialization(hashing_algorithm="blake3"))
PY

# The reference verifier's own verdicts, recorded for the README (its shard bundles are expected to fail).
for bundle in bundles/*.sig; do
    case "$bundle" in
        *certificate*) args=(certificate --certificate_chain keys/root-ca.pem --certificate_chain keys/intermediate-ca.pem) ;;
        *p384*) args=(key --public_key keys/p384.pub) ;;
        *p521*) args=(key --public_key keys/p521.pub) ;;
        *encrypted*) args=(key --public_key keys/p256-encrypted.pub) ;;
        *) args=(key --public_key keys/p256.pub) ;;
    esac
    target=model
    [ "$bundle" = bundles/single-file.sig ] && target=model/weights.bin
    extra=()
    [ "$bundle" = bundles/ignore-paths.sig ] && extra=(--ignore-paths model/notes)
    if "$ms" verify "${args[0]}" "$target" --signature "$bundle" "${args[@]:1}" "${extra[@]}" >/dev/null 2>&1; then
        echo "model_signing verify: $bundle: accepted"
    else
        echo "model_signing verify: $bundle: refused"
    fi
done
