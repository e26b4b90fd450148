"""``python -m benchmarks``: run every benchmark and print the figures as JSON.

Usage::

    python -m benchmarks                 # the full figures (several minutes; needs PyPI once)
    python -m benchmarks --quick         # a smoke run in seconds, what CI runs (no timing checks)
    python -m benchmarks --only bulk     # some of: client_overhead decoding bulk fake_scale async fastpaths
    python -m benchmarks --out results.json
    python -m benchmarks --markdown results.json   # the docs/performance.md table of a saved run

Every figure is a ratio against a baseline measured in the same run (see ``_harness.Figure``).
A benchmark that fails is reported with ``"available": false`` and the reason; the others still run.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

from infobip_profiles import __version__

from . import async_gets, bulk, client_overhead, decoding, fake_scale, fastpaths, peers
from ._harness import FULL, QUICK, Figure, Scale, unavailable

BENCHMARKS: dict[str, Callable[[Scale], list[Figure]]] = {
    "client_overhead": client_overhead.run,
    "decoding": decoding.run,
    "bulk": bulk.run,
    "fake_scale": fake_scale.run,
    "async": async_gets.run,
    "peers": peers.run,
    "fastpaths": fastpaths.run,
}


def run(names: Sequence[str], scale: Scale, log: Callable[[str], None]) -> dict[str, object]:
    """Run the named benchmarks at ``scale``; return the JSON document."""
    figures: list[dict[str, object]] = []
    started = time.perf_counter()
    for name in names:
        log(f"benchmark {name}...")
        t0 = time.perf_counter()
        try:
            results = BENCHMARKS[name](scale)
        except Exception as exc:
            log(traceback.format_exc())
            results = [unavailable(name, name, "-", "-", f"the benchmark failed: {exc!r}")]
        log(f"benchmark {name}: {time.perf_counter() - t0:.1f}s")
        figures.extend(f.to_json() for f in results)
    return {
        "package": "infobip-profiles",
        "version": __version__,
        "quick": scale.quick,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "figures": figures,
    }


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit.startswith("seconds") and value < 0.01:
        return f"{value * 1e6:,.0f} µs"
    if unit.startswith("seconds"):
        return f"{value:,.3g} s"
    return f"{value:,.0f}"


def markdown(document: dict[str, Any]) -> str:
    """The figures of a saved run as the Markdown table of ``docs/performance.md``."""
    lines = [
        "| figure | value | baseline | ratio | target | met |",
        "| --- | ---: | --- | ---: | --- | --- |",
    ]
    for fig in document["figures"]:
        unit = fig["unit"]
        if not fig["available"]:
            lines.append(
                f"| {fig['figure']} | unavailable | {fig['baseline']} | - "
                f"| {fig['target'] or '-'} | {fig['reason']} |"
            )
            continue
        met = {True: "yes", False: "**no**", None: "-"}[fig["met"]]
        unit_text = unit.replace("seconds", "s").replace("persons per second", "persons/s")
        lines.append(
            f"| {fig['figure']} ({unit_text}) | {_number(fig['value'], unit)} "
            f"| {fig['baseline']}: {_number(fig['baseline_value'], unit)} "
            f"| {fig['ratio']:.2f} | {fig['target'] or '-'} | {met} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run (what CI runs)")
    parser.add_argument(
        "--only", nargs="+", choices=sorted(BENCHMARKS), help="run only these benchmarks"
    )
    parser.add_argument("--out", help="also write the JSON to this file")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument(
        "--markdown", metavar="RESULTS", help="print the table of a saved run instead of running"
    )
    args = parser.parse_args(argv)
    if args.markdown:
        with open(args.markdown) as saved:
            print(markdown(json.load(saved)))
        return 0

    def log(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)

    names = args.only or list(BENCHMARKS)
    document = run(names, QUICK if args.quick else FULL, log)
    text = json.dumps(document, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as out:
            out.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
