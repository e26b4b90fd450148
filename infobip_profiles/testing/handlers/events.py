"""Handlers: event definitions, sending events (one, or a batch), event exports.

Each handler parses the request, calls :class:`~infobip_profiles.testing.engine.events.EventsEngine`
and renders the wire response; the engine owns every rule.
"""

from __future__ import annotations

from .._context import Context
from .._errors import no_body_error
from .._router import handles
from .._wire import NO_BODY, FakeResponse
from ..engine.events import CATEGORIES
from ._params import int_param_value

__all__: list[str] = []

_ORDER_FIELDS = ("DefinitionId", "Title")
_ORDER_TYPES = ("Asc", "Desc")
_INT32_MAX = 2147483647


def _int_param(ctx: Context, name: str, default: int | None) -> int | None:
    raw = ctx.param(name)
    if raw is None:
        return default
    value = int_param_value(raw)  # an empty value, " 1" or "1_0" is no integer either
    if value is None or not 0 <= value <= _INT32_MAX:
        raise no_body_error(400)
    return value


@handles("list-event-definitions")
def list_definitions(ctx: Context) -> FakeResponse:
    """``GET /peopleevents/2/definitions``: a bare array; 404 (no body) when the page is empty."""
    offset = _int_param(ctx, "offset", 0) or 0
    limit = _int_param(ctx, "limit", None)
    order_field = ctx.param("orderField")
    order_type = ctx.param("orderType")
    if order_field is not None and order_field not in _ORDER_FIELDS:
        raise no_body_error(400)
    if order_type is not None and order_type not in _ORDER_TYPES:
        raise no_body_error(400)
    categories = ctx.request.params("category")
    if any(c.lower() not in CATEGORIES for c in categories):
        raise no_body_error(400)
    if len({c.lower() for c in categories}) != len(categories):  # the spec's uniqueItems
        raise no_body_error(400)
    body = ctx.state.events.list_definitions(
        offset=offset,
        limit=limit,
        order_field=order_field,
        order_type=order_type,
        categories=categories,
        search_text=ctx.param("searchText"),
    )
    return FakeResponse(200, body)


@handles("create-event-definition")
def create_definition(ctx: Context) -> FakeResponse:
    """``POST /peopleevents/2/definitions`` → 201 with the definition."""
    return FakeResponse(201, ctx.state.events.create_definition(ctx.json()))


@handles("get-event-definition")
def get_definition(ctx: Context) -> FakeResponse:
    """``GET /peopleevents/2/definitions/{definitionId}``."""
    return FakeResponse(200, ctx.state.events.get_definition(ctx.path_params["definitionId"]))


@handles("update-event-definition")
def update_definition(ctx: Context) -> FakeResponse:
    """``POST /peopleevents/2/definitions/{definitionId}``: additive update → 200."""
    definition_id = ctx.path_params["definitionId"]
    return FakeResponse(200, ctx.state.events.update_definition(definition_id, ctx.json()))


@handles("send-custom-event")
def send_event(ctx: Context) -> FakeResponse:
    """``POST /peopleevents/2/persons/{personId}/definitions/{definitionId}/events`` → 201."""
    create = (ctx.param("createPerson") or "false").lower()
    if create not in ("true", "false"):
        raise no_body_error(400)
    body = ctx.json()
    if body is None and ctx.request.body:  # a literal null: no body is fine, null is no object
        raise no_body_error(400)
    record = ctx.state.events.send(
        ctx.path_params["personId"],
        ctx.param("identifierType"),
        ctx.path_params["definitionId"],
        body,
        create_person=create == "true",
    )
    return FakeResponse(201, record)


@handles("send-custom-events")
def send_events(ctx: Context) -> FakeResponse:
    """``POST /people/3/events``: all or nothing → 202 with no body."""
    ctx.state.events.send_batch(ctx.json())
    return FakeResponse(202, NO_BODY)


@handles("create-events-export-request")
def create_export(ctx: Context) -> FakeResponse:
    """``POST /peopleevents/1/export`` → 202 ``{requestId}``."""
    return FakeResponse(202, ctx.state.events.create_export(ctx.json()))


@handles("get-events-export-request-status")
def export_status(ctx: Context) -> FakeResponse:
    """``GET /peopleevents/1/export/status/{requestId}``."""
    return FakeResponse(200, ctx.state.events.export_status(ctx.path_params["requestId"]))


@handles("cancel-events-export-request")
def cancel_export(ctx: Context) -> FakeResponse:
    """``DELETE /peopleevents/1/export/{requestId}`` → 202, or 409 once finished."""
    ctx.state.events.cancel_export(ctx.path_params["requestId"])
    return FakeResponse(202, {})  # the spec declares a JSON body for this 202, with no schema


@handles("get-events-definitions-for-export")
def export_definitions(ctx: Context) -> FakeResponse:
    """``GET /peopleevents/1/export/definitions`` → ``{definitionIdList}``."""
    return FakeResponse(200, {"definitionIdList": ctx.state.events.definition_ids()})
