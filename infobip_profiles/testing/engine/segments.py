"""Engine: segments v3 (docs/fake-semantics.md), and who is in them, evaluated live.

A segment is a name, a description, a ``query`` in the filter language (section 1) and a list of
event clauses. Membership is computed on every read from the persons engine (the query) and the
events engine (the clauses), so a person edited or an event sent a moment ago counts at once.

Event clauses, as the fake reads them ([I] where the docs are silent):

* ``payloadConditions`` first narrow the events of ``definitionId`` to those whose properties
  match every condition (numbers compare as numbers, everything else as text; ``SW``/``EW``/``CON``
  are starts-with / ends-with / contains; a missing property matches only ``NE``).
* ``timelineCondition`` sets a window: ``EMPTY`` is all time; ``AFTER`` is the last ``start``
  ``units``; ``BEFORE`` is longer ago than ``start`` (or ``end``) units; ``BETWEEN`` is from
  ``start`` to ``end`` units ago; the ``*_ABS`` twins take Unix seconds. ``occurred`` ``ALL``
  counts the events in the window, ``FIRST`` / ``LAST`` ask that the person's first / last such
  event falls in it, ``NOT`` that none does.
* ``occurrenceCondition`` compares the count with ``times``; without one, at least one is needed.

A refusal is an :class:`Invalid` listing each ``(property, violation)`` or a
:class:`NotFound`; the handler boundary renders them in the segments envelope (``errorCode``
``E400``/``E404``, ``violations``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ..._operations import page_size
from .._messages import MSG
from ._domain import Invalid, NotFound
from .events import parse_time as parse_event_time
from .query import QueryError

if TYPE_CHECKING:
    from .._state import TenantState

__all__ = ["SegmentsEngine", "SORT_FIELDS", "PERSON_SORT_FIELDS", "MAX_SIZE", "DEFAULT_SIZE"]

MAX_SIZE = page_size("get-segments").maximum
"""Largest ``size`` of a segments page (the same for the members listing)."""
DEFAULT_SIZE = page_size("get-segments").default
"""The ``size`` of a segments page when none is given."""

SORT_FIELDS = ("id", "name", "description", "createdAt", "modifiedAt")
"""Properties the segment list sorts on."""

PERSON_SORT_FIELDS = ("id", "firstName", "lastName", "externalId", "createdAt", "modifiedAt")
"""Properties the segment members list sorts on."""

OCCURRED = ("ALL", "FIRST", "LAST", "NOT")
OPERATORS = ("EMPTY", "AFTER", "BEFORE", "BETWEEN", "AFTER_ABS", "BEFORE_ABS", "BETWEEN_ABS")
UNITS = {"DAYS": 86400, "HOURS": 3600, "MINUTES": 60}
OCCURRENCE_OPERATIONS = ("IS", "LESS_THAN", "LESS_OR_EQUAL", "GREATER_OR_EQUAL", "GREATER_THAN")
PAYLOAD_OPERATORS = ("EQ", "LT", "LTE", "GT", "GTE", "NE", "SW", "EW", "CON")

_RELATIVE = ("AFTER", "BEFORE", "BETWEEN")
_INT32 = 2**31 - 1


def bad_request(violations: list[tuple[str, str]]) -> Invalid:
    """A request breaking the rules: each ``(property, violation)`` in order."""
    return Invalid(fields=violations)


def not_found(segment_id: int | str) -> NotFound:
    """No segment has this id."""
    return NotFound("segment", MSG.SEGMENT_NOT_FOUND.format(id=segment_id))


def _violation(prop: str, text: str) -> tuple[str, str]:
    return (prop, text)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Segment:
    __slots__ = ("created_at", "description", "events", "id", "modified_at", "name", "query")

    def __init__(self, segment_id: int, fields: dict[str, Any], stamp: str) -> None:
        self.id = segment_id
        self.name: str = fields["name"]
        self.description: str | None = fields.get("description")
        self.query: dict[str, Any] | None = fields.get("query")
        self.events: list[dict[str, Any]] = fields.get("events") or []
        self.created_at = stamp
        self.modified_at = stamp

    def wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.description is not None:
            body["description"] = self.description
        body["query"] = copy.deepcopy(self.query) if self.query is not None else {}
        body["events"] = copy.deepcopy(self.events)
        body["createdAt"] = self.created_at
        body["modifiedAt"] = self.modified_at
        return body


class SegmentsEngine:
    """State and semantics of segments; membership read live from persons and events."""

    def __init__(self, state: TenantState) -> None:
        self._state = state
        self._segments: dict[int, _Segment] = {}

    # -- CRUD ----------------------------------------------------------------------------------------

    def create(self, body: Any) -> dict[str, Any]:
        """Validate and store a segment; returns it as the API answers (201)."""
        fields = self._validate(body, exclude=None)
        segment = _Segment(self._state.next_id("segments"), fields, self._state.clock.iso_millis())
        self._segments[segment.id] = segment
        return segment.wire()

    def get(self, segment_id: int) -> dict[str, Any]:
        """One segment, or E404."""
        return self._require(segment_id).wire()

    def replace(self, segment_id: int, body: Any) -> dict[str, Any]:
        """PUT: every field is replaced; what the body leaves out is cleared."""
        segment = self._require(segment_id)
        fields = self._validate(body, exclude=segment_id)
        segment.name = fields["name"]
        segment.description = fields.get("description")
        segment.query = fields.get("query")
        segment.events = fields.get("events") or []
        segment.modified_at = self._state.clock.iso_millis()
        return segment.wire()

    def delete(self, segment_id: int) -> None:
        """Remove a segment, or E404."""
        self._require(segment_id)
        del self._segments[segment_id]

    def all(self) -> list[dict[str, Any]]:
        """Every segment as a wire dict, by id (``fake.state()``)."""
        return [s.wire() for s in self._segments.values()]

    snapshot = all

    def page(self, page: int, size: int, sort: list[tuple[str, bool]]) -> dict[str, Any]:
        """``{results, paging}`` for one 0-based page, sorted by ``(property, descending)``."""
        items = self.all()
        return _paged(_sorted(items, sort), page, size)

    # -- membership ----------------------------------------------------------------------------------

    def member_ids(self, segment_id: int) -> list[int]:
        """Ids of the persons in the segment right now, in creation order."""
        segment = self._require(segment_id)
        persons = self._state.persons
        try:
            ids = persons.matching(segment.query or {})
        except QueryError:  # the definition of an attribute it used changed since
            return []
        if not segment.events:
            return ids
        now = self._state.clock.now()
        clauses = [(c["definitionId"], _compile_clause(c, now)) for c in segment.events]
        return [
            pid
            for pid in ids
            if all(check(self._events_of(pid, definition)) for definition, check in clauses)
        ]

    def members(self, segment_id: int, page: int, size: int, sort: list[tuple[str, bool]]) -> Any:
        """``{results: [PersonV3], paging}`` for one 0-based page of the segment's persons."""
        persons = self._state.persons
        people = [p for p in (persons.get_v3(pid) for pid in self.member_ids(segment_id)) if p]
        return _paged(_sorted(people, sort), page, size)

    def _events_of(self, person_id: int, definition_id: str) -> list[dict[str, Any]]:
        """The person's stored events of ``definition_id`` (``occurredTime``, ``properties``)."""
        events: list[dict[str, Any]] = self._state.events.events_for(person_id, definition_id)
        return events

    # -- validation ----------------------------------------------------------------------------------

    def _require(self, segment_id: int) -> _Segment:
        segment = self._segments.get(segment_id)
        if segment is None:
            raise not_found(segment_id)
        return segment

    def _validate(self, body: Any, *, exclude: int | None) -> dict[str, Any]:
        if not isinstance(body, Mapping):
            raise bad_request([_violation("body", MSG.SEGMENT_OBJECT)])
        problems: list[tuple[str, str]] = []
        fields: dict[str, Any] = {}
        name = body.get("name")
        if name is None:
            problems.append(_violation("name", MSG.SEGMENT_REQUIRED))
        elif not isinstance(name, str):
            problems.append(_violation("name", MSG.SEGMENT_STRING))
        elif not name.strip():
            problems.append(_violation("name", MSG.SEGMENT_BLANK))
        else:
            fields["name"] = name
        for key in ("description", "query", "events"):
            if key in body and body[key] is None:  # the spec types them; null is not one
                problems.append(_violation(key, MSG.SEGMENT_REQUIRED))
        description = body.get("description")
        if description is not None and not isinstance(description, str):
            problems.append(_violation("description", MSG.SEGMENT_STRING))
        elif description is not None:
            fields["description"] = description
        query = body.get("query")
        if query is not None:
            if not isinstance(query, Mapping):
                problems.append(_violation("query", MSG.SEGMENT_OBJECT))
            else:
                try:
                    self._state.persons.compile(dict(query))
                except QueryError as exc:
                    problems.append(_violation("query", MSG.SEGMENT_QUERY.format(reason=exc)))
                else:
                    fields["query"] = dict(query)
        events = body.get("events")
        if events is not None:
            if not isinstance(events, list):
                problems.append(_violation("events", MSG.SEGMENT_ARRAY))
            else:
                fields["events"] = [
                    _clean_clause(item, f"events[{i}]", problems) for i, item in enumerate(events)
                ]
                known = set(self._state.events.definition_ids())
                for i, clause in enumerate(fields["events"]):
                    definition = clause.get("definitionId")
                    if definition is not None and definition not in known:
                        problems.append(
                            _violation(
                                f"events[{i}].definitionId",
                                MSG.SEGMENT_UNKNOWN_DEFINITION.format(definition=definition),
                            )
                        )
        if problems:
            raise bad_request(problems)
        taken = {s.name.lower(): s.id for s in self._segments.values() if s.id != exclude}
        if fields["name"].lower() in taken:
            raise bad_request(
                [_violation("name", MSG.SEGMENT_NAME_TAKEN.format(name=fields["name"]))]
            )
        return fields


# -- clause validation ---------------------------------------------------------------------------


def _check_enum(
    obj: Mapping[str, Any],
    key: str,
    values: Iterable[str],
    where: str,
    problems: list[tuple[str, str]],
    *,
    required: bool = True,
) -> str | None:
    value = obj.get(key)
    allowed = tuple(values)
    if value is None:
        if required:
            problems.append(_violation(f"{where}.{key}", MSG.SEGMENT_REQUIRED))
        return None
    if value not in allowed:
        problems.append(
            _violation(f"{where}.{key}", MSG.SEGMENT_ONE_OF.format(values=", ".join(allowed)))
        )
        return None
    return str(value)


def _check_int(
    obj: Mapping[str, Any],
    key: str,
    where: str,
    problems: list[tuple[str, str]],
    *,
    required: bool,
    minimum: int = 0,
) -> int | None:
    value = obj.get(key)
    if value is None:
        if required:
            problems.append(_violation(f"{where}.{key}", MSG.SEGMENT_REQUIRED))
        return None
    if not _is_int(value) or abs(value) > _INT32:
        problems.append(_violation(f"{where}.{key}", MSG.SEGMENT_INTEGER))
        return None
    if value < minimum:
        problems.append(_violation(f"{where}.{key}", MSG.SEGMENT_MIN.format(min=minimum)))
        return None
    return int(value)


def _clean_clause(item: Any, where: str, problems: list[tuple[str, str]]) -> dict[str, Any]:
    if not isinstance(item, Mapping):
        problems.append(_violation(where, MSG.SEGMENT_OBJECT))
        return {}
    clause: dict[str, Any] = {}
    definition = item.get("definitionId")
    if definition is None:
        problems.append(_violation(f"{where}.definitionId", MSG.SEGMENT_REQUIRED))
    elif not isinstance(definition, str) or not definition.strip():
        problems.append(_violation(f"{where}.definitionId", MSG.SEGMENT_BLANK))
    else:
        clause["definitionId"] = definition

    timeline = item.get("timelineCondition")
    here = f"{where}.timelineCondition"
    if timeline is None:
        problems.append(_violation(here, MSG.SEGMENT_REQUIRED))
    elif not isinstance(timeline, Mapping):
        problems.append(_violation(here, MSG.SEGMENT_OBJECT))
    else:
        clean: dict[str, Any] = {}
        occurred = _check_enum(timeline, "occurred", OCCURRED, here, problems)
        operator = _check_enum(timeline, "operator", OPERATORS, here, problems)
        bounded = operator not in (None, "EMPTY")
        between = operator in ("BETWEEN", "BETWEEN_ABS")
        start = _check_int(timeline, "start", here, problems, required=bounded)
        end = _check_int(timeline, "end", here, problems, required=between)
        units = _check_enum(
            timeline, "units", UNITS, here, problems, required=operator in _RELATIVE
        )
        for key, value in (
            ("occurred", occurred),
            ("operator", operator),
            ("start", start),
            ("end", end),
            ("units", units),
        ):
            if value is not None:
                clean[key] = value
        clause["timelineCondition"] = clean

    occurrence = item.get("occurrenceCondition")
    here = f"{where}.occurrenceCondition"
    if occurrence is not None:
        if not isinstance(occurrence, Mapping):
            problems.append(_violation(here, MSG.SEGMENT_OBJECT))
        else:
            operation = _check_enum(occurrence, "operation", OCCURRENCE_OPERATIONS, here, problems)
            times = _check_int(occurrence, "times", here, problems, required=True)
            if operation is not None and times is not None:
                clause["occurrenceCondition"] = {"operation": operation, "times": times}

    payload = item.get("payloadConditions")
    here = f"{where}.payloadConditions"
    if payload is not None:
        if not isinstance(payload, list):
            problems.append(_violation(here, MSG.SEGMENT_ARRAY))
        else:
            conditions = []
            for j, cond in enumerate(payload):
                at = f"{here}[{j}]"
                if not isinstance(cond, Mapping):
                    problems.append(_violation(at, MSG.SEGMENT_OBJECT))
                    continue
                attribute = cond.get("attribute")
                if not isinstance(attribute, str) or not attribute:
                    problems.append(_violation(f"{at}.attribute", MSG.SEGMENT_BLANK))
                operator = _check_enum(cond, "operator", PAYLOAD_OPERATORS, at, problems)
                value = cond.get("value")
                if value is None:
                    problems.append(_violation(f"{at}.value", MSG.SEGMENT_REQUIRED))
                elif not isinstance(value, str):
                    problems.append(_violation(f"{at}.value", MSG.SEGMENT_STRING))
                if isinstance(attribute, str) and attribute and operator and isinstance(value, str):
                    conditions.append(
                        {"attribute": attribute, "operator": operator, "value": value}
                    )
            clause["payloadConditions"] = conditions
    return clause


# -- clause evaluation ---------------------------------------------------------------------------


def _event_time(event: Mapping[str, Any]) -> datetime | None:
    raw = event.get("occurredTime")
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=timezone.utc)
    if not isinstance(raw, str) or not raw:
        return None
    try:
        return parse_event_time(raw)
    except ValueError:
        return None


def _window(timeline: Mapping[str, Any], now: datetime) -> Callable[[datetime], bool]:
    operator = timeline.get("operator", "EMPTY")
    if operator == "EMPTY":
        return lambda _: True
    start, end = timeline.get("start"), timeline.get("end")
    moment: Callable[[int], datetime]
    if operator in _RELATIVE:
        unit = UNITS.get(str(timeline.get("units")), 86400)

        def moment(amount: int) -> datetime:  # so many units ago
            return now - timedelta(seconds=amount * unit)

    else:

        def moment(amount: int) -> datetime:  # seconds since the epoch
            return datetime.fromtimestamp(amount, tz=timezone.utc)

    if operator in ("AFTER", "AFTER_ABS"):
        since = moment(int(start or 0))
        return lambda t: t >= since
    if operator in ("BEFORE", "BEFORE_ABS"):
        until = moment(int(end if end is not None else start or 0))
        return lambda t: t < until
    lo, hi = sorted((moment(int(start or 0)), moment(int(end or 0))))
    return lambda t: lo <= t <= hi


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _compare(operator: str, left: Any, right: Any) -> bool:
    if operator == "EQ":
        return bool(left == right)
    if operator == "NE":
        return bool(left != right)
    if operator == "LT":
        return bool(left < right)
    if operator == "LTE":
        return bool(left <= right)
    if operator == "GT":
        return bool(left > right)
    return bool(left >= right)  # GTE


def _payload_matches(properties: Mapping[str, Any], cond: Mapping[str, Any]) -> bool:
    operator, expected = str(cond["operator"]), str(cond["value"])
    actual = properties.get(cond["attribute"])
    if actual is None:
        return operator == "NE"
    text = ("true" if actual else "false") if isinstance(actual, bool) else str(actual)
    if operator == "SW":
        return text.startswith(expected)
    if operator == "EW":
        return text.endswith(expected)
    if operator == "CON":
        return expected in text
    # Numeric properties compare as numbers; text and booleans compare as text.
    number = None if isinstance(actual, (str, bool)) else _number(actual)
    wanted = _number(expected)
    if number is not None and wanted is not None:
        return _compare(operator, number, wanted)
    if isinstance(actual, bool):
        expected = expected.lower()
    return _compare(operator, text, expected)


def _count_ok(count: int, occurrence: Mapping[str, Any] | None) -> bool:
    if occurrence is None:
        return count >= 1
    times = int(occurrence["times"])
    return {
        "IS": count == times,
        "LESS_THAN": count < times,
        "LESS_OR_EQUAL": count <= times,
        "GREATER_OR_EQUAL": count >= times,
        "GREATER_THAN": count > times,
    }[str(occurrence["operation"])]


def _compile_clause(
    clause: Mapping[str, Any], now: datetime
) -> Callable[[list[dict[str, Any]]], bool]:
    timeline = clause.get("timelineCondition") or {}
    in_window = _window(timeline, now)
    occurred = timeline.get("occurred", "ALL")
    payload = clause.get("payloadConditions") or []
    occurrence = clause.get("occurrenceCondition")

    def check(events: list[dict[str, Any]]) -> bool:
        timed = []
        for event in events:
            moment = _event_time(event)
            properties = event.get("properties") or {}
            if moment is not None and all(_payload_matches(properties, c) for c in payload):
                timed.append(moment)
        timed.sort()
        if occurred == "NOT":
            return not any(in_window(t) for t in timed)
        if occurred == "FIRST":
            count = 1 if timed and in_window(timed[0]) else 0
        elif occurred == "LAST":
            count = 1 if timed and in_window(timed[-1]) else 0
        else:
            count = sum(1 for t in timed if in_window(t))
        return _count_ok(count, occurrence)

    return check


# -- paging --------------------------------------------------------------------------------------


def _sort_key(value: Any) -> tuple[int, Any]:
    # Absent values last; numbers and text each compare among themselves.
    if value is None:
        return (2, "")
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value).lower())


def _sorted(items: list[dict[str, Any]], sort: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    ordered = sorted(items, key=lambda item: item.get("id", 0))
    for prop, descending in reversed(sort):
        present = [i for i in ordered if i.get(prop) is not None]
        absent = [i for i in ordered if i.get(prop) is None]
        present.sort(key=lambda item: _sort_key(item.get(prop)), reverse=descending)
        ordered = present + absent
    return ordered


def _paged(items: list[dict[str, Any]], page: int, size: int) -> dict[str, Any]:
    total = len(items)
    start = page * size
    return {
        "results": items[start : start + size],
        "paging": {
            "page": page,
            "size": size,
            "totalPages": (total + size - 1) // size,
            "totalResults": total,
        },
    }
