# model-audit — build, run, test and install the `audit` tool.
SWIFT      ?= swift
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
CONFIG     ?= debug
BUILD_FLAGS = -c $(CONFIG)
BIN         = $(shell $(SWIFT) build $(BUILD_FLAGS) --show-bin-path)/audit

.PHONY: all build release run test bench bench-fleet bench-ledger install uninstall clean fixtures samples screenshot demo fuzz fuzz-smoke

all: build

build:
	$(SWIFT) build $(BUILD_FLAGS)

release:
	$(SWIFT) build -c release

# The main job: audit the sample fleet (manifests/) against policies/enterprise-default.yaml; writes report.html.
run: build
	@AUDIT="$(BIN)" bash scripts/run.sh

# The signing round trip on a generated model: keygen → init → sign → verify → tamper → verify fails.
demo: build
	@AUDIT="$(BIN)" bash scripts/demo.sh

# Regenerates every signed sample in manifests/ from manifests/src/ (byte-identical when nothing changed).
samples: build
	AUDIT="$(BIN)" bash scripts/make-samples.sh

# Renders report.html in headless Chromium into out/report.png and checks the page is not blank.
screenshot: run
	bash scripts/screenshot-report.sh report.html out/report.png

# Every test: JSON Schema and report-format checks, then unit, vector and end-to-end tests (which run the binary).
test: build
	AUDIT="$(BIN)" python3 Tests/schema/check_schemas.py
	python3 Tests/schema/check_reports.py
	python3 scripts/make-custody-schema.py --check
	python3 scripts/make-confusables.py --check
	python3 scripts/check-folder-deps.py
	python3 scripts/check-error-types.py
	$(SWIFT) test $(BUILD_FLAGS)

# Builds the libFuzzer targets in Fuzz/ and runs each for FUZZ_SECONDS; fails on any crash (see Fuzz/README.md).
FUZZ_SECONDS ?= 60
fuzz:
	bash Fuzz/fuzz.sh $(FUZZ_SECONDS)

# A 10-second run of every fuzz target, as CI does after the tests.
fuzz-smoke:
	bash Fuzz/fuzz.sh 10

# Throughput of `audit digest` / `audit verify --model-dir` beside `openssl dgst -sha256` on a 2 GiB model (not a test).
bench:
	bash scripts/bench.sh

# `audit report --format json` over 1,000 and 10,000 generated signed manifests: one worker beside every core.
bench-fleet:
	bash scripts/bench-fleet.sh

# Ledger appends to SQLite and PostgreSQL (1 and 8 writers) and history over 1,000,000 records (docs/ledger.md).
bench-ledger:
	bash scripts/bench-ledger.sh

install: release
	install -d "$(DESTDIR)$(BINDIR)"
	install -m 0755 "$$($(SWIFT) build -c release --show-bin-path)/audit" "$(DESTDIR)$(BINDIR)/audit"

uninstall:
	rm -f "$(DESTDIR)$(BINDIR)/audit"

# Regenerates the envelopes made independently with the openssl CLI.
fixtures:
	bash Tests/Fixtures/openssl/make-fixtures.sh

clean:
	rm -rf .build out
