"""The ``events`` resource: event definitions, sending events (one or in batches), exports.

Each method is written once as a plan (see :mod:`infobip_profiles._plan`); :class:`Events` and
:class:`AsyncEvents` expose the same plans as blocking and awaitable methods.
"""

from __future__ import annotations

import contextlib
import copy
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from typing_extensions import Unpack

from .._converter import dumps, from_wire, to_wire
from .._operations import CLIENT_PAGE_SIZE, batch_limit, max_lengths, spec_limit
from .._plan import Call, Plan, async_op, json_of, sync_op
from .._types import CallOptions
from ..errors import (
    APIConnectionError,
    APIError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    ProfilesError,
    ValidationError,
)
from ..models import (
    AcceptedBatch,
    BatchAccepted,
    DefinitionCategory,
    DefinitionMismatchError,
    Event,
    EventDefinition,
    EventField,
    ExportRequest,
    ExportStatus,
    FieldType,
    RecordedEvent,
)
from ..models._events import check_event_id, event_properties, new_event_id
from ..pagination import PageSpec, async_pager, sync_pager
from ..refs import IdentifierType, PersonRef
from ._base import AsyncResource, SyncResource
from ._batch import OnError, RequestFailures, is_strict, may_have_been_applied

__all__ = [
    "Events",
    "AsyncEvents",
    "MAX_BATCH_ITEMS",
    "MAX_ITEM_BYTES",
    "MAX_BATCH_BYTES",
    "MAX_FIELDS",
    "MAX_EVENT_AGE",
]

#: Items per request of the batch call.
MAX_BATCH_ITEMS = batch_limit("send-custom-events")
#: Largest JSON size of one batch item.
MAX_ITEM_BYTES = spec_limit("event_item_bytes")
#: Largest JSON size of one batch request.
MAX_BATCH_BYTES = spec_limit("event_batch_bytes")
#: Fields an event definition may have.
MAX_FIELDS = spec_limit("event_definition_fields")
#: The batch call refuses events older than this.
MAX_EVENT_AGE = timedelta(days=spec_limit("event_age_days"))
DEFAULT_PAGE_SIZE = CLIENT_PAGE_SIZE
_DEFINITION_LENGTHS = max_lengths("event_definition")
_MAX_TITLE = _DEFINITION_LENGTHS["title"]
_MAX_DESCRIPTION = _DEFINITION_LENGTHS["description"]
_MAX_EXPORT_IDS = spec_limit("export_definition_ids")
_MAX_FIELD_NAME = max_lengths("event_field")["name"]
_MAX_LIST_FIELDS = spec_limit("event_list_fields")

_DEFINITION_ID = re.compile(rf"^[A-Za-z0-9]{{1,{_DEFINITION_LENGTHS['definitionId']}}}$")
_FIELD_NAME = re.compile(r"^[a-z_][a-zA-Z0-9_]*$")
_ORDER_RE = re.compile(r"^\s*(\w+)\s*(?::\s*(asc|desc))?\s*$", re.IGNORECASE)
_ORDER_FIELDS = {"definitionid": "DefinitionId", "definition_id": "DefinitionId", "title": "Title"}
_CREATABLE = (IdentifierType.PHONE, IdentifierType.EMAIL, IdentifierType.EXTERNAL_ID)


# -- client-side checks --------------------------------------------------------------------------


def _check_definition_id(value: str, field: str = "definitionId") -> None:
    if not isinstance(value, str) or not _DEFINITION_ID.match(value):
        raise ValidationError(
            f"{field} {value!r}: use 1 to 36 letters and digits only", field=field
        )


def _field_body(item: EventField | dict[str, Any], where: str, *, nested: bool) -> dict[str, Any]:
    body: dict[str, Any] = to_wire(item) if isinstance(item, EventField) else dict(item)
    name = body.get("name")
    if not isinstance(name, str) or not _FIELD_NAME.match(name) or len(name) > _MAX_FIELD_NAME:
        raise ValidationError(
            f"{where}.name {name!r}: start with a lowercase letter or '_', then letters, digits "
            "or '_', at most 128 characters",
            field=f"{where}.name",
        )
    try:
        kind = FieldType(body.get("type"))
    except ValueError:
        allowed = ", ".join(t.value for t in FieldType)
        raise ValidationError(
            f"{where}.type {body.get('type')!r}: use one of {allowed}", field=f"{where}.type"
        ) from None
    if kind is FieldType.LIST:
        if nested:
            raise ValidationError(
                f"{where}: a List item cannot hold another List", field=f"{where}.type"
            )
        schema = body.get("schema")
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if not fields or len(fields) > _MAX_LIST_FIELDS:
            raise ValidationError(
                f"{where}: a List field needs schema fields (1 to {_MAX_LIST_FIELDS})",
                field=f"{where}.schema",
            )
        body["schema"] = {
            "type": "Object",
            "fields": _fields_body(
                fields, f"{where}.schema.fields", nested=True, limit=_MAX_LIST_FIELDS
            ),
        }
    elif body.get("schema") is not None:
        raise ValidationError(f"{where}: only a List field has a schema", field=f"{where}.schema")
    return body


def _fields_body(
    fields: Iterable[EventField | dict[str, Any]],
    where: str,
    *,
    nested: bool = False,
    limit: int = MAX_FIELDS,
) -> list[dict[str, Any]]:
    out = [_field_body(f, f"{where}[{i}]", nested=nested) for i, f in enumerate(fields)]
    if len(out) > limit:
        raise ValidationError(f"{where}: at most {limit} fields, got {len(out)}", field=where)
    seen: set[str] = set()
    for item in out:
        key = str(item["name"]).lower()
        if key in seen:
            raise ValidationError(
                f"{where}: field name {item['name']!r} is used twice (names ignore case)",
                field=where,
            )
        seen.add(key)
    lists = [f for f in out if f["type"] == FieldType.LIST.value]
    if len(lists) > 1:
        raise ValidationError(f"{where}: at most one List field, got {len(lists)}", field=where)
    return out


def _check_text(value: str | None, field: str, limit: int, *, required: bool = False) -> None:
    if value is None:
        if required:
            raise ValidationError(f"{field} is required", field=field)
        return
    if required and not value:
        raise ValidationError(f"{field} must not be empty", field=field)
    if len(value) > limit:
        raise ValidationError(
            f"{field} is {len(value)} characters long; the limit is {limit}", field=field
        )


def _order_params(order_by: str) -> list[tuple[str, str]]:
    match = _ORDER_RE.match(order_by)
    field = _ORDER_FIELDS.get(match.group(1).lower()) if match else None
    if not match or field is None:
        raise ValidationError(
            f"order_by {order_by!r}: use 'definitionId' or 'title', optionally followed by "
            "':asc' or ':desc'",
            field="orderField",
        )
    direction = "Desc" if (match.group(2) or "asc").lower() == "desc" else "Asc"
    return [("orderField", field), ("orderType", direction)]


def _decode_definition(data: Any) -> EventDefinition:
    return from_wire(data, EventDefinition)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _check_age(occurred_at: datetime | None, now: datetime, where: str) -> None:
    if occurred_at is None:
        return
    moment = occurred_at if occurred_at.tzinfo else occurred_at.replace(tzinfo=timezone.utc)
    if moment < now - MAX_EVENT_AGE:
        raise ValidationError(
            f"{where}occurred_at {moment.isoformat()} is more than 30 days ago; the service "
            "refuses such events",
            field="occurredTime",
        )


def _export_time(value: datetime | str, field: str) -> str:
    if isinstance(value, str):
        return value
    if not isinstance(value, datetime):
        raise ValidationError(f"{field} must be a datetime", field=field)
    moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


# -- batching ------------------------------------------------------------------------------------


def _encode_event(index: int, event: Any, now: datetime) -> tuple[dict[str, Any], int]:
    """One event as its wire item and JSON size; raises for an event the service would refuse."""
    if not isinstance(event, Event):
        raise TypeError(f"send_many takes Event items; item {index} is {type(event).__name__}")
    _check_age(event.occurred_at, now, f"event {index}: ")
    item = event.to_wire(now)
    size = len(dumps(item))
    if size > MAX_ITEM_BYTES:
        raise ValidationError(
            f"event {index} is {size} bytes as JSON; one event may be at most "
            f"{MAX_ITEM_BYTES} bytes",
            field=f"[{index}]",
        )
    return item, size


def _encoded(events: Iterable[Event], now: datetime) -> list[tuple[dict[str, Any], int]]:
    """Every event as its wire item and JSON size; any refused item stops everything here."""
    return [_encode_event(index, event, now) for index, event in enumerate(events)]


class _Refused:
    """An event the client's checks refused (read chunk by chunk, it is not sent)."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


def _batches(
    entries: Iterable[tuple[dict[str, Any], int] | _Refused],
) -> Iterator[tuple[int, list[dict[str, Any]], int, _Refused | None]]:
    """``(offset, items, bytes, None)`` of each batch, lazily: at most 5000 items and 15 MiB as
    a JSON array; a refused entry closes the batch before it and comes as
    ``(index, [], 0, refusal)``."""
    batch: list[dict[str, Any]] = []
    start, size = 0, 2  # the array's brackets
    index = -1
    for index, entry in enumerate(entries):
        if isinstance(entry, _Refused):
            if batch:
                yield start, batch, size, None
            yield index, [], 0, entry
            start, batch, size = index + 1, [], 2
            continue
        item, item_size = entry
        extra = item_size + (1 if batch else 0)  # a comma between items
        if batch and (len(batch) == MAX_BATCH_ITEMS or size + extra > MAX_BATCH_BYTES):
            yield start, batch, size, None
            start, batch, size = index, [], 2
            extra = item_size
        batch.append(item)
        size += extra
    if batch:
        yield start, batch, size, None


def _checked_one_by_one(
    events: Iterable[Event], now: datetime
) -> Iterator[tuple[dict[str, Any], int] | _Refused]:
    for index, event in enumerate(events):
        try:
            yield _encode_event(index, event, now)
        except ValidationError as error:
            yield _Refused(error)
        except TypeError as error:
            yield _Refused(error)


def _at(error: Exception, index: int) -> Exception:
    """A refusal placed at event ``index``: its message names the event already, so only
    ``index`` is set (``ValidationError.at`` would name the position a second time)."""
    if not isinstance(error, ValidationError):
        return error
    placed = copy.copy(error)
    placed.index = index
    return placed


def _split(items: Sequence[tuple[dict[str, Any], int]]) -> list[tuple[int, int, int]]:
    """``(offset, count, bytes)`` of each batch: at most 5000 items and 15 MiB as a JSON array."""
    return [(start, len(batch), size) for start, batch, size, _ in _batches(items)]


# -- definitions this client has seen: sends are checked against them --------------------------


def _known(resource: Any) -> dict[str, EventDefinition]:
    """The definitions this resource fetched, created or ensured, by id."""
    cache: dict[str, EventDefinition] | None = getattr(resource, "_known_definitions", None)
    if cache is None:
        cache = {}
        with contextlib.suppress(AttributeError):
            resource._known_definitions = cache
    return cache


def _remember(resource: Any, definition: EventDefinition) -> EventDefinition:
    if definition.definition_id:
        _known(resource)[definition.definition_id] = definition
    return definition


def _type_name(kind: Any) -> str:
    return str(getattr(kind, "value", kind))


def _value_fits(kind: str, value: Any) -> bool:
    if value is None:
        return True
    if kind == "String":
        return isinstance(value, str)
    if kind == "Boolean":
        return isinstance(value, bool)
    if kind in ("Numeric", "Decimal"):
        return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
    if kind == "DateTime":
        return isinstance(value, str)
    if kind == "List":
        return isinstance(value, list) and all(isinstance(item, dict) for item in value)
    return True  # a type this version does not know: the service decides


def _property_problem(
    definition: EventDefinition, properties: Mapping[str, Any]
) -> tuple[str, str] | None:
    """``(property, why)`` for the first property ``definition`` refuses, or ``None``."""
    fields = {f.name: f for f in definition.fields or () if f.name is not None}
    for name, value in properties.items():
        field = fields.get(name)
        if field is None:
            close = definition.field(name)
            hint = f" (names match exactly: it has {close.name!r})" if close is not None else ""
            known = ", ".join(sorted(fields)) or "none"
            return name, f"has no property {name!r}{hint}; its properties: {known}"
        kind = _type_name(field.type)
        if not _value_fits(kind, value):
            return name, f"property {name!r} is a {kind}, got {type(value).__name__}"
        if kind == "List" and field.schema is not None:
            inner = {f.name: _type_name(f.type) for f in field.schema.fields or ()}
            for item in value or ():
                for key, sub in item.items():
                    if key not in inner:
                        return name, f"list property {name!r} has no item field {key!r}"
                    if not _value_fits(inner[key], sub):
                        return name, (
                            f"item field {name}.{key} is a {inner[key]}, got {type(sub).__name__}"
                        )
    return None


def _explain_refusal(
    error: BadRequestError, definition_id: str, known: EventDefinition | None, props: Any
) -> None:
    """Give a 400 without a body (the service says nothing) the likely reason."""
    if error.text not in ("", "(empty body)") and error.body not in (None, "", b""):
        return
    problem = _property_problem(known, props or {}) if known is not None else None
    if problem is not None:
        why = f"event definition {definition_id!r} {problem[1]}"
    elif known is not None:
        why = (
            f"event definition {definition_id!r} refused the event without saying why; its "
            "properties fit the definition this client knows, which may have changed since"
        )
    else:
        why = (
            f"event definition {definition_id!r} refused the event without saying why (usually "
            "a property it does not define, or a value of the wrong type); fetch the definition "
            "with events.get_definition and the client checks each send against it"
        )
    error.text = why
    error.args = (error._describe(),)


class _EventsPlans:
    """The events operations, written once."""

    # -- definitions ------------------------------------------------------------------------

    def list_definitions(
        self,
        *,
        category: DefinitionCategory | str | Iterable[DefinitionCategory | str] | None = None,
        search_text: str | None = None,
        order_by: str | None = None,
        page_size: int | None = None,
        **options: Unpack[CallOptions],
    ) -> PageSpec[EventDefinition]:
        """Every event definition (standard, template and yours), lazily, page by page.

        ``category`` filters by one or more categories; ``search_text`` matches the id, title or
        description; ``order_by`` is ``"title"``, ``"definitionId:desc"`` and so on. The API
        answers 404 when nothing matches: the pager treats that as the end (an empty listing).
        """
        size = DEFAULT_PAGE_SIZE if page_size is None else page_size
        if size < 1:
            raise ValidationError("page_size must be at least 1", field="limit")
        params: list[tuple[str, str]] = []
        if category is not None:
            many = [category] if isinstance(category, (str, DefinitionCategory)) else category
            for item in many:
                try:
                    params.append(("category", DefinitionCategory(item).value))
                except ValueError:
                    allowed = ", ".join(c.value for c in DefinitionCategory)
                    raise ValidationError(
                        f"category {item!r}: use one of {allowed}", field="category"
                    ) from None
        if search_text:
            params.append(("searchText", search_text))
        if order_by is not None:
            params.extend(_order_params(order_by))
        return PageSpec(
            "list-event-definitions",
            _decode_definition,
            size,
            None,
            params=params,
            options=options,
        )

    def create_definition(
        self,
        definition_id: str | None = None,
        *,
        title: str | None = None,
        description: str | None = None,
        fields: Iterable[EventField | dict[str, Any]] | None = None,
        template_id: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan[EventDefinition]:
        """Create an event definition from scratch, or from a template.

        From scratch: ``definition_id`` (letters and digits, up to 36), ``title`` (up to 100),
        optional ``description`` and up to 120 ``fields`` (at most one ``List`` field). From a
        template: ``template_id`` only, plus any extra ``fields``; the title, description and
        default fields come from the template. An existing id is a
        :class:`~infobip_profiles.ConflictError`.

        Example::

            client.events.create_definition(
                "AddedToCart", title="Added to cart",
                fields=[EventField.of("productId", "String"), EventField.of("price", "Decimal")],
            )
        """
        if (definition_id is None) == (template_id is None):
            raise ValidationError(
                "pass exactly one of definition_id and template_id", field="definitionId"
            )
        body: dict[str, Any] = {}
        if template_id is not None:
            _check_definition_id(template_id, "templateId")
            if title is not None or description is not None:
                raise ValidationError(
                    "a definition from a template takes its title and description from the "
                    "template; pass only template_id and extra fields",
                    field="title",
                )
            body["templateId"] = template_id
        else:
            assert definition_id is not None
            _check_definition_id(definition_id)
            _check_text(title, "title", _MAX_TITLE, required=True)
            _check_text(description, "description", _MAX_DESCRIPTION)
            body["definitionId"] = definition_id
            body["title"] = title
            if description is not None:
                body["description"] = description
        if fields is not None:
            body["fields"] = _fields_body(fields, "fields")
        response = yield Call("create-event-definition", body=body, options=options)
        return _remember(self, _decode_definition(json_of(response)))

    def get_definition(
        self, definition_id: str, **options: Unpack[CallOptions]
    ) -> Plan[EventDefinition]:
        """One event definition; :class:`~infobip_profiles.NotFoundError` when there is none."""
        response = yield Call(
            "get-event-definition", path_params={"definitionId": definition_id}, options=options
        )
        return _remember(self, _decode_definition(json_of(response)))

    def ensure_definition(
        self,
        definition_id: str,
        *,
        title: str,
        description: str | None = None,
        fields: Iterable[EventField | dict[str, Any]] | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan[EventDefinition]:
        """The definition ``definition_id``: fetched when it exists, created when it does not.

        Safe to run again and from several processes at once (a creator that loses the race
        reads the winner's definition). An existing definition must hold every field asked for,
        with the same type; otherwise :class:`~infobip_profiles.models.DefinitionMismatchError`
        (add fields with :meth:`update_definition`). Its title and description are left as they
        are.
        """
        _check_definition_id(definition_id)
        _check_text(title, "title", _MAX_TITLE, required=True)
        _check_text(description, "description", _MAX_DESCRIPTION)
        wanted = _fields_body(fields, "fields") if fields is not None else []
        path = {"definitionId": definition_id}
        try:
            response = yield Call("get-event-definition", path_params=path, options=options)
        except NotFoundError:
            body: dict[str, Any] = {"definitionId": definition_id, "title": title}
            if description is not None:
                body["description"] = description
            if fields is not None:
                body["fields"] = wanted
            try:
                response = yield Call("create-event-definition", body=body, options=options)
                return _remember(self, _decode_definition(json_of(response)))
            except ConflictError:
                # Created by someone else since the read: it reads now.
                response = yield Call("get-event-definition", path_params=path, options=options)
        existing = _remember(self, _decode_definition(json_of(response)))
        for item in wanted:
            held = existing.field(item["name"])
            if held is None or getattr(held.type, "value", held.type) != item["type"]:
                shown = "missing" if held is None else f"a {getattr(held.type, 'value', held.type)}"
                raise DefinitionMismatchError(
                    f"event definition {definition_id!r} exists and its field {item['name']!r} "
                    f"is {shown}, not a {item['type']}; add fields with update_definition "
                    "(a field's type cannot change)",
                    existing=existing,
                )
        return existing

    def update_definition(
        self,
        definition_id: str,
        *,
        title: str,
        description: str | None = None,
        fields: Iterable[EventField | dict[str, Any]] | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan[EventDefinition]:
        """Change a definition's title and description and add fields (updates only add).

        Send the existing fields along with the new ones: leaving one out or changing its type is
        refused by the service. A template definition keeps its template's title and description.
        """
        _check_text(title, "title", _MAX_TITLE, required=True)
        _check_text(description, "description", _MAX_DESCRIPTION)
        body: dict[str, Any] = {"title": title}
        if description is not None:
            body["description"] = description
        if fields is not None:
            body["fields"] = _fields_body(fields, "fields")
        response = yield Call(
            "update-event-definition",
            path_params={"definitionId": definition_id},
            body=body,
            options=options,
        )
        return _remember(self, _decode_definition(json_of(response)))

    # -- sending -----------------------------------------------------------------------------

    def send(
        self,
        ref: PersonRef,
        definition_id: str,
        properties: dict[str, Any] | None = None,
        *,
        occurred_at: datetime | None = None,
        create_person: bool = False,
        event_id: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan[RecordedEvent]:
        """Record one event for the person ``ref``; returns it as recorded.

        ``properties`` must match the definition (Python ``datetime``, ``Decimal``, ``bool`` and
        ``str`` values are rendered as the API expects). An unknown person is a
        :class:`~infobip_profiles.NotFoundError` unless ``create_person=True`` (phone, email or
        external id only), which creates a CUSTOMER profile. A repeated ``event_id`` is stored once.

        The single-event call records the service's own time. With ``occurred_at`` the event goes
        through the batch call instead (the only one that takes a time, up to 30 days back), which
        always creates unknown phone, email or external-id persons: so it needs
        ``create_person=True`` for those types. The answer is then built from what was sent.
        """
        if not isinstance(ref, PersonRef):
            raise TypeError(f"expected a PersonRef, got {type(ref).__name__}")
        if not definition_id:
            raise ValidationError("definition_id must not be empty", field="definitionId")
        check_event_id(event_id)
        if create_person and ref.type not in _CREATABLE:
            raise ValidationError(
                "create_person works only for PHONE, EMAIL and EXTERNAL_ID refs",
                field="createPerson",
            )
        props = event_properties(properties)
        known = _known(self).get(definition_id)
        if known is not None and props:
            problem = _property_problem(known, props)
            if problem is not None:
                # The definition may have gained the property since it was read: read it again.
                response = yield Call(
                    "get-event-definition",
                    path_params={"definitionId": definition_id},
                    options=options,
                )
                known = _remember(self, _decode_definition(json_of(response)))
                problem = _property_problem(known, props)
            if problem is not None:
                raise ValidationError(
                    f"event definition {definition_id!r} {problem[1]}",
                    field=f"properties.{problem[0]}",
                )
        if occurred_at is not None:
            if ref.type in _CREATABLE and not create_person:
                raise ValidationError(
                    "occurred_at sends through the batch call, which creates unknown persons; "
                    "pass create_person=True to allow that",
                    field="occurredTime",
                )
            now = _now()
            _check_age(occurred_at, now, "")
            the_id = event_id or new_event_id()
            event = Event(ref, definition_id, properties, occurred_at, the_id)
            yield Call("send-custom-events", body=[event.to_wire(now)], options=options)
            moment = occurred_at if occurred_at.tzinfo else occurred_at.replace(tzinfo=timezone.utc)
            return RecordedEvent(
                event_id=the_id,
                definition_id=definition_id,
                occurred_time=min(moment.astimezone(timezone.utc), now),
                properties=props,
                metadata={"source": "API"},
            )
        body: dict[str, Any] = {}
        if event_id is not None:
            body["eventId"] = event_id
        if props is not None:
            body["properties"] = props
        query = [("identifierType", ref.type.value)]
        if create_person:
            query.append(("createPerson", "true"))
        try:
            response = yield Call(
                "send-custom-event",
                path_params={"personId": ref.identifier, "definitionId": definition_id},
                query=query,
                body=body,
                options=options,
            )
        except BadRequestError as refused:
            _explain_refusal(refused, definition_id, known, props)
            raise
        return from_wire(json_of(response), RecordedEvent)

    def send_many(
        self,
        events: Iterable[Event],
        *,
        strict: bool | None = None,
        on_error: OnError = "continue",
        **options: Unpack[CallOptions],
    ) -> Plan[BatchAccepted]:
        """Send any number of events, split into valid batches (5000 items, 15 MiB each).

        Each event is checked (id, age, the 512000-byte item limit) as set by ``strict``:

        * ``strict=True``, and the default for a sequence (a list or tuple, already in memory):
          every event is checked first, so a bad one raises
          :class:`~infobip_profiles.ValidationError` before anything is sent.
        * ``strict=False``, and the default for any other iterable (a generator): ``events`` is
          read batch by batch, each event checked and encoded just before its batch is sent. A
          bad event is not sent: it is listed as a batch of its own with ``ok=False`` and its
          ``error``, and the others go ahead (the batch before it is sent early, so batches stay
          in input order); only when every event is bad is the first refusal raised.

        Read from a generator, the call holds about one batch (5000 events) at a time and the
        result one entry per batch: measured (tracemalloc peak, a stub answering 202), a million
        events cost 14.1 MB and a hundred thousand 13.8 MB, where checking every event first
        cost 101 MB for a hundred thousand (figure ``send_many_stream_memory`` of
        ``python -m benchmarks --only peers``). Each batch is all or nothing on the service's side; persons
        unknown by phone, email or external id get a new CUSTOMER profile.

        If the first batch fails, its error is raised (with ``accepted``, an empty
        :class:`BatchAccepted`, and ``batch_offset``). If a later one fails, the batches already
        accepted are kept: the failed batch is listed with ``ok=False`` and its ``error``
        (``unknown=True`` when it may have been accepted anyway) and the rest are still sent;
        with ``on_error="raise"`` the call stops there with a
        :class:`~infobip_profiles.PartialBatchError` whose ``result`` lists every batch so far.
        """
        failures = RequestFailures(on_error)
        now = _now()
        entries: Iterable[tuple[dict[str, Any], int] | _Refused]
        if is_strict(strict, events):
            entries = _encoded(events, now)
        else:
            entries = _checked_one_by_one(events, now)
        done: list[AcceptedBatch] = []
        first_refusal: Exception | None = None
        sent = False
        for offset, body, size, refused in _batches(entries):
            if refused is not None:
                error = refused.error
                placed = _at(error, offset)
                first_refusal = first_refusal or placed
                done.append(
                    AcceptedBatch(
                        offset=offset,
                        count=1,
                        size_bytes=0,
                        ok=False,
                        error=placed if isinstance(placed, ProfilesError) else None,
                    )
                )
                continue
            count = len(body)
            sent = True
            try:
                yield Call("send-custom-events", body=body, options=options)
            except (APIError, APIConnectionError) as err:
                err.accepted = BatchAccepted(tuple(done))  # type: ignore[union-attr]
                err.batch_offset = offset  # type: ignore[union-attr]
                failures.failed(err)
                done.append(
                    AcceptedBatch(
                        offset=offset,
                        count=count,
                        size_bytes=size,
                        ok=False,
                        unknown=may_have_been_applied(err),
                        error=err,
                    )
                )
                failures.after(err, offset, count, lambda: BatchAccepted(tuple(done)))
                continue
            finally:
                del body
            failures.succeeded()
            done.append(AcceptedBatch(offset=offset, count=count, size_bytes=size))
        if not sent and first_refusal is not None:
            raise first_refusal
        return BatchAccepted(tuple(done))

    # -- exports -----------------------------------------------------------------------------

    def export(
        self,
        *,
        role_arn: str,
        bucket: str,
        region: str,
        start_time: datetime | str,
        end_time: datetime | str,
        directory_path: str | None = None,
        definition_ids: Iterable[str] | None = None,
        enrich_with_moments_info: bool | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan[ExportRequest]:
        """Ask for the events between ``start_time`` and ``end_time`` to be exported to S3.

        The window must be in the past, at most 24 hours wide and at most a year back;
        ``definition_ids`` (up to 200, ``*`` wildcards allowed) narrows what is exported.
        Returns the request; follow it with :meth:`export_status`.
        """
        start = _export_time(start_time, "startTime")
        end = _export_time(end_time, "endTime")
        if isinstance(start_time, datetime) and isinstance(end_time, datetime):
            s = start_time if start_time.tzinfo else start_time.replace(tzinfo=timezone.utc)
            e = end_time if end_time.tzinfo else end_time.replace(tzinfo=timezone.utc)
            if e <= s:
                raise ValidationError("end_time must be after start_time", field="endTime")
            if e - s > timedelta(hours=24):
                raise ValidationError("the export window is at most 24 hours wide", field="endTime")
        body: dict[str, Any] = {
            "roleArn": role_arn,
            "bucket": bucket,
            "region": region,
            "startTime": start,
            "endTime": end,
        }
        if directory_path is not None:
            body["directoryPath"] = directory_path
        if definition_ids is not None:
            ids = list(dict.fromkeys(definition_ids))
            if len(ids) > _MAX_EXPORT_IDS:
                raise ValidationError(
                    f"at most {_MAX_EXPORT_IDS} definition ids, got {len(ids)}",
                    field="definitionIdList",
                )
            body["definitionIdList"] = ids
        if enrich_with_moments_info is not None:
            body["enrichWithMomentsInfo"] = enrich_with_moments_info
        response = yield Call("create-events-export-request", body=body, options=options)
        return from_wire(json_of(response), ExportRequest)

    def export_status(self, request_id: str, **options: Unpack[CallOptions]) -> Plan[ExportStatus]:
        """Where an export request stands (SUBMITTED, IN_PROGRESS, COMPLETED_SUCCESSFULLY...)."""
        response = yield Call(
            "get-events-export-request-status",
            path_params={"requestId": request_id},
            options=options,
        )
        return from_wire(json_of(response), ExportStatus)

    def cancel_export(self, request_id: str, **options: Unpack[CallOptions]) -> Plan[None]:
        """Cancel an export request; a finished one is a :class:`~infobip_profiles.ConflictError`."""
        yield Call(
            "cancel-events-export-request", path_params={"requestId": request_id}, options=options
        )
        return None

    def export_definitions(self, **options: Unpack[CallOptions]) -> Plan[list[str]]:
        """The definition ids whose events can be exported."""
        response = yield Call("get-events-definitions-for-export", options=options)
        return [str(i) for i in (json_of(response) or {}).get("definitionIdList") or []]


class Events(SyncResource):
    """Events (blocking)."""

    list_definitions = sync_pager(_EventsPlans.list_definitions)
    create_definition = sync_op(_EventsPlans.create_definition)
    get_definition = sync_op(_EventsPlans.get_definition)
    ensure_definition = sync_op(_EventsPlans.ensure_definition)
    update_definition = sync_op(_EventsPlans.update_definition)
    send = sync_op(_EventsPlans.send)
    send_many = sync_op(_EventsPlans.send_many)
    export = sync_op(_EventsPlans.export)
    export_status = sync_op(_EventsPlans.export_status)
    cancel_export = sync_op(_EventsPlans.cancel_export)
    export_definitions = sync_op(_EventsPlans.export_definitions)


class AsyncEvents(AsyncResource):
    """Events (async): the same methods as :class:`Events`, awaitable."""

    list_definitions = async_pager(_EventsPlans.list_definitions)
    create_definition = async_op(_EventsPlans.create_definition)
    get_definition = async_op(_EventsPlans.get_definition)
    ensure_definition = async_op(_EventsPlans.ensure_definition)
    update_definition = async_op(_EventsPlans.update_definition)
    send = async_op(_EventsPlans.send)
    send_many = async_op(_EventsPlans.send_many)
    export = async_op(_EventsPlans.export)
    export_status = async_op(_EventsPlans.export_status)
    cancel_export = async_op(_EventsPlans.cancel_export)
    export_definitions = async_op(_EventsPlans.export_definitions)
