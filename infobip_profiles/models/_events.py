"""Models of the events area: definitions and their fields, events, batches, exports.

Event definitions describe the properties an event carries; events are sent one at a time
(:meth:`events.send <infobip_profiles.resources.events.Events.send>`) or in batches
(:meth:`events.send_many`, built from :class:`Event` items). Event timestamps travel as ISO 8601
with milliseconds and a ``Z``; Python ``datetime`` values are converted (naive ones are taken as
UTC).
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import attrs

from .._converter import Model, lenient_enum, model
from .._operations import max_lengths
from ..errors import ProfilesError, ValidationError
from ..refs import IdentifierType, PersonRef

__all__ = [
    "FieldType",
    "DefinitionCategory",
    "EventField",
    "ListItemSchema",
    "EventDefinition",
    "Event",
    "RecordedEvent",
    "AcceptedBatch",
    "BatchAccepted",
    "ExportState",
    "ExportRequest",
    "ExportStatus",
    "SessionTemplate",
    "DefinitionMismatchError",
]


class DefinitionMismatchError(ProfilesError, ValueError):
    """``events.ensure_definition`` found the definition without a field asked for, or with it
    under another type. ``existing`` is the definition the service holds."""

    def __init__(self, message: str, *, existing: EventDefinition) -> None:
        super().__init__(message)
        self.existing = existing


@lenient_enum
class FieldType(str, enum.Enum):
    """The type of one event property."""

    STRING = "String"
    BOOLEAN = "Boolean"
    DATE_TIME = "DateTime"
    NUMERIC = "Numeric"
    DECIMAL = "Decimal"
    LIST = "List"


@lenient_enum
class DefinitionCategory(str, enum.Enum):
    """Where a definition comes from: yours (``external``), a template, or the platform."""

    EXTERNAL = "external"
    PERSON = "person"
    CHANNEL = "channel"
    PRODUCT = "product"
    TEMPLATE = "template"


@model
class ListItemSchema(Model):
    """The object schema of a ``List`` field's items (``type`` is always ``"Object"``)."""

    type: str | None = "Object"
    fields: list[EventField] | None = None


@model
class EventField(Model):
    """One property of an event definition.

    Example::

        EventField(name="price", type=FieldType.DECIMAL)
        EventField.list("items", [EventField(name="sku", type=FieldType.STRING)])
    """

    name: str | None = None
    type: FieldType | str | None = None
    schema: ListItemSchema | None = None

    @classmethod
    def of(cls, name: str, type: FieldType | str) -> EventField:
        """A scalar field (``String``, ``Boolean``, ``DateTime``, ``Numeric`` or ``Decimal``)."""
        return cls(name=name, type=FieldType(type))

    @classmethod
    def list(cls, name: str, fields: Sequence[EventField]) -> EventField:
        """The one ``List`` field a definition may have, with its items' object schema."""
        return cls(
            name=name,
            type=FieldType.LIST,
            schema=ListItemSchema(type="Object", fields=list(fields)),
        )


@model
class EventDefinition(Model):
    """An event definition: which properties an event carries (``definition_id`` is always
    there on what the service answers).

    ``is_internal_definition`` marks the platform's standard definitions, which cannot be sent
    through the API or changed.
    """

    is_internal_definition: bool | None = None
    category: DefinitionCategory | str | None = None
    subcategory: str | None = None
    definition_id: str
    title: str | None = None
    description: str | None = None
    fields: list[EventField] | None = None

    def field(self, name: str) -> EventField | None:
        """The field named ``name`` (matched ignoring case), or ``None``."""
        for item in self.fields or ():
            if item.name is not None and item.name.lower() == name.lower():
                return item
        return None


@model
class RecordedEvent(Model):
    """An event as the service recorded it (the answer to :meth:`events.send`)."""

    event_id: str
    definition_id: str
    occurred_time: datetime | None = None
    properties: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None


_MAX_EVENT_ID = max_lengths("event")["eventId"]
_EVENT_ID = re.compile(rf"^[A-Za-z0-9_-]{{1,{_MAX_EVENT_ID}}}$")


def format_event_time(value: datetime | date) -> str:
    """``yyyy-MM-ddTHH:mm:ss.SSSZ`` in UTC (naive values are taken as UTC; dates as midnight)."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _property_value(value: Any, where: str) -> Any:
    if value is None or isinstance(value, (bool, str, int, Decimal)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, (datetime, date)):
        return format_event_time(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _property_value(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_property_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise ValidationError(
        f"event property {where} has a {type(value).__name__} value, which has no JSON form",
        field=f"properties.{where}",
    )


def event_properties(properties: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Render Python property values for the wire: datetimes as ISO with milliseconds and ``Z``,
    ``Decimal`` kept exact, enums as their values, nested lists of objects recursively."""
    if properties is None:
        return None
    if not isinstance(properties, Mapping):
        raise ValidationError(
            "event properties must be a mapping of name to value", field="properties"
        )
    return {str(k): _property_value(v, str(k)) for k, v in properties.items()}


def check_event_id(event_id: str | None) -> None:
    """``eventId`` is 1 to 36 (the spec's limit) of ``A-Z a-z 0-9 _ -``."""
    if event_id is not None and not _EVENT_ID.match(event_id):
        raise ValidationError(
            f"event_id {event_id!r}: use 1 to {_MAX_EVENT_ID} letters, digits, '_' or '-'",
            field="eventId",
        )


def new_event_id() -> str:
    """A fresh event id in the service's own style (an uppercase UUID)."""
    return str(uuid.uuid4()).upper()


@lenient_enum
class SessionTemplate(str, enum.Enum):
    """Template ids of the chat and inbox session product events.

    Create the definitions once with ``events.create_definition(template_id=...)``; then build
    the events with :meth:`Event.session_started` and :meth:`Event.session_ended`. These are the
    templates the fake offers (the spec names none); on an account without them, create
    definitions with the same ids from scratch (``sessionId``, ``channel``, ``reason``: String).
    """

    CHAT_SESSION_STARTED = "chatSessionStarted"
    CHAT_SESSION_ENDED = "chatSessionEnded"
    INBOX_SESSION_STARTED = "inboxSessionStarted"
    INBOX_SESSION_ENDED = "inboxSessionEnded"


@attrs.frozen
class Event:
    """One event to send with :meth:`events.send_many`: who, which definition, when, what.

    ``occurred_at`` defaults to the moment the batch is sent; times more than 30 days old are
    refused, future ones are clamped to now by the service. ``event_id`` makes retries safe: a
    repeated id is stored once.

    Example::

        Event(PersonRef.email("ada@example.com"), "AddedToCart",
              {"productId": "sku-1", "price": Decimal("19.90")})
    """

    ref: PersonRef
    definition_id: str
    properties: Mapping[str, Any] | None = None
    occurred_at: datetime | None = None
    event_id: str | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.ref, PersonRef):
            raise TypeError(f"expected a PersonRef, got {type(self.ref).__name__}")
        if not self.definition_id:
            raise ValidationError("definition_id must not be empty", field="definitionId")
        check_event_id(self.event_id)

    def to_wire(self, now: datetime) -> dict[str, Any]:
        """The batch item ``{eventId?, definitionId, occurredTime, identifier, properties?}``."""
        identifier: dict[str, Any] = {"id": self.ref.identifier, "type": self.ref.type.value}
        if self.ref.sender is not None:
            identifier["sender"] = self.ref.sender
        body: dict[str, Any] = {}
        if self.event_id is not None:
            body["eventId"] = self.event_id
        body["definitionId"] = self.definition_id
        body["occurredTime"] = format_event_time(self.occurred_at or now)
        body["identifier"] = identifier
        props = event_properties(self.properties)
        if props is not None:
            body["properties"] = props
        return body

    # -- chat and inbox sessions -------------------------------------------------------------

    @classmethod
    def session_started(
        cls,
        ref: PersonRef,
        session_id: str,
        *,
        channel: str | IdentifierType | None = None,
        inbox: bool = False,
        occurred_at: datetime | None = None,
        properties: Mapping[str, Any] | None = None,
    ) -> Event:
        """A chat (or, with ``inbox=True``, an inbox) session start for the end user ``ref``.

        Sent with :meth:`events.send_many`, an end user the service does not know yet gets a
        new CUSTOMER profile (for a phone, email or external id). ``channel`` (``"WHATSAPP"``,
        ``IdentifierType.LIVE_CHAT``...) is recorded when given. The event id is derived from the
        session id, so a retried start is stored once.
        """
        template = (
            SessionTemplate.INBOX_SESSION_STARTED if inbox else SessionTemplate.CHAT_SESSION_STARTED
        )
        return cls._session(template, ref, session_id, channel, occurred_at, properties)

    @classmethod
    def session_ended(
        cls,
        ref: PersonRef,
        session_id: str,
        *,
        channel: str | IdentifierType | None = None,
        inbox: bool = False,
        reason: str | None = None,
        occurred_at: datetime | None = None,
        properties: Mapping[str, Any] | None = None,
    ) -> Event:
        """The end of a chat (or inbox) session: the twin of :meth:`session_started`."""
        template = (
            SessionTemplate.INBOX_SESSION_ENDED if inbox else SessionTemplate.CHAT_SESSION_ENDED
        )
        extra = dict(properties or {})
        if reason is not None:
            extra["reason"] = reason
        return cls._session(template, ref, session_id, channel, occurred_at, extra)

    @classmethod
    def _session(
        cls,
        template: SessionTemplate,
        ref: PersonRef,
        session_id: str,
        channel: str | IdentifierType | None,
        occurred_at: datetime | None,
        properties: Mapping[str, Any] | None,
    ) -> Event:
        if not session_id:
            raise ValidationError("session_id must not be empty", field="properties.sessionId")
        channel_name = channel.value if isinstance(channel, enum.Enum) else channel
        props: dict[str, Any] = {"sessionId": session_id}
        if channel_name:
            props["channel"] = channel_name
        props.update(properties or {})
        suffix = "S" if template.value.endswith("Started") else "E"
        event_id = f"{session_id}-{suffix}" if _EVENT_ID.match(f"{session_id}-{suffix}") else None
        return cls(ref, template.value, props, occurred_at, event_id)


@attrs.frozen
class AcceptedBatch:
    """One request of a :meth:`events.send_many` call: which input items it carried, and
    whether the service accepted them (``ok``).

    A batch whose request failed after an earlier one was accepted is kept with ``ok=False``
    and its ``error``; ``unknown=True`` when it may have been accepted all the same (the
    connection dropped after sending, a timeout, a 5xx).
    """

    offset: int
    count: int
    size_bytes: int
    ok: bool = True
    unknown: bool = False
    error: ProfilesError | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def indexes(self) -> range:
        """Positions of this batch's events in your input."""
        return range(self.offset, self.offset + self.count)


@attrs.frozen
class BatchAccepted(Sequence[AcceptedBatch]):
    """What :meth:`events.send_many` sent: one :class:`AcceptedBatch` per request, in order.

    Each batch is all or nothing. The first batch failing raises (the error's ``accepted`` is
    empty); a later one failing is listed with ``ok=False`` (see ``docs/batches.md``).
    """

    batches: tuple[AcceptedBatch, ...]

    def __getitem__(self, index: Any) -> Any:
        return self.batches[index]

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self) -> Iterator[AcceptedBatch]:
        return iter(self.batches)

    @property
    def accepted(self) -> int:
        """How many events were accepted across all batches."""
        return sum(b.count for b in self.batches if b.ok)

    @property
    def ok(self) -> bool:
        """True when every batch was accepted."""
        return all(b.ok for b in self.batches)

    @property
    def failed(self) -> list[AcceptedBatch]:
        """The batches whose request failed (``unknown`` ones included)."""
        return [b for b in self.batches if not b.ok]

    @property
    def unknown(self) -> list[AcceptedBatch]:
        """The batches whose request failed in a way that leaves open whether they were accepted."""
        return [b for b in self.batches if b.unknown]


@lenient_enum
class ExportState(str, enum.Enum):
    """Where an export request stands."""

    SUBMITTED = "SUBMITTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED_SUCCESSFULLY = "COMPLETED_SUCCESSFULLY"
    FAILED_AWAITING_RETRY = "FAILED_AWAITING_RETRY"
    FAILED_AFTER_MAX_RETRIES = "FAILED_AFTER_MAX_RETRIES"
    CANCELLED_BY_CUSTOMER = "CANCELLED_BY_CUSTOMER"

    @property
    def finished(self) -> bool:
        """True once the request can no longer change."""
        return self in _FINISHED


_FINISHED = frozenset(
    {
        ExportState.COMPLETED_SUCCESSFULLY,
        ExportState.FAILED_AFTER_MAX_RETRIES,
        ExportState.CANCELLED_BY_CUSTOMER,
    }
)


@model
class ExportRequest(Model):
    """An accepted export request: keep ``request_id`` to ask for its status or cancel it."""

    request_id: str | None = None


@model
class ExportStatus(Model):
    """The status of an export request, with the service's ``message`` where it gives one."""

    request_id: str | None = None
    status: ExportState | str | None = None
    message: str | None = None

    @property
    def finished(self) -> bool:
        """True once the request completed, failed for good, or was cancelled."""
        return isinstance(self.status, ExportState) and self.status.finished
