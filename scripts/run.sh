#!/usr/bin/env bash
# `make run`: the fleet compliance report on the sample fleet, as a compliance officer would run it.
#
#   AUDIT=path/to/audit scripts/run.sh          (the Makefile builds the binary and sets AUDIT)
#
# Writes the model directories the samples' manifests list (scripts/sample-model-files.sh: small files,
# byte-identical on every machine), then audits every signed manifest in manifests/ against
# policies/enterprise-default.yaml: signatures, files, lineage (parents looked up in manifests/ by digest),
# custody bundles, and every policy rule. Prints the terminal summary and writes report.html.
#
# The fleet is evaluated at its reference time, AUDIT_AT (default 2026-12-01T00:00:00Z), so that waivers, audit
# expiries and key validity give the verdicts docs/samples.md documents on any day. AUDIT_AT= (empty) evaluates
# as of now instead.
#
# Exit status: 0 when the report was produced — some samples are non-compliant on purpose, so audit's exit 1 is the
# expected outcome here — and audit's own status for anything else (2: could not evaluate, 64: usage).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

AUDIT="${AUDIT:-}"
[[ -n "$AUDIT" && -x "$AUDIT" ]] || { echo "run: set AUDIT to the audit binary (make run does)" >&2; exit 2; }
[[ "$AUDIT" != */* || "$AUDIT" == /* ]] || AUDIT="$PWD/$AUDIT"
cd "$root"
at="${AUDIT_AT-2026-12-01T00:00:00Z}"

bash scripts/sample-model-files.sh manifests

arguments=(report manifests/ --trust keys --policy policies/enterprise-default.yaml --store manifests --model-dirs)
[[ -z "$at" ]] || arguments+=(--at "$at")
arguments+=(--format text --format html=report.html)

echo "\$ audit ${arguments[*]}"
echo
status=0
"$AUDIT" "${arguments[@]}" || status=$?
case "$status" in
    0 | 1)
        echo
        echo "HTML report: report.html (file://$root/report.html)"
        echo "The same fleet under the other sample policies: --policy policies/us-federal-agency.yaml or"
        echo "policies/eu-gdpr.yaml; docs/samples.md explains every verdict."
        ;;
    *)
        echo "run: audit report could not evaluate the fleet (exit $status)" >&2
        exit "$status"
        ;;
esac
