# model-audit — build, run, test and install the `audit` tool.
SWIFT      ?= swift
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
CONFIG     ?= debug
BUILD_FLAGS = -c $(CONFIG)
BIN         = $(shell $(SWIFT) build $(BUILD_FLAGS) --show-bin-path)/audit

.PHONY: all build release run test bench install uninstall clean fixtures

all: build

build:
	$(SWIFT) build $(BUILD_FLAGS)

release:
	$(SWIFT) build -c release

# The main job on a generated example until the sample fleet exists: keygen → sign → verify → tamper → verify.
run: build
	@AUDIT="$(BIN)" bash scripts/demo.sh

# Every test: JSON Schema and report-format checks, then unit, vector and end-to-end tests (which run the binary).
test: build
	AUDIT="$(BIN)" python3 Tests/schema/check_schemas.py
	python3 Tests/schema/check_reports.py
	$(SWIFT) test $(BUILD_FLAGS)

# Throughput of `audit digest` / `audit verify --model-dir` beside `openssl dgst -sha256` on a 2 GiB model (not a test).
bench:
	bash scripts/bench.sh

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
