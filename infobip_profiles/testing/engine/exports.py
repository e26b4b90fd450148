"""Engine: event export requests (to the tenant's S3 bucket). No HTTP, no bucket either: a request
is validated, then moves SUBMITTED -> IN_PROGRESS -> COMPLETED_SUCCESSFULLY on the fake's clock
and reports how many stored events its window and definitions select; it can be cancelled until
it completes.

:class:`EventExports` is a part of :class:`~infobip_profiles.testing.engine.events.EventsEngine`
(the events it counts are that engine's); its refusals are domain errors, which the export
operations render in the v2 envelope.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..._operations import spec_limit
from .._messages import MSG
from ._domain import Conflict, Invalid, LimitReached, NotFound
from .timestamps import _iso, parse_time

if TYPE_CHECKING:
    from .._state import TenantState

__all__ = ["EventExports"]

_ARN_RE = re.compile(r"^arn:aws:iam::[0-9A-Za-z_-]+:role/[\w+=,.@/-]{1,512}$")
#: Most definition ids an export request may name (after wildcards are expanded too).
_MAX_IDS = spec_limit("export_definition_ids")


class _Export:
    __slots__ = ("cancelled_at", "created_at", "definition_ids", "end", "request_id", "start")

    def __init__(
        self,
        request_id: str,
        created_at: float,
        start: datetime,
        end: datetime,
        definition_ids: list[str] | None,
    ) -> None:
        self.request_id = request_id
        self.created_at = created_at
        self.start = start
        self.end = end
        self.definition_ids = definition_ids
        self.cancelled_at: datetime | None = None


class EventExports:
    """The export requests of one tenant (the exports part of the events engine)."""

    #: Seconds an export request stays SUBMITTED, then IN_PROGRESS, on the fake's clock.
    EXPORT_SUBMITTED_SECONDS = 5.0
    EXPORT_PROGRESS_SECONDS = 30.0

    # Set by the events engine.
    _state: TenantState
    _defs: Mapping[str, object]
    _events: dict[int, list[dict[str, Any]]]
    _exports: dict[str, _Export]

    def create_export(self, body: Any) -> dict[str, Any]:
        """Accept an export request (v2 400 when invalid, 429 past 72 hours in progress)."""
        if not isinstance(body, dict):
            raise Invalid(fields={"body": [MSG.FIELD_OBJECT]})
        problems: dict[str, list[str]] = {}
        for key in ("roleArn", "bucket", "region", "startTime", "endTime"):
            if not isinstance(body.get(key), str) or not body[key].strip():
                problems[key] = [MSG.FIELD_REQUIRED]
        if "roleArn" not in problems and not _ARN_RE.match(body["roleArn"]):
            problems["roleArn"] = [MSG.EXPORT_ROLE_ARN]
        now = self._state.clock.now()
        times: dict[str, datetime] = {}
        for key in ("startTime", "endTime"):
            if key in problems:
                continue
            try:
                times[key] = parse_time(body[key])
            except ValueError:
                problems[key] = [MSG.EXPORT_TIME_FORMAT]
        if len(times) == 2:
            start, end = times["startTime"], times["endTime"]
            if start >= end:
                problems.setdefault("startTime", []).append(MSG.EXPORT_START_AFTER_END)
            if end > now:
                problems.setdefault("endTime", []).append(MSG.EXPORT_IN_FUTURE)
            if end - start > timedelta(hours=24):
                problems.setdefault("endTime", []).append(MSG.EXPORT_WINDOW)
            if start < now - timedelta(days=365):
                problems.setdefault("startTime", []).append(MSG.EXPORT_TOO_OLD)
        ids = body.get("definitionIdList")
        matched: list[str] | None = None
        if ids is not None:
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                problems["definitionIdList"] = [MSG.FIELD_LIST]
            else:
                matched = [d for d in self._defs if any(fnmatch.fnmatchcase(d, p) for p in ids)]
                if len(matched) > _MAX_IDS or len(ids) > _MAX_IDS:
                    problems["definitionIdList"] = [
                        MSG.EXPORT_TOO_MANY_DEFINITIONS.format(max=_MAX_IDS)
                    ]
        enrich = body.get("enrichWithMomentsInfo")
        if enrich is not None and not isinstance(enrich, bool):
            problems["enrichWithMomentsInfo"] = [MSG.VALUE_TYPE.format(type="BOOLEAN")]
        if problems:
            raise Invalid(fields=problems)
        start, end = times["startTime"], times["endTime"]
        busy = sum(
            ((e.end - e.start) for e in self._exports.values() if not self._finished(e)),
            timedelta(),
        )
        if busy + (end - start) > timedelta(hours=72):
            raise LimitReached(MSG.EXPORT_IN_PROGRESS_LIMIT)
        request_id = self._state.next_uuid("export")
        self._exports[request_id] = _Export(
            request_id, self._state.clock.time(), start, end, matched
        )
        return {"requestId": request_id}

    def export_status(self, request_id: str) -> dict[str, Any]:
        """``{requestId, status, message?}`` as of the fake clock's now."""
        export = self._export(request_id)
        status, message = self._status(export)
        body: dict[str, Any] = {"requestId": request_id, "status": status}
        if message is not None:
            body["message"] = message
        return body

    def cancel_export(self, request_id: str) -> None:
        """Cancel a request that has not finished (409 once it has)."""
        export = self._export(request_id)
        status, _ = self._status(export)
        if self._finished(export):
            raise Conflict(MSG.EXPORT_FINISHED.format(request_id=request_id, status=status))
        export.cancelled_at = self._state.clock.now()

    def exports(self) -> list[dict[str, Any]]:
        """Every export request with its current status (for inspection)."""
        return [self.export_status(rid) for rid in self._exports]

    def _export(self, request_id: str) -> _Export:
        export = self._exports.get(request_id)
        if export is None:
            raise NotFound("export request", MSG.EXPORT_NOT_FOUND.format(request_id=request_id))
        return export

    def _finished(self, export: _Export) -> bool:
        return self._status(export)[0] in ("COMPLETED_SUCCESSFULLY", "CANCELLED_BY_CUSTOMER")

    def _status(self, export: _Export) -> tuple[str, str | None]:
        if export.cancelled_at is not None:
            at = _iso(export.cancelled_at)
            return "CANCELLED_BY_CUSTOMER", MSG.EXPORT_CANCELLED.format(at=at)
        elapsed = self._state.clock.time() - export.created_at
        if elapsed < self.EXPORT_SUBMITTED_SECONDS:
            return "SUBMITTED", None
        if elapsed < self.EXPORT_SUBMITTED_SECONDS + self.EXPORT_PROGRESS_SECONDS:
            return "IN_PROGRESS", None
        count = self._export_count(export)
        if count == 0:
            return "COMPLETED_SUCCESSFULLY", MSG.EXPORT_NO_EVENTS
        return "COMPLETED_SUCCESSFULLY", MSG.EXPORT_DONE.format(count=count)

    def _export_count(self, export: _Export) -> int:
        count = 0
        for events in self._events.values():
            for event in events:
                if export.definition_ids is not None and (
                    event["definitionId"] not in export.definition_ids
                ):
                    continue
                if export.start <= parse_time(event["occurredTime"]) < export.end:
                    count += 1
        return count
