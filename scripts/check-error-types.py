#!/usr/bin/env python3
"""Fails when an error type of the library does not conform to `AuditError`.

Conforming is what makes the CLI answer "could not evaluate" (exit 2) with the error's code and message; an error
type that does not conform would surface as an internal error. Every `struct`/`enum`/`class` declared as an `Error`
in Sources/ModelAudit, Sources/AuditCrypto or the ledger targets must conform, in its declaration or in an
`extension NAME: AuditError` in the same sources, unless it is listed below as never leaving the library.

    python3 scripts/check-error-types.py
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Types only ever carried in a `Result` inside the library and turned into findings there; never thrown to callers.
INTERNAL = {
    "OpenFailure": "a refused path in the artifact walk, recorded as an ArtifactProblem",
    "Failure": "LineageResolver's per-link outcome, recorded as a lineage link status",
}

DECLARATION = re.compile(r"^\s*(?:public\s+|internal\s+|fileprivate\s+|private\s+)?(?:final\s+)?(?:struct|enum|class)\s+"
                         r"(\w+)\s*:\s*([^{]*)\{", re.M)
EXTENSION = re.compile(r"^\s*extension\s+([\w.]+)\s*:\s*([^{]*)\{", re.M)


def conformances(text: str, pattern: re.Pattern) -> list[tuple[str, list[str]]]:
    return [(m.group(1), [p.strip() for p in m.group(2).split(",")]) for m in pattern.finditer(text)]


def main() -> int:
    declared: dict[str, tuple[str, list[str]]] = {}
    extended: set[str] = set()
    for folder in ("Sources/ModelAudit", "Sources/AuditCrypto", "Sources/AuditLedger", "Sources/AuditLedgerPostgres"):
        for path in sorted((ROOT / folder).rglob("*.swift")):
            text = path.read_text(encoding="utf-8")
            for name, protocols in conformances(text, DECLARATION):
                declared[name] = (str(path.relative_to(ROOT)), protocols)
            for name, protocols in conformances(text, EXTENSION):
                if "AuditError" in protocols:
                    extended.add(name.split(".")[-1])
    missing = []
    for name, (path, protocols) in sorted(declared.items()):
        is_error = "Error" in protocols or "AuditError" in protocols
        if not is_error or "AuditError" in protocols or name in extended or name in INTERNAL:
            continue
        missing.append(f"{path}: {name} is an Error but not an AuditError")
    for line in missing:
        print(line, file=sys.stderr)
    if missing:
        print(f"{len(missing)} error type(s) would reach the CLI as internal errors; conform them to AuditError",
              file=sys.stderr)
        return 1
    print(f"error types: every library error conforms to AuditError ({len(INTERNAL)} internal Result failures exempt)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
