# centra-wms: the two commands are `make run` and `make test` (see README.md).
CARGO ?= cargo
export CARGO_TERM_COLOR ?= auto

.PHONY: run test fmt-check clippy deps-check unit build ci help e2e-large chart-check

## run: start everything in one process (embedded bus, SQLite, bundled simulators)
run:
	$(CARGO) run -p centra-wms -- sandbox

## test: everything CI checks: formatting, lints, unused dependencies, the chart, every test
test: fmt-check clippy deps-check chart-check unit

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy -p centra-wms --no-default-features -- -D warnings

## deps-check: no crate declares a dependency it does not use (cargo-machete; .ci/run installs it),
## and the release build (--no-default-features, as the Dockerfile builds it) links no simulator
deps-check:
	$(CARGO) machete
	@! $(CARGO) tree -q -p centra-wms --no-default-features -e normal --prefix none \
	  | grep -E '^(centra-sim|ongoing-sim|test-support) ' \
	  || { echo "the release build links a simulator or test support (see above)"; exit 1; }

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

## chart-check: lint and render the Helm chart, validate the manifests, config-check them
chart-check:
	$(CARGO) build -q -p centra-wms
	python3 deploy/helm/check_chart.py "$$($(CARGO) metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/centra-wms"

## e2e-large: the stock and returns scenario at 2,000 steps per shape and fault setting (CI runs 400)
e2e-large:
	STOCK_RETURNS_E2E_STEPS=$${STOCK_RETURNS_E2E_STEPS:-2000} $(CARGO) nextest run -p centra-wms-tests --test stock_returns_e2e --no-capture --test-threads 2

## ci: what CI runs (installs and starts PostgreSQL and NATS when missing)
ci:
	bash .ci/run

help:
	@grep -E '^## ' Makefile | sed 's/^## //'
