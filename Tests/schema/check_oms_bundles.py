#!/usr/bin/env python3
"""Checks OpenSSF model-signing bundles against the OMS v1.0 JSON Schemas (Tests/Vectors/oms/).

Checks, in order:
  1. the specification's test vectors: valid/ must validate, invalid/ and invalid-payload/ must not;
  2. every bundle under Tests/Fixtures/oms/bundles/ (made by model-signing 1.1.1), except where that tool is known
     to break the schema (its shard bundles write a float shard_size and "sha256-sharded-N" resource algorithms);
  3. with AUDIT=/path/to/audit, bundles made by `audit sign --oms` over the fixture model in every mode (files and
     shards, each hash, ignore paths, a single file) must validate at both levels (bundle, decoded statement).

Usage: python3 Tests/schema/check_oms_bundles.py
       AUDIT=.build/debug/audit python3 Tests/schema/check_oms_bundles.py
Prints `oms schema: N passed, M failed` last and exits 1 when anything failed.
"""
import base64
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

try:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012
except ImportError as error:  # pragma: no cover - environment problem, not a schema failure
    print(f"oms schema: cannot run: {error} (pip install jsonschema)")
    print("oms schema: 0 passed, 1 failed")
    sys.exit(1)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VECTORS = os.path.join(ROOT, "Tests", "Vectors", "oms")
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "oms")
# model-signing 1.1.1's own shard bundles do not satisfy the schema (see docs/oms.md).
REFERENCE_SCHEMA_BREAKS = {"shards-sha256.sig", "shards-blake2b.sig"}

passed = 0
failed = 0


def check(ok, label, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {label}" + (f": {detail}" if detail else ""))


def validators():
    schemas = {}
    for name in ("bundle", "envelope", "statement", "predicate"):
        with open(os.path.join(VECTORS, f"{name}.schema.json"), encoding="utf-8") as f:
            schemas[name] = json.load(f)
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s, default_specification=DRAFT202012)) for s in schemas.values())
    return (Draft202012Validator(schemas["bundle"], registry=registry),
            Draft202012Validator(schemas["statement"], registry=registry))


BUNDLE, STATEMENT = validators()


def problems(path):
    """Every schema problem of a bundle file and its decoded statement, as text; [] when it validates."""
    try:
        with open(path, encoding="utf-8") as f:
            bundle = json.load(f)
    except (OSError, ValueError) as error:
        return [f"not JSON: {error}"]
    found = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in BUNDLE.iter_errors(bundle)]
    if found:
        return found
    raw = bundle["dsseEnvelope"]["payload"]
    statement = json.loads(base64.b64decode(raw + "=" * (-len(raw) % 4)))
    return [f"payload {'/'.join(map(str, e.absolute_path))}: {e.message}" for e in STATEMENT.iter_errors(statement)]


for path in sorted(glob.glob(os.path.join(VECTORS, "test-vectors", "*", "*.json"))):
    kind = os.path.basename(os.path.dirname(path))
    found = problems(path)
    label = f"spec vector {kind}/{os.path.basename(path)}"
    check(not found if kind == "valid" else bool(found), label, "; ".join(found[:3]) or "validated")

for path in sorted(glob.glob(os.path.join(FIXTURES, "bundles", "*.sig"))):
    name = os.path.basename(path)
    found = problems(path)
    if name in REFERENCE_SCHEMA_BREAKS:
        check(bool(found), f"fixture {name} (known schema break)", "unexpectedly validates")
    else:
        check(not found, f"fixture {name}", "; ".join(found[:3]))

audit = os.environ.get("AUDIT")
if audit:
    work = tempfile.mkdtemp()
    try:
        model = os.path.join(work, "model")
        shutil.copytree(os.path.join(FIXTURES, "model"), model)
        subprocess.run([audit, "keygen", "--algorithm", "ecdsa-p256", "--out", os.path.join(work, "k")],
                       check=True, capture_output=True)
        modes = {
            "files-sha256": [],
            "shards": ["--shard-size", "1000"],
            "ignore-path": ["--ignore-path", "notes"],
            "blake2b": ["--hash", "blake2b"],
            "blake3": ["--hash", "blake3"],
            "single-file": None,
        }
        for mode, extra in modes.items():
            out = os.path.join(work, f"{mode}.sig")
            target = os.path.join(model, "weights.bin") if extra is None else model
            args = [audit, "sign", "--oms", "--model-dir", target, "--key", os.path.join(work, "k.key"), "-o", out]
            result = subprocess.run(args + (extra or []), capture_output=True, text=True)
            if result.returncode != 0 and "not available" in result.stderr:
                print(f"skip audit sign --oms {mode}: {result.stderr.strip()}")
                continue
            check(result.returncode == 0, f"audit sign --oms {mode}", result.stderr.strip())
            if result.returncode == 0:
                found = problems(out)
                check(not found, f"audit sign --oms {mode} validates", "; ".join(found[:3]))
    finally:
        shutil.rmtree(work, ignore_errors=True)

print(f"oms schema: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
