#!/usr/bin/env bash
# Benchmark of the audit ledger: append throughput to SQLite and to PostgreSQL — each record its own acknowledged
# transaction (one writer, and 8 writers × 500 at once), and records written in batches the way a fleet run records
# its decisions (`ledger append --batch`, one transaction per BENCH_BATCH records) — then `audit ledger history` for
# one model over a 1,000,000-record SQLite ledger, whole process and the query alone. Every figure comes with the
# writers' CPU time per record (user + sys, from /usr/bin/time; the PostgreSQL server's own CPU is not counted) and
# the load average, because on a shared machine wall time alone says little. PostgreSQL is the throwaway server of
# scripts/with-postgres.sh unless AUDIT_TEST_POSTGRES_URL names one.
#
#   bash scripts/bench-ledger.sh                       # what `make bench-ledger` runs
#   BENCH_AUDIT=.build/debug/audit bash …              # time this binary instead of building a release one
#   BENCH_RECORDS=2000 BENCH_MILLION=200000 bash …     # smaller runs (BENCH_BATCH, BENCH_WRITERS too)
#
# Targets from the issue: ≥ 2,000 records/s to SQLite, ≥ 1,000/s to PostgreSQL on loopback, history ≤ 50 ms over
# 1,000,000 records. Not a test: it exits 0 once the figures are printed (non-zero only when a chain is broken).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${AUDIT_TEST_POSTGRES_URL:-}" ] && [ -z "${BENCH_NO_POSTGRES:-}" ]; then
    exec bash scripts/with-postgres.sh bash "$0" "$@"
fi

if [ -n "${BENCH_AUDIT:-}" ]; then
    AUDIT=$(cd "$(dirname "$BENCH_AUDIT")" && pwd)/$(basename "$BENCH_AUDIT")
else
    AUDIT=$(bash scripts/release-build.sh)
fi
RECORDS=${BENCH_RECORDS:-5000}
WRITERS=${BENCH_WRITERS:-8}
PER_WRITER=${BENCH_PER_WRITER:-500}
BATCH=${BENCH_BATCH:-100}
MILLION=${BENCH_MILLION:-1000000}
[ -x /usr/bin/time ] || { echo "bench-ledger: needs /usr/bin/time (GNU time)" >&2; exit 2; }

work=$(mktemp -d "$PWD/.build/bench-ledger.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

# One signed model and its JSON report: what every append records.
"$AUDIT" keygen --algorithm ed25519 --out dev >/dev/null
mkdir trust && cp dev.pub trust/
echo '{"version": 1, "keys": [{"file": "dev.pub", "owner": "Bench", "roles": ["developer"]}]}' > trust/trust.json
"$AUDIT" sign ../../docs/examples/manifest.json --key dev.key -o env.json >/dev/null
"$AUDIT" verify env.json --trust trust --format json -o report.json >/dev/null || true

now() { date +%s.%N; }
load() { cut -d' ' -f1 /proc/loadavg; }

# Runs CMD… under /usr/bin/time, its stdout to OUT, and prints "N records in S s = R records/s, C ms CPU a record
# (load L)   LABEL"; the CPU is user + sys of CMD and every process it waited for.
timed() {
    local n=$1 out=$2 label=$3 before
    shift 3
    before=$(load)
    /usr/bin/time -f '%e %U %S' -o times "$@" > "$out"
    awk -v n="$n" -v l="$before" -v label="$label" '{ printf "%8d records in %7.2f s = %8.0f records/s, %.3f ms CPU \
a record (load %s)   %s\n", n, $1, n / $1, ($2 + $3) * 1000 / n, l, label }' times
}

# Appends RECORDS records from one process, BATCH_SIZE records per transaction.
single() {
    local url=$1 batch=$2 label=$3
    timed "$RECORDS" acks.single "$label" \
        "$AUDIT" ledger append report.json --repeat "$RECORDS" --batch "$batch" --ledger "$url"
    [ "$(wc -l < acks.single)" -eq "$RECORDS" ] || { echo "acknowledged $(wc -l < acks.single)" >&2; exit 1; }
}

# WRITERS processes × PER_WRITER records at once, BATCH_SIZE records per transaction; then the chain and the count.
concurrent() {
    local url=$1 batch=$2 label=$3 total=$((WRITERS * PER_WRITER))
    rm -f acks.*
    export AUDIT url batch PER_WRITER WRITERS
    timed "$total" /dev/null "$label" bash -c 'for i in $(seq "$WRITERS"); do
            "$AUDIT" ledger append report.json --repeat "$PER_WRITER" --batch "$batch" --ledger "$url" > "acks.$i" &
        done
        wait'
    "$AUDIT" ledger verify --ledger "$url" | sed 's/^/    ledger verify: /'
    [ "$(cat acks.* | wc -l)" -eq "$total" ] || { echo "acknowledged $(cat acks.* | wc -l) of $total" >&2; exit 1; }
}

# Every figure for one backend; NEW_URL NAME gives a fresh, empty ledger.
backend() {
    local new_url=$1 url
    url=$($new_url single); "$AUDIT" ledger append report.json --ledger "$url" >/dev/null   # schema first
    single "$url" 1 "1 writer, each record its own transaction"
    url=$($new_url concurrent); "$AUDIT" ledger append report.json --ledger "$url" >/dev/null
    concurrent "$url" 1 "$WRITERS writers × $PER_WRITER, each record its own transaction"
    url=$($new_url batch); "$AUDIT" ledger append report.json --ledger "$url" >/dev/null
    single "$url" "$BATCH" "1 writer, $BATCH records a transaction"
    url=$($new_url concurrent_batch); "$AUDIT" ledger append report.json --ledger "$url" >/dev/null
    concurrent "$url" "$BATCH" "$WRITERS writers × $PER_WRITER, $BATCH records a transaction"
}

sqlite_url() { echo "sqlite:$1.db"; }
postgres_url() {
    psql -Xq "$AUDIT_TEST_POSTGRES_URL" -c "CREATE DATABASE bench_$1" >&2
    echo "$base/bench_$1?$query"
}

echo "audit ledger append ($AUDIT), $(nproc) cores"
echo "SQLite (WAL, synchronous=NORMAL):"
backend sqlite_url
if [ -n "${AUDIT_TEST_POSTGRES_URL:-}" ]; then
    base=${AUDIT_TEST_POSTGRES_URL%%\?*}; base=${base%/*}; query=${AUDIT_TEST_POSTGRES_URL#*\?}
    echo "PostgreSQL $(psql -XAtq "$AUDIT_TEST_POSTGRES_URL" -c "SHOW server_version"), loopback \
(synchronous_commit=$(psql -XAtq "$AUDIT_TEST_POSTGRES_URL" -c "SHOW synchronous_commit")):"
    backend postgres_url
    # What one durable commit costs on this disk, without the ledger: a bare one-row INSERT per transaction.
    pgbench=$(ls -d /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -1 || true)
    if [ -n "$pgbench" ]; then
        psql -Xq "$AUDIT_TEST_POSTGRES_URL" -c "CREATE DATABASE bench_bare" \
            && psql -Xq "$base/bench_bare?$query" -c "CREATE TABLE bare (id BIGSERIAL PRIMARY KEY, body TEXT)"
        echo "INSERT INTO bare (body) VALUES (repeat('x', 1500));" > bare.sql
        for clients in 1 "$WRITERS"; do
            echo "    bare INSERT commits, $clients client(s): $("$pgbench" -n -f bare.sql -c "$clients" -j "$clients" \
                -T 5 "$base/bench_bare?$query" 2>/dev/null | awk '/^tps/ { printf "%.0f transactions/s", $3 }')"
        done
    fi
fi

# A 1,000,000-record ledger: 10,000 models × 100 runs, each run one transaction of 10,000 records.
models=10000
runs=$((MILLION / models))
python3 - report.json fleet.json "$models" <<'PY'
import copy, hashlib, json, sys
report = json.load(open(sys.argv[1]))
model = report["models"][0]
report["models"] = []
for i in range(int(sys.argv[3])):
    m = copy.deepcopy(model)
    m["name"], m["file"] = f"bench-model-{i:05d}", f"bench-model-{i:05d}.json"
    m["envelopeSHA256"] = hashlib.sha256(m["name"].encode()).hexdigest()
    report["models"].append(m)
json.dump(report, open(sys.argv[2], "w"))
PY
start=$(now)
"$AUDIT" ledger append fleet.json --repeat "$runs" --ledger sqlite:million.db >/dev/null
end=$(now)
echo "bulk: $(awk -v n="$MILLION" -v s="$start" -v e="$end" 'BEGIN { printf "%d records in %.1f s", n, e - s }') \
($models records a transaction)"
size=$(du -m million.db | cut -f1)
echo "ledger size: ${size} MiB for $MILLION records"
best=999
for _ in 1 2 3 4 5; do
    start=$(now)
    "$AUDIT" ledger history bench-model-04242 --format json --ledger sqlite:million.db > history.json
    end=$(now)
    best=$(awk -v a="$best" -v s="$start" -v e="$end" 'BEGIN { t = (e - s) * 1000; print (t < a) ? t : a }')
done
echo "audit ledger history bench-model-04242 over $MILLION records: $(printf '%.1f' "$best") ms (whole process, \
best of 5, load $(load)), $(grep -c '"sequence"' history.json) entries"
# The query `history` runs, as the SQLite backend sends it, and the plan that serves it.
history_sql="SELECT sequence, content, previous_hash, hash, signature, key_id FROM ledger_records \
WHERE (model = 'bench-model-04242' OR envelope_sha256 = 'bench-model-04242') ORDER BY sequence LIMIT 100000"
echo "query plan: $(sqlite3 million.db "EXPLAIN QUERY PLAN $history_sql" | sed 's/^[0-9 |]*//' | paste -sd ';')"
query_ms=$(for _ in 1 2 3 4 5; do printf '.timer on\n%s;\n' "$history_sql" | sqlite3 million.db \
    | awk '/Run Time/ { print $4 * 1000 }'; done | sort -n | head -1)
echo "the query alone (sqlite3 .timer, best of 5): ${query_ms} ms"
start=$(now)
"$AUDIT" ledger verify --ledger sqlite:million.db | sed 's/^/ledger verify: /'
end=$(now)
echo "ledger verify over $MILLION records: $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }') s"
