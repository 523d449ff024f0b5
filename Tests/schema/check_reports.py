#!/usr/bin/env python3
"""Checks the golden report files in Tests/Fixtures/reports/ with tools that share no code with the renderers.

Checks, in order:
  1. report.sarif validates against the official OASIS SARIF 2.1.0 schema
     (<root>/Tests/Vectors/sarif/sarif-schema-2.1.0.json) with the validator for the draft it declares
     (draft-04) and with Draft 7, and every result has a location and a ruleIndex naming its rule;
  2. report.json validates against schemas/report.schema.json (draft 2020-12), and its summary counts agree with
     its findings;
  3. report.junit.xml is well-formed XML (xml.etree.ElementTree) and every tests/failures/errors/skipped
     attribute equals what its elements hold;
  4. report.html loads nothing from outside: no <script>, <link>, <iframe>, <object>, <embed>, @import, and every
     src=/href=/url( reference is in-page (`#…`); every element it opens is closed, in order.

Usage: python3 Tests/schema/check_reports.py          (from anywhere; paths are relative to the package root)
Prints `reports: N passed, M failed` last and exits 1 when anything failed.
"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

try:
    import jsonschema
except ImportError as error:  # pragma: no cover - environment problem, not a report failure
    print(f"reports: cannot run: {error} (pip install jsonschema)")
    print("reports: 0 passed, 1 failed")
    sys.exit(1)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPORTS = os.path.join(ROOT, "Tests", "Fixtures", "reports")
SARIF_SCHEMA = os.path.join(ROOT, "Tests", "Vectors", "sarif", "sarif-schema-2.1.0.json")
passed = 0
failed = 0


def check(ok, label, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {label}" + (f": {detail}" if detail else ""))
    return ok


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def schema_errors(schema, instance, default=jsonschema.Draft202012Validator):
    """Every validation error, as `path: message`, using the validator for the draft the schema declares."""
    validator_class = jsonschema.validators.validator_for(schema, default=default)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    return [
        "/".join(str(p) for p in error.absolute_path) + ": " + error.message
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    ]


# 1. SARIF against the official schema.
def check_sarif():
    path = os.path.join(REPORTS, "report.sarif")
    if not check(os.path.exists(SARIF_SCHEMA), "SARIF schema present", SARIF_SCHEMA):
        return
    schema = json.loads(read(SARIF_SCHEMA))
    sarif = json.loads(read(path))
    errors = schema_errors(schema, sarif, default=jsonschema.Draft4Validator)
    check(not errors, "report.sarif validates against sarif-schema-2.1.0.json (draft-04)", "; ".join(errors[:5]))
    # The schema's keywords mean the same under draft 7 (it uses no boolean exclusiveMinimum); check that too.
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(sarif)]
    check(not errors, "report.sarif validates against sarif-schema-2.1.0.json (draft 7)", "; ".join(errors[:5]))
    check(sarif.get("version") == "2.1.0", "SARIF version is 2.1.0")
    runs = sarif.get("runs", [])
    if not check(len(runs) == 1, "SARIF has exactly one run", f"{len(runs)} runs"):
        return
    rules = runs[0]["tool"]["driver"].get("rules", [])
    results = runs[0].get("results", [])
    check(len(results) > 0, "SARIF has results")
    bad_location = [r["ruleId"] for r in results if not r.get("locations")]
    check(not bad_location, "every SARIF result has a location", ", ".join(bad_location))
    bad_index = [r["ruleId"] for r in results if rules[r["ruleIndex"]]["id"] != r["ruleId"]]
    check(not bad_index, "every SARIF ruleIndex names its ruleId", ", ".join(bad_index))
    fingerprints = [json.dumps(r.get("partialFingerprints"), sort_keys=True) for r in results]
    check(len(set(fingerprints)) == len(results), "SARIF partialFingerprints are unique")
    suppressed = [r for r in results if r.get("suppressions")]
    check(
        all(s["status"] == "accepted" and s["kind"] == "external" for r in suppressed for s in r["suppressions"]),
        "SARIF waivers are accepted external suppressions",
    )


# 2. JSON report against schemas/report.schema.json.
def check_json():
    schema = json.loads(read(os.path.join(ROOT, "schemas", "report.schema.json")))
    report = json.loads(read(os.path.join(REPORTS, "report.json")))
    errors = schema_errors(schema, report)
    check(not errors, "report.json validates against schemas/report.schema.json", "; ".join(errors[:5]))
    counts = {}
    for model in report.get("models", []):
        for finding in model.get("findings", []):
            counts[finding["status"]] = counts.get(finding["status"], 0) + 1
    declared = {k: v for k, v in report["summary"]["findings"].items() if v}
    check(declared == counts, "report.json summary counts equal its findings", f"{declared} != {counts}")


# 3. JUnit XML is well-formed and its counts are right.
def check_junit():
    path = os.path.join(REPORTS, "report.junit.xml")
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as error:
        check(False, "report.junit.xml is well-formed XML", str(error))
        return
    check(True, "report.junit.xml is well-formed XML")
    check(root.tag == "testsuites", "JUnit root is <testsuites>", root.tag)

    def counted(element):
        cases = element.iter("testcase")
        totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for case in cases:
            totals["tests"] += 1
            totals["failures"] += len(case.findall("failure"))
            totals["errors"] += len(case.findall("error"))
            totals["skipped"] += len(case.findall("skipped"))
        return totals

    def declared(element):
        return {key: int(element.get(key, "-1")) for key in ("tests", "failures", "errors", "skipped")}

    suites = root.findall("testsuite")
    check(len(suites) > 0, "JUnit has test suites")
    for suite in suites:
        name = suite.get("name")
        check(
            declared(suite) == counted(suite), f"JUnit suite {name!r} counts", f"{declared(suite)} != {counted(suite)}"
        )
        names = [case.get("name") for case in suite.iter("testcase")]
        check(len(set(names)) == len(names), f"JUnit suite {name!r} test case names are unique")
    check(declared(root) == counted(root), "JUnit <testsuites> totals", f"{declared(root)} != {counted(root)}")


# 4. HTML is self-contained.
def check_html():
    html = read(os.path.join(REPORTS, "report.html"))
    lower = html.lower()
    for tag in ("<script", "<link", "<iframe", "<object", "<embed", "@import"):
        check(tag not in lower, f"report.html has no {tag}")
    references = re.findall(r"""(?:\bsrc|\bhref)\s*=\s*["']?([^"'\s>]*)|url\(\s*["']?([^"')\s]*)""", lower)
    external = [a or b for a, b in references if not (a or b).startswith("#")]
    check(not external, "report.html references only in-page anchors", ", ".join(external[:5]))
    check(html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html, "report.html declares doctype and lang")
    check('<table id="verdicts">' in html, "report.html has the verdict table")
    balance = TagBalance()
    balance.feed(html)
    balance.close()
    check(
        not balance.problems and not balance.open,
        "report.html closes every element it opens",
        "; ".join(balance.problems[:3]) + (f" unclosed: {balance.open}" if balance.open else ""),
    )


class TagBalance(HTMLParser):
    """Tracks open elements; HTML void elements and self-closed SVG shapes need no end tag."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.open = []
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if self.open and self.open[-1] == tag:
            self.open.pop()
        else:
            line, column = self.getpos()
            self.problems.append(f"</{tag}> at {line}:{column} closes {self.open[-1] if self.open else 'nothing'}")


for name, step in [("sarif", check_sarif), ("json", check_json), ("junit", check_junit), ("html", check_html)]:
    try:
        step()
    except (OSError, ValueError, KeyError, IndexError, TypeError, jsonschema.SchemaError) as error:
        check(False, f"{name} check ran", f"{type(error).__name__}: {error}")

print(f"reports: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
