"""Handlers: persons v2 (``/people/2/persons``...) and the v3 upsert and merge calls.

Each handler parses the request, calls :class:`~infobip_profiles.testing.engine.persons.PersonsEngine`
and renders the wire response; the engine owns every rule.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any

from ..._operations import batch_limit, page_size, spec_enum
from .._context import Context
from .._errors import MSG, lists_error, v2_error, v3_error
from .._router import handles
from .._wire import NO_BODY, FakeResponse
from ..engine.persons import IDENTIFIER_TYPES, ORDER_FIELDS, collector_paused

_LIST_OP = "get-a-single-person-or-a-list-of-people"

__all__ = [
    "BATCH_LIMIT",
    "LEGACY_ADDRESS",
    "addresses_person",
    "legacy_address",
    "lists_person",
    "MAX_PAGE_SIZE",
    "check_identity",
    "check_identity_queries",
    "include_total",
    "page_params",
    "parse_order_by",
    "person_from_query",
]

BATCH_LIMIT = batch_limit("batch-people-create")
"""Most items a batch, upsert or merge request may carry (the spec states the same for each)."""
MAX_PAGE_SIZE = page_size(_LIST_OP).maximum
"""Largest ``limit`` a list accepts."""
DEFAULT_PAGE_SIZE = page_size(_LIST_OP).default
INT32_MAX = 2**31 - 1
"""Largest value of an ``int32`` query parameter (``page``, ``limit``)."""

QUERY_TYPES = spec_enum("query_types")
"""The spec's ``IdentityQuery.type`` enum: what a batch item's ``query`` may name (and what its
207 result may echo)."""
MATCH_TYPES = spec_enum("match_types")
"""The spec's ``ByUniqueRequestParameters.type`` enum (match): KAKAO_TALK, no WEB_PUSH."""

_SENDERLESS = frozenset({"ID", "EXTERNAL_ID", "PHONE", "EMAIL"})

#: Legacy addressing of one person, from the People v2 docs (``phone=41793026727``,
#: ``email=janesmith%40acme.com``): each query parameter and the identifier type it stands for.
#: Served wherever the spec takes ``identifier`` + ``type``.
LEGACY_ADDRESS = {
    "phone": "PHONE",
    "email": "EMAIL",
    "externalId": "EXTERNAL_ID",
    "pushRegistrationId": "PUSH",
}
_ORDER_RE = re.compile(r"^([A-Za-z]+)(?::(asc|desc))?$", re.IGNORECASE)
_INT_RE = re.compile(r"([+-]?)0*([0-9]+)")
_HUGE = 10**30  # stands for any integer with more digits: beyond every range a parameter has


# -- shared parsing ------------------------------------------------------------------------------


def person_from_query(ctx: Context) -> int:
    """The person named by ``identifier``, ``type`` and ``sender`` query parameters, or by one
    legacy parameter (:data:`LEGACY_ADDRESS`); 400 when they are incomplete or address twice,
    404 when nobody matches."""
    legacy = legacy_address(ctx)
    if legacy is not None:
        # sender plays no part: a legacy type needs none (a push registration id is unique)
        return ctx.state.persons.require(legacy[0], legacy[1], ctx.param("sender"))
    kind, sender = ctx.param("type"), ctx.param("sender")
    identifier = query_identifier(kind, ctx.param("identifier"))
    check_identity(identifier, kind, sender)
    return ctx.state.persons.require(str(kind), str(identifier), sender)


def addresses_person(ctx: Context) -> bool:
    """Whether the query addresses one person (``identifier``, ``type`` or a legacy
    parameter), as opposed to asking for a list."""
    return any(
        name in ("identifier", "type") or name in LEGACY_ADDRESS for name, _ in ctx.request.query
    )


def legacy_address(ctx: Context, *, lists: bool = False) -> tuple[str, str] | None:
    """``(type, identifier)`` when the query addresses a person with one legacy parameter
    (``email=...``), ``None`` when it uses none.

    Two addressings at once (two legacy parameters, one given twice, or one beside
    ``identifier``/``type``) are a 400 naming them, as is an empty value: in the v2 envelope, or
    the lists family's ``400116`` when ``lists``.
    """
    found = [(name, value) for name, value in ctx.request.query if name in LEGACY_ADDRESS]
    if not found:
        return None
    names = [name for name, _ in found]
    names += [name for name in ("identifier", "type") if ctx.param(name) is not None]
    if len(names) > 1:
        if lists:
            raise lists_error(400, 400116, MSG.ADDRESS_TWICE)
        problems = {name: [MSG.ADDRESS_TWICE] for name in sorted(set(names))}
        raise v2_error(400, MSG.ADDRESS_TWICE, validation_errors=problems)
    name, value = found[0]
    if not value:
        if lists:
            raise lists_error(400, 400116, MSG.LIST_MISSING_PARAMETER.format(name=name))
        raise v2_error(400, MSG.BAD_REQUEST, validation_errors={name: [MSG.FIELD_REQUIRED]})
    kind = LEGACY_ADDRESS[name]
    return kind, query_identifier(kind, value) or value


def query_identifier(kind: str | None, value: str | None) -> str | None:
    """An identifier as a query gave it, with a phone number's unencoded ``+`` put back: a
    ``+`` in a query decodes to a space, and a phone number never starts with one."""
    if kind == "PHONE" and value is not None and value.startswith(" "):
        stripped = value.lstrip(" ")
        if stripped:
            return "+" + stripped
    return value


def lists_person(ctx: Context) -> int:
    """The person a lists operation addresses, with the lists family's checks and errors; a
    legacy parameter works as its ``type`` would, except that ``pushRegistrationId`` needs no
    ``sender`` (a push registration id is unique)."""
    sender = ctx.param("sender")
    legacy = legacy_address(ctx, lists=True)
    if legacy is None:
        kind = ctx.param("type")
        return ctx.state.lists.person(kind, query_identifier(kind, ctx.param("identifier")), sender)
    kind, identifier = legacy
    if kind == "PUSH" and sender is None:
        pid = ctx.state.persons.resolve(kind, identifier)
        if pid is None:
            raise lists_error(404, 300101, MSG.LIST_PERSON_NOT_FOUND.format(identifier=identifier))
        return pid
    return ctx.state.lists.person(kind, identifier, sender)


def check_identity(identifier: Any, kind: Any, sender: Any) -> None:
    """400 unless ``identifier`` and ``type`` are given, ``type`` is known and ``sender`` is
    present for channel types."""
    errors: dict[str, list[str]] = {}
    if not isinstance(identifier, str) or not identifier:
        errors["identifier"] = [MSG.FIELD_REQUIRED]
    if not isinstance(kind, str) or not kind:
        errors["type"] = [MSG.FIELD_REQUIRED]
    elif kind not in IDENTIFIER_TYPES:
        errors["type"] = [MSG.FIELD_ONE_OF.format(values=", ".join(IDENTIFIER_TYPES))]
    elif kind not in _SENDERLESS and not sender:
        errors["sender"] = [MSG.SENDER_REQUIRED.format(type=kind)]
    if sender is not None and not isinstance(sender, str):
        errors["sender"] = [MSG.FIELD_STRING]
    if errors:
        raise v2_error(400, MSG.BAD_REQUEST, validation_errors=errors)


def page_params(ctx: Context) -> tuple[int, int]:
    """``(page, limit)`` from the query: 1-based page (default 1, at most the int32 maximum),
    limit 1..1000 (default 20). A value that is not an integer (an empty one included) is a 400.
    """
    errors: dict[str, list[str]] = {}
    page = _int_param(ctx, "page", 1)
    limit = _int_param(ctx, "limit", DEFAULT_PAGE_SIZE)
    if page is None or not 1 <= page <= INT32_MAX:
        errors["page"] = [MSG.PAGE_RANGE]
    if limit is None or not 1 <= limit <= MAX_PAGE_SIZE:
        errors["limit"] = [MSG.LIMIT_RANGE.format(max=MAX_PAGE_SIZE)]
    if errors:
        raise v2_error(400, MSG.BAD_REQUEST, validation_errors=errors)
    return page or 1, limit or DEFAULT_PAGE_SIZE


def parse_order_by(value: str | None, fields: tuple[str, ...]) -> str | None:
    """``field:asc|desc`` normalised (direction lower-case, default ``asc``); 400 when bad."""
    if value is None or value == "":
        return None
    match = _ORDER_RE.match(value)
    if not match or match.group(1) not in fields:
        raise v2_error(
            400,
            MSG.ORDER_BY.format(fields=", ".join(fields)),
            validation_errors={"orderBy": [MSG.ORDER_BY.format(fields=", ".join(fields))]},
        )
    return f"{match.group(1)}:{(match.group(2) or 'asc').lower()}"


def include_total(ctx: Context) -> bool:
    """Whether ``includeTotalCount=true`` was asked for; a value other than ``true`` or
    ``false`` (an empty one included) is a 400."""
    raw = ctx.param("includeTotalCount")
    if raw is None:
        return False
    value = raw.lower()
    if value not in ("true", "false"):
        raise v2_error(
            400, MSG.BAD_REQUEST, validation_errors={"includeTotalCount": [MSG.FIELD_BOOLEAN]}
        )
    return value == "true"


def int_param_value(raw: str) -> int | None:
    """``raw`` as an integer when it is one (optional sign, ASCII digits only), else ``None``.

    Python's ``int()`` would also read ``" 1"``, ``"1_0"`` and other scripts' digits, which the
    spec's integer does not allow. An integer of more than 30 digits comes back as ±10**30 (out of
    every range, with its sign), so its conversion cannot hit Python's digit limit.
    """
    match = _INT_RE.fullmatch(raw)
    if match is None:
        return None
    sign, digits = match.groups()
    value = int(digits) if len(digits) <= 30 else _HUGE
    return -value if sign == "-" else value


def _int_param(ctx: Context, name: str, default: int) -> int | None:
    raw = ctx.param(name)
    if raw is None:
        return default
    return int_param_value(raw)


def check_identity_queries(
    items: list[Any],
    key: str,
    query_problems: Callable[[dict[str, Any], str], dict[str, list[str]]] | None = None,
) -> None:
    """400 unless every batch item is an object with a ``query`` the spec allows. For persons
    (the default ``query_problems``): an object whose ``identifier``, ``type`` and ``sender`` are
    strings when given, ``type`` one of :data:`QUERY_TYPES`; other families pass their own check.
    Checked for the whole request before any item is applied.

    An item without a query is refused with the request, not reported as a failed item: the
    207 result echoes the item's query, which the spec types as an object.
    """
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        where = f"{key}[{index}]"
        if not isinstance(item, dict):
            errors[where] = [MSG.FIELD_OBJECT]
            continue
        query = item.get("query")
        if query is None:
            errors[f"{where}.query"] = [MSG.FIELD_NOT_NULL]
        elif not isinstance(query, dict):
            errors[f"{where}.query"] = [MSG.FIELD_OBJECT]
        else:
            path = f"{where}.query"
            if query_problems is None:
                errors.update(_identity_problems(query, path, QUERY_TYPES))
            else:
                errors.update(query_problems(query, path))
    if errors:
        raise v2_error(400, MSG.BAD_REQUEST, validation_errors=errors)


def _identity_problems(
    identity: dict[str, Any], where: str, types: tuple[str, ...]
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in ("identifier", "type", "sender"):
        if name in identity and not isinstance(identity[name], str):
            errors[f"{where}.{name}"] = [MSG.FIELD_STRING]
    kind = identity.get("type")
    if isinstance(kind, str) and kind not in types:
        errors[f"{where}.type"] = [MSG.FIELD_ONE_OF.format(values=", ".join(types))]
    return errors


def _object_body(ctx: Context) -> dict[str, Any]:
    body = ctx.json()
    if not isinstance(body, dict):
        raise v2_error(400, MSG.BAD_REQUEST, validation_errors={"body": [MSG.FIELD_OBJECT]})
    return body


def _batch_items(ctx: Context, key: str) -> list[Any]:
    body = _object_body(ctx)
    items = body.get(key)
    if not isinstance(items, list) or not 1 <= len(items) <= BATCH_LIMIT:
        raise v2_error(
            400,
            MSG.BAD_REQUEST,
            validation_errors={key: [MSG.FIELD_BATCH_SIZE.format(max=BATCH_LIMIT)]},
        )
    return items


def _batch_response(failures: list[dict[str, Any]]) -> FakeResponse:
    return FakeResponse(207 if failures else 200, {"results": failures})


# -- single person -------------------------------------------------------------------------------


@handles("get-a-single-person-or-a-list-of-people")
def get_or_list(ctx: Context) -> FakeResponse:
    """One person by identifier, or a page of persons (filter, orderBy, page, limit)."""
    persons = ctx.state.persons
    # One operation binds every parameter, so the list's are checked for a lookup too.
    page, limit = page_params(ctx)
    order_by = parse_order_by(ctx.param("orderBy"), ORDER_FIELDS)
    with_total = include_total(ctx)
    if addresses_person(ctx):
        person = persons.get(person_from_query(ctx))
        return FakeResponse(200, person)
    items, total = persons.page(
        filter_json=ctx.param("filter"),
        order_by=order_by,
        page=page,
        limit=limit,
        with_total=with_total,
    )
    body: dict[str, Any] = {"persons": items, "limit": limit, "page": page}
    if order_by is not None:
        body["orderBy"] = order_by
    if with_total:
        body["totalCount"] = total
    return FakeResponse(200, body)


@handles("create-a-new-person")
def create(ctx: Context) -> FakeResponse:
    """POST: 200 with the stored person."""
    return FakeResponse(200, ctx.state.persons.create(_object_body(ctx)))


@handles("update-a-person")
def replace(ctx: Context) -> FakeResponse:
    """PUT: overwrite the person."""
    pid = person_from_query(ctx)
    return FakeResponse(200, ctx.state.persons.replace(pid, _object_body(ctx)))


@handles("partial-person-update")
def update(ctx: Context) -> FakeResponse:
    """PATCH: merge into the person."""
    pid = person_from_query(ctx)
    return FakeResponse(200, ctx.state.persons.update(pid, _object_body(ctx)))


@handles("delete-a-person")
def delete(ctx: Context) -> FakeResponse:
    """DELETE: 200 without a body."""
    ctx.state.persons.delete(person_from_query(ctx))
    return FakeResponse(200, NO_BODY)


@handles(
    "set-person-contact-information",
    "add-person-contact-information",
    "delete-person-contact-information",
)
def contact_information(ctx: Context) -> FakeResponse:
    """PUT replaces emails/phones, PATCH adds, DELETE removes the listed ones."""
    pid = person_from_query(ctx)
    mode = {"PUT": "put", "PATCH": "patch", "DELETE": "delete"}[ctx.op.method]
    return FakeResponse(200, ctx.state.persons.contacts(pid, ctx.json(), mode))


# -- batches and match ---------------------------------------------------------------------------


@handles("batch-people-create")
def batch_create(ctx: Context) -> FakeResponse:
    """Create up to 1000 persons; the results list only the failures (then 207)."""
    return _batch_response(ctx.state.persons.batch_create(_batch_items(ctx, "people")))


@handles("batch-people-update")
def batch_update(ctx: Context) -> FakeResponse:
    """PATCH up to 1000 persons by query; an item without a valid query fails the request."""
    items = _batch_items(ctx, "people")
    check_identity_queries(items, "people")
    return _batch_response(ctx.state.persons.batch_update(items))


@handles("batch-people-delete")
def batch_delete(ctx: Context) -> FakeResponse:
    """Delete up to 1000 persons by query; an item without a valid query fails the request."""
    items = _batch_items(ctx, "people")
    check_identity_queries(items, "people")
    return _batch_response(ctx.state.persons.batch_delete(items))


@handles("match-people-ids")
def match(ctx: Context) -> FakeResponse:
    """Person ids for identities; unmatched ones are left out.

    Every identity needs a string ``identifier`` and a ``type`` of the spec's enum (and a string
    ``sender`` when given, required for channel types); otherwise the whole request is a 400.
    """
    identities = _batch_items(ctx, "identities")
    errors: dict[str, list[str]] = {}
    for index, identity in enumerate(identities):
        where = f"identities[{index}]"
        if not isinstance(identity, dict):
            errors[where] = [MSG.FIELD_OBJECT]
            continue
        problems = _identity_problems(identity, where, MATCH_TYPES)
        for name in ("identifier", "type"):
            value = identity.get(name)
            if f"{where}.{name}" not in problems and (not isinstance(value, str) or not value):
                problems[f"{where}.{name}"] = [MSG.FIELD_REQUIRED]
        kind, sender = identity.get("type"), identity.get("sender")
        if kind in MATCH_TYPES and kind not in _SENDERLESS and not sender:
            problems.setdefault(f"{where}.sender", [MSG.SENDER_REQUIRED.format(type=kind)])
        errors.update(problems)
    if errors:
        raise v2_error(400, MSG.BAD_REQUEST, validation_errors=errors)
    return FakeResponse(200, {"matches": ctx.state.persons.match(identities)})


# -- v3 ------------------------------------------------------------------------------------------


def _v3_persons(ctx: Context) -> list[Any]:
    body = ctx.json()
    persons = body.get("persons") if isinstance(body, dict) else None
    if not isinstance(persons, list) or not 1 <= len(persons) <= BATCH_LIMIT:
        raise v3_error(
            400,
            400104,
            MSG.V3_PERSONS_REQUIRED.format(max=BATCH_LIMIT),
            [{"property": "persons", "message": MSG.FIELD_BATCH_SIZE.format(max=BATCH_LIMIT)}],
        )
    return persons


@handles("upsert-persons-full", "upsert-persons-partial")
def upsert(ctx: Context) -> FakeResponse:
    """v3 upsert: always 207 with per-item results and errors."""
    # A bulk write: the collector is paused only when the fake was asked to (see collector_paused).
    with collector_paused() if ctx.pause_collector else contextlib.nullcontext():
        persons = _v3_persons(ctx)
        result = ctx.state.persons.upsert(persons, full=ctx.op.method == "PUT")
        # The parsed body is freed while the collector is still paused, so the collection that
        # follows walks only what the write keeps (about half the objects of a bulk request).
        del persons
    return FakeResponse(207, result)


@handles("merge-persons")
def merge(ctx: Context) -> FakeResponse:
    """v3 merge: always 207 with per-item results and errors."""
    return FakeResponse(207, ctx.state.persons.merge_v3(_v3_persons(ctx)))
