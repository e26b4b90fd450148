"""What a person import reports: the failed rows, the progress after each window, the result,
and the progress line drawn on a terminal.

Part of :mod:`infobip_profiles.bulk`, which re-exports the public names.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import attrs

__all__ = ["RowFailure", "ImportProgress", "ImportResult", "ProgressOption"]

ProgressOption = bool | Callable[["ImportProgress"], None] | None


@attrs.frozen
class RowFailure:
    """One input row that was not imported: its 1-based ``row`` number (the first row below a
    CSV header is 1), the CSV ``line`` it ended on (``None`` for other inputs), the ``input`` as
    read, and the ``error``."""

    row: int
    input: dict[str, Any]
    error: str
    line: int | None = None


@attrs.frozen
class ImportProgress:
    """Where an import stands, given to a progress callback after every window."""

    rows: int
    failed: int
    elapsed: float
    bytes_read: int | None = None
    bytes_total: int | None = None

    @property
    def fraction(self) -> float | None:
        """How much of the input is read (0..1), when its size is known."""
        if not self.bytes_total or self.bytes_read is None:
            return None
        return min(1.0, self.bytes_read / self.bytes_total)


@attrs.frozen
class ImportResult:
    """What an import did, counted over every run of a resumed import.

    ``rows`` input rows are done (``resumed_from`` of them by earlier runs). Persons ended
    ``created``, ``updated`` or ``not_modified``; ``failed`` rows were not imported (the report
    file lists each, :attr:`failures` keeps the first 1000); ``merged`` rows were folded into an
    earlier row naming the same person. ``skipped_existing`` persons matched a stored profile
    and were left alone (``on_existing="skip"``); ``skipped_missing`` matched nobody and were
    left out (``on_missing="skip"``). ``history`` is the run history file this run appended to.
    """

    rows: int
    created: int
    updated: int
    not_modified: int
    failed: int
    merged: int
    resumed_from: int = 0
    failures: tuple[RowFailure, ...] = ()
    report: Path | None = None
    skipped_existing: int = 0
    skipped_missing: int = 0
    history: Path | None = None

    @property
    def ok(self) -> bool:
        """True when every row was imported."""
        return self.failed == 0

    def summary(self) -> str:
        """One line for humans: ``1200 rows: 800 created, 300 updated, ...``."""
        # rows = created + updated + not modified + skipped + failed + merged: every row is
        # counted once.
        text = (
            f"{self.rows} {'row' if self.rows == 1 else 'rows'}: {self.created} created, "
            f"{self.updated} updated, {self.not_modified} not modified, {self.failed} failed, "
            f"{self.merged} duplicate {'row' if self.merged == 1 else 'rows'} merged"
        )
        if self.skipped_existing:
            text += f", {self.skipped_existing} skipped: already exist"
        if self.skipped_missing:
            text += f", {self.skipped_missing} skipped: match nobody"
        if self.resumed_from:
            text += f" ({self.resumed_from} done by an earlier run)"
        if self.failed and self.report is not None:
            text += f"; failures in {self.report}"
        return text


class _TerminalProgress:
    """A one-line progress display on stderr, redrawn at most a few times a second."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.last = 0.0
        self.drawn = False

    def __call__(self, progress: ImportProgress, *, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < 0.2:
            return
        self.last = now
        rate = progress.rows / progress.elapsed if progress.elapsed > 0 else 0.0
        parts = [f"{progress.rows:,} rows", f"{progress.failed:,} failed", f"{rate:,.0f} rows/s"]
        fraction = progress.fraction
        if fraction is not None:
            width = 24
            filled = int(width * fraction)
            parts.insert(0, f"[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%}")
        self.stream.write("\r\x1b[2Kimporting " + " | ".join(parts))
        if final:
            self.stream.write("\n")
        self.stream.flush()
        self.drawn = True


def _progress_callback(
    option: ProgressOption,
) -> tuple[Callable[[ImportProgress], None] | None, _TerminalProgress | None]:
    if callable(option):
        return option, None
    if option is None:
        option = sys.stderr.isatty()
    if option:
        terminal = _TerminalProgress(sys.stderr)
        return terminal, terminal
    return None, None
