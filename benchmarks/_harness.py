"""What every benchmark shares: timing against a baseline in the same run, and the figure record.

A figure is always a ratio of two measurements taken in the same process, interleaved round by
round, so that a slow or busy machine moves both sides together and the ratio stays meaningful.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

import attrs

__all__ = [
    "Figure",
    "Scale",
    "QUICK",
    "FULL",
    "figure",
    "time_per_call",
    "median_time",
    "compare",
    "unavailable",
    "CollectorCount",
]


@attrs.frozen
class Scale:
    """How big each benchmark runs: the full figures, or the CI smoke mode (``--quick``)."""

    quick: bool
    rounds: int
    overhead_calls: int
    decode_persons: int
    bulk_persons: int
    bulk_create_sample: int
    bulk_rounds: int
    paced_persons: int
    scale_small: int
    scale_large: int
    scale_filter: int
    scale_memory: int
    async_gets: int
    stream_persons: int


#: Every size of a run: (the full figures, the ``--quick`` smoke mode).
_SIZES: dict[str, tuple[int, int]] = {
    "rounds": (7, 2),
    "overhead_calls": (2000, 50),
    "decode_persons": (1000, 100),
    "bulk_persons": (100_000, 2000),
    "bulk_create_sample": (1000, 20),
    "bulk_rounds": (5, 1),
    "paced_persons": (100_000, 2000),
    "scale_small": (10_000, 200),
    "scale_large": (1_000_000, 2000),
    "scale_filter": (100_000, 1000),
    "scale_memory": (1_000_000, 2000),
    "async_gets": (1000, 20),
    "stream_persons": (1_000_000, 2000),
}

FULL = Scale(quick=False, **{name: full for name, (full, _) in _SIZES.items()})
QUICK = Scale(quick=True, **{name: quick for name, (_, quick) in _SIZES.items()})


@attrs.frozen
class Figure:
    """One line of the results: a measurement, its same-run baseline, and their ratio.

    ``ratio`` is ``value / baseline_value`` (both in ``unit``); ``target`` says which way is good
    (for example ``"<= 1.3"``) and ``met`` whether this run meets it (``None`` without a target).
    An ``available=False`` figure carries the ``reason`` instead of numbers.
    """

    id: str
    figure: str
    baseline: str
    unit: str
    value: float | None = None
    baseline_value: float | None = None
    ratio: float | None = None
    target: str | None = None
    met: bool | None = None
    available: bool = True
    reason: str | None = None
    details: dict[str, Any] = attrs.field(factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The figure as JSON-able data (what ``python -m benchmarks`` prints)."""
        return attrs.asdict(self)


def _meets(ratio: float, target: str | None) -> bool | None:
    if target is None:
        return None
    op, _, number = target.partition(" ")
    bound = float(number)
    checks: dict[str, Callable[[float, float], bool]] = {
        "<=": lambda a, b: a <= b,
        "<": lambda a, b: a < b,
        ">=": lambda a, b: a >= b,
        ">": lambda a, b: a > b,
    }
    return checks[op](ratio, bound)


def figure(
    id: str,
    figure: str,
    baseline: str,
    unit: str,
    value: float,
    baseline_value: float,
    *,
    target: str | None = None,
    met: bool | None = None,
    details: dict[str, Any] | None = None,
) -> Figure:
    """A figure from its two measurements.

    ``target`` is ``"<= 1.3"`` style, on the ratio; a target on something else (an absolute
    memory budget) is given as text with ``met`` decided by the caller.
    """
    ratio = value / baseline_value if baseline_value else float("inf")
    return Figure(
        id=id,
        figure=figure,
        baseline=baseline,
        unit=unit,
        value=value,
        baseline_value=baseline_value,
        ratio=round(ratio, 4),
        target=target,
        met=met if met is not None else _meets(ratio, target),
        details=details or {},
    )


def unavailable(id: str, figure: str, baseline: str, unit: str, reason: str, **kw: Any) -> Figure:
    """A figure that could not be measured in this run, and why."""
    return Figure(
        id=id, figure=figure, baseline=baseline, unit=unit, available=False, reason=reason, **kw
    )


def time_per_call(fn: Callable[[], object], number: int) -> float:
    """Seconds per call of ``fn`` over ``number`` calls (garbage collection paused)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        return (time.perf_counter() - start) / number
    finally:
        if enabled:
            gc.enable()


def median_time(fn: Callable[[], object], *, number: int, rounds: int) -> float:
    """Median seconds per call of ``fn`` over ``rounds`` rounds of ``number`` calls (after a warm-up)."""
    fn()
    return statistics.median(time_per_call(fn, number) for _ in range(rounds))


def compare(
    subject: Callable[[], object],
    baseline: Callable[[], object],
    *,
    number: int,
    rounds: int,
) -> tuple[float, float]:
    """Median seconds per call of ``subject`` and ``baseline``, measured in alternating rounds.

    A warm-up of up to 100 calls each first (imports, caches, the allocator), then ``rounds``
    rounds of ``number`` calls, alternating which side goes first.
    """
    for _ in range(min(number, 100)):
        subject()
        baseline()
    subject_times: list[float] = []
    baseline_times: list[float] = []
    for i in range(rounds):
        pair = [(subject, subject_times), (baseline, baseline_times)]
        if i % 2:
            pair.reverse()
        for fn, sink in pair:
            sink.append(time_per_call(fn, number))
    return statistics.median(subject_times), statistics.median(baseline_times)


class CollectorCount:
    """Counts the garbage collector's runs per generation while it is open (``with``).

    For the figures that time real work with the collector on: a full (generation 2) collection
    walks every object the process holds, so it is reported next to the figure it may have slowed.
    """

    def __init__(self) -> None:
        self.runs = [0, 0, 0]

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "stop":
            self.runs[info["generation"]] += 1

    def __enter__(self) -> CollectorCount:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)
