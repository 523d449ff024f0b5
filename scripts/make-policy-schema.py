#!/usr/bin/env python3
"""Writes schemas/policy.schema.json from the Swift sources: the 249 country codes of CountryCode.swift and the
enums the policy language uses (roles, schemes, data categories, …). Rule types and their parameters are described in
RULES below; PolicyTests.swift checks that every registered rule type has a definition and every enum matches.

Usage: python3 scripts/make-policy-schema.py      (from anywhere)
"""
import json
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def source(relative):
    with open(os.path.join(ROOT, relative), encoding="utf-8") as f:
        return f.read()


def swift_enum(relative, name):
    """Raw values of `enum name: String` in declaration order (skips `case .x:` lines of switches)."""
    text = source(relative)
    match = re.search(r"enum " + name + r"\s*:\s*String[^{]*\{", text)
    if not match:
        raise SystemExit(f"enum {name} not found in {relative}")
    depth, i = 1, match.end()
    while depth:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    body = text[match.end():i - 1]
    values = []
    # Only the enum's own top level: drop nested bodies (computed properties with switches).
    flat, depth = [], 0
    for ch in body:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0:
            flat.append(ch)
    for line in "".join(flat).splitlines():
        line = line.split("//")[0].strip()
        if not line.startswith("case "):
            continue
        for item in line[5:].split(","):
            item = item.strip()
            if not item:
                continue
            if "=" in item:
                values.append(item.split("=", 1)[1].strip().strip('"'))
            else:
                values.append(item)
    return values


countries = sorted(re.findall(r'"([A-Z]{2})"', source("Sources/ModelAudit/Support/CountryCode.swift")))
assert len(countries) == 249, len(countries)

ENUMS = {
    "trustRole": swift_enum("Sources/ModelAudit/Trust/TrustedKey.swift", "TrustRole"),
    "signatureScheme": swift_enum("Sources/AuditCrypto/SignatureScheme.swift", "SignatureScheme"),
    "dataCategory": swift_enum("Sources/ModelAudit/Manifest/ProvenancePredicate.swift", "DataCategory"),
    "lineageRelation": swift_enum("Sources/ModelAudit/Manifest/ProvenancePredicate.swift", "LineageRelation"),
    "jurisdictionRole": swift_enum("Sources/ModelAudit/Policy/Rules/JurisdictionRules.swift", "JurisdictionRole"),
    "deploymentScope": swift_enum("Sources/ModelAudit/Policy/Rules/JurisdictionRules.swift", "DeploymentScope"),
    "partyRole": swift_enum("Sources/ModelAudit/Policy/Parties.swift", "PartyRole"),
    "vendorSubject": swift_enum("Sources/ModelAudit/Policy/Rules/VendorRules.swift", "VendorSubject"),
    "custodyAction": swift_enum("Sources/ModelAudit/Custody/CustodyRecord.swift", "CustodyAction"),
    "severity": swift_enum("Sources/ModelAudit/Results/Finding.swift", "Severity"),
    "enforcement": swift_enum("Sources/ModelAudit/Results/Finding.swift", "Enforcement"),
    "mode": swift_enum("Sources/ModelAudit/Results/AuditReport.swift", "PolicyMode"),
}

INTEGRITY = ["integrity.signatures", "integrity.manifest", "integrity.artifacts", "integrity.custody"]
NOT_INTEGRITY = "^(?!integrity\\.(signatures|manifest|artifacts|custody)$)"


def ref(name, description=None):
    out = {"$ref": f"#/$defs/{name}"}
    if description:
        out["description"] = description
    return out


def enum_list(name, description, min_items=1):
    out = {"type": "array", "description": description, "items": ref(name)}
    if min_items:
        out["minItems"] = min_items
    return out


def countries_param(what):
    return {
        "allow": {
            "type": "array", "minItems": 1, "items": ref("country"),
            "description": f"Allow list: every {what} must be one of these countries. Give `allow` or `deny`, "
                           "not both.",
        },
        "deny": {
            "type": "array", "minItems": 1, "items": ref("country"),
            "description": f"Deny list: no {what} may be in one of these countries. Give `allow` or `deny`, "
                           "not both.",
        },
    }


ONE_COUNTRY_LIST = [{"required": ["allow"]}, {"required": ["deny"]}]

HEADER = {
    "id": {
        "type": "string", "minLength": 1, "pattern": NOT_INTEGRITY,
        "description": "The rule's stable id, unique in the file; waivers, reports, `extends` overrides and "
                       "`audit policy test` expectations name the rule by it. The built-in ids "
                       "`integrity.signatures`, `integrity.manifest`, `integrity.artifacts` and "
                       "`integrity.custody` are reserved.",
    },
    "title": {
        "type": "string", "minLength": 1, "pattern": "\\S",
        "description": "One line saying what the rule requires; defaults to the rule type.",
    },
    "severity": ref("severity", "How much a failure matters: critical, high, medium, low or info."),
    "enforcement": ref(
        "enforcement",
        "`enforce` (default): a failure makes the model non-compliant. `warn`: failures and errors are reported "
        "as warnings. `off`: the rule is not evaluated."),
    "controls": {
        "type": "array",
        "items": {
            "type": "string", "minLength": 1,
            "description": "A control as `FRAMEWORK:CONTROL`, e.g. `NIST-AI-RMF:GOVERN-6.1`, "
                           "`ISO-42001:A.10.3`, `EU-AI-Act:Art.53(1)(b)`, `NIST-SP-800-218A:PS.3.2`.",
        },
        "description": "The controls the rule supports, reported with every finding (convention: "
                       "`FRAMEWORK:CONTROL`; not validated).",
    },
    "remediation": {
        "type": "string", "minLength": 1, "pattern": "\\S",
        "description": "What to do when the rule fails; printed with failures, warnings and errors.",
    },
}

# type → (description, parameter properties, required parameters, extra schema keywords)
RULES = {
    "signatures.required-roles": (
        "Each listed role must be held by a trusted key that verified the manifest.",
        {"roles": enum_list("trustRole", "Trust-store roles that must each have signed (at least one).")},
        ["roles"], {}),
    "signatures.threshold": (
        "At least `minimum` distinct trusted keys (optionally holding `role`) verified the manifest.",
        {
            "minimum": {"type": "integer", "minimum": 1, "maximum": 64,
                        "description": "Distinct trusted keys that must have signed, 1–64."},
            "role": ref("trustRole", "Count only keys holding this role."),
        },
        ["minimum"], {}),
    "signatures.algorithms": (
        "Every verified signature uses one of the allowed schemes.",
        {"allowed": enum_list("signatureScheme", "The signature schemes allowed (at least one).")},
        ["allowed"], {}),
    "signatures.keyless-identities": (
        "The model is signed keylessly (Sigstore: Fulcio certificate and Rekor entry, verified with "
        "`--trusted-root`) by one of the listed identities, grouped by vendor: a whitelist. A keyless signer not "
        "listed fails; a model without a verified keyless signature fails. Also applies to OMS model signatures.",
        {"vendors": {"type": "array", "minItems": 1, "items": ref("keylessVendor"),
                     "description": "The vendors and the identities each signs with (at least one)."}},
        ["vendors"], {}),
    "vendors.allow": (
        "The developer, publisher and/or host is an approved vendor, by name, legal name or alias after "
        "screening normalisation.",
        {
            "subjects": enum_list("vendorSubject", "Which parties must be approved: developer, publisher, host."),
            "vendors": {"type": "array", "minItems": 1, "items": ref("vendor"),
                        "description": "The approved vendors (at least one)."},
        },
        ["subjects", "vendors"], {}),
    "vendors.deny": (
        "The developer, publisher and/or host is not a denied vendor (and, for `developer`, neither is any "
        "verified ancestor's developer).",
        {
            "subjects": enum_list("vendorSubject", "Which parties to check: developer, publisher, host."),
            "vendors": {"type": "array", "minItems": 1, "items": ref("vendor"),
                        "description": "The denied vendors (at least one)."},
        },
        ["subjects", "vendors"], {}),
    "screening.entity-lists": (
        "No party the manifest names, nor any verified ancestor's developer, is on a screening list "
        "(exact match after normalisation).",
        {
            "lists": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1},
                      "description": "Ids of `screeningLists` to consult; default: every list the policy "
                                     "declares (the policy must then declare at least one)."},
            "parties": enum_list("partyRole", "Which parties to screen; default: all."),
        },
        [], {}),
    "jurisdictions.countries": (
        "The countries found in one part of the manifest (`role`) are allowed, or not denied.",
        dict({
            "role": ref("jurisdictionRole", "Where to look for countries."),
            "scope": ref("deploymentScope",
                         "Which deployments the rule covers: `any` (default), `hosted-service` (a self-hosted "
                         "model is not applicable, except for a provider, regions, governing law, data flows or "
                         "stored data it declares) or `self-hosted` (a managed service is not applicable)."),
            "categories": enum_list(
                "dataCategory",
                "For `data-flow-recipient` and `data-storage`: only these data categories (default: all)."),
        }, **countries_param("country found")),
        ["role"], {"oneOf": ONE_COUNTRY_LIST}),
    "retention.max-days": (
        "Collected data of each listed category is kept no longer than its limit in days.",
        {"limits": {
            "type": "object", "minProperties": 1,
            "description": "Data category → maximum retention in whole days (0–3650: a longer limit limits "
                           "nothing).",
            "propertyNames": ref("dataCategory"),
            "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 3650},
        }},
        ["limits"], {}),
    "retention.no-training": (
        "Collected data of the listed categories is not used for training.",
        {"categories": enum_list("dataCategory", "The data categories (at least one).")},
        ["categories"], {}),
    "retention.deletion-on-request": (
        "Collected data of the listed categories is deleted on request.",
        {"categories": enum_list("dataCategory", "The data categories (at least one).")},
        ["categories"], {}),
    "retention.forbidden-collection": (
        "The listed data categories are not collected at all.",
        {"categories": enum_list("dataCategory", "The data categories that must not be collected.")},
        ["categories"], {}),
    "retention.storage-countries": (
        "Collected data is stored only in allowed (or not in denied) countries.",
        dict({"categories": enum_list("dataCategory", "Only these data categories (default: all collected).")},
             **countries_param("storage country")),
        [], {"oneOf": ONE_COUNTRY_LIST}),
    "audits.required": (
        "Each listed framework has an unexpired attestation, recent enough and backed by evidence.",
        {
            "frameworks": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1},
                           "description": "Audit frameworks, compared without case, spaces or punctuation "
                                          "(`SOC 2 Type II` = `soc2-type-ii`)."},
            "maxAgeDays": {"type": "integer", "minimum": 1, "maximum": 36500,
                           "description": "The attestation must have been issued at most this many days ago."},
            "requireEvidence": {"type": "boolean",
                                "description": "Require an evidence digest (default true)."},
            "scope": ref("deploymentScope",
                         "Which deployments need the audits: `any` (default), `hosted-service` (a self-hosted "
                         "model is not applicable) or `self-hosted` (a managed service is not applicable)."),
        },
        ["frameworks"], {}),
    "lineage.forbidden-relations": (
        "The model was not derived from a parent by a forbidden relation.",
        {"relations": enum_list("lineageRelation", "The forbidden relations (at least one).")},
        ["relations"], {}),
    "lineage.dataset-licenses": (
        "Every training data set is under an allowed licence (SPDX expression, compared without case).",
        {"allowed": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1},
                     "description": "The allowed licence expressions (at least one)."}},
        ["allowed"], {}),
    "lineage.personal-data": (
        "Training data sets holding personal data declare a lawful basis (or are refused outright).",
        {"allowWithLawfulBasis": {"type": "boolean",
                                  "description": "true (default): personal data passes with a declared lawful "
                                                 "basis; false: any personal data fails."}},
        [], {}),
    "lineage.distillation-terms": (
        "Every distillation teacher's terms permit training on its outputs. No parameters.",
        {}, [], {}),
    "lineage.parents-signed": (
        "Every parent is referenced by the digest of its signed manifest. No parameters.",
        {}, [], {}),
    "lineage.ancestors-verified": (
        "Every ancestor, followed through the manifest store (`--store`), is signed by a trusted key. "
        "No parameters.",
        {}, [], {}),
    "lineage.max-depth": (
        "The resolved ancestry is no deeper than `maxDepth` generations.",
        {"maxDepth": {"type": "integer", "minimum": 0, "maximum": 64,
                      "description": "The deepest ancestry allowed, in generations (0–64)."}},
        ["maxDepth"], {}),
    "custody.required": (
        "An unbroken, verified chain of custody from the developer or publisher to a deployer.",
        {
            "fromRoles": enum_list("trustRole", "Roles that may sign the first hop (`published`); default "
                                                "developer, publisher.", min_items=0),
            "toRoles": enum_list("trustRole", "Roles that may sign the last hop (`deployed`); default deployer.",
                                 min_items=0),
        },
        [], {}),
    "custody.authorized-roles": (
        "Each custody hop is signed by a key holding a role the policy authorises for its action.",
        {"actions": {
            "type": "object",
            "description": "Custody action → the trust-store roles authorised to sign it. An action not listed "
                           "is authorised for no role.",
            "propertyNames": ref("custodyAction"),
            "additionalProperties": {"type": "array", "items": ref("trustRole")},
        }},
        ["actions"], {}),
    "custody.hop-countries": (
        "Every custody hop takes place in an allowed (or not denied) country.",
        countries_param("custody hop"),
        [], {"oneOf": ONE_COUNTRY_LIST}),
    "artifacts.required": (
        "The model's files were checked against the manifest (a model directory was given) and every one matched.",
        {},
        [], {}),
}


def rule_def(rule_type):
    description, params, required, extra = RULES[rule_type]
    properties = dict(HEADER)
    properties["type"] = {"const": rule_type, "description": f"`{rule_type}`."}
    properties.update(params)
    out = {
        "type": "object",
        "description": f"`{rule_type}`: {description}",
        "required": ["id", "type", "severity"] + required,
        "additionalProperties": False,
        "properties": properties,
    }
    out.update(extra)
    return out


parameter_names = sorted({name for _, params, _, _ in RULES.values() for name in params})
patch_properties = {k: v for k, v in HEADER.items()}
for name in parameter_names:
    patch_properties[name] = {
        "description": f"Replaces the base rule's `{name}`; checked against the base rule's type when the "
                       "merged policy is built."}

defs = {
    "text": {"type": "string", "minLength": 1, "pattern": "\\S",
             "description": "A string with at least one character that is not white space."},
    "country": {
        "description": "An officially assigned ISO 3166-1 alpha-2 country code in upper case (`CN`, `US`, `DE`). "
                       "Names (`China`), lower case (`cn`), `XX`, `EU` and `UK` are refused.",
        "enum": countries,
    },
    "dateOrDateTime": {
        "type": "string",
        "description": "An RFC 3339 full-date (`2026-12-31`, valid to the end of that day UTC) or date-time "
                       "(`2026-12-31T12:00:00Z`).",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}"
                   "([Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?$",
    },
    "trustRole": {"enum": ENUMS["trustRole"], "description": "A trust-store role a key may sign for."},
    "signatureScheme": {"enum": ENUMS["signatureScheme"], "description": "A signature scheme."},
    "dataCategory": {"enum": ENUMS["dataCategory"], "description": "A category of user data."},
    "lineageRelation": {"enum": ENUMS["lineageRelation"], "description": "How a model was derived from a parent."},
    "jurisdictionRole": {
        "enum": ENUMS["jurisdictionRole"],
        "description": "Where a jurisdiction rule looks for countries: `developer` (and every verified ancestor's "
                       "developer), `parent` (the developer's and publisher's owners), `affiliation` (their state, "
                       "military, government and investor ties), `host`, `hosting-region`, `governing-law`, "
                       "`data-storage`, `data-flow-recipient` (destination, recipient and its owners), "
                       "`training-compute`."},
    "deploymentScope": {"enum": ENUMS["deploymentScope"],
                        "description": "Which deployments a jurisdiction rule covers."},
    "partyRole": {"enum": ENUMS["partyRole"], "description": "A part of the manifest that names a party."},
    "vendorSubject": {"enum": ENUMS["vendorSubject"], "description": "A party a vendor rule checks."},
    "custodyAction": {"enum": ENUMS["custodyAction"], "description": "What a custodian did with the model."},
    "severity": {"enum": ENUMS["severity"], "description": "How much a failure matters."},
    "enforcement": {"enum": ENUMS["enforcement"], "description": "What a rule's failure does."},
    "keylessVendor": {
        "type": "object",
        "description": "A vendor and the Sigstore keyless identities its models may be signed with.",
        "required": ["name", "identities"],
        "additionalProperties": False,
        "properties": {
            "name": ref("text", "The vendor's name, as findings name it."),
            "identities": {"type": "array", "minItems": 1, "items": ref("keylessIdentity"),
                           "description": "The identities (at least one)."},
        },
    },
    "keylessIdentity": {
        "type": "object",
        "description": "One signer identity: the Fulcio certificate's subject alternative name and the OIDC issuer "
                       "that vouched for it, each exact or as a regular expression that must match the whole "
                       "value. Both are required.",
        "additionalProperties": False,
        "properties": {
            "san": {"type": "string", "minLength": 1,
                    "description": "The subject alternative name (e-mail or URI), exactly."},
            "sanRegexp": {"type": "string", "minLength": 1,
                          "description": "A regular expression the whole subject alternative name must match."},
            "issuer": {"type": "string", "minLength": 1, "description": "The OIDC issuer URL, exactly."},
            "issuerRegexp": {"type": "string", "minLength": 1,
                             "description": "A regular expression the whole OIDC issuer must match."},
        },
        "allOf": [
            {"oneOf": [{"required": ["san"]}, {"required": ["sanRegexp"]}]},
            {"oneOf": [{"required": ["issuer"]}, {"required": ["issuerRegexp"]}]},
        ],
    },
    "vendor": {
        "type": "object",
        "description": "A vendor: its name and the names it also trades under.",
        "required": ["name"],
        "additionalProperties": False,
        "properties": {
            "name": ref("text", "The vendor's name."),
            "aliases": {"type": "array", "items": {"type": "string", "minLength": 1},
                        "description": "Other names: legal name, brands, former names."},
        },
    },
    "screeningList": {
        "type": "object",
        "description": "A screening list in the Consolidated Screening List CSV layout.",
        "required": ["id", "file"],
        "additionalProperties": False,
        "properties": {
            "id": ref("text", "The id rules name the list by; a list with the same id in an extending file "
                              "replaces the base's."),
            "file": ref("text", "The CSV file, relative to the policy file that names it (or absolute)."),
        },
    },
    "waiver": {
        "type": "object",
        "description": "An exception to one rule for one model. Every member is required; an expired waiver is "
                       "reported and not applied, one that matched nothing is reported as unused.",
        "required": ["rule", "model", "justification", "approver", "expires"],
        "additionalProperties": False,
        "properties": {
            "rule": {"type": "string", "minLength": 1, "pattern": NOT_INTEGRITY,
                     "description": "The id of a rule in the (merged) policy. Integrity rules cannot be waived."},
            "model": {
                "type": "object",
                "description": "Which model: by its developer (proven by the developer's signing key) or the digest "
                               "of its envelope, optionally narrowed by name; every member given must match. A name "
                               "alone is refused: any developer can give a model that name.",
                "anyOf": [{"required": ["developer"]}, {"required": ["digest"]}],
                "additionalProperties": False,
                "properties": {
                    "name": ref("text", "The model's `predicate.model.name`; narrows a developer's or digest's "
                                        "waiver to one model."),
                    "developer": ref("text", "The developer: a trusted key with the developer role whose trust-store "
                                             "owner is this developer must have signed, and the manifest must declare "
                                             "it; compared after screening normalisation."),
                    "digest": {"type": "string", "pattern": "^(sha256:)?[0-9a-f]{64}$",
                               "description": "SHA-256 of the signed envelope file, 64 lowercase hex, optionally "
                                              "prefixed `sha256:`."},
                },
            },
            "justification": ref("text", "Why the exception is acceptable."),
            "approver": ref("text", "Who approved it."),
            "expires": ref("dateOrDateTime", "When the waiver stops applying; a date lasts to 23:59:59Z."),
        },
    },
    "rulePatch": {
        "type": "object",
        "description": "A rule without `type`, valid only in a file with `extends`: it changes the members it "
                       "names in the base rule with the same id (e.g. `enforcement: off`, `severity`, or a "
                       "parameter). To replace a base rule entirely, give `type`.",
        "required": ["id"],
        "additionalProperties": False,
        "properties": patch_properties,
    },
}
for rule_type in RULES:
    defs[rule_type] = rule_def(rule_type)

defs["rule"] = {
    "type": "object",
    "description": "A rule: a header (id, title, severity, enforcement, controls, remediation), its `type` and "
                   "the type's parameters; or, in a file with `extends`, a patch of a base rule (no `type`).",
    "required": ["id"],
    "if": {"required": ["type"]},
    "then": {
        "properties": {"type": {"enum": sorted(RULES), "description": "The rule type."}},
        "allOf": [
            {"if": {"properties": {"type": {"const": t}}}, "then": ref(t)} for t in sorted(RULES)
        ],
    },
    "else": ref("rulePatch"),
}

schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://model-audit.dev/schemas/policy.schema.json",
    "title": "model-audit policy",
    "description": "An organisation's deployment policy for AI models (YAML or JSON): rules in families "
                   "(signatures, vendors, screening, jurisdictions, retention, audits, lineage, custody), waivers "
                   "and the screening lists rules consult. Documentation: docs/policy.md. Checks this schema "
                   "cannot express and `audit policy check` makes: `name` is given in the file passed to `audit`; "
                   "rule ids unique within a file; every "
                   "`extends` file exists, is itself valid and no chain is a cycle or deeper than 8 files; a rule "
                   "without `type` patches a rule of the base; every waiver names a rule of the merged policy; "
                   "every screening list file loads (CSV with the required columns) and every `lists` id is "
                   "declared; dates are real calendar dates.",
    "type": "object",
    "required": ["version"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": 1, "description": "The policy format version; `1`."},
        "name": ref("text", "The policy's name, printed in reports. Required in the policy file given to `audit`; "
                            "optional in a file only used as a base (`extends`)."),
        "description": ref("text", "What the policy is for."),
        "extends": ref("text", "A base policy file, relative to this one (or absolute). This file's rules "
                               "override the base's by id; waivers and screening lists add up."),
        "mode": ref("mode", "`enforce` (default): an enforced failure exits 1. `audit`: report everything and "
                            "exit 0. `audit verify|report --mode` overrides it."),
        "screeningLists": {"type": "array", "items": ref("screeningList"),
                           "description": "Screening lists rules of type `screening.entity-lists` consult."},
        "rules": {"type": "array", "items": ref("rule"),
                  "description": "The rules. Required unless the file `extends` another."},
        "waivers": {"type": "array", "items": ref("waiver"), "description": "Exceptions to rules for models."},
    },
    "if": {"not": {"required": ["extends"]}},
    "then": {
        "required": ["rules"],
        "properties": {"rules": {"items": {"required": ["type"]}}},
    },
    "$defs": defs,
}
defs["mode"] = {"enum": ENUMS["mode"], "description": "How a run treats failures."}

text = json.dumps(schema, indent=2, ensure_ascii=False)
# The country list on 16 codes a line, as in provenance.schema.json.
block = ",\n".join(
    "        " + ", ".join(f'"{c}"' for c in countries[i:i + 16]) for i in range(0, len(countries), 16))
lines = text.split("\n")
out, i = [], 0
while i < len(lines):
    line = lines[i]
    out.append(line)
    if line.strip() == '"enum": [' and i + 1 < len(lines) and lines[i + 1].strip() == '"AD",':
        j = i + 1
        while lines[j].strip() != "]":
            j += 1
        out.append(block)
        out.append(lines[j])
        i = j + 1
        continue
    i += 1
with open(os.path.join(ROOT, "schemas/policy.schema.json"), "w", encoding="utf-8") as f:
    f.write("\n".join(out) + "\n")
print("wrote schemas/policy.schema.json:", len(RULES), "rule types,", len(countries), "countries")
