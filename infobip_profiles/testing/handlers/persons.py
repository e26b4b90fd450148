"""Handlers: persons v2 (``/people/2/persons``...) and the v3 upsert and merge calls.

Each handler parses the request, calls :class:`~infobip_profiles.testing.engine.persons.PersonsEngine`
and renders the wire response; the engine owns every rule.
"""

from __future__ import annotations

import re
from typing import Any

from .._context import Context
from .._errors import MSG, v2_error, v3_error
from .._router import handles
from .._wire import NO_BODY, FakeResponse
from ..engine.persons import IDENTIFIER_TYPES, ORDER_FIELDS

__all__ = [
    "BATCH_LIMIT",
    "MAX_PAGE_SIZE",
    "check_identity",
    "include_total",
    "page_params",
    "parse_order_by",
    "person_from_query",
]

BATCH_LIMIT = 1000
"""Most items a batch, upsert or merge request may carry."""
MAX_PAGE_SIZE = 1000
"""Largest ``limit`` a list accepts."""
DEFAULT_PAGE_SIZE = 20

_SENDERLESS = frozenset({"ID", "EXTERNAL_ID", "PHONE", "EMAIL"})
_ORDER_RE = re.compile(r"^([A-Za-z]+)(?::(asc|desc))?$", re.IGNORECASE)


# -- shared parsing ------------------------------------------------------------------------------


def person_from_query(ctx: Context) -> int:
    """The person named by ``identifier``, ``type`` and ``sender`` query parameters; 400 when
    they are incomplete, 404 when nobody matches."""
    identifier, kind, sender = ctx.param("identifier"), ctx.param("type"), ctx.param("sender")
    check_identity(identifier, kind, sender)
    return ctx.state.persons.require(str(kind), str(identifier), sender)


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
    if errors:
        raise v2_error(400, MSG.BAD_REQUEST, validation_errors=errors)


def page_params(ctx: Context) -> tuple[int, int]:
    """``(page, limit)`` from the query: 1-based page (default 1), limit 1..1000 (default 20)."""
    errors: dict[str, list[str]] = {}
    page = _int_param(ctx, "page", 1)
    limit = _int_param(ctx, "limit", DEFAULT_PAGE_SIZE)
    if page is None or page < 1:
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
    """Whether ``includeTotalCount=true`` was asked for."""
    return (ctx.param("includeTotalCount") or "").lower() == "true"


def _int_param(ctx: Context, name: str, default: int) -> int | None:
    raw = ctx.param(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        return None


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
    if ctx.param("identifier") is not None or ctx.param("type") is not None:
        person = persons.get(person_from_query(ctx))
        return FakeResponse(200, person)
    page, limit = page_params(ctx)
    order_by = parse_order_by(ctx.param("orderBy"), ORDER_FIELDS)
    items, total = persons.page(
        filter_json=ctx.param("filter"), order_by=order_by, page=page, limit=limit
    )
    body: dict[str, Any] = {"persons": items, "limit": limit, "page": page}
    if order_by is not None:
        body["orderBy"] = order_by
    if include_total(ctx):
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
    """PATCH up to 1000 persons by query."""
    return _batch_response(ctx.state.persons.batch_update(_batch_items(ctx, "people")))


@handles("batch-people-delete")
def batch_delete(ctx: Context) -> FakeResponse:
    """Delete up to 1000 persons by query."""
    return _batch_response(ctx.state.persons.batch_delete(_batch_items(ctx, "people")))


@handles("match-people-ids")
def match(ctx: Context) -> FakeResponse:
    """Person ids for identities; unmatched ones are left out."""
    identities = _batch_items(ctx, "identities")
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
    persons = _v3_persons(ctx)
    result = ctx.state.persons.upsert(persons, full=ctx.op.method == "PUT")
    return FakeResponse(207, result)


@handles("merge-persons")
def merge(ctx: Context) -> FakeResponse:
    """v3 merge: always 207 with per-item results and errors."""
    return FakeResponse(207, ctx.state.persons.merge_v3(_v3_persons(ctx)))
