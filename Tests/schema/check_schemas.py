#!/usr/bin/env python3
"""Keeps the published JSON Schemas in step with the manifest reader.

Checks, in order:
  1. schemas/*.schema.json are valid JSON Schema draft 2020-12;
  2. the enums in provenance.schema.json (countries, data categories, relations, affiliation types, hosting modes)
     equal the ones in the Swift sources;
  3. docs/examples/manifest.yaml, read with YAML 1.2 core-schema rules (`NO` stays a string), equals its JSON copy
     docs/examples/manifest.json, and both validate;
  4. valid variants validate, and each invalid variant is rejected, by the schema;
  5. the reader's known extra checks (duplicate subject paths, …) are accepted by the schema, so the list of what
     the schema cannot express stays true.
With AUDIT=/path/to/audit in the environment, every case is also run through `audit sign`, which must accept the
valid ones (exit 0) and refuse every other one (exit 2): the schema and the reader agree case by case.

Usage: python3 Tests/schema/check_schemas.py          (from anywhere; paths are relative to the package root)
       AUDIT=.build/debug/audit python3 Tests/schema/check_schemas.py
Prints `schema: N passed, M failed` last and exits 1 when anything failed.
"""
import copy
import json
import os
import re
import subprocess
import sys
import tempfile

try:
    import jsonschema
    import yaml
except ImportError as error:  # pragma: no cover - environment problem, not a schema failure
    print(f"schema: cannot run: {error} (pip install jsonschema pyyaml)")
    print("schema: 0 passed, 1 failed")
    sys.exit(1)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
passed = 0
failed = 0


def check(ok, label, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {label}" + (f": {detail}" if detail else ""))


def load_json(relative):
    with open(os.path.join(ROOT, relative), encoding="utf-8") as f:
        return json.load(f)


def read_source(relative):
    with open(os.path.join(ROOT, relative), encoding="utf-8") as f:
        return f.read()


class CoreSchemaLoader(yaml.SafeLoader):
    """PyYAML resolves YAML 1.1 (`NO` → false, `1_000` → int); this loader resolves the YAML 1.2 core schema only,
    as `audit` does: null, true/false, and JSON-style numbers; everything else plain is a string."""


CoreSchemaLoader.yaml_implicit_resolvers = {}
for tag, pattern, first in [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^-?(?:0|[1-9][0-9]*)$", list("-0123456789")),
    ("tag:yaml.org,2002:float", r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$", list("-0123456789")),
]:
    CoreSchemaLoader.add_implicit_resolver(tag, re.compile(pattern), first)


def load_yaml(text):
    return yaml.load(text, Loader=CoreSchemaLoader)


# 1. The schemas are valid 2020-12.
provenance = load_json("schemas/provenance.schema.json")
trust = load_json("schemas/trust.schema.json")
for name, schema in [("provenance", provenance), ("trust", trust)]:
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
        check(schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema", f"{name}: $schema is 2020-12")
        check(True, f"{name}: valid 2020-12 schema")
    except jsonschema.SchemaError as error:
        check(False, f"{name}: valid 2020-12 schema", error.message)
check(provenance.get("$id") == "https://model-audit.dev/schemas/provenance.schema.json", "provenance: $id")

# 2. The enums match the Swift sources.
country_source = read_source("Sources/ModelAudit/Support/CountryCode.swift")
swift_countries = re.findall(r'"([A-Z]{2})"', country_source.split("Set<String> = [", 1)[1].split("]", 1)[0])
check(len(swift_countries) == 249, "CountryCode.swift lists 249 codes", str(len(swift_countries)))
check(provenance["$defs"]["country"]["enum"] == sorted(swift_countries), "country enum equals CountryCode.all")

predicate_source = read_source("Sources/ModelAudit/Manifest/ProvenancePredicate.swift")


def swift_enum(name):
    body = predicate_source.split(f"enum {name}", 1)[1].split("\n}", 1)[0].split("static func", 1)[0]
    values = []
    for line in body.splitlines():
        line = line.strip()
        if line.startswith("case "):
            for item in line[5:].split(","):
                item = item.strip()
                if item:
                    values.append(item.split("=", 1)[1].strip().strip('"') if "=" in item else item)
    return values


defs = provenance["$defs"]
for swift_name, schema_enum in [
    ("DataCategory", defs["dataCategory"]["enum"]),
    ("LineageRelation", defs["relation"]["enum"]),
    ("Kind", defs["affiliation"]["properties"]["type"]["enum"]),
    ("Mode", defs["hosting"]["properties"]["mode"]["enum"]),
]:
    check(swift_enum(swift_name) == schema_enum, f"{swift_name} enum", f"{swift_enum(swift_name)} != {schema_enum}")


def undocumented(node, where):
    """Every member of every `properties` map carries a description."""
    missing = []
    if isinstance(node, dict):
        for key, value in node.get("properties", {}).items():
            if not isinstance(value, dict) or "description" not in value:
                missing.append(f"{where}/properties/{key}")
        for key, value in node.items():
            # Conditions (`if`/`then`/`not`/…) restate members already documented; they are not properties.
            if key not in ("allOf", "anyOf", "oneOf", "if", "then", "else", "not"):
                missing += undocumented(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            missing += undocumented(value, f"{where}/{index}")
    return missing


for name, schema in [("provenance", provenance), ("trust", trust)]:
    missing = undocumented(schema, "")
    check(not missing, f"{name}: every property has a description", ", ".join(missing))

# 3. The worked example, in YAML and in JSON.
example_yaml = load_yaml(read_source("docs/examples/manifest.yaml"))
example = load_json("docs/examples/manifest.json")
check(example_yaml == example, "docs/examples/manifest.json is the same document as manifest.yaml")
check(load_yaml("country: NO\nversion: 1.0\nbig: 1_000\n") == {"country": "NO", "version": 1.0, "big": "1_000"},
      "core-schema YAML loader keeps NO a string")

provenance_validator = jsonschema.Draft202012Validator(provenance)
trust_validator = jsonschema.Draft202012Validator(trust)


def variant(change):
    document = copy.deepcopy(example)
    change(document)
    return document


def setter(path, value):
    """A change that sets the member at `path` (keys and indexes) to `value`."""
    def change(document):
        node = document
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return change


def deleter(path):
    def change(document):
        node = document
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return change


def both(*changes):
    def change(document):
        for each in changes:
            each(document)
    return change


P = ["predicate"]
DEV = P + ["origin", "developer"]
TERM = P + ["dataRetention", 0]
AUDIT = P + ["audits", 0]
collected = both(
    setter(TERM + ["collected"], True), setter(TERM + ["usedForTraining"], False),
    setter(TERM + ["deletionOnRequest"], True), setter(TERM + ["storageCountries"], ["US"]))
managed = {
    "mode": "managed-service",
    "provider": {"name": "CloudCo", "legalName": "CloudCo Ltd", "country": "IE"},
    "service": "CloudCo Models",
    "regions": [{"name": "eu-west-1", "country": "IE"}],
    "governingJurisdictions": ["IE"],
    "subProcessors": [
        {"entity": {"name": "Moderation Co", "country": "NO"}, "purpose": "content moderation",
         "dataCategories": ["prompts", "outputs"]}
    ],
    "dataFlows": [
        {"category": "telemetry", "recipient": {"name": "Metrics Ltd", "country": "GB"}, "country": "GB",
         "purpose": "service health"}
    ],
}

valid = {
    "the worked example": variant(lambda d: None),
    "extensions hold anything": variant(setter(P + ["extensions"], {"x-anything": {"nested": [1, None, True]}})),
    "a complete managed service": variant(setter(P + ["hosting"], managed)),
    "managed service declaring no data flows ([])": variant(
        setter(P + ["hosting"], dict(managed, dataFlows=[], subProcessors=[]))),
    "collected with retentionDays": variant(both(collected, setter(TERM + ["retentionDays"], 30))),
    "collected with retentionDays 0": variant(both(collected, setter(TERM + ["retentionDays"], 0))),
    "collected indefinitely": variant(both(collected, setter(TERM + ["indefinite"], True))),
    "audit issued as a date-time with offset": variant(setter(AUDIT + ["issued"], "2026-03-01T09:30:00.5+01:00")),
    "country NO (Norway)": variant(setter(DEV + ["country"], "NO")),
    "a nested subject path": variant(setter(["subject", 0, "name"], "weights/shard-00001.safetensors")),
    "no publisher (not declared)": variant(deleter(P + ["origin", "publisher"])),
}

invalid = {
    "missing /predicate/hosting": variant(deleter(P + ["hosting"])),
    "model name is a number": variant(setter(P + ["model", "name"], 42)),
    "personalData is a string": variant(setter(P + ["lineage", "datasets", 0, "personalData"], "no")),
    "version is a number (unquoted 1.0 in YAML)": variant(setter(P + ["model", "version"], 1.0)),
    "unknown member in model": variant(setter(P + ["model", "quantisation"], "int4")),
    "unknown member at the top": variant(setter(["comment"], "hi")),
    "unknown member in an entity's parent": variant(setter(DEV + ["parent", "stockTicker"], "ACME")),
    "extensions is not an object": variant(setter(P + ["extensions"], ["x"])),
    "country XX": variant(setter(DEV + ["country"], "XX")),
    "country China": variant(setter(DEV + ["country"], "China")),
    "country cn (lower case)": variant(setter(DEV + ["country"], "cn")),
    "country UK": variant(setter(DEV + ["country"], "UK")),
    "collection country EU": variant(setter(P + ["lineage", "datasets", 0, "collectionCountries"], ["EU"])),
    "empty required string": variant(setter(P + ["model", "license"], " ")),
    "retentionDays -1": variant(both(collected, setter(TERM + ["retentionDays"], -1))),
    "retentionDays 1.5": variant(both(collected, setter(TERM + ["retentionDays"], 1.5))),
    "retentionDays 36501": variant(both(collected, setter(TERM + ["retentionDays"], 36501))),
    "collected without retentionDays or indefinite": variant(collected),
    "collected with indefinite false and no days": variant(both(collected, setter(TERM + ["indefinite"], False))),
    "collected without storageCountries": variant(
        both(collected, setter(TERM + ["retentionDays"], 30), deleter(TERM + ["storageCountries"]))),
    "retentionDays and indefinite together": variant(
        both(collected, setter(TERM + ["retentionDays"], 30), setter(TERM + ["indefinite"], True))),
    "unknown data category": variant(setter(TERM + ["category"], "location")),
    "issued March 2026": variant(setter(AUDIT + ["issued"], "March 2026")),
    "issued 2026-13-01": variant(setter(AUDIT + ["issued"], "2026-13-01")),
    "issued without an offset": variant(setter(AUDIT + ["issued"], "2026-03-01T00:00:00")),
    "subject path ../etc/passwd": variant(setter(["subject", 0, "name"], "../etc/passwd")),
    "subject path a/../b": variant(setter(["subject", 0, "name"], "a/../b")),
    "absolute subject path": variant(setter(["subject", 0, "name"], "/etc/passwd")),
    "subject path with a NUL": variant(setter(["subject", 0, "name"], "a\u0000b")),
    "subject path with a backslash": variant(setter(["subject", 0, "name"], "a\\b")),
    "subject path with an empty component": variant(setter(["subject", 0, "name"], "a//b")),
    "subject path ./a": variant(setter(["subject", 0, "name"], "./a")),
    "subject digest not 64 hex": variant(setter(["subject", 0, "digest", "sha256"], "abc123")),
    "subject digest upper case": variant(setter(["subject", 0, "digest", "sha256"], "A" * 64)),
    "subject digest with sha512 too": variant(setter(["subject", 0, "digest", "sha512"], "0" * 128)),
    "no subjects": variant(setter(["subject"], [])),
    "wrong _type": variant(setter(["_type"], "https://in-toto.io/Statement/v0.1")),
    "wrong predicateType": variant(setter(["predicateType"], "https://model-audit.dev/provenance/v2")),
    "managed-service without dataFlows": variant(setter(P + ["hosting"], {
        k: v for k, v in managed.items() if k != "dataFlows"})),
    "managed-service with nothing else": variant(setter(P + ["hosting", "mode"], "managed-service")),
    "unknown hosting mode": variant(setter(P + ["hosting", "mode"], "hybrid")),
    "unknown lineage relation": variant(setter(P + ["lineage", "parents", 0, "relation"], "finetune")),
    "unknown affiliation type": variant(setter(DEV + ["affiliations", 0, "type"], "partner")),
    "trainingCompute count 0": variant(setter(P + ["lineage", "trainingCompute", 0, "count"], 0)),
    "lineage without parents": variant(deleter(P + ["lineage", "parents"])),
    "null where a value is required": variant(setter(P + ["model", "source"], None)),
}

# What `audit` refuses but JSON Schema cannot say; each must stay accepted by the schema (or leave this list).
reader_only = {
    "duplicate subject paths": variant(lambda d: d["subject"].append(
        {"name": "config.json", "digest": {"sha256": "1" * 64}})),
    "a data category listed twice": variant(lambda d: d["predicate"]["dataRetention"].append(
        {"category": "prompts", "collected": False})),
    "audit expires before it was issued": variant(setter(AUDIT + ["expires"], "2025-01-01")),
    "issued 2026-02-30": variant(setter(AUDIT + ["issued"], "2026-02-30")),
}

# 4 and 5. The schema's verdicts.
for label, document in valid.items():
    errors = sorted(provenance_validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    check(not errors, f"valid: {label}", "; ".join(f"/{'/'.join(map(str, e.absolute_path))}: {e.message[:160]}"
                                                   for e in errors[:3]))
for label, document in invalid.items():
    check(not provenance_validator.is_valid(document), f"invalid: {label} is rejected by the schema")
for label, document in reader_only.items():
    check(provenance_validator.is_valid(document), f"reader-only: {label} is accepted by the schema "
          "(JSON Schema cannot express this check; if the schema now can, move it to the invalid cases)")

trust_valid = {
    "version": 1,
    "keys": [
        {"file": "acme-release.pub", "keyid": "sha256:" + "4d" * 32, "owner": "Acme AI, Inc.",
         "roles": ["developer", "publisher"], "notBefore": "2026-01-01T00:00:00Z",
         "notAfter": "2027-12-31T23:59:59Z", "revoked": False, "note": "release signing key"},
        {"file": "cloudco-host.pub", "owner": "CloudCo Ltd", "roles": ["host"], "scheme": "rsa-pss-sha256"},
    ],
}
check(trust_validator.is_valid(trust_valid), "trust: the docs/trust.md example validates")
trust_invalid = {
    "version 2": both(setter(["version"], 2)),
    "no keys": setter(["keys"], []),
    "unknown member": setter(["keys", 0, "comment"], "x"),
    "file in a subdirectory": setter(["keys", 0, "file"], "sub/acme.pub"),
    "file ..": setter(["keys", 0, "file"], ".."),
    "unknown role": setter(["keys", 0, "roles"], ["admin"]),
    "no roles": setter(["keys", 0, "roles"], []),
    "unknown scheme": setter(["keys", 1, "scheme"], "rsa-sha1"),
    "date-only notAfter": setter(["keys", 0, "notAfter"], "2027-12-31"),
    "keyid without sha256: prefix": setter(["keys", 0, "keyid"], "4d" * 32),
    "owner missing": deleter(["keys", 1, "owner"]),
}
for label, change in trust_invalid.items():
    document = copy.deepcopy(trust_valid)
    change(document)
    check(not trust_validator.is_valid(document), f"trust invalid: {label} is rejected by the schema")

# A store of CA roots only (keys may then be empty), as `audit trust add --ca` writes it.
trust_ca_valid = {
    "version": 1,
    "keys": [],
    "ca": [{"file": "acme-root.pem", "fingerprint": "sha256:" + "ab" * 32, "owner": "Acme AI, Inc.",
            "roles": ["developer", "publisher"], "notAfter": "2035-01-01T00:00:00Z", "revoked": False,
            "note": "company PKI root"}],
}
check(trust_validator.is_valid(trust_ca_valid), "trust: a store of CA roots only validates")
trust_ca_invalid = {
    "empty ca and no keys": setter(["ca"], []),
    "ca unknown member": setter(["ca", 0, "scheme"], "ed25519"),
    "ca without owner": deleter(["ca", 0, "owner"]),
    "ca without roles": setter(["ca", 0, "roles"], []),
    "ca fingerprint without sha256: prefix": setter(["ca", 0, "fingerprint"], "ab" * 32),
    "ca file in a subdirectory": setter(["ca", 0, "file"], "pki/root.pem"),
}
for label, change in trust_ca_invalid.items():
    document = copy.deepcopy(trust_ca_valid)
    change(document)
    check(not trust_validator.is_valid(document), f"trust invalid: {label} is rejected by the schema")

# Optional: the same cases through the real reader (`audit sign`). A statement of another predicate type is not a
# provenance manifest to `audit sign`, which signs it as written, so that case is the schema's alone.
not_a_manifest = {"wrong predicateType"}
audit = os.environ.get("AUDIT")
if audit:
    audit = os.path.abspath(audit) if os.sep in audit else audit
    with tempfile.TemporaryDirectory(prefix="schema-check-") as scratch:
        keygen = subprocess.run([audit, "keygen", "--algorithm", "ed25519", "--out", os.path.join(scratch, "k")],
                                capture_output=True, text=True)
        check(keygen.returncode == 0, "audit keygen", keygen.stderr.strip())

        def sign(label, document):
            path = os.path.join(scratch, "case.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(document, f)
            return subprocess.run([audit, "sign", path, "--key", os.path.join(scratch, "k.key"), "--force",
                                   "-o", os.path.join(scratch, "out.json")], capture_output=True, text=True)

        for label, document in valid.items():
            result = sign(label, document)
            check(result.returncode == 0, f"reader accepts: {label}", result.stderr.strip())
        for label, document in list(invalid.items()) + list(reader_only.items()):
            if label in not_a_manifest:
                continue
            result = sign(label, document)
            check(result.returncode == 2, f"reader refuses: {label}",
                  f"exit {result.returncode} {result.stderr.strip()}")

print(f"schema: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
