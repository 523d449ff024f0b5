#!/usr/bin/env bash
# `make install` into a scratch prefix: the binary, a man page for every command in docs/cli.md, and bash, zsh and
# fish completions that name the subcommands. INSTALL_CONFIG=debug (the default here) reuses the test build instead
# of building a release.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="$(mktemp -d "${TMPDIR:-/tmp}/audit-install-XXXXXX")"
trap 'rm -rf "$prefix"' EXIT

make --no-print-directory install PREFIX="$prefix" INSTALL_CONFIG="${INSTALL_CONFIG:-debug}" >"$prefix.log" 2>&1 || {
    cat "$prefix.log"; rm -f "$prefix.log"; echo "check-install: make install failed" >&2; exit 1; }
rm -f "$prefix.log"

fail() { echo "check-install: $*" >&2; exit 1; }
[ -x "$prefix/bin/audit" ] || fail "bin/audit was not installed"
"$prefix/bin/audit" --help >/dev/null || fail "the installed audit does not run"

# One man page per command of the reference (`## \`audit trust add\`` → audit.trust.add.1), all installed.
pages=0
while read -r command; do
    page="$(echo "$command" | tr ' ' '.').1"
    [ -f "docs/man/$page" ] || fail "docs/man/$page is missing for \`$command\` (run make man)"
    [ -f "$prefix/share/man/man1/$page" ] || fail "$page was not installed"
    pages=$((pages + 1))
done < <(sed -n 's/^## `\(audit[a-z -]*\)`$/\1/p' docs/cli.md)

for file in share/bash-completion/completions/audit share/zsh/site-functions/_audit \
    share/fish/vendor_completions.d/audit.fish; do
    [ -s "$prefix/$file" ] || fail "$file was not installed"
    for subcommand in keygen verify report trust policy; do
        grep -q "$subcommand" "$prefix/$file" || fail "$file does not complete \`audit $subcommand\`"
    done
done
echo "check-install: binary, $pages man pages and bash, zsh and fish completions installed"
