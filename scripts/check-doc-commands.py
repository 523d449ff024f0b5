#!/usr/bin/env python3
"""Runs every command shown in README.md and docs/*.md and compares its output with the output the page shows.

Docs that cannot drift: a fenced block is run when it is a `console` block (or an unlabelled block) whose
commands start with `$ `. The lines after a command, up to the next `$ `, are its expected output (stdout
and stderr as one stream, trailing blank lines ignored). `$ echo $?` prints the previous command's exit code.
A line holding only `…` stands for any number of lines the page leaves out.

An HTML comment just before a block steers it (several `key: value` lines may share one comment):

    <!-- doc-test: workspace walkthrough -->    blocks naming one workspace share it (default: one per page)
    <!-- doc-test: copy keys policies -->       copy repository paths into the workspace (SRC=DEST renames)
    <!-- doc-test: setup printf x > f -->       a shell command run, unshown, before the block (say so in prose)
    <!-- doc-test: file manifest.yaml -->       the block is not run but written to this file in the workspace
    <!-- doc-test: run -->                      an `sh` block of bare commands: run, every command must exit 0
    <!-- doc-test: not run (REASON) -->         the block is shown only; the reason is printed with the counts

An `sh`/`bash`/`console` block with an `audit` or `make` command and none of these fails the check, so a new
command cannot slip into the docs unverified.

Only what genuinely changes from run to run is normalised, each with a defined placeholder rule:
  * hex values (8+ digits: key ids, digests and their short forms) that differ between two runs of the same
    workspace (each workspace's blocks run twice, in two fresh directories): the page may show any value of the
    same length, but the same page value must stand for the same run value throughout the workspace;
  * UTC times (2026-01-02T03:04:05Z) within a day of the run: the page may show any time there;
  * the workspace's absolute path, shown on the page as `~/work`.

The help text's examples (docs/cli.md) may only name repository files that exist.

Usage: check-doc-commands.py [--refresh] [-v] [FILE.md ...]     (AUDIT=path/to/audit; default: README.md docs/*.md)
  --refresh rewrites every expected output that no longer matches with the actual output (keeping `…`
  abridgements and the page's values for run-to-run values); review the result with `git diff`.
  `make docs-refresh` runs it.
       check-doc-commands.py --self-test
  runs the check on small pages written to fail (a changed line, a changed exit code, a changed fixed digest,
  one page value for two fresh keys, an unmarked command block) and to pass (fresh key ids, `…`).
"""

import datetime
import difflib
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FENCE = re.compile(r"^(\s*)(`{3,})\s*([A-Za-z0-9_-]*)\s*$")
DIRECTIVE = re.compile(r"<!--\s*doc-test:(.*?)-->", re.S)
WILDCARD = "…"
# A hex value or a UTC time: the two kinds of token that may legitimately vary.
TOKEN = re.compile(r"(?<![0-9A-Za-z])(?:[0-9a-f]{8,}|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)(?![0-9A-Za-z])")
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$")
COMMAND_WORD = re.compile(r"(^|\$ |[;&|(]\s*|^\s*PIN=\S+\s+)(audit|make)\s", re.M)
WORKSPACE_SHOWN_AS = "~/work"
MARK = "\x1edoc-command"


class Block:
    """A fenced block of a page, with the doc-test directives written just before it."""

    def __init__(self, page, line, indent, lang, body, directives, body_start, body_end):
        self.page, self.line, self.indent, self.lang = page, line, indent, lang
        self.body, self.directives = body, directives
        self.body_start, self.body_end = body_start, body_end  # line indices of the body in the page
        self.changed = False

    def where(self):
        return f"{self.page}:{self.line}"

    def directive(self, key):
        return [value for name, value in self.directives if name == key]

    def has_prompt(self):
        return any(line.startswith("$ ") for line in self.body)

    def shows_command(self):
        return bool(COMMAND_WORD.search("\n".join(self.body)))


class Command:
    """One `$ ` command of a console block and the output the page shows for it."""

    def __init__(self, text, expected, first_line, last_line):
        self.text, self.expected = text, expected
        self.first_line, self.last_line = first_line, last_line  # body indices of its expected output


def parse_directives(comment):
    result = []
    for raw in comment.strip().splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("not run"):
            result.append(("not run", line[len("not run"):].strip(" ():") or "no reason given"))
            continue
        key, _, value = line.partition(" ")
        result.append((key.rstrip(":"), value.strip()))
    return result


def read_blocks(page):
    lines = open(os.path.join(ROOT, page), encoding="utf-8").read().split("\n")
    blocks, pending, index = [], [], 0
    while index < len(lines):
        line = lines[index]
        if line.lstrip().startswith("<!--") and "doc-test:" in line:
            text = line
            while "-->" not in text and index + 1 < len(lines):
                index += 1
                text += "\n" + lines[index]
            for match in DIRECTIVE.finditer(text):
                pending.extend(parse_directives(match.group(1)))
            index += 1
            continue
        opening = FENCE.match(line)
        if opening:
            indent, ticks, lang = opening.groups()
            start = index + 1
            index = start
            while index < len(lines):
                closing = FENCE.match(lines[index])
                if closing and closing.group(2) == ticks and not closing.group(3):
                    break
                index += 1
            body = [text[len(indent):] if text.startswith(indent) else text.lstrip() for text in lines[start:index]]
            blocks.append(Block(page, start, indent, lang, body, pending, start, index))
            pending = []
        elif line.strip():
            pending = [] if not line.startswith("<!--") else pending
        index += 1
    return blocks, lines


def commands_of(block):
    commands, current, index, body = [], None, 0, block.body
    while index < len(body):
        line = body[index]
        if line.startswith("$ "):
            text = line[2:]
            while text.endswith("\\") and index + 1 < len(body):
                index += 1
                text += "\n" + body[index]
            current = Command(text, [], index + 1, index + 1)
            commands.append(current)
        elif current is not None:
            current.expected.append(line)
            current.last_line = index + 1
        index += 1
    for command in commands:
        while command.expected and not command.expected[-1].strip():
            command.expected.pop()
        command.last_line = command.first_line + len(command.expected)
    return commands


class Workspace:
    """A directory shared by the blocks that name it; run twice to tell run-to-run values from fixed ones."""

    def __init__(self, name, audit):
        self.name, self.audit = name, audit
        self.blocks = []

    def run(self, scratch):
        """Runs every block; returns per block a list of (output lines, exit code) per command, or None."""
        workspace = os.path.join(scratch, "work")
        os.makedirs(workspace)
        bindir = os.path.join(scratch, "bin")
        os.makedirs(bindir)
        os.symlink(self.audit, os.path.join(bindir, "audit"))
        env = {
            "PATH": bindir + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": scratch, "TZ": "UTC", "LC_ALL": "C.UTF-8", "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "100",
            "TMPDIR": scratch,
        }
        results = []
        for block in self.blocks:
            for value in block.directive("copy"):
                for item in value.split():
                    source, _, target = item.partition("=")
                    copy_into(os.path.join(ROOT, source), os.path.join(workspace, target or source))
            for target in block.directive("file"):
                path = os.path.join(workspace, target)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write("\n".join(block.body) + "\n")
            for setup in block.directive("setup"):
                done = subprocess.run(["bash", "-c", setup], cwd=workspace, env=env, capture_output=True, text=True)
                if done.returncode != 0:
                    raise DocFailure(block, f"setup `{setup}` failed:\n{done.stdout}{done.stderr}")
            if block.directive("file") or block.directive("not run"):
                results.append(None)
            elif block.lang in ("sh", "bash", "shell"):
                script = "set -e\n" + "\n".join(block.body) + "\n"
                done = subprocess.run(["bash", "-c", script], cwd=workspace, env=env, capture_output=True, text=True)
                if done.returncode != 0:
                    raise DocFailure(block, f"exit {done.returncode}:\n{done.stdout}{done.stderr}")
                results.append([])
            else:
                results.append(run_console(block, workspace, env))
        return results


class DocFailure(Exception):
    def __init__(self, block, message):
        super().__init__(f"{block.where()}: {message}")


def copy_into(source, target):
    if not os.path.exists(source):
        raise FileNotFoundError(f"doc-test copy: {os.path.relpath(source, ROOT)} does not exist")
    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    if os.path.isdir(source):
        shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
    else:
        shutil.copy2(source, target)


def run_console(block, workspace, env):
    commands = commands_of(block)
    # One shell per block, so `cd` and `$?` behave as in a terminal; a marker line splits the outputs.
    script = ["exec 2>&1", "__doc_rc=0"]
    for number, command in enumerate(commands):
        script += [f"printf '{MARK} {number}\\n'", "(exit $__doc_rc)", command.text, "__doc_rc=$?"]
    done = subprocess.run(["bash", "-c", "\n".join(script) + "\n"], cwd=workspace, env=env, capture_output=True)
    text = done.stdout.decode("utf-8", errors="replace").replace(os.path.realpath(workspace), WORKSPACE_SHOWN_AS)
    text = text.replace(workspace, WORKSPACE_SHOWN_AS)
    outputs = [[] for _ in commands]
    current = None
    for line in text.split("\n"):
        if line.startswith(MARK):
            current = int(line.split()[1])
        elif current is not None:
            outputs[current].append(line)
    for output in outputs:
        while output and not output[-1].strip():
            output.pop()
    return outputs


def volatile_tokens(first, second):
    """Tokens of the first run that differ in the second; raises when the outputs differ in anything else."""
    volatile = set()
    for block_first, block_second in zip(first, second):
        if not block_first:
            continue
        for out_first, out_second in zip(block_first, block_second):
            if len(out_first) != len(out_second):
                return volatile, "the number of output lines differs between two runs"
            for line_first, line_second in zip(out_first, out_second):
                if TOKEN.sub("#", line_first) != TOKEN.sub("#", line_second):
                    return volatile, f"output differs between two runs:\n  {line_first}\n  {line_second}"
                for token_first, token_second in zip(TOKEN.findall(line_first), TOKEN.findall(line_second)):
                    if token_first != token_second:
                        volatile.add(token_first)
    return volatile, None


def near_now(token):
    if not TIME.match(token):
        return False
    moment = datetime.datetime.strptime(token[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return abs((moment - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) < 86400


def pattern_of(expected):
    parts = []
    for line in expected:
        if line.strip() == WILDCARD:
            parts.append(r"(?:[^\n]*\n)*?")
            continue
        position, piece = 0, []
        for match in TOKEN.finditer(line):
            piece.append(re.escape(line[position:match.start()]))
            piece.append(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)" if TIME.match(match.group())
                         else f"([0-9a-f]{{{len(match.group())}}})")
            position = match.end()
        piece.append(re.escape(line[position:]))
        parts.append("".join(piece) + r"\n")
    return re.compile("".join(parts))


class Binding:
    """Which page value stands for which run value, kept consistent across a workspace."""

    def __init__(self, volatile):
        self.volatile = volatile
        self.page_to_run, self.run_to_page = {}, {}

    def check(self, expected, actual):
        """None when `actual` matches `expected` under the placeholder rules, else the reason it does not."""
        match = pattern_of(expected).fullmatch("".join(line + "\n" for line in actual))
        if match is None:
            return "output differs"
        page_values = [token.group() for line in expected if line.strip() != WILDCARD for token in TOKEN.finditer(line)]
        pairs = list(zip(page_values, match.groups()))
        for page, run in pairs:
            if page == run:
                continue
            if not (run in self.volatile or near_now(run)):
                return f"shows {page} where the output has {run}, which is the same on every run"
            if near_now(run):
                continue
            if self.page_to_run.get(page, run) != run or self.run_to_page.get(run, page) != page:
                return f"{page} stands for {self.page_to_run.get(page, run)} elsewhere in the workspace, here for {run}"
        for page, run in pairs:
            if page != run and not near_now(run):
                self.page_to_run[page], self.run_to_page[run] = run, page
        return None

    def shown(self, line):
        """An output line with run values replaced by the page values they stand for (for --refresh)."""
        return TOKEN.sub(lambda m: self.run_to_page.get(m.group(), m.group()), line)

    def learn(self, expected, actual):
        """Pairs run values with page values line by line where the lines otherwise agree (for --refresh)."""
        masked_expected = [TOKEN.sub("#", line) for line in expected]
        masked_actual = [TOKEN.sub("#", line) for line in actual]
        matcher = difflib.SequenceMatcher(None, masked_expected, masked_actual, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag not in ("equal", "replace") or i2 - i1 != j2 - j1:
                continue
            for page_line, run_line in zip(expected[i1:i2], actual[j1:j2]):
                for page, run in zip(TOKEN.findall(page_line), TOKEN.findall(run_line)):
                    if page != run and run in self.volatile and run not in self.run_to_page:
                        self.run_to_page[run] = page
                        self.page_to_run.setdefault(page, run)


def refreshed(expected, actual, binding):
    """The new expected output: the actual output, abridged where the page abridged it."""
    binding.learn([line for line in expected if line.strip() != WILDCARD], actual)
    shown = [binding.shown(line) for line in actual]
    if not any(line.strip() == WILDCARD for line in expected):
        return shown
    # Keep each shown stretch of lines where it best matches the output; `…` between stretches stays.
    segments, current = [], []
    for line in expected:
        if line.strip() == WILDCARD:
            segments.append((current, line))
            current = []
        else:
            current.append(line)
    segments.append((current, None))
    masked_actual = [TOKEN.sub("#", line) for line in shown]
    result, cursor = [], 0
    for lines, wildcard in segments:
        if lines:
            matcher = difflib.SequenceMatcher(
                None, [TOKEN.sub("#", line) for line in lines], masked_actual[cursor:], autojunk=False)
            blocks = [b for b in matcher.get_matching_blocks() if b.size]
            if blocks:
                start = max(cursor, cursor + blocks[0].b - blocks[0].a)
                end = min(len(shown), cursor + blocks[-1].b + blocks[-1].size + (len(lines) - blocks[-1].a
                                                                               - blocks[-1].size))
                if not result:
                    start = cursor  # nothing left out before the first stretch: it starts at the top
                if wildcard is None:
                    end = len(shown)  # nothing left out after the last stretch: it runs to the end
                result.extend(shown[start:end])
                cursor = end
            else:
                result.extend(lines)
        if wildcard is not None:
            result.append(wildcard)
    return result


def help_example_paths():
    """Repository paths named in the help text's examples (docs/cli.md) that do not exist."""
    # Folders the repository ships examples in; keys/ and weights/ in examples are the reader's own.
    missing, top = [], {"Tests", "policies", "manifests", "docs", "schemas"}
    for number, line in enumerate(open(os.path.join(ROOT, "docs/cli.md"), encoding="utf-8"), 1):
        if not line.startswith("  audit "):
            continue
        for word in line.split():
            path = word.strip("'\",").split("=", 1)[-1]
            if "/" in path and path.split("/", 1)[0] in top and "…" not in path \
                    and not os.path.exists(os.path.join(ROOT, path)):
                missing.append(f"docs/cli.md:{number}: a help example names {path}, which is not in the repository")
    return missing


def check(pages, audit, refresh):
    """Runs the command blocks of `pages`; returns failures and the counts of what ran, was skipped, was written."""
    failures, ran_blocks, ran_commands, skipped, written = [], 0, 0, [], 0
    for page in pages:
        blocks, lines = read_blocks(page)
        workspaces = {}
        for block in blocks:
            runnable = block.lang in ("console", "") and block.has_prompt()
            script = block.lang in ("sh", "bash", "shell") and block.directive("run")
            if block.directive("not run"):
                if block.has_prompt() or block.shows_command():
                    skipped.append((block, block.directive("not run")[0]))
                continue
            if not (runnable or script or block.directive("file")):
                if block.lang in ("console", "sh", "bash", "shell") and block.shows_command():
                    failures.append(f"{block.where()}: a command block with neither `$ ` commands and their output, "
                                    "`<!-- doc-test: run -->` nor `<!-- doc-test: not run (REASON) -->`")
                continue
            name = (block.directive("workspace") or [page])[0]
            workspaces.setdefault(name, Workspace(name, audit)).blocks.append(block)
        changed = False
        for workspace in workspaces.values():
            try:
                with tempfile.TemporaryDirectory(prefix="audit-doc-") as first_dir, \
                        tempfile.TemporaryDirectory(prefix="audit-doc-") as second_dir:
                    first = workspace.run(first_dir)
                    second = workspace.run(second_dir)
            except (DocFailure, FileNotFoundError) as error:
                failures.append(str(error))
                continue
            volatile, unstable = volatile_tokens(first, second)
            if unstable:
                failures.append(f"{page} workspace {workspace.name}: {unstable}")
                continue
            binding = Binding(volatile)
            for block, outputs in zip(workspace.blocks, first):
                if outputs is None:
                    written += 1 if block.directive("file") else 0
                    continue
                ran_blocks += 1
                if block.lang in ("sh", "bash", "shell"):
                    ran_commands += sum(1 for line in block.body if line.strip() and not line.startswith(("#", " ")))
                    continue
                commands = commands_of(block)
                ran_commands += len(commands)
                for command, actual in zip(commands, outputs):
                    reason = binding.check(command.expected, actual)
                    if reason is None:
                        continue
                    if refresh:
                        new = refreshed(command.expected, actual, binding)
                        block.body[command.first_line:command.last_line] = new
                        shift = len(new) - len(command.expected)
                        for later in commands:
                            if later.first_line > command.first_line:
                                later.first_line += shift
                                later.last_line += shift
                        command.last_line = command.first_line + len(new)
                        command.expected = new
                        changed = block.changed = True
                        print(f"refreshed {block.where()}: $ {command.text.splitlines()[0]}")
                        continue
                    diff = "\n".join(difflib.unified_diff(
                        command.expected, actual, "shown on the page", "actual output", lineterm="", n=2))
                    failures.append(f"{block.where()}: $ {command.text.splitlines()[0]}\n  {reason}\n{diff}")
        if changed:
            # Write bodies back bottom-up so earlier line numbers stay valid.
            for block in sorted(blocks, key=lambda b: b.body_start, reverse=True):
                if not block.changed:
                    continue
                lines[block.body_start:block.body_end] = [
                    (block.indent + line) if line else line for line in block.body]
            with open(os.path.join(ROOT, page), "w", encoding="utf-8") as handle:
                handle.write("\n".join(lines))

    return failures, ran_blocks, ran_commands, skipped, written


SELF_TEST_PAGES = {
    # name: (page text, failures expected)
    "fresh key ids may differ, consistently": ("""<!-- doc-test: workspace s -->
```console
$ audit keygen --out a
key id:      sha256:1111111111111111111111111111111111111111111111111111111111111111
algorithm:   Ed25519 (ed25519)
private key: a.key (mode 0600, unencrypted)
public key:  a.pub
…
$ printf 'one\\ntwo\\nthree\\n'
one
…
three
```
""", 0),
    "the same page value for two different keys": ("""```console
$ audit keygen --out a
key id:      sha256:1111111111111111111111111111111111111111111111111111111111111111
…
$ audit keygen --out b
key id:      sha256:1111111111111111111111111111111111111111111111111111111111111111
…
```
""", 1),
    "a fixed digest that differs": ("""```console
$ printf 'x' | sha256sum
2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4882  -
```
""", 1),
    "changed text and a changed exit code": ("""```console
$ echo hello
goodbye
$ false
$ echo $?
0
```
""", 2),
    "an audit command in an unmarked sh block": ("""```sh
audit keygen --out a
```
""", 1),
}


def self_test(audit):
    """Proves the check fails what it must and passes what it may, on small pages written for the purpose."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="audit-doc-self-test-") as scratch:
        for name, (text, expected) in SELF_TEST_PAGES.items():
            page = os.path.join(scratch, "page.md")
            with open(page, "w", encoding="utf-8") as handle:
                handle.write(text)
            failures = check([page], audit, refresh=False)[0]
            if len(failures) != expected:
                problems.append(f"{name}: {len(failures)} failures, expected {expected}: {failures}")
    for problem in problems:
        print(f"FAIL self-test: {problem}", file=sys.stderr)
    print(f"doc commands self-test: {len(SELF_TEST_PAGES) - len(problems)} of {len(SELF_TEST_PAGES)} cases as expected")
    return 1 if problems else 0


def main():
    args = sys.argv[1:]
    refresh = "--refresh" in args
    verbose = "-v" in args
    pages = [arg for arg in args if not arg.startswith("-")]
    if not pages:
        pages = ["README.md"] + sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "docs/*.md")))
        pages = [page for page in pages if page != "docs/cli.md"]  # generated help text, checked by make-cli-doc.py
    audit = os.path.abspath(os.environ.get("AUDIT", os.path.join(ROOT, ".build/debug/audit")))
    if not os.access(audit, os.X_OK):
        sys.exit(f"check-doc-commands: no audit binary at {audit} (build first, or set AUDIT)")
    if "--self-test" in args:
        sys.exit(self_test(audit))
    failures, ran_blocks, ran_commands, skipped, written = check(pages, audit, refresh)
    failures += help_example_paths()
    for failure in failures:
        print(f"FAIL {failure}\n", file=sys.stderr)
    if verbose or skipped:
        for block, reason in skipped:
            print(f"not run: {block.where()} ({reason})")
    print(f"doc commands: {ran_blocks} blocks run ({ran_commands} commands) in {len(pages)} pages, "
          f"{len(skipped)} blocks not run, {written} files written from blocks, {len(failures)} failed"
          + (" (rerun with --refresh to take the new output; review with git diff)" if failures and not refresh
             else ""))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
