#!/usr/bin/env python3
"""The criterion micro-benchmarks as a Markdown table, for `make bench`.

Usage: criterion_table.py CRITERION_HOME

Reads every `*/new/benchmark.json` and `estimates.json` that criterion wrote under
CRITERION_HOME and prints one row per benchmark: the median time per call with its 95%
confidence interval, and calls per second on one core at that median.
"""

import json
import pathlib
import sys


def show(ns: float) -> str:
    """Nanoseconds in the unit that keeps three digits or so."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.2f} {unit}"
    return f"{ns:.1f} ns"


def main() -> None:
    home = pathlib.Path(sys.argv[1])
    rows = []
    for estimates in sorted(home.glob("**/new/estimates.json")):
        title = json.loads((estimates.parent / "benchmark.json").read_text())["title"]
        median = json.loads(estimates.read_text())["median"]
        ci = median["confidence_interval"]
        rows.append(
            f"| {title} | {show(median['point_estimate'])} | "
            f"{show(ci['lower_bound'])}–{show(ci['upper_bound'])} | "
            f"{1e9 / median['point_estimate']:,.0f} |"
        )
    if not rows:
        sys.exit(f"no criterion results under {home}")
    print("\n### Micro-benchmarks (criterion)\n")
    print(
        "Hot code on its own, release build: median time per call over criterion's samples "
        "with its 95% confidence interval (`crates/*/benches`, short measurement: "
        "`make bench` passes BENCH_CRITERION_ARGS). Calls per second: one core at the median.\n"
    )
    print("| benchmark | median | 95% CI | calls/s |")
    print("| --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
