#!/usr/bin/env bash
# Runs CMD… with a throwaway PostgreSQL server on a free loopback port, its URL in AUDIT_TEST_POSTGRES_URL; the
# server and its data are removed afterwards, whatever CMD's outcome. PostgreSQL is installed from Debian's packages
# when missing. Used by .ci/run for the ledger tests; run it locally the same way:
#   scripts/with-postgres.sh swift test --filter Ledger
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 CMD [ARG…]" >&2; exit 64; }

find_bin() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
    done
    return 1
}

if ! pgbin="$(find_bin)" || ! command -v psql >/dev/null 2>&1; then
    echo "with-postgres: installing postgresql from Debian's packages"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
        --no-install-recommends postgresql postgresql-client; } || ! pgbin="$(find_bin)"; then
        echo "with-postgres: WARNING: PostgreSQL could not be installed; its tests will be SKIPPED" >&2
        exec "$@"
    fi
fi

# initdb refuses to run as root: the server runs as the postgres account, which must reach the data folder.
run_as=()
owner="$(id -un)"
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/false postgres
    run_as=(setpriv --reuid=postgres --regid="$(id -g postgres)" --init-groups --)
    owner=postgres
fi

# Outside the build folder: SwiftPM plans its build over .build, where a server's private files do not belong.
base="$(mktemp -d "${TMPDIR:-/tmp}/audit-postgres.XXXXXX")"
chmod 0755 "$base"
data="$base/data"
mkdir -p "$data"
chown "$owner" "$base" "$data"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
printf '%s\n' "$password" > "$base/password"
chown "$owner" "$base/password"
chmod 0600 "$base/password"

cleanup() {
    "${run_as[@]}" "$pgbin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$base"
}
trap cleanup EXIT

"${run_as[@]}" "$pgbin/initdb" -D "$data" -U ledger_admin --pwfile="$base/password" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C >"$base/initdb.log" 2>&1 || { cat "$base/initdb.log" >&2; exit 2; }
"${run_as[@]}" "$pgbin/pg_ctl" -D "$data" -l "$base/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $base -c max_connections=100" start >/dev/null ||
    { cat "$base/server.log" >&2; exit 2; }

export AUDIT_TEST_POSTGRES_URL="postgres://ledger_admin:$password@127.0.0.1:$port/postgres?sslmode=disable"
echo "with-postgres: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
set +e
"$@"
status=$?
set -e
exit $status
