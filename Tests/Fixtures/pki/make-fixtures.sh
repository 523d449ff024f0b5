#!/bin/sh
# Regenerates the X.509 fixtures of Tests/Fixtures/pki with the openssl command line (run by hand, not by
# `make test`; the output is committed). Every certificate gets fixed validity dates through `openssl ca`, so the
# tests can validate at fixed instants. The private keys are thrown away: the tests only validate paths.
#
#   root.pem            self-signed P-384 root, 2025-01-01 .. 2035-01-01
#   intermediate.pem    P-384 CA under root (pathlen 0), 2025-01-01 .. 2034-01-01
#   leaf.pem            P-256 leaf under intermediate, 2026-01-01 .. 2027-01-01, KU digitalSignature,
#                       EKU codeSigning, SAN email + URI, Fulcio OIDC issuer extensions v1 and v2
#   leaf-expired.pem    as leaf, 2025-01-01 .. 2025-06-01
#   leaf-not-yet-valid.pem  as leaf, 2030-01-01 .. 2031-01-01
#   leaf-wrong-eku.pem  EKU serverAuth instead of codeSigning
#   leaf-no-ku.pem      no keyUsage extension
#   other-root.pem      an unrelated self-signed root; other-leaf.pem is issued by it
#   chain.pem           intermediate then root (the right order); chain-wrong-order.pem: root then intermediate
#   not-pem.txt         a text file that is no PEM at all; garbage-between.pem: text between two blocks
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/ca.cnf" <<'CNF'
[ ca ]
default_ca = fixture_ca
[ fixture_ca ]
database = $ENV::WORK/index.txt
new_certs_dir = $ENV::WORK
serial = $ENV::WORK/serial
default_md = sha384
policy = anything
unique_subject = no
copy_extensions = none
[ anything ]
organizationName = optional
commonName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ root_ext ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ intermediate_ext ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ leaf_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectAltName = email:release@vendor.example, URI:https://ci.vendor.example/release
authorityKeyIdentifier = keyid
1.3.6.1.4.1.57264.1.1 = DER:68747470733a2f2f6964702e76656e646f722e6578616d706c65
1.3.6.1.4.1.57264.1.8 = ASN1:UTF8String:https://idp.vendor.example
[ leaf_wrong_eku_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = email:release@vendor.example
authorityKeyIdentifier = keyid
[ leaf_no_ku_ext ]
basicConstraints = critical, CA:false
extendedKeyUsage = codeSigning
subjectAltName = email:release@vendor.example
authorityKeyIdentifier = keyid
CNF
export WORK="$work"
: > "$work/index.txt"
echo 1000 > "$work/serial"

key() { openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$2" -out "$work/$1.key" 2>/dev/null; }
csr() { openssl req -new -config "$work/ca.cnf" -key "$work/$1.key" -subj "$2" -out "$work/$1.csr"; }
# issue NAME ISSUER EXTENSIONS START END
issue() {
    openssl ca -batch -notext -config "$work/ca.cnf" -in "$work/$1.csr" -cert "$2.pem" -keyfile "$work/$2.key" \
        -extensions "$3" -startdate "$4" -enddate "$5" -out "$1.pem" 2>/dev/null
}
selfsign() {
    openssl ca -batch -notext -selfsign -config "$work/ca.cnf" -in "$work/$1.csr" -keyfile "$work/$1.key" \
        -extensions root_ext -startdate "$2" -enddate "$3" -out "$1.pem" 2>/dev/null
}

key root P-384; csr root "/O=Model Audit Fixtures/CN=Fixture Root CA"
selfsign root 20250101000000Z 20350101000000Z
key intermediate P-384; csr intermediate "/O=Model Audit Fixtures/CN=Fixture Intermediate CA"
issue intermediate root intermediate_ext 20250101000000Z 20340101000000Z

for name in leaf leaf-expired leaf-not-yet-valid leaf-wrong-eku leaf-no-ku; do key "$name" P-256; done
csr leaf "/O=Vendor/CN=release signer"
issue leaf intermediate leaf_ext 20260101000000Z 20270101000000Z
csr leaf-expired "/O=Vendor/CN=expired signer"
issue leaf-expired intermediate leaf_ext 20250101000000Z 20250601000000Z
csr leaf-not-yet-valid "/O=Vendor/CN=future signer"
issue leaf-not-yet-valid intermediate leaf_ext 20300101000000Z 20310101000000Z
csr leaf-wrong-eku "/O=Vendor/CN=web server"
issue leaf-wrong-eku intermediate leaf_wrong_eku_ext 20260101000000Z 20270101000000Z
csr leaf-no-ku "/O=Vendor/CN=no key usage"
issue leaf-no-ku intermediate leaf_no_ku_ext 20260101000000Z 20270101000000Z

key other-root P-256; csr other-root "/O=Someone Else/CN=Other Root CA"
selfsign other-root 20250101000000Z 20350101000000Z
key other-leaf P-256; csr other-leaf "/O=Someone Else/CN=other signer"
issue other-leaf other-root leaf_ext 20260101000000Z 20270101000000Z

cat intermediate.pem root.pem > chain.pem
cat root.pem intermediate.pem > chain-wrong-order.pem
printf 'this is a certificate, honestly\n' > not-pem.txt
{ cat intermediate.pem; echo "subject=not part of any block"; cat root.pem; } > garbage-between.pem
echo "fixtures written to $(pwd)"
