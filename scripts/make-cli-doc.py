#!/usr/bin/env python3
"""Writes docs/cli.md from the `audit` binary's own help text, so the reference cannot drift from the code.

    AUDIT=.build/debug/audit python3 scripts/make-cli-doc.py          # rewrite docs/cli.md
    AUDIT=.build/debug/audit python3 scripts/make-cli-doc.py --check  # fail when docs/cli.md is out of date

Every command and subcommand is found through `audit --experimental-dump-help`; each section is the output of
`audit help COMMAND…` at a fixed width of 100 columns.
"""
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "cli.md"


def run(audit: str, arguments: list[str]) -> str:
    environment = dict(os.environ, COLUMNS="100", NO_COLOR="1")
    result = subprocess.run([audit] + arguments, capture_output=True, text=True, env=environment, check=False)
    if result.returncode != 0:
        sys.exit(f"{audit} {' '.join(arguments)} exited {result.returncode}: {result.stderr}")
    return result.stdout


def commands(node: dict, path: list[str]) -> list[list[str]]:
    found = [path]
    for sub in node.get("subcommands", []):
        name = sub["commandName"]
        if name == "help":
            continue
        found += commands(sub, path + [name])
    return found


def render(audit: str) -> str:
    tree = json.loads(run(audit, ["--experimental-dump-help"]))["command"]
    out = [
        "# Command-line reference",
        "",
        "Generated from `audit`'s own help by `scripts/make-cli-doc.py`; `make test` fails when this file and the",
        "binary disagree. `audit help COMMAND` (or `audit COMMAND --help`) prints the same text.",
        "",
        "Shell completions: `audit --generate-completion-script bash|zsh|fish` (installed by `make install`).",
        "",
    ]
    for path in commands(tree, []):
        title = " ".join(["audit"] + path)
        out += [f"## `{title}`", "", "```text", run(audit, ["help"] + path).rstrip("\n"), "```", ""]
    return "\n".join(out)


def main() -> int:
    audit = os.environ.get("AUDIT", str(ROOT / ".build" / "debug" / "audit"))
    text = render(audit)
    if "--check" in sys.argv[1:]:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print("docs/cli.md is out of date: run `make cli-doc` and commit it", file=sys.stderr)
            return 1
        print("docs/cli.md matches the binary's help")
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
