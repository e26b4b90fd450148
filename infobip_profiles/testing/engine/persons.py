"""Engine: persons (docs/fake-semantics.md). State and semantics only; no HTTP.

Storage is built for a million persons: one ``__slots__`` record per person holding only what is
set (tuples for emails, phones and tags, a dict only when there are custom attributes), timestamps
shared between persons written in the same second, and wire dicts rendered on every read. Indexes
map every identifier to a person id: ``externalId``, each email (lower-cased), each phone (without a
leading ``+``), each push registration id and each channel contact ``(type, sender, identifier)``.
Every write goes through :meth:`PersonsEngine._store`, the one place that changes records and
indexes together; :meth:`PersonsEngine.check_indexes` verifies them against a full scan.

A write is computed as a complete new *doc* (a plain dict of the person's fields), validated whole
(formats, limits, uniqueness) and only then stored, so a rejected request changes nothing.

Each person also records the product that created it and the one that last changed it (``None``:
the API; simulated inbound messages, forms and chat sessions set others); the v2 ``origin`` and
``modifiedFrom`` show them within the v2 list of origins, the v3 ``createdFrom`` and
``modifiedFrom`` as they are. A computed attribute's name is refused in every write
(:meth:`PersonsEngine.read_only_errors`).
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import math
import re
import sys
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from ..._operations import ErrorFamily
from ...refs import CHANNEL_CONTACT_KEYS
from .._errors import (
    MSG,
    FakeError,
    lists_error,
    no_body_error,
    problem_details,
    push_error,
    segments_error,
    v2_error,
    v3_error,
)
from .events import COMPUTED_READ_ONLY
from .query import MISSING, QueryError, compile_filter, decode_filter, index_terms

if TYPE_CHECKING:
    from .._state import TenantState

__all__ = [
    "PersonsEngine",
    "IDENTIFIER_TYPES",
    "CHANNEL_TYPES",
    "SCALAR_FIELDS",
    "ORDER_FIELDS",
    "MAX_CONTACTS",
    "channel_origin",
]

SCALAR_FIELDS = (
    "externalId",
    "firstName",
    "lastName",
    "middleName",
    "nickName",
    "address",
    "city",
    "country",
    "gender",
    "birthDate",
    "preferredLanguage",
    "profilePicture",
)
"""Single-valued standard fields a person may carry (``nickName`` travels on v3 only)."""

_SCALAR_SET = frozenset(SCALAR_FIELDS)
# Standard fields with an equality index (besides ``type``, ``tags`` and the identifiers).
_VALUE_SCALARS = ("firstName", "lastName", "city", "country", "gender")
_VALUE_FIELDS = ("type", "tags", *_VALUE_SCALARS)
_V2_STAMP = "%Y-%m-%dT%H:%M:%S"  # FakeClock.v2_timestamp's format

_MAX_LENGTH = {
    "externalId": 256,
    "firstName": 255,
    "lastName": 255,
    "middleName": 50,
    "nickName": 50,
    "address": 256,
    "city": 50,
    "country": 50,
    "profilePicture": 2083,
}
_NAME_FIELDS = ("firstName", "lastName", "middleName", "nickName")
_NAME_FORBIDDEN = re.compile(r'[&<>"/\\\n\r:(){}=;#]')
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_PHONE = re.compile(r"^\+?[1-9][0-9]{2,14}$")
_LANGUAGE = re.compile(r"^[a-z]{2}(?:-[A-Z]{2})?$")
_MAX_EMAIL = 255
_MAX_PHONE = 50
_MAX_CONTACT_ID = 255
MAX_CONTACTS = 100
"""At most this many emails and this many phones per person."""

_TYPES = ("CUSTOMER", "LEAD")
_GENDERS = ("MALE", "FEMALE")
ORDER_FIELDS = ("firstName", "lastName", "createdAt", "modifiedAt")
"""Fields the persons list can be ordered by."""


def _name_problem(value: str) -> str | None:
    return MSG.NAME_CHARS if _NAME_FORBIDDEN.search(value) else None


def _gender_problem(value: str) -> str | None:
    return None if value in _GENDERS else MSG.FIELD_ONE_OF.format(values=", ".join(_GENDERS))


def _date_problem(value: str) -> str | None:
    return None if not value or _is_date(value) else MSG.FIELD_DATE


def _language_problem(value: str) -> str | None:
    return None if not value or _LANGUAGE.match(value) else MSG.FIELD_LANGUAGE


#: Each scalar field's rule: its length limit, then its check (the message the value breaks, or
#: None), if any. A value must be a string (or null) first.
_SCALAR_RULES: dict[str, tuple[float, Callable[[str], str | None] | None]] = {
    name: (
        _MAX_LENGTH.get(name, math.inf),
        {
            "gender": _gender_problem,
            "birthDate": _date_problem,
            "preferredLanguage": _language_problem,
        }.get(name, _name_problem if name in _NAME_FIELDS else None),
    )
    for name in SCALAR_FIELDS
}


CHANNEL_TYPES = CHANNEL_CONTACT_KEYS
"""Channel identifier types and their v2 ``contactInformation`` key ("" = not shown on v2)."""

_ASCII_DIGITS = re.compile(r"[+]?[0-9]{1,19}")  # what a Long parser reads

IDENTIFIER_TYPES = ("ID", "EXTERNAL_ID", "PHONE", "EMAIL", *CHANNEL_TYPES)
"""Every ``type`` a person can be looked up by."""

_PUSH_KEYS = ("registrationId", "applicationId", "isPrimary", "additionalData", "systemData")

# Doc keys beyond the scalar fields.
_TYPE, _EMAILS, _PHONES, _TAGS, _CUSTOM, _CHANNELS = (
    "type",
    "emails",
    "phones",
    "tags",
    "customAttributes",
    "channels",
)

_LIST_KEYS = frozenset((_EMAILS, _PHONES, _TAGS, _CHANNELS))
_PUSH_IDS = "pushIds"  # v3 merge only: registration ids naming devices (match keys, not stored)

Doc = dict[str, Any]
"""A person's fields as the engine computes them: scalar wire names plus the keys above."""


#: Every origin the v2 person (``IamOrigin``) can show; v3's ``OriginV3`` has more.
_V2_ORIGINS = frozenset(
    (
        "API",
        "PORTAL",
        "WEB_SDK",
        "INTEGRATION",
        "PUSH",
        "FACEBOOK",
        "LINE",
        "TELEGRAM",
        "SALESFORCE",
        "DYNAMICS",
        "ZAPIER",
        "FORMS",
        "COMPUTED",
        "ANSWERS",
        "CONVERSATIONS",
    )
)

#: The origin a profile made by an inbound message on each channel shows: the channel's own
#: value where the spec's origin list has one, else CONVERSATIONS (the product that receives it).
_CHANNEL_ORIGINS = {
    "PUSH": "PUSH",
    "WEB_PUSH": "WEB_SDK",
    "FACEBOOK": "FACEBOOK",
    "LINE": "LINE",
    "TELEGRAM": "TELEGRAM",
    "WHATSAPP": "WHATSAPP",
    "LIVE_CHAT": "LIVE_CHAT",
    "INSTAGRAM_DM": "INSTAGRAM_DM",
    "ZALO_FOLLOWER": "ZALO_FOLLOWER",
    "TIKTOK_BM": "TIKTOK_BM",
    "KAKAO_TALK": "KAKAO_TALK",
}


def channel_origin(kind: str) -> str:
    """The origin (v3 ``createdFrom``) of a profile created by a message on channel ``kind``."""
    return _CHANNEL_ORIGINS.get(kind, "CONVERSATIONS")


def _v2_origin(origin: str | None) -> str:
    """A stored origin as the v2 person shows it (v3-only values read CONVERSATIONS there)."""
    if origin is None:
        return "API"
    return origin if origin in _V2_ORIGINS else "CONVERSATIONS"


def _phone_key(number: str) -> str:
    return number[1:] if number.startswith("+") else number


def _email_key(address: str) -> str:
    """The email index's key: the address lowercased, the address itself when it already is
    (one string stored instead of two: most addresses are lowercase)."""
    key = address.lower()
    return address if key == address else key


class _Person:
    """One stored person. Unset fields are ``None``; nothing is stored twice."""

    __slots__ = (
        "id",
        "type",
        "created_at",
        "modified_at",
        "rev",
        *SCALAR_FIELDS,
        "emails",
        "phones",
        "tags",
        "custom",
        "push",
        "channels",
        "origin",
        "modified_from",
    )

    id: int
    type: str
    created_at: str
    modified_at: str
    rev: int
    externalId: str | None  # the wire name, like the other scalar slots
    emails: tuple[str, ...] | None
    phones: tuple[str, ...] | None
    tags: tuple[str, ...] | None
    custom: dict[str, Any] | None
    push: list[dict[str, Any]] | None
    channels: tuple[tuple[str, str, str], ...] | None
    origin: str | None  # the product that created the profile; None: the API
    modified_from: str | None  # the product that last changed it; None: the API

    def __init__(self, person_id: int, created_at: str, rev: int) -> None:
        self.id = person_id
        self.type = "CUSTOMER"
        self.created_at = created_at
        self.modified_at = created_at
        self.rev = rev
        # Every slot of SCALAR_FIELDS, spelled out: one chained store instead of twelve setattr
        # calls (a bulk upsert makes a thousand persons per request).
        self.externalId = self.firstName = self.lastName = self.middleName = self.nickName = None
        self.address = self.city = self.country = self.gender = self.birthDate = None
        self.preferredLanguage = self.profilePicture = None
        self.emails = self.phones = self.tags = self.custom = self.push = self.channels = None
        self.origin = self.modified_from = None

    def doc(self) -> Doc:
        """The writable fields as a doc (what a write starts from)."""
        doc: Doc = {_TYPE: self.type}
        for name in SCALAR_FIELDS:
            value = getattr(self, name)
            if value is not None:
                doc[name] = value
        if self.emails:
            doc[_EMAILS] = self.emails
        if self.phones:
            doc[_PHONES] = self.phones
        if self.tags:
            doc[_TAGS] = self.tags
        if self.custom:
            doc[_CUSTOM] = dict(self.custom)
        if self.channels:
            doc[_CHANNELS] = self.channels
        return doc

    def getter(self, field: str) -> Any:
        """Value of a filter field (standard or custom attribute), or MISSING."""
        if field in _GETTERS:
            value = _GETTERS[field](self)
        elif self.custom is not None:
            value = self.custom.get(field, MISSING)
        else:
            return MISSING
        return MISSING if value is None else value


_GETTERS: dict[str, Any] = {name: (lambda p, n=name: getattr(p, n)) for name in SCALAR_FIELDS}
_GETTERS.update(
    {
        "id": lambda p: p.id,
        "type": lambda p: p.type,
        "createdAt": lambda p: p.created_at,
        "modifiedAt": lambda p: p.modified_at,
        "origin": lambda p: _v2_origin(p.origin),
        "modifiedFrom": lambda p: _v2_origin(p.modified_from),
        "tags": lambda p: list(p.tags) if p.tags else MISSING,
        "email": lambda p: list(p.emails) if p.emails else MISSING,
        "phone": lambda p: list(p.phones) if p.phones else MISSING,
    }
)


class _Invalid(Exception):
    """A write broke a rule; ``errors`` are validationErrors, ``conflict`` a uniqueness clash."""

    def __init__(
        self,
        errors: dict[str, list[str]] | None = None,
        *,
        text: str = MSG.BAD_REQUEST,
        status: int = 400,
    ) -> None:
        super().__init__(text)
        self.errors = errors or {}
        self.text = text
        self.status = status

    def v2(self) -> FakeError:
        """As the v2 envelope."""
        return v2_error(self.status, self.text, validation_errors=self.errors or None)


class _Journal:
    """What an undoable block changed (see :meth:`PersonsEngine.undoable`)."""

    __slots__ = ("created", "kept", "point")

    def __init__(self, point: tuple[Any, ...]) -> None:
        self.point = point
        self.created: list[int] = []
        self.kept: dict[int, tuple[_Person, dict[str, Any]]] = {}


class PersonsEngine:
    """Every person of one tenant, its indexes, and the persons semantics.

    Public methods raise :class:`~infobip_profiles.testing._errors.FakeError` (v2 envelope unless
    documented otherwise) and change nothing when they do.
    """

    #: :meth:`snapshot` renders every person anew (no container of the engine's state is shared),
    #: so ``fake.people()`` need not deep-copy it (at 10,000 persons, 0.19 s with the copy, 0.03 s without).
    SNAPSHOT_IS_FRESH = True

    def __init__(self, state: TenantState) -> None:
        self._state = state
        self._persons: dict[int, _Person] = {}
        self._by_external: dict[str, int] = {}
        self._by_email: dict[str, int] = {}
        self._by_phone: dict[str, int] = {}
        self._by_push: dict[str, int] = {}
        self._by_channel: dict[tuple[str, str, str], int] = {}
        # Filter indexes (see _value_keys): field -> value -> the ids holding it, ascending (a
        # lone id is stored as the int itself, which keeps unique values such as names compact).
        self._by_value: dict[str, dict[str, int | list[int]]] = {f: {} for f in _VALUE_FIELDS}
        # Emails whose lower() differs from their casefold() (never ASCII), by casefold: the
        # email index is keyed by lower(), filters compare casefolded.
        self._odd_emails: dict[str, set[int]] = {}
        # While a write may still have to be undone (see begin): what it changed.
        self._journal: _Journal | None = None
        self._rev = 0
        self._last_stamp = ""
        # The clock times (seconds) for which ``_last_stamp`` is the rendering: [from, until).
        self._stamp_from = 0.0
        self._stamp_until = 0.0

    # == lookups ===================================================================================

    def resolve(self, id_type: str, identifier: str, sender: str | None = None) -> int | None:
        """The id of the person identified by ``identifier`` of ``id_type``, or ``None``; O(1).

        ``id_type`` is ``ID``, ``EXTERNAL_ID``, ``EMAIL`` (matched ignoring case), ``PHONE`` (a
        leading ``+`` is ignored), ``PUSH`` (a push registration id; ``sender`` is not needed) or a
        channel type (``FACEBOOK``, ``WEB_PUSH``...; matched on ``(type, sender, identifier)``).
        """
        kind = str(id_type).upper()
        if kind == "ID":
            # ASCII digits only: Python's int() would also read " 1", "1_0" or other scripts' digits
            if not _ASCII_DIGITS.fullmatch(identifier):
                return None
            pid = int(identifier)
            return pid if pid in self._persons else None
        if kind == "EXTERNAL_ID":
            return self._by_external.get(identifier)
        if kind == "EMAIL":
            return self._by_email.get(identifier.lower())
        if kind == "PHONE":
            return self._by_phone.get(_phone_key(identifier))
        if kind == "PUSH":
            return self._by_push.get(identifier)
        if kind in CHANNEL_TYPES:
            if sender is None:
                return None
            return self._by_channel.get((kind, sender, identifier))
        return None

    def require(
        self,
        id_type: str,
        identifier: str,
        sender: str | None = None,
        *,
        family: ErrorFamily = ErrorFamily.V2,
    ) -> int:
        """Like :meth:`resolve`, but an unknown person raises the 404 of ``family``.

        V2: ``NOT_FOUND``; V3: ``404100``; LISTS: ``300101``; PUSH: ``48013`` (400); EVENTS_BATCH:
        ``400505``; SEGMENTS: ``E404``; EVENT_DEFINITIONS: a bodiless 404.
        """
        pid = self.resolve(id_type, identifier, sender)
        if pid is None:
            raise not_found(family)
        return pid

    def exists(self, person_id: int) -> bool:
        """Whether a person with this id is stored."""
        return person_id in self._persons

    def ids(self) -> list[int]:
        """Every person id, in creation order."""
        return list(self._persons)

    def count(self) -> int:
        """How many persons are stored."""
        return len(self._persons)

    def get(self, person_id: int) -> dict[str, Any] | None:
        """The person as a fresh v2 wire dict (``IamPersonV2``), or ``None``."""
        person = self._persons.get(person_id)
        return None if person is None else self._render_v2(person)

    def get_v3(self, person_id: int) -> dict[str, Any] | None:
        """The person as a fresh v3 wire dict (``PersonV3``: contactInformation is an array of
        ``{type, identifier, sender?, primary?}``), or ``None``."""
        person = self._persons.get(person_id)
        return None if person is None else self._render_v3(person)

    def snapshot(self) -> list[dict[str, Any]]:
        """Every person as a v2 wire dict, in creation order (``fake.people()``)."""
        return [self._render_v2(p) for p in self._persons.values()]

    def matching(self, filter_json: str | Mapping[str, Any] | None) -> list[int]:
        """Ids of the persons matching a §1 filter (text or decoded), in creation order.

        The filter is compiled once. A malformed filter raises
        :class:`~infobip_profiles.testing.engine.query.QueryError` (a ``ValueError``; its
        ``reason`` and ``path`` say what is wrong) for the caller to answer in its own envelope.
        """
        decoded = decode_filter(filter_json)
        predicate = self.compile(decoded)
        source = self._candidates(decoded)
        if source is None:
            source = self._persons.values()
        return [p.id for p in source if predicate(self._filter_getter(p))]

    def compile(self, filter_json: str | Mapping[str, Any] | None) -> Any:
        """Compile a filter to ``predicate(getter) -> bool``; raises ``QueryError`` when bad."""
        if filter_json is None or filter_json == "":
            filter_json = {}
        attributes = self._state.attributes
        schemas = {d["name"]: d["objectSchema"] for d in attributes.all() if d.get("objectSchema")}
        types = attributes.attribute_types()
        computed_types = getattr(self._state.events, "computed_types", None)
        if callable(computed_types):
            types = {**computed_types(), **types}
        return compile_filter(
            filter_json,
            now=self._state.clock.now(),
            attribute_types=types,
            object_schemas=schemas,
        )

    def page(
        self,
        *,
        filter_json: str | None = None,
        order_by: str | None = None,
        page: int = 1,
        limit: int = 20,
        with_total: bool = True,
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of persons (v2 wire dicts) matching ``filter_json`` and the total matched.

        ``order_by`` is ``field:asc|desc`` over :data:`ORDER_FIELDS`; ties and the default
        order are by id. Persons lacking the sort field come last in either direction.

        A tag condition or an equality on an indexed standard field (alone or inside a top-level
        ``#and``) narrows the persons examined to those its index lists. In the default order and
        with ``with_total=False`` matching stops once the page is full; the total returned is
        then only how many were matched so far.
        """
        try:
            decoded = decode_filter(filter_json)
            predicate = self.compile(decoded)
        except QueryError as exc:
            raise v2_error(400, MSG.FILTER_INVALID.format(reason=exc)) from None
        source = self._candidates(decoded)
        if source is None:
            source = self._persons.values()
        start = (page - 1) * limit
        if not order_by and not with_total:
            wanted = start + limit
            found: list[_Person] = []
            for p in source:
                if predicate(self._filter_getter(p)):
                    found.append(p)
                    if len(found) >= wanted:
                        break
            return [self._render_v2(p) for p in found[start:wanted]], len(found)
        matched = [p for p in source if predicate(self._filter_getter(p))]
        if order_by:
            field, _, direction = order_by.partition(":")
            attr = {"createdAt": "created_at", "modifiedAt": "modified_at"}.get(field, field)
            present = [p for p in matched if getattr(p, attr) is not None]
            absent = [p for p in matched if getattr(p, attr) is None]
            present.sort(key=lambda p: p.id)
            present.sort(key=lambda p: getattr(p, attr), reverse=direction.lower() == "desc")
            matched = present + absent
        return [self._render_v2(p) for p in matched[start : start + limit]], len(matched)

    # == writes (v2) ===============================================================================

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        """v2 create: validate ``body`` (IamPersonV2), store it and return the stored wire person.

        Read-only fields are ignored; ``type`` defaults to CUSTOMER; unknown tags are created.
        Raises 400 (validationErrors) or 409 (``Destination(email) x already exists.``).
        """
        try:
            doc = self._combine(None, self._parse_v2(body), "create")
            person = self._store(None, doc)
        except _Invalid as exc:
            raise exc.v2() from None
        return self._render_v2(person)

    def replace(self, person_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """v2 PUT: omitted attributes become empty, tags/emails/phones are replaced."""
        return self._update_v2(person_id, body, "put")

    def update(self, person_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """v2 PATCH: omitted attributes kept, explicit null clears, tags/emails/phones appended
        (duplicates dropped, at most 100 each), custom attributes merged key by key."""
        return self._update_v2(person_id, body, "patch")

    def _update_v2(self, person_id: int, body: dict[str, Any], mode: str) -> dict[str, Any]:
        person = self._persons[person_id]
        try:
            doc = self._combine(person, self._parse_v2(body), mode)
            self._store(person, doc)
        except _Invalid as exc:
            raise exc.v2() from None
        return self._render_v2(person)

    def contacts(self, person_id: int, body: Any, mode: str) -> dict[str, Any]:
        """The contactInformation calls: ``mode`` ``put`` replaces emails/phones, ``patch`` adds,
        ``delete`` removes the listed ones (absent ones are ignored). Returns the v2 person."""
        person = self._persons[person_id]
        try:
            if not isinstance(body, dict) or not isinstance(body.get("contactInformation"), dict):
                raise _Invalid({"contactInformation": [MSG.FIELD_REQUIRED]})
            given = self._parse_contacts_v2(body["contactInformation"], "contactInformation")
            errors = self._validate_given(given, partial=True)
            if errors:
                raise _Invalid(errors)
            doc = person.doc()
            if mode == "delete":
                for key in (_EMAILS, _PHONES):
                    drop = {_contact_key(key, v) for v in given.get(key) or ()}
                    kept = tuple(v for v in doc.get(key, ()) if _contact_key(key, v) not in drop)
                    doc[key] = kept
            else:
                for key in (_EMAILS, _PHONES):
                    if key not in given:
                        if mode == "put":
                            doc[key] = ()
                        continue
                    base = () if mode == "put" else doc.get(key, ())
                    doc[key] = _union(key, base, given[key] or ())
            self._check_doc(doc, person)
            self._store(person, doc)
        except _Invalid as exc:
            raise exc.v2() from None
        return self._render_v2(person)

    def delete(self, person_id: int) -> None:
        """Delete a person and its index entries; tells the other engines
        (``state.person_deleted``)."""
        self._keep(self._persons[person_id])
        person = self._persons.pop(person_id)
        self._unindex(person)
        self._unvalue(person)
        self._state.person_deleted(person_id)

    # == v2 batches ================================================================================

    def batch_create(self, people: list[Any]) -> list[dict[str, Any]]:
        """Create each item in order; return only the failures ``{index, status, errors}``."""
        failures = []
        for index, body in enumerate(people):
            try:
                if not isinstance(body, dict):
                    raise _Invalid({f"people[{index}]": [MSG.FIELD_OBJECT]})
                self._store(None, self._combine(None, self._parse_v2(body), "create"))
            except _Invalid as exc:
                failures.append({"index": index, "status": exc.status, "errors": _item_errors(exc)})
        return failures

    def batch_update(self, people: list[Any]) -> list[dict[str, Any]]:
        """PATCH each ``{query, update}`` in order; return the failures
        ``{query, status, errors, isModified: false}``."""
        failures = []
        for item in people:
            query = item.get("query") if isinstance(item, dict) else None
            try:
                pid = self._query_person(query)
                update = item.get("update")
                if not isinstance(update, dict):
                    raise _Invalid({"update": [MSG.FIELD_OBJECT]})
                person = self._persons[pid]
                self._store(person, self._combine(person, self._parse_v2(update), "patch"))
            except _Invalid as exc:
                failures.append(
                    {
                        "query": query,
                        "status": exc.status,
                        "errors": _item_errors(exc),
                        "isModified": False,
                    }
                )
        return failures

    def batch_delete(self, people: list[Any]) -> list[dict[str, Any]]:
        """Delete each ``{query}`` in order; return the failures ``{query, status, errors}``."""
        failures = []
        for item in people:
            query = item.get("query") if isinstance(item, dict) else None
            try:
                pid = self._query_person(query)
            except _Invalid as exc:
                failures.append({"query": query, "status": exc.status, "errors": _item_errors(exc)})
                continue
            self.delete(pid)
        return failures

    def _query_person(self, query: Any) -> int:
        if not isinstance(query, dict):
            raise _Invalid(text=MSG.PERSON_NO_MATCH, status=409)
        kind, identifier, sender = query.get("type"), query.get("identifier"), query.get("sender")
        if not isinstance(kind, str) or not isinstance(identifier, str):
            raise _Invalid(text=MSG.PERSON_NO_MATCH, status=409)
        pid = self.resolve(kind, identifier, sender if isinstance(sender, str) else None)
        if pid is None:
            raise _Invalid(text=MSG.PERSON_NO_MATCH, status=409)
        return pid

    def match(self, identities: list[Any]) -> list[dict[str, Any]]:
        """``{type, identifier, sender?, personId}`` for each identity that resolves, duplicates
        collapsed, unmatched omitted."""
        seen: set[tuple[str, str, str | None]] = set()
        out = []
        for identity in identities:
            if not isinstance(identity, dict):
                continue
            kind, ident, sender = (
                identity.get("type"),
                identity.get("identifier"),
                identity.get("sender"),
            )
            if not isinstance(kind, str) or not isinstance(ident, str):
                continue
            key = (kind, ident.lower() if kind == "EMAIL" else ident, sender)
            if key in seen:
                continue
            seen.add(key)
            pid = self.resolve(kind, ident, sender)
            if pid is None:
                continue
            entry: dict[str, Any] = {"type": kind, "identifier": ident}
            if sender is not None:
                entry["sender"] = sender
            entry["personId"] = pid
            out.append(entry)
        return out

    # == v3 upsert and merge =======================================================================

    def upsert(self, persons: list[Any], *, full: bool) -> dict[str, Any]:
        """v3 upsert (``full``: PUT clears omitted fields on a match; else PATCH keeps them).

        Items apply in order; returns ``{"errors": [...], "results": [{id, index, status}]}`` with
        status ``CREATED``, ``UPDATED`` or ``NOT_MODIFIED`` (``modifiedAt`` then unchanged).
        """
        errors: list[dict[str, Any]] = []
        results: list[dict[str, Any]] = []
        for index, item in enumerate(persons):
            if type(item) is dict:
                created = self._v3_create(item)
                if created is not None:
                    results.append({"id": created, "index": index, "status": "CREATED"})
                    continue
            try:
                given = self._parse_v3(item, index, merge=False)
                matched = self._v3_matches(given)
                if len(matched) > 1:
                    raise _Invalid(text=MSG.V3_AMBIGUOUS, status=409)
                # No uniqueness check is left for _store to make (``force``): every identifier
                # the item names belongs to the one matched person or to nobody (else it would
                # have matched another), and the matched person's own are its own.
                if matched:
                    person = self._persons[matched.pop()]
                    doc = self._combine(person, given, "put" if full else "patch", v3=True)
                    before = person.rev
                    self._store(person, doc, force=True)
                    status = "UPDATED" if person.rev != before else "NOT_MODIFIED"
                else:
                    doc = self._combine(None, given, "create", v3=True)
                    person = self._store(None, doc, force=True)
                    status = "CREATED"
                results.append({"id": person.id, "index": index, "status": status})
            except _Invalid as exc:
                errors.append(_v3_item_error(exc, index))
        return {"errors": errors, "results": results}

    def _v3_create(self, item: dict[str, Any]) -> int | None:
        """An upsert item that creates a person, done in one pass: the new person's id, or ``None``.

        The common case of a bulk import: nothing the item names is stored yet and every field
        is valid. It does what the general path (parse, match, combine, store) does for such an
        item, without building the intermediate docs. Anything else (a match, a broken rule, a
        value of an unusual type, a contact that is not a valid email or phone) returns ``None``
        having changed nothing, and the general path answers it, errors included.
        ``tests/fake/test_persons_upsert_create_path.py`` pins the two equal.
        """
        ext = item.get("externalId")
        if ext is not None and (type(ext) is not str or ext in self._by_external):
            return None
        emails: tuple[str, ...] = ()
        phones: tuple[str, ...] = ()
        email_keys: list[str] = []
        phone_keys: list[str] = []
        contacts = item.get("contactInformation")
        if contacts is not None:
            if type(contacts) is not list:
                return None
            found_emails: list[str] = []
            found_phones: list[str] = []
            by_email, by_phone = self._by_email, self._by_phone
            for contact in contacts:
                if type(contact) is not dict:
                    return None
                kind, ident = contact.get("type"), contact.get("identifier")
                if type(ident) is not str or not 0 < len(ident) <= _MAX_CONTACT_ID:
                    return None
                if kind == "EMAIL" and _EMAIL.match(ident):
                    key = _email_key(ident)
                    if key in by_email:
                        return None
                    found_emails.append(ident)
                    email_keys.append(key)
                elif kind == "PHONE" and _PHONE.match(ident):
                    key = _phone_key(ident)
                    if key in by_phone:
                        return None
                    found_phones.append(ident)
                    phone_keys.append(key)
                else:
                    return None
            emails = _union(_EMAILS, (), tuple(found_emails))
            phones = _union(_PHONES, (), tuple(found_phones))
            if len(emails) > MAX_CONTACTS or len(phones) > MAX_CONTACTS:
                return None
        person_type = "CUSTOMER"
        tags: Any = None
        custom: Any = None
        scalars: dict[str, str] = {}
        rules = _SCALAR_RULES
        for name, value in item.items():
            rule = rules.get(name)
            if rule is not None:
                if value is None:
                    continue
                if type(value) is not str:
                    return None
                limit, check = rule
                if len(value) > limit or (check is not None and check(value)):
                    return None
                if value:
                    scalars[name] = value
            elif name == _TYPE:
                if value is not None:
                    if value not in _TYPES:
                        return None
                    person_type = value
            elif name == _TAGS:
                tags = value
            elif name == _CUSTOM:
                custom = value
        if not (ext or emails or phones):
            return None  # no identity: the general path answers the error
        tag_names: tuple[str, ...] = ()
        if tags is not None:
            registry = self._state.tags
            if (
                type(tags) is not list
                or not all(type(t) is str and t for t in tags)
                or registry.validate_names(tags)
            ):
                return None
            tag_names = _union(_TAGS, (), tuple(registry.canonical(tags)))
        values: dict[str, Any] = {}
        if custom is not None:
            attributes = self._state.attributes
            if attributes.validate_values(custom, partial=False) or self.read_only_errors(custom):
                return None
            for name, value in custom.items():
                canonical = attributes.canonical_name(name) or name
                if value is None:
                    values.pop(canonical, None)
                else:
                    values[canonical] = value
        # Everything checked: from here on, the person is written.
        if tag_names:
            self._state.tags.ensure(tag_names)
        pid = self._state.next_id("persons")
        person = _Person(pid, self._stamp(), self._next_rev())
        self._persons[pid] = person
        if self._journal is not None:
            self._journal.created.append(pid)
        for name, value in scalars.items():
            setattr(person, name, value)
        person.type = person_type
        person.tags = tuple(sys.intern(t) for t in tag_names) if tag_names else None
        person.custom = values or None
        for field, key in self._value_keys(person):
            self._value_add(field, key, pid)
        # The indexes, as _index writes them (the keys were computed for the lookups above; a
        # contact repeated in the item indexes the same key twice, to the same person).
        if ext:
            self._by_external[ext] = pid
        if emails:
            person.emails = emails
            for key in email_keys:
                self._by_email[key] = pid
        if phones:
            person.phones = phones
            for key in phone_keys:
                self._by_phone[key] = pid
        return pid

    def merge_v3(self, persons: list[Any]) -> dict[str, Any]:
        """v3 merge: each item gathers every profile its identifiers match, merges them (§1
        rules), then applies the item's data on top (new externalId replaces, contacts are
        added); no match creates a profile. Returns ``{"errors", "results": [{id, index}]}``."""
        errors: list[dict[str, Any]] = []
        results: list[dict[str, Any]] = []
        for index, item in enumerate(persons):
            try:
                given = self._parse_v3(item, index, merge=True)
                matched = self._v3_matches(given)
                given.pop(_PUSH_IDS, None)
                if not matched:
                    person = self._store(None, self._combine(None, given, "create", v3=True))
                else:
                    ordered = sorted(matched, key=lambda i: self._persons[i].id)
                    # Validate the item against the merged view before changing anything.
                    merged_doc = self._merged_doc([self._persons[i] for i in ordered])
                    primary = self._primary([self._persons[i] for i in ordered])
                    probe = self._combine(None, given, "create", v3=True, base=merged_doc)
                    self._check(probe, primary.id, allowed=set(ordered))
                    pid = self.merge(ordered[0], ordered[1:]) if len(ordered) > 1 else ordered[0]
                    person = self._persons[pid]
                    self._store(person, self._combine(person, given, "patch", v3=True))
                results.append({"id": person.id, "index": index})
            except _Invalid as exc:
                errors.append(_v3_item_error(exc, index))
        return {"errors": errors, "results": results}

    def _v3_matches(self, given: Doc) -> set[int]:
        found: set[int] = set()
        ext = given.get("externalId")
        if isinstance(ext, str):
            pid = self._by_external.get(ext)
            if pid is not None:
                found.add(pid)
        for email in given.get(_EMAILS) or ():
            pid = self._by_email.get(email.lower())
            if pid is not None:
                found.add(pid)
        for phone in given.get(_PHONES) or ():
            pid = self._by_phone.get(_phone_key(phone))
            if pid is not None:
                found.add(pid)
        for kind, sender, ident in given.get(_CHANNELS) or ():
            pid = self.resolve(kind, ident, sender)
            if pid is not None:
                found.add(pid)
        for reg_id in given.get(_PUSH_IDS) or ():
            pid = self._by_push.get(reg_id)
            if pid is not None:
                found.add(pid)
        return found

    def merge(self, primary_id: int, secondary_ids: Iterable[int]) -> int:
        """Merge persons into one (§1 rules) and return the surviving id.

        The primary is the earliest created of all given persons (ties: lowest id) whatever
        ``primary_id`` says; it keeps its id and creation metadata. Empty attributes are filled;
        a single-value conflict goes to a CUSTOMER over a LEAD, otherwise to the most recently
        modified profile. Emails, phones, tags, push registrations and channel contacts are
        unioned; custom attributes merge key by key with the same precedence. The others are
        deleted and their identifiers resolve to the primary afterwards. Calls
        ``state.persons_merged(primary, secondaries)``.
        """
        group = [self._persons[primary_id]]
        group += [self._persons[i] for i in secondary_ids if i != primary_id]
        if len(group) == 1:
            return primary_id
        primary = self._primary(group)
        doc = self._merged_doc(group)
        push: list[dict[str, Any]] = []
        for person in sorted(group, key=lambda p: p is not primary):
            push.extend(person.push or ())
        secondaries = [p for p in group if p is not primary]
        for person in group:
            self._keep(person)
        for person in secondaries:
            del self._persons[person.id]
            self._unindex(person)
            self._unvalue(person)
        primary.push = None
        self._unindex_push(primary)
        self._store(primary, doc, force=True)
        for reg in push:
            primary.push = [*(primary.push or ()), reg]
            self._by_push[reg["registrationId"]] = primary.id
        self._state.persons_merged(primary.id, [p.id for p in secondaries])
        return primary.id

    @staticmethod
    def _primary(group: list[_Person]) -> _Person:
        return min(group, key=lambda p: (p.created_at, p.id))

    def _merged_doc(self, group: list[_Person]) -> Doc:
        primary = self._primary(group)
        # Precedence for single values: CUSTOMER over LEAD, then the most recently modified.
        ranked = sorted(group, key=lambda p: (p.type == "CUSTOMER", p.rev), reverse=True)
        doc: Doc = {_TYPE: "CUSTOMER" if any(p.type == "CUSTOMER" for p in group) else "LEAD"}
        for name in SCALAR_FIELDS:
            for person in ranked:
                value = getattr(person, name)
                if value is not None:
                    doc[name] = value
                    break
        custom: dict[str, Any] = {}
        for person in reversed(ranked):
            custom.update(person.custom or {})
        if custom:
            doc[_CUSTOM] = custom
        order = [primary, *(p for p in group if p is not primary)]
        for key, attr in ((_EMAILS, "emails"), (_PHONES, "phones"), (_TAGS, "tags")):
            values: tuple[str, ...] = ()
            for person in order:
                values = _union(key, values, getattr(person, attr) or ())
            if values:
                doc[key] = values
        channels: tuple[tuple[str, str, str], ...] = ()
        for person in order:
            channels += tuple(c for c in person.channels or () if c not in channels)
        if channels:
            doc[_CHANNELS] = channels
        return doc

    # == helpers for the other engines =============================================================

    def custom_attribute(self, person_id: int, name: str) -> Any:
        """The person's value of custom attribute ``name`` (defined spelling or any case), or
        ``None``."""
        person = self._persons[person_id]
        if not person.custom:
            return None
        canonical = self._state.attributes.canonical_name(name) or name
        return person.custom.get(canonical)

    def set_custom_attribute(self, person_id: int, name: str, value: Any) -> None:
        """Store ``value`` (``None`` removes it) under the attribute's defined spelling and bump
        ``modifiedAt``. No validation: the caller (lists engine) has validated."""
        person = self._persons[person_id]
        canonical = self._state.attributes.canonical_name(name) or name
        custom = dict(person.custom or {})
        if value is None:
            custom.pop(canonical, None)
        else:
            custom[canonical] = value
        self._keep(person)
        person.custom = custom or None
        self._touch(person)

    def drop_custom_attribute(self, name: str) -> None:
        """A definition was deleted: remove its values (``name`` any case) from every person."""
        folded = name.lower()
        for person in self._persons.values():
            if person.custom:
                keys = [k for k in person.custom if k.lower() == folded]
                if keys:
                    self._keep(person)
                for key in keys:
                    del person.custom[key]
                if not person.custom:
                    person.custom = None

    def strip_tag(self, name: str) -> None:
        """A tag was deleted: remove it (ignoring case) from every person."""
        folded = name.lower()
        for person in self._persons.values():
            if person.tags and any(t.lower() == folded for t in person.tags):
                self._keep(person)
                before = self._value_keys(person)
                person.tags = tuple(t for t in person.tags if t.lower() != folded) or None
                self._revalue(person, before)

    def add_tag(self, person_id: int, tag: str) -> bool:
        """Add tag ``tag`` (already defined; its spelling) to a person; ``False`` if it had it."""
        person = self._persons[person_id]
        if person.tags and any(t.lower() == tag.lower() for t in person.tags):
            return False
        self._keep(person)
        before = self._value_keys(person)
        person.tags = (*(person.tags or ()), sys.intern(tag))
        self._revalue(person, before)
        self._touch(person)
        return True

    def remove_tag(self, person_id: int, tag: str) -> bool:
        """Remove tag ``tag`` (ignoring case) from a person; ``False`` if it did not have it."""
        person = self._persons[person_id]
        if not person.tags or not any(t.lower() == tag.lower() for t in person.tags):
            return False
        self._keep(person)
        before = self._value_keys(person)
        person.tags = tuple(t for t in person.tags if t.lower() != tag.lower()) or None
        self._revalue(person, before)
        self._touch(person)
        return True

    def create_profile(
        self,
        *,
        person_type: str = "CUSTOMER",
        identity: dict[str, Any] | None = None,
        origin: str | None = None,
    ) -> int:
        """A minimal profile: an empty LEAD for push, or a person with one identity
        ``{"type", "identifier", "sender"?}`` (EMAIL, PHONE, EXTERNAL_ID, or a channel type with
        its ``sender``) for events and inbound messages. ``origin`` names the product that made
        it (``None``: the API). Returns the id; if the identity already belongs to someone, that
        person's id (nothing is created)."""
        doc: Doc = {_TYPE: person_type}
        if identity is not None:
            kind, ident = identity.get("type"), identity.get("identifier")
            sender = identity.get("sender")
            existing = self.resolve(str(kind), str(ident), sender)
            if existing is not None:
                return existing
            if kind == "EMAIL":
                doc[_EMAILS] = (ident,)
            elif kind == "PHONE":
                doc[_PHONES] = (ident,)
            elif kind == "EXTERNAL_ID":
                doc["externalId"] = ident
            elif kind in CHANNEL_TYPES and kind != "PUSH" and sender and ident:
                doc[_CHANNELS] = ((str(kind), str(sender), str(ident)),)
            else:
                raise ValueError(f"cannot create a profile from a {kind} identity")
        person = self._store(None, doc, force=True)
        person.origin = person.modified_from = origin
        return person.id

    def create_with_contacts(
        self,
        body: dict[str, Any],
        *,
        channels: Iterable[tuple[str, str, str]] = (),
        push: Iterable[dict[str, Any]] = (),
        origin: str | None = None,
    ) -> dict[str, Any]:
        """Create like :meth:`create`, with the contacts the API cannot write: channel contacts
        ``(type, sender, identifier)`` and push registrations (``IamPushContactV2`` dicts). For
        seeds and simulated products; each contact is unique like an email (409 otherwise), and
        a channel contact or registration alone identifies the person."""
        channels = tuple(channels)
        regs = [dict(r) for r in push]
        try:
            given = self._parse_v2(body)
            if channels:
                given[_CHANNELS] = channels
            seen: set[str] = set()
            for reg in regs:
                reg_id = reg["registrationId"]
                if reg_id in self._by_push or reg_id in seen:
                    raise _conflict("push", reg_id)
                seen.add(reg_id)
            doc = self._combine(None, given, "create", require_identity=not regs)
            person = self._store(None, doc)
        except _Invalid as exc:
            raise exc.v2() from None
        person.origin = person.modified_from = origin
        for reg in regs:
            entry = {k: reg[k] for k in _PUSH_KEYS if k in reg}
            person.push = [*(person.push or ()), entry]
            self._by_push[reg["registrationId"]] = person.id
        return self._render_v2(person)

    @staticmethod
    def contact_problems(kind: str, value: str) -> str | None:
        """Why ``value`` is not a valid ``EMAIL`` or ``PHONE`` contact, or ``None``."""
        if kind == "EMAIL":
            if len(value) > _MAX_EMAIL:
                return MSG.FIELD_SIZE.format(max=_MAX_EMAIL)
            return None if _EMAIL.match(value) else MSG.FIELD_EMAIL
        if kind == "PHONE":
            if len(value) > _MAX_PHONE:
                return MSG.FIELD_SIZE.format(max=_MAX_PHONE)
            return None if _PHONE.match(value) else MSG.FIELD_PHONE
        return None

    def update_from(
        self, person_id: int, body: dict[str, Any], source: str
    ) -> tuple[dict[str, Any], bool]:
        """PATCH a person on behalf of another product (``source`` becomes its
        ``modifiedFrom`` when something changed). Returns the v2 person and whether it changed;
        raises like :meth:`update`."""
        person = self._persons[person_id]
        before = person.rev
        self._update_v2(person_id, body, "patch")
        changed = person.rev != before
        if changed:
            person.modified_from = source
        return self._render_v2(person), changed

    def take_over(self, survivor_id: int, other_id: int) -> None:
        """Fold person ``other_id`` into ``survivor_id`` and delete it; the survivor keeps its id,
        creation metadata and every value it has. What only the other had fills the gaps:
        single-valued fields and custom attributes it lacks; emails, phones, tags, channel
        contacts and push registrations are unioned; other engines move what they hold
        (``persons_merged``). Raises 400 (v2) and changes nothing past 100 emails or phones."""
        survivor = self._persons[survivor_id]
        other = self._persons[other_id]
        doc = survivor.doc()
        for name in SCALAR_FIELDS:
            value = getattr(other, name)
            if value is not None and doc.get(name) is None:
                doc[name] = value
        if other.custom:
            doc[_CUSTOM] = {**other.custom, **(doc.get(_CUSTOM) or {})}
        for key, attr in ((_EMAILS, "emails"), (_PHONES, "phones"), (_TAGS, "tags")):
            values = _union(key, doc.get(key, ()), getattr(other, attr) or ())
            if values:
                doc[key] = values
        channels = tuple(doc.get(_CHANNELS, ()))
        channels += tuple(c for c in other.channels or () if c not in channels)
        if channels:
            doc[_CHANNELS] = channels
        try:
            self._check_doc(doc, survivor, require_identity=False)
        except _Invalid as exc:
            raise exc.v2() from None
        moved = list(other.push or ())
        self._keep(survivor)
        self._keep(other)
        del self._persons[other_id]
        self._unindex(other)
        self._unvalue(other)
        self._store(survivor, doc, force=True)
        for reg in moved:
            survivor.push = [*(survivor.push or ()), reg]
            self._by_push[reg["registrationId"]] = survivor_id
        self._state.persons_merged(survivor_id, [other_id])
        self._state.person_deleted(other_id)

    def add_push(self, person_id: int, registration: dict[str, Any]) -> None:
        """Attach a push registration (``IamPushContactV2`` shape: registrationId,
        applicationId, isPrimary, additionalData, systemData) to a person. A registration id is
        unique: if another person holds it, it moves here; the same id on this person is
        replaced in place. Bumps ``modifiedAt``."""
        reg_id = registration["registrationId"]
        owner = self._by_push.get(reg_id)
        if owner is not None and owner != person_id:
            self.remove_push(owner, reg_id)
        person = self._persons[person_id]
        entry = {k: registration[k] for k in _PUSH_KEYS if k in registration}
        items = [r for r in person.push or () if r["registrationId"] != reg_id]
        existing = [i for i, r in enumerate(person.push or ()) if r["registrationId"] == reg_id]
        if existing:
            items.insert(existing[0], entry)
        else:
            items.append(entry)
        self._keep(person)
        person.push = items
        self._by_push[reg_id] = person_id
        self._touch(person)

    def remove_push(self, person_id: int, registration_id: str) -> None:
        """Detach a push registration from a person (no-op when it is not there)."""
        person = self._persons[person_id]
        if not person.push or not any(r["registrationId"] == registration_id for r in person.push):
            return
        self._keep(person)
        person.push = [r for r in person.push if r["registrationId"] != registration_id] or None
        if self._by_push.get(registration_id) == person_id:
            del self._by_push[registration_id]
        self._touch(person)

    def push(self, person_id: int) -> list[dict[str, Any]]:
        """Copies of the person's push registrations (wire shape), in the order added."""
        person = self._persons[person_id]
        return [_deep_copy(r) for r in person.push or ()]

    def apply_identity(self, person_id: int, fields: dict[str, Any], *, promote: bool) -> None:
        """PATCH-like write for push personalize: ``fields`` is a v2 person body fragment
        (externalId, firstName, ..., customAttributes, tags, contactInformation) merged into the
        person; ``promote`` turns a LEAD into a CUSTOMER. Raises v2 400/409 like PATCH."""
        person = self._persons[person_id]
        try:
            doc = self._combine(person, self._parse_v2(fields), "patch", require_identity=False)
            if promote:
                doc[_TYPE] = "CUSTOMER"
            self._store(person, doc)
        except _Invalid as exc:
            raise exc.v2() from None

    def savepoint(self) -> tuple[Any, ...]:
        """A mark to undo creations to with :meth:`rollback_created` (what ``fake.seed`` uses
        instead of copying the tenant)."""
        return (
            len(self._persons),
            self._rev,
            self._last_stamp,
            self._stamp_from,
            self._stamp_until,
        )

    def rollback_created(self, point: tuple[Any, ...]) -> None:
        """Remove the persons created since ``point`` (newest first) with their index entries
        and restore the revision counter. Only for writes that created persons and changed no
        stored one, as seeding does; costs what was created, not what is stored."""
        count, self._rev, self._last_stamp, self._stamp_from, self._stamp_until = point
        created = list(itertools.islice(reversed(self._persons), len(self._persons) - count))
        for pid in created:
            person = self._persons.pop(pid)
            self._unindex(person)
            self._unvalue(person)

    @contextlib.contextmanager
    def undoable(self) -> Iterator[None]:
        """Undo what the block wrote to persons if it raises: each person it changed or deleted
        is put back as it was, those it created are removed, indexes and counters follow. Costs
        what the block touched (the first change of a person keeps a copy of its fields), not
        what is stored (a deleted person put back re-sorts them). Other engines and the id
        counters are the caller's to restore; blocks do not nest."""
        if self._journal is not None:
            raise RuntimeError("persons.undoable() blocks do not nest")
        journal = _Journal(self.savepoint())
        self._journal = journal
        try:
            yield
        except BaseException:
            self._journal = None
            self._undo(journal)
            raise
        finally:
            self._journal = None

    def _keep(self, person: _Person) -> None:
        """Before ``person`` changes or goes: remember it as it is (once per undoable block)."""
        journal = self._journal
        if journal is None or person.id in journal.kept or person.id in journal.created:
            return
        fields = {name: getattr(person, name) for name in _Person.__slots__}
        if fields["custom"] is not None:
            fields["custom"] = dict(fields["custom"])
        if fields["push"] is not None:
            fields["push"] = list(fields["push"])
        journal.kept[person.id] = (person, fields)

    def _undo(self, journal: _Journal) -> None:
        for pid in reversed(journal.created):
            person = self._persons.pop(pid, None)
            if person is not None:
                self._unindex(person)
                self._unvalue(person)
        # Index entries are removed only by their owner, so the order of the persons is free.
        reinserted = False
        for pid, (person, fields) in journal.kept.items():
            if self._persons.get(pid) is person:
                self._unindex(person)
                self._unvalue(person)
            else:
                self._persons[pid] = person
                reinserted = True
            for name, value in fields.items():
                setattr(person, name, value)
        for person, _fields in journal.kept.values():
            self._index(person)
            for reg in person.push or ():
                self._by_push[reg["registrationId"]] = person.id
            for field, key in self._value_keys(person):
                self._value_add(field, key, person.id)
        if reinserted:  # a deleted person is back: creation (id) order again
            self._persons = dict(sorted(self._persons.items()))
        _count, self._rev, self._last_stamp, self._stamp_from, self._stamp_until = journal.point

    def check_indexes(self) -> None:
        """Assert every index agrees with a full scan (for tests); raises ``AssertionError``."""
        external: dict[str, int] = {}
        emails: dict[str, int] = {}
        phones: dict[str, int] = {}
        push: dict[str, int] = {}
        channels: dict[tuple[str, str, str], int] = {}
        tables: dict[str, dict[Any, int]] = {
            "e": external,
            "m": emails,
            "p": phones,
            "u": push,
            "c": channels,
        }
        for pid, person in self._persons.items():
            assert person.id == pid, f"record {person.id} stored under {pid}"
            for key, value in _identity_keys(person):
                table = tables[key]
                assert value not in table, f"{value!r} held by {table[value]} and {pid}"
                table[value] = pid
        assert external == self._by_external, "externalId index disagrees with a scan"
        assert emails == self._by_email, "email index disagrees with a scan"
        assert phones == self._by_phone, "phone index disagrees with a scan"
        assert push == self._by_push, "push index disagrees with a scan"
        assert channels == self._by_channel, "channel index disagrees with a scan"
        ids = list(self._persons)
        assert ids == sorted(ids), "persons are not stored in ascending id order"
        values: dict[str, dict[str, list[int]]] = {f: {} for f in _VALUE_FIELDS}
        odd: dict[str, set[int]] = {}
        for pid, person in self._persons.items():
            for field, key in self._value_keys(person):
                values[field].setdefault(key, []).append(pid)
            for email in person.emails or ():
                if email.lower() != email.casefold():
                    odd.setdefault(email.casefold(), set()).add(pid)
        stored = {
            field: {k: [v] if isinstance(v, int) else list(v) for k, v in index.items()}
            for field, index in self._by_value.items()
        }
        assert stored == values, "a filter index disagrees with a scan"
        for index in self._by_value.values():
            for held in index.values():
                assert isinstance(held, int) or len(held) > 1, "a lone id kept in a list"
        assert odd == self._odd_emails, "the casefolded email index disagrees with a scan"

    # == parsing ===================================================================================

    def _parse_v2(self, body: Any) -> Doc:
        """The writable fields present in a v2 body; explicit ``null`` kept as ``None``."""
        if not isinstance(body, dict):
            raise _Invalid({"body": [MSG.FIELD_OBJECT]})
        given: Doc = {}
        for name in SCALAR_FIELDS:
            if name in body and name != "nickName":
                given[name] = body[name]
        if "type" in body:
            given[_TYPE] = body["type"]
        if "tags" in body:
            given[_TAGS] = body["tags"]
        if "customAttributes" in body:
            given[_CUSTOM] = body["customAttributes"]
        if "contactInformation" in body:
            contacts = body["contactInformation"]
            if contacts is None:
                given[_EMAILS] = given[_PHONES] = None
            elif isinstance(contacts, dict):
                given.update(self._parse_contacts_v2(contacts, "contactInformation"))
            else:
                raise _Invalid({"contactInformation": [MSG.FIELD_OBJECT]})
        return given

    @staticmethod
    def _parse_contacts_v2(contacts: dict[str, Any], where: str) -> Doc:
        given: Doc = {}
        errors: dict[str, list[str]] = {}
        for key, wire, field in ((_EMAILS, "email", "address"), (_PHONES, "phone", "number")):
            if wire not in contacts:
                continue
            items = contacts[wire]
            if items is None:
                given[key] = None
                continue
            if not isinstance(items, list):
                errors[f"{where}.{wire}"] = [MSG.FIELD_LIST]
                continue
            values = []
            for i, item in enumerate(items):
                value = item.get(field) if isinstance(item, dict) else None
                if not isinstance(value, str) or not value:
                    errors[f"{where}.{wire}[{i}].{field}"] = [MSG.FIELD_REQUIRED]
                    continue
                values.append(value)
            given[key] = tuple(values)
        if errors:
            raise _Invalid(errors)
        return given

    def _parse_v3(self, item: Any, index: int, *, merge: bool) -> Doc:
        """The fields of a v3 person; contacts become emails/phones/channels."""
        if not isinstance(item, dict):
            raise _Invalid({f"persons[{index}]": [MSG.FIELD_OBJECT]})
        # A copy, less what is not a scalar field: cheaper than picking the scalars one by one.
        given: Doc = dict(item)
        others = given.keys() - _SCALAR_SET
        for name in others:
            del given[name]
        if "type" in item:
            given[_TYPE] = item["type"]
        if "tags" in item:
            given[_TAGS] = item["tags"]
        if "customAttributes" in item:
            given[_CUSTOM] = item["customAttributes"]
        if "contactInformation" in item and item["contactInformation"] is not None:
            contacts = item["contactInformation"]
            errors: dict[str, list[str]] = {}
            if not isinstance(contacts, list):
                raise _Invalid({f"persons[{index}].contactInformation": [MSG.FIELD_LIST]})
            emails: list[str] = []
            phones: list[str] = []
            channels: list[tuple[str, str, str]] = []
            push_ids: list[str] = []
            allowed = ("EMAIL", "PHONE", *CHANNEL_TYPES) if merge else ("EMAIL", "PHONE")
            for j, contact in enumerate(contacts):
                if type(contact) is dict:
                    kind, ident = contact.get("type"), contact.get("identifier")
                    # The common case, a valid email or phone, needs no error location.
                    if type(ident) is str and 0 < len(ident) <= _MAX_CONTACT_ID:
                        if kind == "EMAIL" and _EMAIL.match(ident):
                            emails.append(ident)
                            continue
                        if kind == "PHONE" and _PHONE.match(ident):
                            phones.append(ident)
                            continue
                where = f"persons[{index}].contactInformation[{j}]"
                if not isinstance(contact, dict):
                    errors[where] = [MSG.FIELD_OBJECT]
                    continue
                kind, ident, sender = (
                    contact.get("type"),
                    contact.get("identifier"),
                    contact.get("sender"),
                )
                if kind not in allowed:
                    errors[f"{where}.type"] = [MSG.V3_CONTACT_TYPE.format(type=kind)]
                    continue
                if not isinstance(ident, str) or not ident:
                    errors[f"{where}.identifier"] = [MSG.FIELD_REQUIRED]
                    continue
                if len(ident) > _MAX_CONTACT_ID:
                    errors[f"{where}.identifier"] = [MSG.FIELD_SIZE.format(max=_MAX_CONTACT_ID)]
                    continue
                if kind == "EMAIL":
                    if not _EMAIL.match(ident):
                        errors[f"{where}.identifier"] = [MSG.FIELD_EMAIL]
                    emails.append(ident)
                elif kind == "PHONE":
                    if not _PHONE.match(ident):
                        errors[f"{where}.identifier"] = [MSG.FIELD_PHONE]
                    phones.append(ident)
                else:
                    if kind == "PUSH":
                        # A push registration is made by the mobile SDK, not here: it can only
                        # name a device whose person takes part in the merge.
                        if self._by_push.get(ident) is None:
                            errors[f"{where}.identifier"] = [MSG.PUSH_UNKNOWN.format(id=ident)]
                        else:
                            push_ids.append(ident)
                        continue
                    if not isinstance(sender, str) or not sender:
                        errors[f"{where}.sender"] = [MSG.SENDER_REQUIRED.format(type=kind)]
                        continue
                    channels.append((kind, sender, ident))
            if errors:
                raise _Invalid(errors)
            given[_EMAILS] = tuple(emails)
            given[_PHONES] = tuple(phones)
            if channels:
                given[_CHANNELS] = tuple(channels)
            if push_ids:
                given[_PUSH_IDS] = tuple(push_ids)
        return given

    # == combining and validating ==================================================================

    def _combine(
        self,
        person: _Person | None,
        given: Doc,
        mode: str,
        *,
        v3: bool = False,
        base: Doc | None = None,
        require_identity: bool = True,
    ) -> Doc:
        """The complete new doc of a write (``create``, ``put`` or ``patch``), validated.

        Raises :class:`_Invalid` (400) for a bad field; uniqueness is checked by :meth:`_store`.
        """
        errors = self._validate_given(given, partial=mode == "patch", contacts_checked=v3)
        if errors:
            raise _Invalid(errors)
        if mode == "create":
            doc: Doc = dict(base) if base is not None else {_TYPE: "CUSTOMER"}
            mode = "patch" if base is not None else "put"
        elif mode == "put":
            assert person is not None
            doc = {_TYPE: person.type}
            if person.channels:
                doc[_CHANNELS] = person.channels
        else:
            assert person is not None
            doc = person.doc()
        for key, value in given.items():
            if key in _LIST_KEYS:
                values = tuple(value or ())
                if key == _TAGS:
                    values = tuple(self._state.tags.canonical(values))
                if mode == "patch" and value is not None:
                    values = _union(key, doc.get(key, ()), values)
                else:
                    values = _union(key, (), values)
                if values:
                    doc[key] = values
                else:
                    doc.pop(key, None)
            elif key == _CUSTOM:
                merged = dict(doc.get(_CUSTOM) or {}) if mode == "patch" else {}
                for name, val in (value or {}).items():
                    canonical = self._state.attributes.canonical_name(name) or name
                    if val is None:
                        merged.pop(canonical, None)
                    else:
                        merged[canonical] = val
                if merged:
                    doc[_CUSTOM] = merged
                else:
                    doc.pop(_CUSTOM, None)
            elif key == _TYPE:
                if value is not None:
                    doc[_TYPE] = value
            elif value is None or value == "":
                doc.pop(key, None)
            else:
                doc[key] = value
        self._check_doc(doc, person, v3=v3, require_identity=require_identity)
        return doc

    def _check_doc(
        self, doc: Doc, person: _Person | None, *, v3: bool = False, require_identity: bool = True
    ) -> None:
        """400 when the complete new doc breaks the 100-contacts cap or has no identifier."""
        limits: dict[str, list[str]] = {}
        for key, wire in ((_EMAILS, "email"), (_PHONES, "phone")):
            if len(doc.get(key, ())) > MAX_CONTACTS:
                field = "contactInformation" if v3 else f"contactInformation.{wire}"
                limits[field] = [MSG.FIELD_MAX_ITEMS.format(max=MAX_CONTACTS)]
        if limits:
            raise _Invalid(limits)
        if require_identity and not (
            doc.get("externalId")
            or doc.get(_EMAILS)
            or doc.get(_PHONES)
            or doc.get(_CHANNELS)
            or (person is not None and person.push)
        ):
            raise _Invalid(text=MSG.PERSON_IDENTITY_REQUIRED)

    def _validate_given(
        self, given: Doc, *, partial: bool, contacts_checked: bool = False
    ) -> dict[str, list[str]]:
        # ``contacts_checked``: the emails and phones passed the same checks when the v3 item
        # was parsed (:meth:`_parse_v3` refuses the item otherwise), so they are not walked again.
        errors: dict[str, list[str]] = {}
        for name, value in given.items():
            rule = _SCALAR_RULES.get(name)
            if rule is None or value is None:
                continue
            if not isinstance(value, str):
                errors[name] = [MSG.FIELD_STRING]
                continue
            limit, check = rule
            if len(value) > limit:
                errors[name] = [MSG.FIELD_SIZE.format(max=limit)]
            elif check is not None:
                problem = check(value)
                if problem:
                    errors[name] = [problem]
        kind = given.get(_TYPE)
        if kind is not None and kind not in _TYPES:
            errors["type"] = [MSG.FIELD_ONE_OF.format(values=", ".join(_TYPES))]
        for i, email in enumerate(() if contacts_checked else given.get(_EMAILS) or ()):
            where = f"contactInformation.email[{i}].address"
            if len(email) > _MAX_EMAIL:
                errors[where] = [MSG.FIELD_SIZE.format(max=_MAX_EMAIL)]
            elif not _EMAIL.match(email):
                errors[where] = [MSG.FIELD_EMAIL]
        for i, phone in enumerate(() if contacts_checked else given.get(_PHONES) or ()):
            where = f"contactInformation.phone[{i}].number"
            if len(phone) > _MAX_PHONE:
                errors[where] = [MSG.FIELD_SIZE.format(max=_MAX_PHONE)]
            elif not _PHONE.match(phone):
                errors[where] = [MSG.FIELD_PHONE]
        tags = given.get(_TAGS)
        if tags is not None:
            if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
                errors["tags"] = [MSG.FIELD_LIST]
            else:
                problems = self._state.tags.validate_names(tags)
                if problems:
                    errors["tags"] = problems
        if given.get(_CUSTOM) is not None:
            errors.update(self._state.attributes.validate_values(given[_CUSTOM], partial=partial))
            errors.update(self.read_only_errors(given[_CUSTOM]))
        return errors

    def read_only_errors(
        self, custom: Any, field: str = "customAttributes"
    ) -> dict[str, list[str]]:
        """validationErrors for every computed attribute named in ``custom`` (a person's
        ``customAttributes`` object): they are read-only, whatever the value, ``null`` included."""
        if not isinstance(custom, dict) or not custom:
            return {}
        return {
            f"{field}.{name}": [COMPUTED_READ_ONLY.format(name=name)]
            for name in self._state.events.read_only_names(custom)
        }

    # == the one place that writes =================================================================

    def _store(self, person: _Person | None, doc: Doc, *, force: bool = False) -> _Person:
        """Check uniqueness, then write ``doc`` to ``person`` (``None``: a new person) and keep
        every index in step. ``modifiedAt`` moves only when something changed."""
        pid = person.id if person is not None else None
        if not force:
            self._check(doc, pid)
        before: frozenset[tuple[str, str]] | set[tuple[str, str]] = frozenset()
        if doc.get(_TAGS):
            self._state.tags.ensure(doc[_TAGS])
        if person is None:
            person = _Person(self._state.next_id("persons"), self._stamp(), self._next_rev())
            self._persons[person.id] = person
            if self._journal is not None:
                self._journal.created.append(person.id)
            # A new person's scalars are all None: only the doc's own fields need setting.
            for name, value in doc.items():
                if value and name in _SCALAR_SET:
                    setattr(person, name, value)
        elif person.doc() == doc:
            return person
        else:
            self._keep(person)
            before = self._value_keys(person)
            self._unindex(person, push=False)
            person.modified_at = self._stamp()
            person.rev = self._next_rev()
            person.modified_from = None  # written through the API
            for name in SCALAR_FIELDS:
                value = doc.get(name)
                setattr(person, name, value if value else None)
        person.type = doc.get(_TYPE) or "CUSTOMER"
        person.emails = tuple(doc[_EMAILS]) if doc.get(_EMAILS) else None
        person.phones = tuple(doc[_PHONES]) if doc.get(_PHONES) else None
        person.tags = tuple(sys.intern(t) for t in doc[_TAGS]) if doc.get(_TAGS) else None
        person.custom = dict(doc[_CUSTOM]) if doc.get(_CUSTOM) else None
        person.channels = tuple(doc[_CHANNELS]) if doc.get(_CHANNELS) else None
        self._index(person)
        self._revalue(person, before)
        return person

    def _check(self, doc: Doc, pid: int | None, *, allowed: set[int] | None = None) -> None:
        """409 if an identifier of ``doc`` belongs to a person other than ``pid``/``allowed``."""
        mine = allowed or set()
        if pid is not None:
            mine = mine | {pid}
        ext = doc.get("externalId")
        if ext:
            owner = self._by_external.get(ext)
            if owner is not None and owner not in mine:
                raise _conflict("externalId", ext)
        for email in doc.get(_EMAILS) or ():
            owner = self._by_email.get(email.lower())
            if owner is not None and owner not in mine:
                raise _conflict("email", email)
        for phone in doc.get(_PHONES) or ():
            owner = self._by_phone.get(_phone_key(phone))
            if owner is not None and owner not in mine:
                raise _conflict("phone", phone)
        for channel in doc.get(_CHANNELS) or ():
            owner = self._by_channel.get(channel)
            if owner is not None and owner not in mine:
                raise _conflict(channel[0].lower(), channel[2])

    def _index(self, person: _Person) -> None:
        pid = person.id
        if person.externalId is not None:
            self._by_external[person.externalId] = pid
        for email in person.emails or ():
            self._by_email[_email_key(email)] = pid
            if not email.isascii() and email.lower() != email.casefold():
                self._odd_emails.setdefault(email.casefold(), set()).add(pid)
        for phone in person.phones or ():
            self._by_phone[_phone_key(phone)] = pid
        for channel in person.channels or ():
            self._by_channel[channel] = pid

    def _unindex(self, person: _Person, *, push: bool = True) -> None:
        pid = person.id
        if person.externalId is not None and self._by_external.get(person.externalId) == pid:
            del self._by_external[person.externalId]
        for email in person.emails or ():
            if self._by_email.get(email.lower()) == pid:
                del self._by_email[email.lower()]
            odd = self._odd_emails.get(email.casefold())
            if odd is not None:
                odd.discard(pid)
                if not odd:
                    del self._odd_emails[email.casefold()]
        for phone in person.phones or ():
            if self._by_phone.get(_phone_key(phone)) == pid:
                del self._by_phone[_phone_key(phone)]
        for channel in person.channels or ():
            if self._by_channel.get(channel) == pid:
                del self._by_channel[channel]
        if push:
            self._unindex_push(person)

    def _unindex_push(self, person: _Person) -> None:
        for reg in person.push or ():
            if self._by_push.get(reg["registrationId"]) == person.id:
                del self._by_push[reg["registrationId"]]

    # == filter indexes ===========================================================================

    @staticmethod
    def _value_keys(person: _Person) -> set[tuple[str, str]]:
        """The (field, key) pairs of the filter indexes a person is listed under: its type, the
        scalar fields of :data:`_VALUE_FIELDS` as stored, its tags casefolded (as filters
        compare them)."""
        keys = {("type", person.type)}
        for name in _VALUE_SCALARS:
            value = getattr(person, name)
            if value is not None:
                keys.add((name, value))
        for tag in person.tags or ():
            keys.add(("tags", tag.casefold()))
        return keys

    def _value_add(self, field: str, key: str, pid: int) -> None:
        table = self._by_value[field]
        held = table.get(key)
        if held is None:
            table[key] = pid
        elif isinstance(held, int):
            if held != pid:
                table[key] = [held, pid] if held < pid else [pid, held]
        elif held[-1] < pid:
            held.append(pid)
        else:
            i = bisect_left(held, pid)
            if i == len(held) or held[i] != pid:
                held.insert(i, pid)

    def _value_remove(self, field: str, key: str, pid: int) -> None:
        table = self._by_value[field]
        held = table.get(key)
        if held is None:
            return
        if isinstance(held, int):
            if held == pid:
                del table[key]
            return
        i = bisect_left(held, pid)
        if i < len(held) and held[i] == pid:
            del held[i]
            if len(held) == 1:
                table[key] = held[0]

    def _revalue(self, person: _Person, before: Iterable[tuple[str, str]]) -> None:
        """Bring the filter indexes in step with ``person``, touching only what changed."""
        after = self._value_keys(person)
        old = before if isinstance(before, (set, frozenset)) else set(before)
        pid = person.id
        for field, key in old - after:
            self._value_remove(field, key, pid)
        for field, key in after - old:
            self._value_add(field, key, pid)

    def _unvalue(self, person: _Person) -> None:
        for field, key in self._value_keys(person):
            self._value_remove(field, key, person.id)

    def _reindex_values(self) -> None:
        """Rebuild the filter indexes from the persons (a state saved before they existed)."""
        self._by_value = {f: {} for f in _VALUE_FIELDS}
        self._odd_emails = {}
        for person in self._persons.values():
            for field, key in self._value_keys(person):
                self._value_add(field, key, person.id)
            for email in person.emails or ():
                if not email.isascii() and email.lower() != email.casefold():
                    self._odd_emails.setdefault(email.casefold(), set()).add(person.id)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._journal = None
        if "_by_value" not in state:
            self._reindex_values()

    def _lookup(self, field: str, value: str) -> list[int] | tuple[int, ...] | None:
        """Ascending ids of the persons that may match ``field`` equal to ``value`` (``tags``:
        containing it; ``email``: ``value`` already casefolded); ``None`` if no index answers."""
        table = self._by_value.get(field)
        if table is not None:
            held = table.get(value.casefold() if field == "tags" else value)
            if held is None:
                return ()
            return (held,) if isinstance(held, int) else held
        if field == "externalId":
            pid = self._by_external.get(value)
        elif field == "phone":
            pid = self._by_phone.get(_phone_key(value))
        elif field == "email":
            value = value.casefold()  # as the filter compares emails
            pid = self._by_email.get(value)
            odd = self._odd_emails.get(value)
            if odd:
                return sorted(odd | ({pid} if pid is not None else set()))
        else:
            return None
        return () if pid is None else (pid,)

    def _candidates(self, decoded: Any) -> Iterable[_Person] | None:
        """The persons an indexed condition of the filter narrows the scan to, in creation
        order, or ``None`` when no index applies (the caller scans everyone). The smallest
        candidate list of the filter's top-level conjunction is used; the full predicate is still
        evaluated on each candidate, so the answer is the scan's."""
        best: list[int] | tuple[int, ...] | None = None
        for field, value in index_terms(decoded):
            ids = self._lookup(field, value)
            if ids is not None and (best is None or len(ids) < len(best)):
                best = ids
                if not best:
                    break
        if best is None:
            return None
        persons = self._persons
        return [persons[i] for i in best] if len(best) < 64 else (persons[i] for i in best)

    def _touch(self, person: _Person) -> None:
        person.modified_at = self._stamp()
        person.rev = self._next_rev()

    def _stamp(self) -> str:
        # Rendered once per clock second (a bulk write stores a thousand persons in one), and
        # shared by every person written in it. Within the second, the clock's float time is
        # compared with its bounds: no datetime is built. The upper bound stays a microsecond
        # short of the next second, where ``clock.now()`` could already round up to it.
        moment = self._state.clock.time()
        if self._stamp_from <= moment < self._stamp_until:
            return self._last_stamp
        second = datetime.fromtimestamp(moment, tz=timezone.utc).replace(microsecond=0)
        self._last_stamp = second.strftime(_V2_STAMP)
        self._stamp_from = second.timestamp()
        self._stamp_until = self._stamp_from + 1 - 1e-6
        return self._last_stamp

    def _next_rev(self) -> int:
        self._rev += 1
        return self._rev

    # == rendering =================================================================================

    def _computed(self, person_id: int) -> dict[str, Any] | None:
        computed = getattr(self._state.events, "computed_attributes", None)
        if not callable(computed):
            return None
        person = self._persons.get(person_id)
        value = computed(person_id, person.getter if person is not None else None)
        return dict(value) if value else None

    def _filter_getter(self, person: _Person) -> Any:
        """The person's filter getter, answering computed attribute names too."""
        events = self._state.events
        types = events.computed_types() if hasattr(events, "computed_types") else {}
        if not types:
            return person.getter

        def get(field: str) -> Any:
            if field in types:
                value = events.computed_value(person.id, field, person.getter)
                return MISSING if value is None else value
            return person.getter(field)

        return get

    def _render_v2(self, person: _Person) -> dict[str, Any]:
        body: dict[str, Any] = {"id": person.id, "type": person.type}
        for name in SCALAR_FIELDS:
            value = getattr(person, name)
            if value is not None and name != "nickName":
                body[name] = value
        body["tags"] = list(person.tags or ())
        body["customAttributes"] = _deep_copy(person.custom or {})
        computed = self._computed(person.id)
        if computed is not None:
            body["computedAttributes"] = computed
        contacts: dict[str, Any] = {
            "email": [{"address": e} for e in person.emails or ()],
            "phone": [{"number": n} for n in person.phones or ()],
        }
        if person.push:
            contacts["push"] = [_deep_copy(r) for r in person.push]
        for kind, sender, ident in person.channels or ():
            key = CHANNEL_TYPES.get(kind)
            if not key:
                continue
            entry = (
                {"applicationId": sender, "registrationId": ident}
                if kind == "WEB_PUSH"
                else {"applicationId": sender, "userId": ident}
            )
            contacts.setdefault(key, []).append(entry)
        body["contactInformation"] = contacts
        body["createdAt"] = person.created_at
        body["modifiedAt"] = person.modified_at
        body["origin"] = _v2_origin(person.origin)
        body["modifiedFrom"] = _v2_origin(person.modified_from)
        return body

    def _render_v3(self, person: _Person) -> dict[str, Any]:
        body: dict[str, Any] = {"id": person.id, "type": person.type}
        for name in SCALAR_FIELDS:
            value = getattr(person, name)
            if value is not None:
                body[name] = value
        body["tags"] = list(person.tags or ())
        contacts: list[dict[str, Any]] = []
        for i, email in enumerate(person.emails or ()):
            contacts.append({"type": "EMAIL", "identifier": email, "primary": i == 0})
        for i, phone in enumerate(person.phones or ()):
            contacts.append({"type": "PHONE", "identifier": phone, "primary": i == 0})
        for reg in person.push or ():
            entry = {"type": "PUSH", "identifier": reg["registrationId"]}
            if reg.get("applicationId") is not None:
                entry["sender"] = reg["applicationId"]
            entry["primary"] = bool(reg.get("isPrimary"))
            contacts.append(entry)
        for kind, sender, ident in person.channels or ():
            contacts.append({"type": kind, "identifier": ident, "sender": sender})
        body["contactInformation"] = contacts
        body["customAttributes"] = _deep_copy(person.custom or {})
        computed = self._computed(person.id)
        if computed is not None:
            body["computedAttributes"] = computed
        body["createdFrom"] = person.origin or "API"
        body["createdAt"] = person.created_at + ".000Z"
        body["modifiedFrom"] = person.modified_from or "API"
        body["modifiedAt"] = person.modified_at + ".000Z"
        return body


# == module helpers ================================================================================


def not_found(family: ErrorFamily) -> FakeError:
    """The "no such person" error of an error family."""
    if family is ErrorFamily.V3:
        return v3_error(404, 404100, MSG.PERSON_NOT_FOUND)
    if family is ErrorFamily.LISTS:
        return lists_error(404, 300101, MSG.PERSON_NOT_FOUND)
    if family is ErrorFamily.PUSH:
        return push_error(48013, MSG.PERSON_NOT_FOUND)
    if family is ErrorFamily.EVENTS_BATCH:
        return problem_details(
            [{"index": -1, "code": "400505", "message": MSG.PERSON_NOT_FOUND, "details": []}]
        )
    if family is ErrorFamily.SEGMENTS:
        return segments_error(404, MSG.PERSON_NOT_FOUND)
    if family is ErrorFamily.EVENT_DEFINITIONS:
        return no_body_error(404)
    return v2_error(404, MSG.PERSON_NOT_FOUND)


def _conflict(kind: str, value: str) -> _Invalid:
    return _Invalid(text=MSG.DESTINATION_EXISTS.format(kind=kind, value=value), status=409)


def _contact_key(key: str, value: str) -> str:
    if key == _EMAILS:
        return value.lower()
    if key == _PHONES:
        return _phone_key(value)
    if key == _TAGS:
        return value.lower()
    return value


def _union(key: str, base: Iterable[Any], extra: Iterable[Any]) -> tuple[Any, ...]:
    """``base`` then the new items of ``extra``, duplicates dropped (emails and tags ignoring
    case, phones ignoring a leading ``+``)."""
    if type(extra) is tuple and len(extra) < 2 and type(base) is tuple and not base:
        return extra  # nothing to compare (a new person's one email, say)
    out: list[Any] = []
    seen: set[Any] = set()
    for value in (*base, *extra):
        marker = _contact_key(key, value) if isinstance(value, str) else value
        if marker in seen:
            continue
        seen.add(marker)
        out.append(value)
    return tuple(out)


def _identity_keys(person: _Person) -> Iterable[tuple[str, Any]]:
    if person.externalId is not None:
        yield "e", person.externalId
    for email in person.emails or ():
        yield "m", email.lower()
    for phone in person.phones or ():
        yield "p", _phone_key(phone)
    for reg in person.push or ():
        yield "u", reg["registrationId"]
    for channel in person.channels or ():
        yield "c", channel


def _item_errors(exc: _Invalid) -> list[dict[str, str]]:
    if exc.errors:
        return [
            {"message": f"{field}: {msg}"} for field, msgs in exc.errors.items() for msg in msgs
        ]
    return [{"message": exc.text}]


def _v3_item_error(exc: _Invalid, index: int) -> dict[str, Any]:
    if exc.status == 409:
        return {"code": 409100, "message": exc.text, "details": [], "index": index}
    details: list[dict[str, str]] = []
    for field, msgs in exc.errors.items():
        prop = field if field.startswith("persons[") else f"persons[{index}].{field}"
        details.extend({"property": prop, "message": msg} for msg in msgs)
    message = exc.text if not exc.errors else MSG.V3_VALIDATION
    return {"code": 400100, "message": message, "details": details, "index": index}


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Keep the cyclic garbage collector off for one bulk write (restored after, if it was on).

    A 1000-person upsert allocates thousands of short-lived containers; each time they trigger a
    full collection, the collector walks every stored person (at 100,000 persons that was about a
    quarter of the upsert's time). Nothing is lost: garbage made meanwhile is collected later.
    """
    was_on = gc.isenabled()
    if was_on:
        gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _is_date(text: str) -> bool:
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value
