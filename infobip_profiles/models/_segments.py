"""Models of segments (v3): a saved query over persons plus conditions on their events.

Example::

    Segment(
        name="Big spenders this month",
        query={"#contains": {"tags": "VIP"}},
        events=[
            EventCondition(
                definition_id="purchase",
                timeline_condition=TimelineCondition(
                    occurred=TimelineOccurred.ALL, operator=TimelineOperator.AFTER,
                    start=30, units=TimeUnit.DAYS,
                ),
                occurrence_condition=OccurrenceCondition(
                    operation=OccurrenceOperation.GREATER_OR_EQUAL, times=3
                ),
                payload_conditions=[PayloadCondition("amount", PayloadOperator.GT, "100")],
            )
        ],
    )
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from .._converter import Model, lenient_enum, model, positional_model

__all__ = [
    "TimelineOccurred",
    "TimelineOperator",
    "TimeUnit",
    "OccurrenceOperation",
    "PayloadOperator",
    "TimelineCondition",
    "OccurrenceCondition",
    "PayloadCondition",
    "EventCondition",
    "Segment",
    "StoredSegment",
]

_RO = {"read_only": True}


@lenient_enum
class TimelineOccurred(str, enum.Enum):
    """Which occurrences count: any (``ALL``), the ``FIRST``, the ``LAST``, or none (``NOT``)."""

    ALL = "ALL"
    FIRST = "FIRST"
    LAST = "LAST"
    NOT = "NOT"


@lenient_enum
class TimelineOperator(str, enum.Enum):
    """The time window: relative to now in ``units`` (``AFTER``...) or Unix seconds (``*_ABS``)."""

    EMPTY = "EMPTY"
    AFTER = "AFTER"
    BEFORE = "BEFORE"
    BETWEEN = "BETWEEN"
    AFTER_ABS = "AFTER_ABS"
    BEFORE_ABS = "BEFORE_ABS"
    BETWEEN_ABS = "BETWEEN_ABS"


@lenient_enum
class TimeUnit(str, enum.Enum):
    """Units of a relative time window."""

    DAYS = "DAYS"
    HOURS = "HOURS"
    MINUTES = "MINUTES"


@lenient_enum
class OccurrenceOperation(str, enum.Enum):
    """How an event count compares with ``times``."""

    IS = "IS"
    LESS_THAN = "LESS_THAN"
    LESS_OR_EQUAL = "LESS_OR_EQUAL"
    GREATER_OR_EQUAL = "GREATER_OR_EQUAL"
    GREATER_THAN = "GREATER_THAN"


@lenient_enum
class PayloadOperator(str, enum.Enum):
    """How an event property compares with a value (``SW`` starts with, ``EW`` ends with,
    ``CON`` contains)."""

    EQ = "EQ"
    LT = "LT"
    LTE = "LTE"
    GT = "GT"
    GTE = "GTE"
    NE = "NE"
    SW = "SW"
    EW = "EW"
    CON = "CON"


@model
class TimelineCondition(Model):
    """When the event happened. ``TimelineCondition.any_time()`` is the window without bounds.

    Relative operators (``AFTER``: within the last ``start`` units; ``BEFORE``: longer ago than
    ``start`` units; ``BETWEEN``: from ``start`` to ``end`` units ago) need ``units``; the ``*_ABS``
    operators take Unix timestamps in seconds; ``EMPTY`` means any time.
    """

    occurred: TimelineOccurred | str
    operator: TimelineOperator | str
    start: int | None = None
    end: int | None = None
    units: TimeUnit | str | None = None

    @classmethod
    def any_time(cls, occurred: TimelineOccurred = TimelineOccurred.ALL) -> TimelineCondition:
        """No time bounds (operator ``EMPTY``)."""
        return cls(occurred=occurred, operator=TimelineOperator.EMPTY)

    @classmethod
    def within_last(
        cls,
        amount: int,
        units: TimeUnit = TimeUnit.DAYS,
        occurred: TimelineOccurred = TimelineOccurred.ALL,
    ) -> TimelineCondition:
        """Within the last ``amount`` ``units`` (operator ``AFTER``)."""
        return cls(occurred=occurred, operator=TimelineOperator.AFTER, start=amount, units=units)


@model
class OccurrenceCondition(Model):
    """How many times the event happened (within the timeline window)."""

    operation: OccurrenceOperation | str
    times: int


@positional_model
class PayloadCondition(Model):
    """A condition on one property of the event: ``PayloadCondition("amount", "GT", "100")``."""

    attribute: str
    operator: PayloadOperator | str
    value: str


@model
class EventCondition(Model):
    """The events a person must (or, with ``occurred=NOT``, must not) have."""

    definition_id: str
    timeline_condition: TimelineCondition
    occurrence_condition: OccurrenceCondition | None = None
    payload_conditions: list[PayloadCondition] | None = None


@model
class Segment(Model):
    """A segment: a ``query`` over person fields (the filter language) and event conditions.

    ``id``, ``created_at`` and ``modified_at`` are filled by the service.
    """

    id: int | None = attrs.field(default=None, metadata=_RO)
    name: str | None = None
    description: str | None = None
    query: dict[str, Any] | None = None
    events: list[EventCondition] | None = None
    created_at: datetime | None = attrs.field(default=None, metadata=_RO)
    modified_at: datetime | None = attrs.field(default=None, metadata=_RO)


@model
class StoredSegment(Segment):
    """A segment as the service returns it: ``id`` and ``name`` are always there.

    It is a :class:`Segment` (pass it back to ``segments.update``); only the types are narrower,
    so ``client.segments.people(segment.id)`` needs no ``None`` check.
    """

    id: int = attrs.field(metadata=_RO)
    name: str
