#!/usr/bin/env bash
# Builds `audit` the way it is installed and benchmarked, and prints the binary's path on stdout (build output goes
# to stderr). Extra arguments are passed to `swift build` (e.g. --scratch-path DIR).
#
# On Linux the release binary carries the Swift runtime and Foundation (`--static-swift-stdlib`): resolving their
# symbols across a dozen shared libraries, and the page faults that came with it, took about a third of the start-up
# of every run (docs/sigstore.md has the figures). The binary then needs no Swift toolchain on the machine it runs on;
# it still links libcrypto, libsqlite3 and the C++ runtime from the system, so OpenSSL engines (PKCS#11) load as before.
set -euo pipefail
cd "$(dirname "$0")/.."
flags=(-c release)
[ "$(uname -s)" = Linux ] && flags+=(--static-swift-stdlib)
"${SWIFT:-swift}" build "${flags[@]}" "$@" --product audit >&2
echo "$("${SWIFT:-swift}" build "${flags[@]}" "$@" --show-bin-path)/audit"
