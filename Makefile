# centra-wms: the two commands are `make run` and `make test` (see README.md).
CARGO ?= cargo
export CARGO_TERM_COLOR ?= auto

.PHONY: run test fmt-check clippy unit build ci help

## run: start everything in one process (embedded bus, SQLite, bundled simulators)
run:
	$(CARGO) run -p centra-wms -- sandbox

## test: everything CI checks: formatting, lints, every test
test: fmt-check clippy unit

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Doc tests first: the summary of the main run stays the last line.
unit:
	$(CARGO) test --workspace --doc
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
	  $(CARGO) nextest run --workspace --no-fail-fast; \
	else \
	  $(CARGO) test --workspace --no-fail-fast; \
	fi

build:
	$(CARGO) build --workspace

## ci: what CI runs (installs and starts PostgreSQL and NATS when missing)
ci:
	bash .ci/run

help:
	@grep -E '^## ' Makefile | sed 's/^## //'
