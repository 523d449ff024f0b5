#!/usr/bin/env python3
"""Writes a synthetic fleet of N signed manifests for the fleet benchmark (`make bench-fleet`).

Each manifest is one of the 13 samples in manifests/ with its model renamed (`NAME-00042`) and a varied version,
re-signed with the sample's own test-only key (keys/test-only-signing/), so the fleet has the samples' spread of
developers, countries, hosting, lineage (parents resolve in manifests/ with --store) and verdicts. Custody
bundles are not copied: they chain from the original envelope's digest.

Usage: python3 scripts/make-fleet.py N OUT_DIR      (needs Python's `cryptography`)
"""
import base64
import hashlib
import json
import os
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pae(payload_type, payload):
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def key_id(public_key):
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "sha256:" + hashlib.sha256(der).hexdigest()


def signing_keys():
    """Private key by key id, for every test-only key the demo trust store lists."""
    trust = json.load(open(os.path.join(ROOT, "keys", "trust.json")))
    keys = {}
    for entry in trust["keys"]:
        stem = entry["file"][: -len(".pub")]
        path = os.path.join(ROOT, "keys", "test-only-signing", stem + ".key")
        if not os.path.exists(path):
            continue
        private = serialization.load_pem_private_key(open(path, "rb").read(), password=None)
        keys[key_id(private.public_key())] = (private, entry.get("scheme"))
    return keys


def sign(private, scheme, message):
    if isinstance(private, ed25519.Ed25519PrivateKey):
        return private.sign(message)
    if isinstance(private, ec.EllipticCurvePrivateKey):
        digest = hashes.SHA384() if private.curve.key_size == 384 else hashes.SHA256()
        return private.sign(message, ec.ECDSA(digest))
    if isinstance(private, rsa.RSAPrivateKey):
        if scheme == "rsa-pkcs1v15-sha256":
            return private.sign(message, padding.PKCS1v15(), hashes.SHA256())
        return private.sign(message, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    raise SystemExit(f"unsupported key type {type(private)}")


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    count, out = int(sys.argv[1]), sys.argv[2]
    keys = signing_keys()
    samples = []
    directory = os.path.join(ROOT, "manifests")
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".json"):
            continue
        envelope = json.load(open(os.path.join(directory, name)))
        signers = [keys[s["keyid"]] for s in envelope["signatures"] if s.get("keyid") in keys]
        if not signers:
            raise SystemExit(f"{name}: no test-only key for its signatures")
        samples.append((name[:-5], envelope["payloadType"], json.loads(base64.b64decode(envelope["payload"])), signers))
    os.makedirs(out, exist_ok=True)
    for index in range(count):
        stem, payload_type, statement, signers = samples[index % len(samples)]
        statement = json.loads(json.dumps(statement))
        model = statement["predicate"]["model"]
        model["name"] = f"{model['name']}-{index:05d}"
        model["version"] = f"{model['version']}.{index % 7}"
        payload = json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        message = pae(payload_type, payload)
        signatures = [
            {"keyid": key_id(private.public_key()), "sig": base64.b64encode(sign(private, scheme, message)).decode()}
            for private, scheme in signers
        ]
        envelope = {"payload": base64.b64encode(payload).decode(), "payloadType": payload_type,
                    "signatures": signatures}
        with open(os.path.join(out, f"{stem}-{index:05d}.json"), "w") as handle:
            json.dump(envelope, handle, sort_keys=True, indent=2)
            handle.write("\n")
    print(f"wrote {count} signed manifests to {out}")


if __name__ == "__main__":
    main()
