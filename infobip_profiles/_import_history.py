"""The append-only run history of the bulk imports (persons and companies).

Each run of an import appends one JSON line to ``<report>.history.jsonl`` (or the ``history=``
path given): when it started and finished, what it read, with which policies, whether it
carried on from a resume file, its counts, and how it ended. Lines are only ever appended, so
the file is the log of every run, interrupted ones included.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = ["HISTORY_SUFFIX", "append_run", "history_path", "now", "outcome_of"]

#: What is added to the report's file name to name its history.
HISTORY_SUFFIX = ".history.jsonl"


def history_path(report: Path | None, history: str | os.PathLike[str] | None) -> Path | None:
    """The history file of a run: ``history`` when given, else beside ``report``, else none."""
    if history is not None:
        return Path(history)
    if report is not None:
        return report.with_name(report.name + HISTORY_SUFFIX)
    return None


def now() -> datetime:
    """The current moment (UTC), as a run's ``started`` / ``finished`` are recorded."""
    return datetime.now(timezone.utc)


def append_run(
    path: Path | None,
    *,
    kind: str,
    started: datetime,
    source: str,
    on_existing: str,
    on_missing: str,
    resumed: bool,
    counts: Mapping[str, Any],
    outcome: str,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Append one run's line to ``path`` (nothing when ``path`` is ``None``)."""
    if path is None:
        return
    entry: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "finished": now().isoformat(timespec="seconds"),
        "kind": kind,
        "source": source,
        **(extra or {}),
        "onExisting": on_existing,
        "onMissing": on_missing,
        "resumed": resumed,
        **counts,
        "outcome": outcome,
    }
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, default=str, ensure_ascii=False) + "\n")


def outcome_of(exc: BaseException | None) -> str:
    """``"finished"``, or ``"stopped: <type>: <message>"`` for the error that stopped a run."""
    if exc is None:
        return "finished"
    return f"stopped: {type(exc).__name__}: {exc}"
