"""Handlers: tags (``/people/2/tags``...)."""

from __future__ import annotations

from typing import Any

from ..._operations import batch_limit
from .._context import Context
from .._errors import MSG, v2_error
from .._router import handles
from .._wire import NO_BODY, FakeResponse
from ..engine.tags import TAG_ORDER_FIELDS
from ._params import check_identity, include_total, page_params, parse_order_by

#: Most people one tagging request carries (the same for adding and removing).
_BATCH_LIMIT = batch_limit("add-tag-to-people-batch")

__all__: list[str] = []


@handles("get-list-of-tags")
def list_tags(ctx: Context) -> FakeResponse:
    """A page of tags as a bare JSON array."""
    page, limit = page_params(ctx)
    order_by = parse_order_by(ctx.param("orderBy"), TAG_ORDER_FIELDS)
    include_total(ctx)  # checked like every list's; a bare array has nowhere to put a total
    return FakeResponse(200, ctx.state.tags.page(page=page, limit=limit, order_by=order_by))


@handles("create-a-new-tag")
def create_tag(ctx: Context) -> FakeResponse:
    """POST ``{"name"}``: 200 with the tag; a duplicate ignoring case is a 400."""
    body = ctx.json()
    name = body.get("name") if isinstance(body, dict) else None
    return FakeResponse(200, ctx.state.tags.create(name))


@handles("get-a-tag")
def get_tag(ctx: Context) -> FakeResponse:
    """One tag by name, or 404."""
    name = ctx.path_params["name"]
    tag = ctx.state.tags.get(name)
    if tag is None:
        raise v2_error(404, MSG.TAG_NOT_FOUND.format(name=name))
    return FakeResponse(200, tag)


@handles("delete-a-tag")
def delete_tag(ctx: Context) -> FakeResponse:
    """Delete a tag and strip it from every person; 200 with a string body."""
    name = ctx.state.tags.delete(ctx.path_params["name"])
    return FakeResponse(200, MSG.TAG_DELETED.format(name=name))


@handles("add-tag-to-people-batch", "remove-tag-from-people-batch")
def tag_people(ctx: Context) -> FakeResponse:
    """Add the tag to (PATCH) or remove it from (DELETE) up to 1000 persons by query.

    Unknown tag: 404. A query that matches nobody is skipped; re-adding is a no-op.
    """
    tag = ctx.state.tags.require(ctx.path_params["name"])
    people = _people(ctx)
    persons = ctx.state.persons
    targets = []
    for item in people:
        query = item.get("query") if isinstance(item, dict) else None
        if not isinstance(query, dict):
            raise v2_error(400, MSG.BAD_REQUEST, validation_errors={"query": [MSG.FIELD_OBJECT]})
        identifier, kind, sender = query.get("identifier"), query.get("type"), query.get("sender")
        check_identity(identifier, kind, sender)
        pid = persons.resolve(str(kind), str(identifier), sender)
        if pid is not None:
            targets.append(pid)
    for pid in targets:
        if ctx.op.method == "PATCH":
            persons.add_tag(pid, tag)
        else:
            persons.remove_tag(pid, tag)
    if ctx.op.method == "PATCH":
        return FakeResponse(200, NO_BODY)  # the spec declares no body here, a string on DELETE
    return FakeResponse(200, MSG.TAG_PEOPLE_REMOVED.format(name=tag, count=len(targets)))


def _people(ctx: Context) -> list[Any]:
    body = ctx.json()
    people = body.get("people") if isinstance(body, dict) else None
    if not isinstance(people, list) or not 1 <= len(people) <= _BATCH_LIMIT:
        raise v2_error(
            400,
            MSG.BAD_REQUEST,
            validation_errors={"people": [MSG.FIELD_BATCH_SIZE.format(max=_BATCH_LIMIT)]},
        )
    return people
