"""The durable state of a person import: the totals, the failure report (CSV) and the resume
file, written so that a run that dies loses at most the window in flight.

Part of :mod:`infobip_profiles.bulk`, which re-exports the public names.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

import attrs

from ..errors import ProfilesError
from .mapping import ColumnMapping
from .results import ImportProgress, ImportResult, RowFailure

__all__ = ["ResumeError", "MAX_FAILURES_KEPT"]

#: How many failures an :class:`ImportResult` keeps in memory (the report file has them all).
MAX_FAILURES_KEPT = 1000


class ResumeError(ProfilesError):
    """The resume file belongs to another import (another mapping, mode or file header)."""


def _fsync(handle: IO[Any]) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def _write_atomically(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        _fsync(handle)
    os.replace(tmp, path)
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        with contextlib.suppress(OSError):
            fd = os.open(path.parent, os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


_STATE_KIND = "infobip-profiles-import"

_REPORT_HEADER = ["row", "line", "error", "input"]


@attrs.define
class _Totals:
    rows: int = 0
    created: int = 0
    updated: int = 0
    not_modified: int = 0
    failed: int = 0
    merged: int = 0
    skipped_existing: int = 0
    skipped_missing: int = 0


class _Run:
    """The bookkeeping of one import: totals, the report file, the resume file."""

    def __init__(
        self,
        *,
        fingerprint: str,
        report: Path | None,
        resume: Path | None,
        progress: Callable[[ImportProgress], None] | None,
        size: Callable[[], tuple[int | None, int | None]],
        history: Path | None = None,
    ) -> None:
        self.fingerprint = fingerprint
        self.history_path = history
        self.report_path = report
        self.resume_path = resume
        self.progress = progress
        self.size = size
        self.totals = _Totals()
        self.failures: list[RowFailure] = []
        self._pending: list[RowFailure] = []
        self.started = time.monotonic()
        self.report_offset = 0
        self.completed = False
        self._report: IO[str] | None = None
        self._writer: Any = None
        state = self._load_state()
        self.resumed_from = self.totals.rows
        #: This run carries on from a resume file an earlier run wrote.
        self.resumed = state is not None
        self._open_report(fresh=state is None)

    def _load_state(self) -> dict[str, Any] | None:
        if self.resume_path is None or not self.resume_path.exists():
            return None
        try:
            state = json.loads(self.resume_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ResumeError(f"cannot read the resume file {self.resume_path}: {exc}") from None
        if not isinstance(state, dict) or state.get("kind") != _STATE_KIND:
            raise ResumeError(f"{self.resume_path} is not an import resume file")
        if state.get("fingerprint") != self.fingerprint:
            raise ResumeError(
                f"{self.resume_path} records an import with another mapping, mode or file "
                "header; use a new resume file (or delete this one) to start over"
            )
        totals = state.get("totals") or {}
        self.totals = _Totals(**{k: int(totals.get(k, 0)) for k in attrs.fields_dict(_Totals)})
        self.report_offset = int(state.get("report_offset", 0))
        self.completed = bool(state.get("completed"))
        return state

    def _open_report(self, *, fresh: bool) -> None:
        if self.report_path is None:
            return
        if fresh or not self.report_path.exists():
            self._report = open(self.report_path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            self._writer = csv.writer(self._report)
            self._writer.writerow(_REPORT_HEADER)
            _fsync(self._report)
        else:
            # Drop what a run that died mid-window wrote after its last durable point.
            with open(self.report_path, "r+b") as raw:
                raw.truncate(min(self.report_offset, os.fstat(raw.fileno()).st_size))
            self._report = open(self.report_path, "a", encoding="utf-8", newline="")  # noqa: SIM115
            self._writer = csv.writer(self._report)
        self.report_offset = self._report.tell()

    def fail(self, row: int, data: Mapping[str, Any], error: str, line: int | None) -> None:
        """Count a rejected row; it is reported (in row order) when its window commits."""
        failure = RowFailure(row=row, input=dict(data), error=error, line=line)
        self.totals.failed += 1
        self._pending.append(failure)

    def interrupted(
        self, rows: list[tuple[int, Mapping[str, Any], int | None]], error: str
    ) -> None:
        """A request of the current window failed: write the window's failures so far and the
        rows that request carried (with ``error``) to the report, after the durable point, so a
        resumed run drops them again when it sends the window anew."""
        if self._writer is None or self._report is None:
            return
        lines = [(f.row, f.line, f.error, f.input) for f in self._pending]
        lines += [(number, line, error, dict(data)) for number, data, line in rows]
        for row, line, text, data in sorted(lines, key=lambda item: item[0]):
            shown = json.dumps(data, default=str, ensure_ascii=False)
            self._writer.writerow([row, "" if line is None else line, text, shown])
        _fsync(self._report)

    def commit(self, rows_done: int) -> None:
        """The window is finished: make the report durable, then record the resume point."""
        self.totals.rows = rows_done
        self._pending.sort(key=lambda f: f.row)
        for failure in self._pending:
            if len(self.failures) < MAX_FAILURES_KEPT:
                self.failures.append(failure)
            if self._writer is not None:
                line = "" if failure.line is None else failure.line
                data = json.dumps(failure.input, default=str, ensure_ascii=False)
                self._writer.writerow([failure.row, line, failure.error, data])
        self._pending.clear()
        if self._report is not None:
            _fsync(self._report)
            self.report_offset = self._report.tell()
        self._save()
        if self.progress is not None:
            self.progress(self.snapshot())

    def finish(self) -> None:
        self.completed = True
        self._save()

    def _save(self) -> None:
        if self.resume_path is None:
            return
        _write_atomically(
            self.resume_path,
            {
                "kind": _STATE_KIND,
                "version": 1,
                "fingerprint": self.fingerprint,
                "rows_done": self.totals.rows,
                "report_offset": self.report_offset,
                "totals": attrs.asdict(self.totals),
                "completed": self.completed,
            },
        )

    def snapshot(self) -> ImportProgress:
        read, total = self.size()
        return ImportProgress(
            rows=self.totals.rows,
            failed=self.totals.failed,
            elapsed=time.monotonic() - self.started,
            bytes_read=read,
            bytes_total=total,
        )

    def close(self) -> None:
        if self._report is not None:
            self._report.close()
            self._report = None

    def result(self) -> ImportResult:
        t = self.totals
        return ImportResult(
            rows=t.rows,
            created=t.created,
            updated=t.updated,
            not_modified=t.not_modified,
            failed=t.failed,
            merged=t.merged,
            resumed_from=self.resumed_from,
            failures=tuple(self.failures),
            report=self.report_path,
            skipped_existing=t.skipped_existing,
            skipped_missing=t.skipped_missing,
            history=self.history_path,
        )


def _fingerprint(
    mapping: ColumnMapping,
    mode: str,
    header: list[str] | None,
    on_existing: str = "update",
    on_missing: str = "create",
) -> str:
    what: dict[str, Any] = {"mapping": mapping.specs(), "mode": mode, "header": header}
    if (on_existing, on_missing) != ("update", "create"):  # the default keeps older files valid
        what["policies"] = [on_existing, on_missing]
    blob = json.dumps(what)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]
