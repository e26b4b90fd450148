"""Engine: event definitions, the events persons perform, computed attributes; export requests
are in ``exports.py`` (a part of :class:`EventsEngine`), timestamps in ``timestamps.py``.

No HTTP here: the handlers in ``handlers/events.py`` parse requests and render responses.
Refusals are domain errors; the handler boundary renders them in the operation's envelope
(definitions answer with a status and no body; the single send answers 400 with no body and
404 in the v2 envelope; the batch call's :class:`Invalid` carries its per-item problems, with
the codes listed in docs/fake-semantics.md, as ``details`` for ProblemDetails).

Events are stored per person. The persons engine tells this engine when a person is deleted
(their events go) or merged (their events move to the primary), and renders
:meth:`EventsEngine.computed_attributes` read-only in each person's ``computedAttributes``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ..._operations import batch_limit, max_lengths, spec_enum, spec_limit
from .._messages import MSG
from .._wire import dumps
from ._domain import Conflict, DomainError, Invalid, NotFound
from .exports import EventExports
from .exports import _Export as _Export  # state files pickled before the move
from .query import MISSING
from .timestamps import _iso
from .timestamps import parse_time as parse_time

if TYPE_CHECKING:
    from .._state import TenantState

__all__ = [
    "EventsEngine",
    "STANDARD_DEFINITIONS",
    "TEMPLATES",
    "SESSION_TEMPLATES",
    "COMPUTED_READ_ONLY",
    "AGGREGATIONS",
    "MAX_BATCH_ITEMS",
    "MAX_ITEM_BYTES",
    "MAX_BATCH_BYTES",
]

MAX_BATCH_ITEMS = batch_limit("send-custom-events")
MAX_ITEM_BYTES = spec_limit("event_item_bytes")
MAX_BATCH_BYTES = spec_limit("event_batch_bytes")
MAX_FIELDS = spec_limit("event_definition_fields")
MAX_LIST_FIELDS = spec_limit("event_list_fields")
MAX_EVENT_AGE = timedelta(days=spec_limit("event_age_days"))
_DEFINITION_LENGTHS = max_lengths("event_definition")
_MAX_TITLE = _DEFINITION_LENGTHS["title"]
_MAX_DESCRIPTION = _DEFINITION_LENGTHS["description"]
_MAX_FIELD_NAME = max_lengths("event_field")["name"]
_MAX_EVENT_ID = max_lengths("event")["eventId"]

FIELD_TYPES = spec_enum("event_field_types")
CATEGORIES = spec_enum("event_categories")
CREATABLE_TYPES = ("PHONE", "EMAIL", "EXTERNAL_ID")
_BASIC_TYPES = spec_enum("senderless_types")
IDENTIFIER_TYPES = (
    "ID",
    "EXTERNAL_ID",
    "PHONE",
    "EMAIL",
    "PUSH",
    "WEB_PUSH",
    "FACEBOOK",
    "LINE",
    "TELEGRAM",
    "WHATSAPP",
    "LIVE_CHAT",
    "VIBER_BOTS",
    "INSTAGRAM",
    "INSTAGRAM_DM",
    "TWITTER",
    "APPLE_BUSINESS_CHAT",
    "KAKAO_SANGDAM",
    "KAKAO_TALK",
    "OPEN_CHANNEL",
    "ZALO_FOLLOWER",
    "TIKTOK_BM",
)

_ID_RE = re.compile(rf"^[A-Za-z0-9]{{1,{_DEFINITION_LENGTHS['definitionId']}}}$")
_FIELD_RE = re.compile(r"^[a-z_][a-zA-Z0-9_]*$")
_EVENT_ID_CHARS = re.compile(r"^[A-Za-z0-9_-]*$")


def _f(name: str, type_: str) -> dict[str, Any]:
    return {"name": name, "type": type_}


#: The platform's standard definitions: ``(definitionId, category, subcategory, title, fields)``.
#: They are listed, gettable and exportable, but cannot be sent, created or changed.
STANDARD_DEFINITIONS: tuple[tuple[str, str, str | None, str, list[dict[str, Any]]], ...] = (
    ("personCreated", "person", None, "Person created", []),
    ("personUpdated", "person", None, "Person updated", []),
    ("emailOpened", "channel", "email", "Email opened", [_f("messageId", "String")]),
    ("smsDelivered", "channel", "sms", "SMS delivered", [_f("messageId", "String")]),
    (
        "conversationCreated",
        "product",
        "conversations",
        "Conversation created",
        [_f("conversationId", "String"), _f("channel", "String"), _f("agentId", "String")],
    ),
    (
        "conversationClosed",
        "product",
        "conversations",
        "Conversation closed",
        [_f("conversationId", "String"), _f("channel", "String"), _f("agentId", "String")],
    ),
    (
        "chatbotSessionStarted",
        "product",
        "answers",
        "Chatbot session started",
        [_f("botId", "String"), _f("channel", "String"), _f("sessionId", "String")],
    ),
    (
        "chatbotSessionEnded",
        "product",
        "answers",
        "Chatbot session ended",
        [
            _f("botId", "String"),
            _f("channel", "String"),
            _f("sessionId", "String"),
            _f("reason", "String"),
        ],
    ),
)

_SESSION_FIELDS = [
    _f("sessionId", "String"),
    _f("channel", "String"),
    _f("botId", "String"),
    _f("agentId", "String"),
    _f("destination", "String"),
]

#: The fake's own catalogue of templates a definition can be created from: ``templateId ->
#: (title, description, fields)``; the definition takes the template's id. The API's spec names no
#: template ids, so none of these is offered until a test registers it
#: (``fake.register_session_templates()``, ``fake.register_event_template(...)``, or
#: ``FakeProfiles(session_templates=True)``): code tested against the fake must not come to rely
#: on ids the service may not have. The session templates record chat and inbox sessions (the
#: platform's own session events are standard and cannot be sent).
TEMPLATES: dict[str, tuple[str, str, list[dict[str, Any]]]] = {
    "chatSessionStarted": (
        "Chat session started",
        "An end user started a chat session (chatbot or live chat).",
        list(_SESSION_FIELDS),
    ),
    "chatSessionEnded": (
        "Chat session ended",
        "A chat session ended.",
        [*_SESSION_FIELDS, _f("reason", "String"), _f("durationSeconds", "Numeric")],
    ),
    "inboxSessionStarted": (
        "Inbox session started",
        "A conversation with an agent was opened in the inbox.",
        list(_SESSION_FIELDS),
    ),
    "inboxSessionEnded": (
        "Inbox session ended",
        "A conversation with an agent was closed in the inbox.",
        [*_SESSION_FIELDS, _f("reason", "String"), _f("durationSeconds", "Numeric")],
    ),
    "productViewed": (
        "Product viewed",
        "An end user viewed a product page.",
        [_f("productId", "String"), _f("name", "String"), _f("price", "Decimal")],
    ),
    "orderCompleted": (
        "Order completed",
        "An end user completed an order.",
        [_f("orderId", "String"), _f("total", "Decimal"), _f("currency", "String")],
    ),
}

SESSION_TEMPLATES = (
    "chatSessionStarted",
    "chatSessionEnded",
    "inboxSessionStarted",
    "inboxSessionEnded",
)
"""The session templates of :data:`TEMPLATES` (what ``register_session_templates()`` offers)."""

COMPUTED_READ_ONLY = "Computed attribute {name} is read-only and cannot be written"
"""The refusal of a write naming a computed attribute."""

#: Computed attribute aggregations over a person's events of one or more definitions.
AGGREGATIONS = ("count", "last", "first", "sum", "average", "min", "max", "mostCommon")
_NUMERIC_AGGREGATIONS = ("sum", "average", "min", "max")

#: The data type a filter compares each aggregation's value as.
_AGGREGATION_TYPES = {
    "count": "INTEGER",
    "first": "DATE_TIME",
    "last": "DATE_TIME",
    "sum": "DECIMAL",
    "average": "DECIMAL",
    "min": "DECIMAL",
    "max": "DECIMAL",
}
#: The data type of a most-common value, by the event field's type.
_FIELD_TYPES = {
    "String": "STRING",
    "Numeric": "DECIMAL",
    "Decimal": "DECIMAL",
    "Boolean": "BOOLEAN",
    "DateTime": "DATE_TIME",
}
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


class _Definition:
    __slots__ = (
        "category",
        "definition_id",
        "description",
        "fields",
        "internal",
        "subcategory",
        "template",
        "title",
    )

    def __init__(
        self,
        definition_id: str,
        title: str | None,
        description: str | None,
        fields: list[dict[str, Any]],
        *,
        category: str = "external",
        subcategory: str | None = None,
        internal: bool = False,
        template: bool = False,
    ) -> None:
        self.definition_id = definition_id
        self.title = title
        self.description = description
        self.fields = fields
        self.category = category
        self.subcategory = subcategory
        self.internal = internal
        self.template = template

    def wire(self) -> dict[str, Any]:
        return {
            "isInternalDefinition": self.internal,
            "category": self.category,
            "subcategory": self.subcategory,
            "definitionId": self.definition_id,
            "title": self.title,
            "description": self.description,
            "fields": json.loads(dumps(self.fields), parse_float=Decimal),
        }

    def field_types(self) -> dict[str, dict[str, Any]]:
        return {str(f["name"]): f for f in self.fields}


class _Computed:
    __slots__ = ("aggregation", "data_type", "definition_ids", "formula", "name", "property")

    def __init__(
        self,
        name: str,
        definition_ids: tuple[str, ...],
        aggregation: str,
        prop: str | None,
        *,
        data_type: str,
        formula: str | None = None,
    ) -> None:
        self.name = name
        self.definition_ids = definition_ids
        self.aggregation = aggregation
        self.property = prop
        self.data_type = data_type
        self.formula = formula

    def __setstate__(self, state: Any) -> None:
        values = dict(state[1] if isinstance(state, tuple) else state)
        if "definition_id" in values:  # a state file saved when one definition was the rule
            values["definition_ids"] = (values.pop("definition_id"),)
        values.setdefault("data_type", _AGGREGATION_TYPES.get(values.get("aggregation", ""), ""))
        values.setdefault("formula", None)
        for key, value in values.items():
            object.__setattr__(self, key, value)


class EventsEngine(EventExports):
    """Event definitions, events per person, computed attributes and exports of one tenant."""

    def __init__(self, state: TenantState) -> None:
        self._state = state
        self._defs: dict[str, _Definition] = {}
        for def_id, category, subcategory, title, fields in STANDARD_DEFINITIONS:
            self._defs[def_id] = _Definition(
                def_id,
                title,
                None,
                [dict(f) for f in fields],
                category=category,
                subcategory=subcategory,
                internal=True,
            )
        self._events: dict[int, list[dict[str, Any]]] = {}
        self._event_ids: set[str] = set()
        self._seq = 0
        self._computed: dict[str, _Computed] = {}
        self._exports: dict[str, _Export] = {}
        # Templates offered to create-definition: none until a test registers some.
        self._templates: dict[str, tuple[str, str, list[dict[str, Any]]]] = {}

    # -- templates (the fake's own; opt-in) --------------------------------------------------

    def register_template(
        self,
        template_id: str,
        title: str | None = None,
        description: str | None = None,
        fields: list[dict[str, Any]] | None = None,
    ) -> None:
        """Offer ``template_id`` to create-definition. With only the id, it must be one of the
        fake's catalogue (:data:`TEMPLATES`); otherwise ``title`` and ``fields`` describe it
        (checked like a definition's). Re-registering replaces. ``ValueError`` when unusable."""
        if not isinstance(template_id, str) or not _ID_RE.match(template_id):
            raise ValueError(f"template id {template_id!r}: 1-36 letters and digits")
        if _is_standard(template_id):
            raise ValueError(f"{template_id!r} is a standard definition id")
        if title is None and fields is None and description is None:
            if template_id not in TEMPLATES:
                raise ValueError(
                    f"{template_id!r} is not in the fake's catalogue "
                    f"({', '.join(TEMPLATES)}); give its title and fields"
                )
            t_title, t_description, base = TEMPLATES[template_id]
            self._templates[template_id] = (t_title, t_description, [dict(f) for f in base])
            return
        if not isinstance(title, str) or not 1 <= len(title) <= _MAX_TITLE:
            raise ValueError(f"a template needs a title of 1-{_MAX_TITLE} characters")
        try:
            checked = _check_fields([dict(f) for f in fields or []])
        except DomainError:
            raise ValueError(f"the fields of template {template_id!r} are invalid") from None
        self._templates[template_id] = (title, description or "", checked)

    def templates(self) -> list[str]:
        """The template ids create-definition accepts, in registration order."""
        return list(self._templates)

    # -- definitions -------------------------------------------------------------------------

    def create_definition(self, body: Any) -> dict[str, Any]:
        """Create a definition from scratch or a template (400 no body when invalid, 409 taken)."""
        if not isinstance(body, dict):
            raise Invalid()
        unknown = set(body) - {"templateId", "definitionId", "title", "description", "fields"}
        template_id = body.get("templateId")
        definition_id = body.get("definitionId")
        if unknown or (template_id is None) == (definition_id is None):
            raise Invalid()
        extra = body.get("fields")
        if extra is not None and not isinstance(extra, list):
            raise Invalid()
        if template_id is not None:
            if not isinstance(template_id, str) or template_id not in self._templates:
                raise Invalid()
            if body.get("title") is not None or body.get("description") is not None:
                raise Invalid()
            t_title, t_description, base = self._templates[template_id]
            fields = _check_fields([*(dict(f) for f in base), *(extra or [])])
            definition = _Definition(
                template_id, t_title, t_description, fields, category="template", template=True
            )
        else:
            if not isinstance(definition_id, str) or not _ID_RE.match(definition_id):
                raise Invalid()
            if _is_standard(definition_id):
                raise Invalid()
            title, description = _check_title(body)
            fields = _check_fields(extra or [])
            definition = _Definition(definition_id, title, description, fields)
        if definition.definition_id in self._defs:
            raise Conflict()
        self._defs[definition.definition_id] = definition
        return definition.wire()

    def get_definition(self, definition_id: str) -> dict[str, Any]:
        """One definition (404 no body when unknown)."""
        return self._definition(definition_id).wire()

    def update_definition(self, definition_id: str, body: Any) -> dict[str, Any]:
        """Change title/description, add fields; removing or retyping a field is a 400."""
        definition = self._definition(definition_id)
        if not isinstance(body, dict) or set(body) - {"title", "description", "fields"}:
            raise Invalid()
        if definition.internal:
            raise Invalid()
        title, description = _check_title(body)
        new_fields = body.get("fields")
        fields = definition.fields
        if new_fields is not None:
            if not isinstance(new_fields, list):
                raise Invalid()
            checked = _check_fields(new_fields)
            by_name = {str(f["name"]).lower(): f for f in checked}
            for old in definition.fields:
                sent = by_name.get(str(old["name"]).lower())
                if sent is None or _normal(sent) != _normal(old):
                    raise Invalid()
            known = {str(f["name"]).lower() for f in definition.fields}
            fields = [*definition.fields, *(f for f in checked if f["name"].lower() not in known)]
            _check_fields(fields)
        definition.fields = fields
        if not definition.template:  # a template's title and description silently stay
            definition.title = title
            definition.description = description
        return definition.wire()

    def list_definitions(
        self,
        *,
        offset: int,
        limit: int | None,
        order_field: str | None,
        order_type: str | None,
        categories: list[str],
        search_text: str | None,
    ) -> list[dict[str, Any]]:
        """One page of definitions; an empty page is a 404 with no body."""
        items = list(self._defs.values())
        if categories:
            wanted = {c.lower() for c in categories}
            items = [d for d in items if d.category in wanted]
        if search_text:
            needle = search_text.lower()
            items = [
                d
                for d in items
                if needle in d.definition_id.lower()
                or needle in (d.title or "").lower()
                or needle in (d.description or "").lower()
            ]
        if order_field and order_type:
            key = "definition_id" if order_field == "DefinitionId" else "title"
            items.sort(
                key=lambda d: str(getattr(d, key) or "").lower(), reverse=order_type == "Desc"
            )
        page = items[offset:] if limit is None else items[offset : offset + limit]
        if not page:
            raise NotFound("event definition")
        return [d.wire() for d in page]

    def _definition(self, definition_id: str) -> _Definition:
        definition = self._defs.get(definition_id)
        if definition is None:
            raise NotFound("event definition")
        return definition

    def definition_ids(self) -> list[str]:
        """Every definition id (standard, template and custom), as offered for export."""
        return list(self._defs)

    # -- sending -----------------------------------------------------------------------------

    def send(
        self,
        identifier: str,
        identifier_type: str | None,
        definition_id: str,
        body: Any,
        *,
        create_person: bool,
    ) -> dict[str, Any]:
        """Record one event; returns the ``EventResourceResponse``.

        A 400 (unknown identifier type, properties not matching, a standard definition) has no
        body, as the spec declares; an unknown person or definition is a v2 ``NOT_FOUND``.
        """
        if identifier_type not in IDENTIFIER_TYPES:
            raise Invalid()
        assert identifier_type is not None
        if create_person and identifier_type not in CREATABLE_TYPES:
            raise Invalid()
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise Invalid()
        event_id = body.get("eventId")
        problems: dict[str, list[str]] = {}
        if event_id is not None:
            problem = _event_id_problem(event_id)
            if problem:
                problems["eventId"] = [problem]
        definition = self._defs.get(definition_id)
        if definition is None:
            raise NotFound(
                "event definition", MSG.EVENT_DEFINITION_NOT_FOUND.format(definition=definition_id)
            )
        if definition.internal:
            raise Invalid()
        properties = body.get("properties")
        problems.update(_property_problems(definition, properties))
        if problems:
            raise Invalid()
        person_id = self._find_person(identifier_type, identifier, None)
        if person_id is None:
            if not create_person:
                raise NotFound(
                    "person",
                    MSG.EVENT_PERSON_NOT_FOUND.format(identifier=identifier, type=identifier_type),
                )
            person_id = self._create_person(identifier_type, identifier)
        now = self._state.clock.now()
        the_id = event_id or self._state.next_uuid("event").upper()
        return self._store(person_id, the_id, definition_id, now, properties)

    def send_batch(self, items: Any) -> None:
        """The all-or-nothing batch: validate every item, then create persons and store events."""
        if not isinstance(items, list):
            raise _batch_error(-1, 400500, MSG.EVENT_BATCH_INVALID_JSON)
        if not items:
            raise _batch_error(-1, 400502, MSG.EVENT_BATCH_EMPTY)
        if len(items) > MAX_BATCH_ITEMS:
            raise _batch_error(-1, 400503, MSG.EVENT_BATCH_TOO_MANY.format(limit=MAX_BATCH_ITEMS))
        sizes = [len(_compact(item)) for item in items]
        if sum(sizes) + len(sizes) + 1 > MAX_BATCH_BYTES:
            raise _batch_error(-1, 400503, MSG.EVENT_BATCH_TOO_LARGE.format(limit=MAX_BATCH_BYTES))
        now = self._state.clock.now()
        errors: list[dict[str, Any]] = []
        plan: list[tuple[int, dict[str, Any], datetime]] = []
        for index, item in enumerate(items):
            details = _item_problems(item, sizes[index], now)
            if details:
                errors.append(
                    {
                        "index": index,
                        "code": 400504,
                        "message": MSG.EVENT_BATCH_ITEM,
                        "details": details,
                    }
                )
                continue
            definition = self._defs.get(item["definitionId"])
            if definition is None:
                errors.append(
                    _err(
                        index,
                        400501,
                        MSG.EVENT_BATCH_SCHEMA.format(
                            details=MSG.EVENT_DEFINITION_NOT_FOUND.format(
                                definition=item["definitionId"]
                            )
                        ),
                    )
                )
                continue
            if definition.internal:
                errors.append(_err(index, 400506, MSG.EVENT_BATCH_INTERNAL))
                continue
            prop_problems = _property_problems(definition, item.get("properties"))
            if prop_problems:
                text = "; ".join(m for msgs in prop_problems.values() for m in msgs)
                errors.append(_err(index, 400501, MSG.EVENT_BATCH_SCHEMA.format(details=text)))
                continue
            ident = item["identifier"]
            kind = ident["type"]
            if kind not in CREATABLE_TYPES and (
                self._find_person(kind, str(ident["id"]), ident.get("sender")) is None
            ):
                errors.append(_err(index, 400505, MSG.EVENT_BATCH_PERSON))
                continue
            occurred = min(parse_time(item["occurredTime"]), now)
            plan.append((index, item, occurred))
        if errors:
            raise Invalid(details=errors)
        for _, item, occurred in plan:
            ident = item["identifier"]
            kind = ident["type"]
            person_id = self._find_person(kind, str(ident["id"]), ident.get("sender"))
            if person_id is None:
                person_id = self._create_person(kind, str(ident["id"]))
            event_id = item.get("eventId") or self._state.next_uuid("event").upper()
            self._store(person_id, event_id, item["definitionId"], occurred, item.get("properties"))

    def _store(
        self,
        person_id: int,
        event_id: str,
        definition_id: str,
        occurred: datetime,
        properties: Any,
        source: str = "API",
    ) -> dict[str, Any]:
        record = {
            "eventId": event_id,
            "definitionId": definition_id,
            "occurredTime": _iso(occurred),
            "properties": properties,
            "metadata": {"source": source},
        }
        if event_id not in self._event_ids:  # a repeated eventId is stored once
            self._event_ids.add(event_id)
            self._seq += 1
            stored = dict(record, personId=person_id, _seq=self._seq)
            self._events.setdefault(person_id, []).append(stored)
        return record

    def record_platform_event(
        self,
        person_id: int,
        definition_id: str,
        properties: Mapping[str, Any],
        *,
        occurred: datetime | None = None,
        source: str,
    ) -> dict[str, Any]:
        """Store an event the platform itself records (a standard definition, which the API may
        not send) for a simulated product; returns the stored event with its ``personId``.
        ``occurred`` defaults to now and is clamped to now; ``source`` goes to its metadata."""
        definition = self._defs.get(definition_id)
        if definition is None or not definition.internal:
            raise ValueError(f"{definition_id!r} is not one of the platform's own definitions")
        now = self._state.clock.now()
        moment = now if occurred is None else min(occurred, now)
        event_id = self._state.next_uuid("event").upper()
        record = self._store(person_id, event_id, definition_id, moment, dict(properties), source)
        return {**record, "personId": person_id}

    # -- persons (through the persons engine) ----------------------------------------------

    def _find_person(self, kind: str, identifier: str, sender: str | None) -> int | None:
        return self._state.persons.resolve(kind, identifier, sender)

    def _create_person(self, kind: str, identifier: str) -> int:
        """A CUSTOMER holding this one identity (the service's auto-created profile)."""
        return self._state.persons.create_profile(
            person_type="CUSTOMER", identity={"type": kind, "identifier": identifier}
        )

    # -- per-person hooks and reads --------------------------------------------------------

    def person_deleted(self, person_id: int) -> None:
        """A deleted person's events go with them (their ids may be reused by new events)."""
        for event in self._events.pop(person_id, []):
            self._event_ids.discard(event["eventId"])

    def persons_merged(self, primary_id: int, secondary_ids: list[int]) -> None:
        """Events of merged profiles move to the primary."""
        moved = [e for sid in secondary_ids for e in self._events.pop(sid, [])]
        if not moved:
            return
        for event in moved:
            event["personId"] = primary_id
        target = self._events.setdefault(primary_id, [])
        target.extend(moved)
        target.sort(key=lambda e: e["_seq"])

    def events_for(self, person_id: int, definition_id: str | None = None) -> list[dict[str, Any]]:
        """A person's events (oldest first by occurrence), optionally of one definition."""
        events = [
            _public(e)
            for e in self._events.get(person_id, [])
            if definition_id is None or e["definitionId"] == definition_id
        ]
        events.sort(key=lambda e: e["occurredTime"])
        return events

    def person_events(self, person_id: int) -> list[dict[str, Any]]:
        """Every event of one person, oldest first (what segment event conditions evaluate)."""
        return self.events_for(person_id)

    def snapshot(self) -> list[dict[str, Any]]:
        """Every stored event with its ``personId``, in the order they were stored."""
        everything = [e for events in self._events.values() for e in events]
        everything.sort(key=lambda e: e["_seq"])
        return [_public(e) for e in everything]

    # -- computed attributes ---------------------------------------------------------------

    def define_computed(
        self,
        name: str,
        definition_id: str | Sequence[str],
        aggregation: str,
        property: str | None = None,
    ) -> None:
        """Declare a computed attribute: an aggregation over a person's events of one definition,
        or of several (``["chatSessionStarted", "inboxSessionStarted"]``: their events together).

        ``aggregation`` is ``count``, ``first``/``last`` (occurrence time), ``sum``, ``average``,
        ``min``, ``max`` of the numeric ``property``, or ``mostCommon``: the value of ``property``
        seen most often (a tie goes to the value seen last). Raises ``ValueError`` when the
        declaration cannot work (unknown definition, a property missing from one of them or
        not numeric where it must be, name taken).
        """
        self._check_new_name(name)
        if aggregation not in AGGREGATIONS:
            raise ValueError(f"aggregation {aggregation!r}: use one of {', '.join(AGGREGATIONS)}")
        ids = (definition_id,) if isinstance(definition_id, str) else tuple(definition_id)
        if not ids or not all(isinstance(i, str) and i for i in ids):
            raise ValueError("name at least one event definition")
        data_type = _AGGREGATION_TYPES.get(aggregation, "")
        for def_id in ids:
            definition = self._defs.get(def_id)
            if definition is None:
                raise ValueError(f"event definition {def_id!r} does not exist")
            if aggregation in _NUMERIC_AGGREGATIONS:
                field = definition.field_types().get(property or "")
                if field is None or field["type"] not in ("Numeric", "Decimal"):
                    raise ValueError(
                        f"{aggregation} needs a Numeric or Decimal property of {def_id}, "
                        f"got {property!r}"
                    )
            elif aggregation == "mostCommon":
                field = definition.field_types().get(property or "")
                kind = _FIELD_TYPES.get(field["type"]) if field is not None else None
                if kind is None:
                    raise ValueError(
                        f"mostCommon needs a String, Numeric, Decimal, Boolean or DateTime "
                        f"property of {def_id}, got {property!r}"
                    )
                if data_type and data_type != kind:
                    raise ValueError(
                        f"property {property!r} has different types across definitions"
                    )
                data_type = kind
            elif property is not None:
                raise ValueError(f"{aggregation} takes no property")
        self._computed[name.lower()] = _Computed(
            name, ids, aggregation, property, data_type=data_type
        )

    def define_formula(self, name: str, formula: str) -> None:
        """Declare a formula attribute: text built from the person's own fields.

        ``formula`` holds ``{field}`` placeholders naming standard fields or custom attributes
        (``"{firstName} {lastName}"``). A missing value reads as empty, runs of spaces collapse
        and the ends are trimmed; when every placeholder is empty the value is ``None``.
        ``ValueError`` for a formula without a placeholder or a taken name.
        """
        self._check_new_name(name)
        if not isinstance(formula, str) or not _PLACEHOLDER.search(formula):
            raise ValueError("a formula needs at least one {field} placeholder")
        self._computed[name.lower()] = _Computed(
            name, (), "formula", None, data_type="STRING", formula=formula
        )

    def _check_new_name(self, name: str) -> None:
        if not name or not isinstance(name, str):
            raise ValueError("a computed attribute needs a name")
        if name.lower() in self._computed:
            raise ValueError(f"computed attribute {name!r} already exists")
        if self._state.attributes.get(name) is not None:
            raise ValueError(f"{name!r} is already a custom attribute")

    def computed_types(self) -> dict[str, str]:
        """``{name: data type}`` of every computed attribute (what a filter compares as)."""
        return {c.name: c.data_type for c in self._computed.values()}

    def computed_value(self, person_id: int, name: str, getter: Any = None) -> Any:
        """One computed attribute's value for one person (``None`` when there is no data).

        ``getter(field)`` reads the person's fields, for formulas (none: formulas read ``None``).
        """
        computed = self._computed.get(name.lower())
        if computed is None:
            raise KeyError(name)
        return self._value(computed, person_id, getter)

    def _value(self, computed: _Computed, person_id: int, getter: Any) -> Any:
        if computed.formula is not None:
            return _formula(computed.formula, getter)
        events: list[dict[str, Any]] = []
        for def_id in computed.definition_ids:
            events.extend(e for e in self._events.get(person_id, []) if e["definitionId"] == def_id)
        events.sort(key=lambda e: (e["occurredTime"], e["_seq"]))
        return _aggregate(computed, [_public(e) for e in events])

    def is_computed(self, name: str) -> bool:
        """Whether ``name`` (ignoring case) is a computed attribute: read-only for writes."""
        return isinstance(name, str) and name.lower() in self._computed

    def read_only_names(self, names: Any) -> list[str]:
        """Those of ``names`` (an iterable of attribute names, e.g. a ``customAttributes``
        object) that name a computed attribute, ignoring case, as given."""
        if not self._computed:
            return []
        return [n for n in names if isinstance(n, str) and n.lower() in self._computed]

    def computed_names(self) -> list[str]:
        """The declared computed attribute names."""
        return [c.name for c in self._computed.values()]

    def computed_attributes(self, person_id: int, getter: Any = None) -> dict[str, Any]:
        """``{name: value}`` of every computed attribute for one person (``None`` when no data);
        ``getter`` reads the person's fields for formula attributes."""
        return {c.name: self._value(c, person_id, getter) for c in self._computed.values()}


# -- helpers -------------------------------------------------------------------------------------


def _check_title(body: dict[str, Any]) -> tuple[str, str | None]:
    """A definition body's title (required, bounded) and description (optional, bounded)."""
    title = body.get("title")
    description = body.get("description")
    if not isinstance(title, str) or not 1 <= len(title) <= _MAX_TITLE:
        raise Invalid()
    if description is not None and (
        not isinstance(description, str) or len(description) > _MAX_DESCRIPTION
    ):
        raise Invalid()
    return title, description


def _is_standard(definition_id: str) -> bool:
    return any(definition_id.lower() == d[0].lower() for d in STANDARD_DEFINITIONS)


def _normal(field: Mapping[str, Any]) -> tuple[str, str, Any]:
    schema = field.get("schema")
    inner = None
    if isinstance(schema, Mapping):
        inner = tuple(
            sorted((str(f["name"]).lower(), f["type"]) for f in schema.get("fields") or [])
        )
    return str(field["name"]).lower(), str(field["type"]), inner


def _check_fields(fields: list[Any], *, nested: bool = False) -> list[dict[str, Any]]:
    """Validated copies of definition fields; any problem is a 400 with no body."""
    limit = MAX_LIST_FIELDS if nested else MAX_FIELDS
    if len(fields) > limit:
        raise Invalid()
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    lists = 0
    for field in fields:
        if not isinstance(field, dict) or set(field) - {"name", "type", "schema"}:
            raise Invalid()
        name = field.get("name")
        kind = field.get("type")
        if not isinstance(name, str) or not _FIELD_RE.match(name) or len(name) > _MAX_FIELD_NAME:
            raise Invalid()
        if name.lower() in seen or kind not in FIELD_TYPES:
            raise Invalid()
        seen.add(name.lower())
        schema = field.get("schema")
        if kind == "List":
            lists += 1
            if nested or lists > 1 or not isinstance(schema, dict):
                raise Invalid()
            if schema.get("type") != "Object" or set(schema) - {"type", "fields"}:
                raise Invalid()
            inner = schema.get("fields")
            if not isinstance(inner, list) or not inner:
                raise Invalid()
            checked = _check_fields(inner, nested=True)
            out.append(
                {"name": name, "type": kind, "schema": {"type": "Object", "fields": checked}}
            )
        else:
            if schema is not None:
                raise Invalid()
            out.append({"name": name, "type": kind})
    return out


def _event_id_problem(event_id: Any) -> str | None:
    if not isinstance(event_id, str) or not 1 <= len(event_id) <= _MAX_EVENT_ID:
        return MSG.EVENT_ID_LENGTH
    if not _EVENT_ID_CHARS.match(event_id):
        return MSG.EVENT_ID_CHARS
    return None


_DOUBLE_MAX = sys.float_info.max


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _value_ok(kind: str, value: Any) -> bool:
    if value is None:
        return True
    if kind == "String":
        return isinstance(value, str)
    if kind == "Boolean":
        return isinstance(value, bool)
    if kind in ("Numeric", "Decimal"):
        return _is_number(value) and abs(value) <= _DOUBLE_MAX  # a 400-digit integer is no double
    if kind == "DateTime":
        if not isinstance(value, str):
            return False
        try:
            parse_time(value)
        except ValueError:
            return False
        return True
    return False


def _property_problems(definition: _Definition, properties: Any) -> dict[str, list[str]]:
    if properties is None:
        return {}
    if not isinstance(properties, dict):
        return {"properties": [MSG.EVENT_PROPERTIES_OBJECT]}
    fields = {str(f["name"]): f for f in definition.fields}
    problems: dict[str, list[str]] = {}
    for name, value in properties.items():
        field = fields.get(name)
        where = f"properties.{name}"
        if field is None:
            problems[where] = [
                MSG.EVENT_PROPERTY_UNKNOWN.format(name=name, definition=definition.definition_id)
            ]
            continue
        kind = field["type"]
        if kind == "List":
            inner = {str(f["name"]): f["type"] for f in field["schema"]["fields"]}
            ok = value is None or (
                isinstance(value, list)
                and all(
                    isinstance(item, dict)
                    and all(k in inner and _value_ok(inner[k], v) for k, v in item.items())
                    for item in value
                )
            )
        else:
            ok = _value_ok(kind, value)
        if not ok:
            problems[where] = [MSG.EVENT_PROPERTY_TYPE.format(name=name, type=kind)]
    return problems


def _item_problems(item: Any, size: int, now: datetime) -> list[dict[str, str]]:
    """The 400504 details of one batch item (empty when it is well-formed)."""
    if not isinstance(item, dict):
        return [{"property": "", "message": MSG.FIELD_OBJECT}]
    details: list[dict[str, str]] = []

    def bad(prop: str, message: str) -> None:
        details.append({"property": prop, "message": message})

    if size > MAX_ITEM_BYTES:
        bad("", MSG.EVENT_ITEM_TOO_LARGE.format(limit=MAX_ITEM_BYTES))
    event_id = item.get("eventId")
    if event_id is not None:
        problem = _event_id_problem(event_id)
        if problem:
            bad("eventId", problem)
    if not isinstance(item.get("definitionId"), str) or not item["definitionId"]:
        bad("definitionId", MSG.EVENT_NOT_EMPTY)
    occurred = item.get("occurredTime")
    if not isinstance(occurred, str) or not occurred:
        bad("occurredTime", MSG.EVENT_NOT_EMPTY)
    else:
        try:
            moment = parse_time(occurred)
        except ValueError:
            bad("occurredTime", MSG.EVENT_TIME_FORMAT)
        else:
            if moment < now - MAX_EVENT_AGE:
                bad("occurredTime", MSG.EVENT_TOO_OLD)
    ident = item.get("identifier")
    if not isinstance(ident, dict):
        bad("identifier", MSG.EVENT_NOT_EMPTY)
    else:
        if not isinstance(ident.get("id"), str) or not ident["id"]:
            bad("identifier.id", MSG.EVENT_NOT_EMPTY)
        kind = ident.get("type")
        if kind not in IDENTIFIER_TYPES:
            bad("identifier.type", MSG.EVENT_TYPE_ONE_OF.format(types=", ".join(IDENTIFIER_TYPES)))
        elif kind not in _BASIC_TYPES and not ident.get("sender"):
            bad("identifier.sender", MSG.EVENT_SENDER_REQUIRED.format(type=kind))
    props = item.get("properties")
    if props is not None and not isinstance(props, dict):
        bad("properties", MSG.EVENT_PROPERTIES_OBJECT)
    return details


def _err(index: int, code: int, message: str) -> dict[str, Any]:
    return {"index": index, "code": code, "message": message}


def _batch_error(index: int, code: int, message: str) -> Invalid:
    """The batch refused whole: one problem, at ``index`` (-1: the request itself)."""
    return Invalid(details=[_err(index, code, message)])


def _compact(value: Any) -> bytes:
    # surrogatepass: a lone surrogate escape ("\ud800") is valid JSON; count its three bytes
    return dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _public(event: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if not k.startswith("_")}


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _aggregate(computed: _Computed, events: list[dict[str, Any]]) -> Any:
    if computed.aggregation == "count":
        return len(events)
    if computed.aggregation == "mostCommon":
        return _most_common(events, computed.property or "")
    if computed.aggregation in ("first", "last"):
        if not events:
            return None
        chosen = events[0] if computed.aggregation == "first" else events[-1]
        return parse_time(chosen["occurredTime"]).strftime("%Y-%m-%dT%H:%M:%S")
    values: list[Decimal] = []
    for event in events:
        raw = (event.get("properties") or {}).get(computed.property)
        if _is_number(raw):
            try:
                values.append(Decimal(str(raw)))
            except InvalidOperation:  # pragma: no cover - JSON numbers always parse
                continue
    if computed.aggregation == "sum":
        return _number(sum(values, Decimal(0)))
    if not values:
        return None
    if computed.aggregation == "average":
        return _number(sum(values, Decimal(0)) / len(values))
    if computed.aggregation == "min":
        return _number(min(values))
    return _number(max(values))


def _most_common(events: list[dict[str, Any]], prop: str) -> Any:
    """The value of ``prop`` seen most often (oldest first in ``events``); a tie goes to the
    value seen last. ``None`` when no event carries it."""
    counts: dict[str, tuple[int, int, Any]] = {}
    for position, event in enumerate(events):
        value = (event.get("properties") or {}).get(prop)
        if value is None or isinstance(value, (list, dict)):
            continue
        key = f"{type(value).__name__}:{value}"
        count = counts.get(key, (0, 0, value))[0] + 1
        counts[key] = (count, position, value)
    if not counts:
        return None
    return max(counts.values(), key=lambda c: (c[0], c[1]))[2]


def _formula(formula: str, getter: Any) -> str | None:
    """The formula with each ``{field}`` replaced by the person's value (empty when missing)."""
    filled = False

    def value(match: re.Match[str]) -> str:
        nonlocal filled
        raw = getter(match.group(1).strip()) if callable(getter) else None
        if raw is None or raw is MISSING or isinstance(raw, (list, dict, tuple)):
            return ""
        text = str(raw).lower() if isinstance(raw, bool) else str(raw)
        if text:
            filled = True
        return text

    text = " ".join(_PLACEHOLDER.sub(value, formula).split())
    return text if filled and text else None
