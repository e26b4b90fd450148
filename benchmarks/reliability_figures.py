"""Regenerate the figures table of ``docs/reliability.md`` from a run of the fault matrix.

Usage::

    python -m benchmarks.reliability_figures            # run the matrix, rewrite the page's table
    python -m benchmarks.reliability_figures --check    # exit 1 if the page is out of date

It runs ``tests/reliability/test_faults.py`` (slow cases included) with
``INFOBIP_RELIABILITY_FIGURES`` set, so that each case records the faults it injected, the
requests that reached the fake, and the records lost or duplicated; then it replaces the text
between the ``figures`` markers of the page.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "reliability.md"
MATRIX = "tests/reliability/test_faults.py"
START = "<!-- figures:start (python -m benchmarks.reliability_figures) -->"
END = "<!-- figures:end -->"

__all__ = ["collect", "render", "main"]


def collect() -> list[dict[str, Any]]:
    """Run the fault matrix and return the per-case figures it recorded."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "figures.json"
        env = {**os.environ, "INFOBIP_RELIABILITY_FIGURES": str(out)}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:xdist",
                MATRIX,
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"the fault matrix failed:\n{done.stdout[-4000:]}")
        figures: list[dict[str, Any]] = json.loads(out.read_text())
        return figures


def render(figures: list[dict[str, Any]]) -> str:
    """The Markdown block: totals, then one row per operation and fault."""
    total = {
        key: sum(f[key] for f in figures)
        for key in ("faults_injected", "requests", "lost", "duplicates")
    }
    lines = [
        START,
        "",
        "| cases | faults injected | requests that reached the fake | records lost | duplicates |",
        "| ---: | ---: | ---: | ---: | ---: |",
        f"| {len(figures)} | {total['faults_injected']} | {total['requests']} "
        f"| {total['lost']} | {total['duplicates']} |",
        "",
        "What the user gets, per operation and fault (the sync client; the async client, run on",
        "every row in process, gets the same outcomes, checked against the same expectations):",
        "",
        "| operation | fault | in process | over HTTP | requests (in process / HTTP) |",
        "| --- | --- | --- | --- | --- |",
    ]
    rows: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for f in figures:
        if f["client"] == "sync":
            rows[(f["operation"], f["fault"])][f["mode"]] = f
    for f in figures:
        if f["client"] == "async":
            sync = rows[(f["operation"], f["fault"])].get("inprocess")
            if sync is not None and sync["outcome"] != f["outcome"]:
                raise SystemExit(f"sync and async differ: {sync} / {f}")
    for (operation, fault), by_mode in rows.items():
        local, http = by_mode.get("inprocess"), by_mode.get("http")
        lines.append(
            f"| {operation} | {fault} | {local['outcome'] if local else '-'} "
            f"| {http['outcome'] if http else '-'} "
            f"| {local['requests'] if local else '-'} / {http['requests'] if http else '-'} |"
        )
    lines += ["", END]
    return "\n".join(lines)


def rewrite(page: str, block: str) -> str:
    """``page`` with the text between the markers replaced by ``block``."""
    head, found, rest = page.partition(START)
    if not found:
        raise SystemExit(f"{PAGE} has no {START!r} marker")
    _, found, tail = rest.partition(END)
    if not found:
        raise SystemExit(f"{PAGE} has no {END!r} marker")
    return head + block + tail


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reliability_figures")
    parser.add_argument("--check", action="store_true", help="fail if the page is out of date")
    args = parser.parse_args(argv)
    page = PAGE.read_text()
    updated = rewrite(page, render(collect()))
    if args.check:
        if updated != page:
            print(f"{PAGE} is out of date: run python -m benchmarks.reliability_figures")
            return 1
        return 0
    PAGE.write_text(updated)
    print(f"rewrote the figures of {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
