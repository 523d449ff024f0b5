#!/usr/bin/env bash
# Runs CMD… with a throwaway PostgreSQL server on a free loopback port, its URL in AUDIT_TEST_POSTGRES_URL (and a
# TLS-only role's in AUDIT_TEST_POSTGRES_TLS_URL, its CA in AUDIT_TEST_POSTGRES_CA); the server and its data are
# removed afterwards, whatever CMD's outcome. PostgreSQL is installed from Debian's packages
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

# TLS: a throwaway CA and a server certificate for localhost. The role ledger_tls may only connect over TLS, so a
# test that logs in as it proves the connection was encrypted; the CA is what sslmode=verify-full checks against.
tls="$base/tls"
mkdir "$tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=audit ledger test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$tls/server.ext"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
    -extfile "$tls/server.ext" -out "$tls/server.pem" 2>/dev/null
chown "$owner" "$tls/server.key" "$tls/server.pem"
chmod 0600 "$tls/server.key"
chmod 0755 "$tls"
{ printf 'hostnossl all ledger_tls all reject\nhostssl all ledger_tls 127.0.0.1/32 scram-sha-256\n'
  cat "$data/pg_hba.conf"; } > "$base/pg_hba.conf"
cp "$base/pg_hba.conf" "$data/pg_hba.conf"
chown "$owner" "$data/pg_hba.conf"

"${run_as[@]}" "$pgbin/pg_ctl" -D "$data" -l "$base/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $base -c max_connections=100 -c ssl=on \
        -c ssl_cert_file=$tls/server.pem -c ssl_key_file=$tls/server.key" start >/dev/null ||
    { cat "$base/server.log" >&2; exit 2; }

export AUDIT_TEST_POSTGRES_URL="postgres://ledger_admin:$password@127.0.0.1:$port/postgres?sslmode=disable"
PGPASSWORD="$password" psql -Xq "$AUDIT_TEST_POSTGRES_URL" -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE ledger_tls LOGIN SUPERUSER PASSWORD '$password'" >/dev/null
# The TLS role's URL without sslmode: each test picks the mode it checks.
export AUDIT_TEST_POSTGRES_TLS_URL="postgres://ledger_tls:$password@localhost:$port/postgres"
export AUDIT_TEST_POSTGRES_CA="$tls/ca.pem"
echo "with-postgres: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
set +e
"$@"
status=$?
set -e
exit $status
