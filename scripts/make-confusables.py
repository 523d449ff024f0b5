#!/usr/bin/env python3
"""Writes the Swift tables that screening uses to compare names by their UTS #39 confusable skeleton.

    python3 scripts/make-confusables.py            # regenerate both Swift files
    python3 scripts/make-confusables.py --check    # fail if the committed files are out of date

Inputs (committed with their licence and README under Tests/Vectors/unicode/):
  confusables.txt  Unicode Security Mechanisms (UTS #39) confusable mappings
  Scripts.txt      the Unicode Character Database Script property

Outputs:
  Sources/ModelAudit/Names/ConfusablesTable.swift
  Sources/ModelAudit/Names/ScriptTable.swift

Both tables are compact strings parsed once at first use, not array literals, so they compile quickly.

Only mappings that screening can reach are kept. Before a name is mapped it is cleaned of invisible characters,
NFKC-normalised, case-folded and NFKD-decomposed (see EntityName.swift), so a source character is dropped when:
  - it has a decomposition (NFKD changes it): it never survives decomposition;
  - it is a nonspacing or enclosing mark: screening drops every such mark anyway;
  - it is a control, format or separator character: removed or a word break before mapping.
Upper-case sources are kept: "АСМЕ" in Cyrillic capitals looks like "ACME" although "м" does not look like "m",
so screening also maps a name before folding its case.
The checks use Python's frozen Unicode 3.2 database (`unicodedata.ucd_3_2_0`), so every Python version writes the
same tables; characters assigned after Unicode 3.2 are kept. Decompositions are frozen once a character is
assigned, so a character this filter drops can never reach the mapping.

Scripts.txt ranges are merged and Common, Inherited and Unknown are left out: screening only asks which
script a letter belongs to, to tell "Acme" spelled with one Cyrillic letter from a name written in one script.
"""

import argparse
import hashlib
import os
import re
import sys
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "Tests", "Vectors", "unicode")
OUT = os.path.join(ROOT, "Sources", "ModelAudit", "Names")
LINE = 110  # characters of encoded data per source line, inside the 120-column limit

UNREACHABLE_CATEGORIES = {"Mn", "Me", "Cc", "Cf", "Zs", "Zl", "Zp"}
IGNORED_SCRIPTS = {"Common", "Inherited", "Unknown"}


def data_lines(path):
    with open(path, encoding="utf-8-sig") as handle:
        for line in handle:
            content = line.split("#", 1)[0].strip()
            if content:
                yield [field.strip() for field in content.split(";")]


def header_version(path):
    with open(path, encoding="utf-8-sig") as handle:
        head = handle.read(2000)
    match = re.search(r"Version: (\d+\.\d+\.\d+)", head) or re.search(r"Scripts-(\d+\.\d+\.\d+)\.txt", head)
    if not match:
        sys.exit(f"{path}: no Unicode version in the header")
    return match.group(1)


def sha256(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


UCD = unicodedata.ucd_3_2_0


def reachable(scalar):
    char = chr(scalar)
    category = UCD.category(char)
    if category == "Cn":
        return True  # assigned after Unicode 3.2: keep
    if category in UNREACHABLE_CATEGORIES:
        return False
    if UCD.normalize("NFKD", char) != char:
        return False
    return True


def confusables(path):
    entries = []
    total = 0
    for fields in data_lines(path):
        source = fields[0].split()
        if len(source) != 1:
            sys.exit(f"{path}: a source of more than one character: {fields}")
        total += 1
        scalar = int(source[0], 16)
        if reachable(scalar):
            target = [int(value, 16) for value in fields[1].split()]
            entries.append((scalar, target))
    entries.sort()
    return entries, total


def scripts(path):
    ranges = []
    for fields in data_lines(path):
        first, _, last = fields[0].partition("..")
        ranges.append((int(first, 16), int(last or first, 16), fields[1]))
    ranges.sort()
    merged = []
    for first, last, script in ranges:
        if script in IGNORED_SCRIPTS:
            continue
        if merged and merged[-1][2] == script and merged[-1][1] + 1 == first:
            merged[-1] = (merged[-1][0], last, script)
        else:
            merged.append((first, last, script))
    return merged


def wrap(entries):
    """Lines of whole `;`-terminated entries, each ending in a backslash so the string has no line breaks."""
    lines = []
    line = ""
    for entry in entries:
        item = entry + ";"
        if line and len(line) + len(item) > LINE:
            lines.append(line)
            line = ""
        line += item
    lines.append(line)
    # The last line needs no continuation (and Swift refuses one there).
    return "\n".join(f"        {text}\\" for text in lines[:-1]) + f"\n        {lines[-1]}"


def confusables_swift(entries, total, version, digest):
    encoded = [f"{source:X}:" + " ".join(f"{value:X}" for value in target) for source, target in entries]
    return f'''// Generated by scripts/make-confusables.py from confusables.txt (UTS #39, Unicode {version}).
// Do not edit: change the script or the data file and regenerate.
// Source SHA-256: {digest}

/// The UTS #39 confusable mappings that screening can reach, as compact text parsed once at first use.
enum ConfusablesTable {{
    /// The Unicode version of the `confusables.txt` the table was generated from.
    static let unicodeVersion = "{version}"
    /// How many mappings the data file has, and how many of them the table keeps.
    static let sourceEntryCount = {total}
    static let entryCount = {len(entries)}
    /// `SOURCE:TARGET TARGET…;` in hexadecimal, sorted by source.
    static let encoded = """
{wrap(encoded)}
        """
}}
'''


def scripts_swift(ranges, version, digest):
    names = sorted({script for _, _, script in ranges})
    index = {name: position for position, name in enumerate(names)}
    encoded = [
        f"{first:X}" + ("" if first == last else f"-{last:X}") + f":{index[script]}" for first, last, script in ranges
    ]
    name_lines = []
    line = ""
    for name in names:
        item = f'"{name}", '
        if len(line) + len(item) > 108:
            name_lines.append(line.rstrip())
            line = ""
        line += item
    name_lines.append(line.rstrip())
    names_text = "\n".join("        " + text for text in name_lines)
    return f'''// Generated by scripts/make-confusables.py from Scripts.txt (Unicode Character Database {version}).
// Do not edit: change the script or the data file and regenerate.
// Source SHA-256: {digest}

/// The Unicode Script property of every character outside Common and Inherited, parsed once at first use.
enum ScriptTable {{
    /// The Unicode version of the `Scripts.txt` the table was generated from.
    static let unicodeVersion = "{version}"
    /// Script names, indexed by the numbers in `encoded`.
    static let names = [
{names_text}
    ]
    static let rangeCount = {len(ranges)}
    /// `FIRST[-LAST]:SCRIPT;` with code points in hexadecimal and an index into `names`, sorted.
    static let encoded = """
{wrap(encoded)}
        """
}}
'''


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if the generated files are out of date")
    args = parser.parse_args()

    confusables_path = os.path.join(DATA, "confusables.txt")
    scripts_path = os.path.join(DATA, "Scripts.txt")
    entries, total = confusables(confusables_path)
    outputs = {
        os.path.join(OUT, "ConfusablesTable.swift"): confusables_swift(
            entries, total, header_version(confusables_path), sha256(confusables_path)),
        os.path.join(OUT, "ScriptTable.swift"): scripts_swift(
            scripts(scripts_path), header_version(scripts_path), sha256(scripts_path)),
    }
    stale = []
    for path, text in outputs.items():
        current = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if current == text:
            continue
        if args.check:
            stale.append(os.path.relpath(path, ROOT))
        else:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
            print(f"wrote {os.path.relpath(path, ROOT)} ({len(text)} bytes)")
    if stale:
        sys.exit("out of date, run scripts/make-confusables.py: " + ", ".join(stale))
    print(f"confusables: {len(entries)} of {total} mappings kept")


if __name__ == "__main__":
    main()
