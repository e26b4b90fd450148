"""Handlers: persons v2 (``/people/2/persons``...) and the v3 upsert and merge calls.

Each handler parses the request, calls :class:`~infobip_profiles.testing.engine.persons.PersonsEngine`
and renders the wire response; the engine owns every rule.
"""

from __future__ import annotations

import contextlib
from typing import Any

from ..._operations import batch_limit, spec_enum
from .._context import Context
from .._errors import MSG, v2_error, v3_error
from .._router import handles
from .._wire import NO_BODY, FakeResponse
from ..engine.persons import ORDER_FIELDS, collector_paused
from ._params import (
    QUERY_TYPES,
    SENDERLESS_TYPES,
    addresses_person,
    check_identity_queries,
    identity_problems,
    include_total,
    page_params,
    parse_order_by,
    person_from_query,
)

__all__ = ["BATCH_LIMIT", "MATCH_TYPES", "QUERY_TYPES"]

BATCH_LIMIT = batch_limit("batch-people-create")
"""Most items a batch, upsert or merge request may carry (the spec states the same for each)."""
MATCH_TYPES = spec_enum("match_types")
"""The spec's ``ByUniqueRequestParameters.type`` enum (match): KAKAO_TALK, no WEB_PUSH."""


# -- request bodies ------------------------------------------------------------------------------


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
        problems = identity_problems(identity, where, MATCH_TYPES)
        for name in ("identifier", "type"):
            value = identity.get(name)
            if f"{where}.{name}" not in problems and (not isinstance(value, str) or not value):
                problems[f"{where}.{name}"] = [MSG.FIELD_REQUIRED]
        kind, sender = identity.get("type"), identity.get("sender")
        if kind in MATCH_TYPES and kind not in SENDERLESS_TYPES and not sender:
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
