# centra-wms: the two commands are `make run` and `make test` (see README.md).
CARGO ?= cargo
export CARGO_TERM_COLOR ?= auto

.PHONY: run test fmt-check clippy deps-check unit build ci help e2e-large chart-check bench bench-large fault-test

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

## deps-check: no crate declares a dependency it does not use (cargo-machete), every dependency's
## license, version requirement and source is allowed by deny.toml (cargo-deny; .ci/run installs
## both), and the release build (--no-default-features, as the Dockerfile builds it) links no
## simulator
deps-check:
	$(CARGO) machete
	$(CARGO) deny --log-level error check licenses bans sources
	@! $(CARGO) tree -q -p centra-wms --no-default-features -e normal --prefix none \
	  | grep -E '^(centra-sim|ongoing-sim|ogoship-sim|test-support) ' \
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

## e2e-large: the stock and returns scenario at 2,000 steps per WMS, shape and fault setting (CI runs 200), and
## the catalogue scenario at 20,000 sizes embedded, 2,000 distributed, on both WMS (CI runs 3,000 / 300)
e2e-large:
	STOCK_RETURNS_E2E_STEPS=$${STOCK_RETURNS_E2E_STEPS:-2000} $(CARGO) nextest run -p centra-wms-tests --test stock_returns_e2e --no-capture --test-threads 2
	CATALOG_E2E_SIZES=$${CATALOG_E2E_SIZES:-20000} $(CARGO) nextest run -p centra-wms-tests --test catalog_e2e --no-capture -E 'test(imports_once_and_writes_only_changes)'

## fault-test: the fault suite (#18) at 300 workload steps per shape (CI runs 40 inside `make test`),
## embedded then distributed; as in CI the warehouse ships an order without waiting for its
## capture on import, which order-sync then makes before completing (FAULT_TEST_EAGER_WAREHOUSE=0
## makes the warehouse wait); FAULT_TEST_SEED picks the sequence. Prints the table of each shape.
fault-test:
	FAULT_TEST_RECORDS=$${FAULT_TEST_RECORDS:-300} \
	  $(CARGO) nextest run -p centra-wms --test fault --no-capture

## bench: release build, then every benchmark (each figure the median of 3 runs); Markdown tables
## on stdout and in bench/results.md with the machine and the commit. Never part of `make test`.
## The distributed bench runs the release centra-wms binary and needs NATS_URL and DATABASE_URL.
BENCH_LATENCY_ARGS ?= --n 10 --poll-n 3
BENCH_DRAIN_ARGS ?= --complete 20 --capture 5 --slow-k 60
BENCH_CATALOG_ARGS ?=
BENCH_FOOTPRINT_ARGS ?= --sizes 2000 --shipments 1000
# calls per changed article, stock change and return, in both shapes
BENCH_RECORD_ARGS ?= --articles 100 --changes 100 --returns 10
BENCH_DISTRIBUTED_ARGS ?= --n 10 --poll-n 3
# the backlog drains as six processes, with the same minimal clients in the same run: at 0 ms
# only (the 50 ms drains, bound by the WMS's latency, are backlog_drain's) and 300 shipments,
# which keeps make bench within its 10 minutes
BENCH_DISTRIBUTED_DRAIN_ARGS ?= --k 300 --complete 20 --capture 5 --slow-k 0
# 5,000 shipments through GraphQL (issue #16), one run: quotas ×100 keep the hourly mutation
# bucket the binding one while the drain fits the 10 minutes (×60 did until the distributed
# drains joined, ×80 until the distributed latency modes and calls per record did)
BENCH_GRAPHQL_ARGS ?= --n 5000 --scale 100 --runs 1
# criterion micro-benchmarks of hot code (crates/*/benches): mapping, parsing, the stock rule
BENCH_CRITERION = -p domain --bench stock_rule -p catalog-sync --bench mapping \
  -p centra-gateway --bench shipment_parsing -p ongoing-gateway --bench order_parsing
BENCH_CRITERION_ARGS ?= --warm-up-time 1 --measurement-time 1 --noplot
# One benchmark program ($(1), its arguments $(2)): its tables appended to the results, its
# time in seconds to bench/results.each.tmp (the header's "each took", so what nears the
# 10-minute bound is read off the results).
define bench_program
	start=$$(date +%s) && \
	  $(CARGO) bench -q -p centra-wms-tests --bench $(1) -- $(2) >> bench/results.md.tmp && \
	  echo "$(1) $$(( $$(date +%s) - start ))" >> bench/results.each.tmp
endef

bench:
	$(CARGO) build --release -p centra-wms
	$(CARGO) bench -p centra-wms-tests --no-run
	$(CARGO) bench $(BENCH_CRITERION) --no-run
	@mkdir -p bench
	@{ echo "# Benchmark results"; echo; \
	  echo "- commit: \`$$(git rev-parse --short HEAD)\`$$(git diff --quiet HEAD -- 2>/dev/null || echo ' (with uncommitted changes)')"; \
	  echo "- machine: $$(nproc) cores, $$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $$(uname -r)"; \
	  echo "- date: $$(date -u +%Y-%m-%dT%H:%M:%SZ)"; \
	  echo "- arguments: latency [$(BENCH_LATENCY_ARGS)] drain [$(BENCH_DRAIN_ARGS)] catalog [$(BENCH_CATALOG_ARGS)] footprint [$(BENCH_FOOTPRINT_ARGS)] records [$(BENCH_RECORD_ARGS)] distributed [$(BENCH_DISTRIBUTED_ARGS)] distributed drain [$(BENCH_DISTRIBUTED_DRAIN_ARGS)] graphql [$(BENCH_GRAPHQL_ARGS)] criterion [$(BENCH_CRITERION_ARGS)]"; \
	} > bench/results.md.tmp
	@date +%s > bench/results.started.tmp
	@: > bench/results.each.tmp
	$(call bench_program,order_latency,$(BENCH_LATENCY_ARGS))
	$(call bench_program,backlog_drain,$(BENCH_DRAIN_ARGS))
	$(call bench_program,catalog_import,$(BENCH_CATALOG_ARGS))
	$(call bench_program,catalog_footprint,$(BENCH_FOOTPRINT_ARGS))
	$(call bench_program,record_calls,$(BENCH_RECORD_ARGS))
	$(call bench_program,distributed,$(BENCH_DISTRIBUTED_ARGS))
	$(call bench_program,distributed_drain,$(BENCH_DISTRIBUTED_DRAIN_ARGS))
	$(call bench_program,graphql_budget,$(BENCH_GRAPHQL_ARGS))
	@home=$$(mktemp -d) && trap 'rm -rf "$$home"' EXIT && start=$$(date +%s) && \
	  { CRITERION_HOME="$$home" $(CARGO) bench -q $(BENCH_CRITERION) -- $(BENCH_CRITERION_ARGS) \
	    > "$$home/criterion.log" 2>&1 || { cat "$$home/criterion.log"; exit 1; }; } && \
	  python3 bench/criterion_table.py "$$home" >> bench/results.md.tmp && \
	  echo "criterion $$(( $$(date +%s) - start ))" >> bench/results.each.tmp
	@took=$$(( $$(date +%s) - $$(cat bench/results.started.tmp) )) && rm bench/results.started.tmp && \
	  each=$$(awk '{ printf "%s%s %d min %d s", (NR > 1 ? ", " : ""), $$1, $$2 / 60, $$2 % 60 }' bench/results.each.tmp) && \
	  rm bench/results.each.tmp && \
	  sed -i "s/^- date: .*/&\n- benchmarks took: $$((took / 60)) min $$((took % 60)) s (the release builds before them not counted)\n- each took: $$each/" \
	  bench/results.md.tmp
	@mv bench/results.md.tmp bench/results.md
	@cat bench/results.md

## bench-large: `make bench` at the large sizes (10,000 shipments, 100,000 catalogue sizes; an hour or more)
bench-large:
	$(MAKE) bench BENCH_LATENCY_ARGS="--n 50 --poll-n 10" \
	  BENCH_DRAIN_ARGS="--k 10020 --complete 10000 --rps 100 --capture 20 --slow-k 1000" \
	  BENCH_CATALOG_ARGS="--sizes 100000" \
	  BENCH_FOOTPRINT_ARGS="--sizes 100000 --shipments 10000 --runs 1" \
	  BENCH_RECORD_ARGS="--articles 1000 --changes 1000 --returns 200" \
	  BENCH_DISTRIBUTED_ARGS="--n 50 --poll-n 10" \
	  BENCH_DISTRIBUTED_DRAIN_ARGS="--k 10020 --complete 10000 --rps 100 --capture 20 --slow-k 0 --runs 1" \
	  BENCH_GRAPHQL_ARGS="--n 5000 --scale 20 --runs 1"

## ci: what CI runs (installs and starts PostgreSQL and NATS when missing)
ci:
	bash .ci/run

help:
	@grep -E '^## ' Makefile | sed 's/^## //'
