#!/usr/bin/env bash
# Benchmark of the audit ledger: append throughput to SQLite and PostgreSQL (one writer, and 8 writers × 500 records
# at once — each record its own acknowledged transaction), and `audit ledger history` for one model over a
# 1,000,000-record SQLite ledger. PostgreSQL is the throwaway server of scripts/with-postgres.sh unless
# AUDIT_TEST_POSTGRES_URL names one.
#
#   bash scripts/bench-ledger.sh                       # what `make bench-ledger` runs
#   BENCH_AUDIT=.build/debug/audit bash …              # time this binary instead of building a release one
#   BENCH_RECORDS=2000 BENCH_MILLION=200000 bash …     # smaller runs
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
    swift build -c release >&2
    AUDIT="$(swift build -c release --show-bin-path)/audit"
fi
RECORDS=${BENCH_RECORDS:-5000}
WRITERS=${BENCH_WRITERS:-8}
PER_WRITER=${BENCH_PER_WRITER:-500}
MILLION=${BENCH_MILLION:-1000000}

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
rate() { awk -v n="$1" -v s="$2" -v e="$3" 'BEGIN { printf "%8d records in %7.2f s = %8.0f records/s", n, e - s, n / (e - s) }'; }

# Appends RECORDS single-record transactions from one process.
single() {
    local url=$1 start end
    "$AUDIT" ledger append report.json --ledger "$url" >/dev/null   # schema first
    start=$(now)
    "$AUDIT" ledger append report.json --repeat "$RECORDS" --ledger "$url" >/dev/null
    end=$(now)
    echo "$(rate "$RECORDS" "$start" "$end")   1 writer"
}

# WRITERS processes × PER_WRITER single-record transactions at once; checks the chain and the count afterwards.
concurrent() {
    local url=$1 start end pids=() total
    start=$(now)
    for i in $(seq "$WRITERS"); do
        "$AUDIT" ledger append report.json --repeat "$PER_WRITER" --ledger "$url" > "acks.$i" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
    end=$(now)
    total=$((WRITERS * PER_WRITER))
    echo "$(rate "$total" "$start" "$end")   $WRITERS writers × $PER_WRITER"
    "$AUDIT" ledger verify --ledger "$url" | sed 's/^/    ledger verify: /'
    [ "$(cat acks.* | wc -l)" -eq "$total" ] || { echo "acknowledged $(cat acks.* | wc -l) of $total" >&2; exit 1; }
}

echo "audit ledger append, each record its own transaction ($AUDIT)"
echo "SQLite (WAL, synchronous=NORMAL):"
single "sqlite:single.db"
concurrent "sqlite:concurrent.db"
if [ -n "${AUDIT_TEST_POSTGRES_URL:-}" ]; then
    base=${AUDIT_TEST_POSTGRES_URL%%\?*}; base=${base%/*}; query=${AUDIT_TEST_POSTGRES_URL#*\?}
    psql -Xq "$AUDIT_TEST_POSTGRES_URL" -c "CREATE DATABASE bench_single" -c "CREATE DATABASE bench_concurrent"
    echo "PostgreSQL (loopback, advisory lock):"
    single "$base/bench_single?$query"
    concurrent "$base/bench_concurrent?$query"
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
echo "bulk: $(rate "$MILLION" "$start" "$end")   ($models records per transaction)"
size=$(du -m million.db | cut -f1)
echo "ledger size: ${size} MiB for $MILLION records"
best=999
for _ in 1 2 3 4 5; do
    start=$(now)
    "$AUDIT" ledger history bench-model-04242 --format json --ledger sqlite:million.db > history.json
    end=$(now)
    best=$(awk -v a="$best" -v s="$start" -v e="$end" 'BEGIN { t = (e - s) * 1000; print (t < a) ? t : a }')
done
echo "audit ledger history bench-model-04242 over $MILLION records: $(printf '%.1f' "$best") ms (whole process, best of 5), $(grep -c '"sequence"' history.json) entries"
query_ms=$(printf '.timer on\n%s\n' "SELECT COUNT(*) FROM (SELECT sequence, content FROM ledger_records \
WHERE model = 'bench-model-04242' ORDER BY sequence);" | sqlite3 million.db | awk '/Run Time/ { printf "%.1f", $4 * 1000 }')
echo "the query alone (sqlite3 .timer): ${query_ms} ms"
start=$(now)
"$AUDIT" ledger verify --ledger sqlite:million.db | sed 's/^/ledger verify: /'
end=$(now)
echo "ledger verify over $MILLION records: $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }') s"
