"""Handlers: custom attribute definitions (``/people/2/customAttributes``...) and append."""

from __future__ import annotations

from typing import Any

from .._context import Context
from .._errors import MSG, v2_error
from .._router import handles
from .._wire import FakeResponse
from ..engine.events import COMPUTED_READ_ONLY
from ._params import include_total, page_params, parse_order_by, person_from_query

__all__: list[str] = []

_ORDER_FIELDS = ("name", "createdAt", "modifiedAt")
_DEFAULT_ORDER = "createdAt:asc"


@handles("get-a-list-of-custom-attributes")
def list_attributes(ctx: Context) -> FakeResponse:
    """``{customAttributes, limit, page, orderBy, totalCount}``."""
    page, limit = page_params(ctx)
    order_by = parse_order_by(ctx.param("orderBy"), _ORDER_FIELDS) or _DEFAULT_ORDER
    include_total(ctx)  # checked like every list's; this list always carries totalCount
    items = ctx.state.attributes.all()  # creation order
    field, _, direction = order_by.partition(":")
    if field == "name":
        items.sort(key=lambda d: str(d["name"]).lower(), reverse=direction == "desc")
    else:
        items.sort(key=lambda d: str(d[field]), reverse=direction == "desc")
    start = (page - 1) * limit
    body = {
        "customAttributes": items[start : start + limit],
        "limit": limit,
        "page": page,
        "orderBy": order_by,
        "totalCount": len(items),
    }
    return FakeResponse(200, body)


@handles("create-a-custom-attribute")
def create_attribute(ctx: Context) -> FakeResponse:
    """POST ``{name, dataType, objectSchema?}``: 200 with the definition."""
    body = ctx.json()
    if not isinstance(body, dict):
        raise v2_error(400, MSG.BAD_REQUEST, validation_errors={"body": [MSG.FIELD_OBJECT]})
    definition = ctx.state.attributes.define(
        body.get("name"), body.get("dataType"), body.get("objectSchema")
    )
    return FakeResponse(200, definition)


@handles("get-a-single-custom-attribute")
def get_attribute(ctx: Context) -> FakeResponse:
    """One definition by name (ignoring case), or 404."""
    name = ctx.path_params["name"]
    definition = ctx.state.attributes.get(name)
    if definition is None:
        raise v2_error(404, MSG.ATTRIBUTE_NOT_FOUND.format(name=name))
    return FakeResponse(200, definition)


@handles("delete-a-custom-attribute")
def delete_attribute(ctx: Context) -> FakeResponse:
    """Delete a definition and its values on every person; 200 with a string body."""
    name = ctx.path_params["name"]
    canonical = ctx.state.attributes.canonical_name(name) or name
    ctx.state.attributes.delete(name)
    return FakeResponse(200, MSG.ATTRIBUTE_DELETED.format(name=canonical))


@handles("append-item-to-custom-attribute")
def append_item(ctx: Context) -> FakeResponse:
    """Append one item to a person's LIST_OF_OBJECTS attribute; 200 with the whole list.

    Unknown attribute or person: 404; a non-list attribute or an item that does not fit the
    attribute's objectSchema: 400 naming the attribute in validationErrors.
    """
    attributes = ctx.state.attributes
    name = ctx.path_params["name"]
    if ctx.state.events.is_computed(name):  # read-only: a 400 naming it, before any lookup
        raise v2_error(
            400, MSG.BAD_REQUEST, validation_errors={name: [COMPUTED_READ_ONLY.format(name=name)]}
        )
    canonical = attributes.canonical_name(name)
    if canonical is None:
        raise v2_error(404, MSG.ATTRIBUTE_NOT_FOUND.format(name=name))
    pid = person_from_query(ctx)
    item: Any = ctx.json()
    problems = attributes.validate_item(canonical, item, partial=False)
    if problems:
        raise v2_error(400, MSG.BAD_REQUEST, validation_errors={canonical: problems})
    persons = ctx.state.persons
    current = persons.custom_attribute(pid, canonical) or []
    updated = [*current, item]
    persons.set_custom_attribute(pid, canonical, updated)
    return FakeResponse(200, persons.custom_attribute(pid, canonical))
