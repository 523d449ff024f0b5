#!/usr/bin/env python3
"""Lists which folders of Sources/ModelAudit use which, and fails when two folders use each other.

A folder "uses" another when one of its files names a type, function or constant declared at the top level of
the other folder's files. The check is lexical (declarations are found by regular expression, comments and
string literals are stripped first), which is enough for this codebase's habits: one top-level declaration
keyword per line, types in UpperCamelCase.

Usage: python3 scripts/check-folder-deps.py [--graph]
Exit status: 0 when the folder graph has no two-way edge, 1 otherwise.
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Sources", "ModelAudit")
DECLARATION = re.compile(
    r"^(?:public |internal |fileprivate |private |final |indirect |@\w+ )*"
    r"(?:struct|enum|class|protocol|typealias|actor)\s+([A-Z][A-Za-z0-9_]*)",
    re.MULTILINE)
IDENTIFIER = re.compile(r"(?<![.\w])[A-Z][A-Za-z0-9_]*\b")


def strip(source):
    """Source without comments and string literals, so names mentioned in prose do not count."""
    source = re.sub(r'"""[\s\S]*?"""', '""', source)
    source = re.sub(r"/\*[\s\S]*?\*/", "", source)
    source = re.sub(r"//[^\n]*", "", source)
    return re.sub(r'"(?:\\.|[^"\\\n])*"', '""', source)


def folders():
    result = {}
    for name in sorted(os.listdir(ROOT)):
        path = os.path.join(ROOT, name)
        if not os.path.isdir(path):
            continue
        texts = []
        for directory, _, files in os.walk(path):
            for file in sorted(files):
                if file.endswith(".swift"):
                    with open(os.path.join(directory, file), encoding="utf-8") as handle:
                        texts.append(strip(handle.read()))
        result[name] = "\n".join(texts)
    return result


def main():
    sources = folders()
    owner = {}
    for folder, text in sources.items():
        for match in DECLARATION.finditer(text):
            # Only top-level declarations (no indentation) name a folder's public face.
            line_start = text.rfind("\n", 0, match.start()) + 1
            if match.start() == line_start:
                owner.setdefault(match.group(1), folder)
    uses = {folder: set() for folder in sources}
    why = {}
    for folder, text in sources.items():
        for name in set(IDENTIFIER.findall(text)):
            other = owner.get(name)
            if other and other != folder:
                uses[folder].add(other)
                why.setdefault((folder, other), name)
    if "--graph" in sys.argv:
        for folder in sorted(uses):
            print(f"{folder} → {', '.join(sorted(uses[folder])) or '(nothing)'}")
    cycles = sorted({tuple(sorted((a, b))) for a in uses for b in uses[a] if a in uses.get(b, set())})
    for a, b in cycles:
        print(f"two-way: {a} ↔ {b} ({a} uses {why[(a, b)]}; {b} uses {why[(b, a)]})")
    print(f"folder dependencies: {len(sources)} folders, {sum(len(v) for v in uses.values())} edges, "
          f"{len(cycles)} two-way")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
