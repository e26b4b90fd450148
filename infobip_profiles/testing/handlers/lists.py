"""Handlers: v3 lists (``/people/3/lists``...).

Each handler parses the request, calls :class:`~infobip_profiles.testing.engine.lists.ListsEngine`
and renders the wire response; the engine owns every rule and the lists family's error codes.
"""

from __future__ import annotations

from .._context import Context
from .._errors import MSG, lists_error
from .._router import handles
from .._wire import NO_BODY, FakeResponse
from ._params import lists_person

__all__: list[str] = []


def _person(ctx: Context) -> int:
    return lists_person(ctx)  # type/identifier/sender, or one legacy parameter (email=...)


def _multi(ctx: Context, name: str) -> list[str]:
    """An array query parameter: repeated keys, comma-separated values, or both."""
    values = [v.strip() for raw in ctx.request.params(name) for v in raw.split(",")]
    values = [v for v in values if v]
    if not values:
        raise lists_error(400, 400116, MSG.LIST_MISSING_PARAMETER.format(name=name))
    return values


@handles("get-lists")
def get_lists(ctx: Context) -> FakeResponse:
    """``{listName: [items]}`` for every requested list."""
    pid = _person(ctx)
    return FakeResponse(200, ctx.state.lists.get_lists(pid, _multi(ctx, "listNames")))


@handles("delete-lists")
def delete_lists(ctx: Context) -> FakeResponse:
    """Empty the requested lists: 204."""
    pid = _person(ctx)
    ctx.state.lists.delete_lists(pid, _multi(ctx, "listNames"))
    return FakeResponse(204, NO_BODY)


@handles("replace-list")
def replace_list(ctx: Context) -> FakeResponse:
    """PUT: replace every item; the new list."""
    pid = _person(ctx)
    items = ctx.state.lists.replace(pid, ctx.path_params["listName"], ctx.json())
    return FakeResponse(200, items)


@handles("update-list")
def update_list(ctx: Context) -> FakeResponse:
    """PATCH: update items by ``__id``; the whole list."""
    pid = _person(ctx)
    items = ctx.state.lists.update(pid, ctx.path_params["listName"], ctx.json())
    return FakeResponse(200, items)


@handles("get-list-items")
def get_items(ctx: Context) -> FakeResponse:
    """The items with ``itemIds``."""
    pid = _person(ctx)
    name = ctx.path_params["listName"]
    return FakeResponse(200, ctx.state.lists.get_items(pid, name, _multi(ctx, "itemIds")))


@handles("append-list-items")
def append_items(ctx: Context) -> FakeResponse:
    """POST: append items (ids forbidden); the whole list."""
    pid = _person(ctx)
    items = ctx.state.lists.append(pid, ctx.path_params["listName"], ctx.json())
    return FakeResponse(200, items)


@handles("delete-list-items")
def delete_items(ctx: Context) -> FakeResponse:
    """DELETE the items with ``itemIds``; the items that remain."""
    pid = _person(ctx)
    name = ctx.path_params["listName"]
    return FakeResponse(200, ctx.state.lists.delete_items(pid, name, _multi(ctx, "itemIds")))


@handles("replace-list-item")
def replace_item(ctx: Context) -> FakeResponse:
    """PUT one item; the whole list (the array, not the one item)."""
    pid = _person(ctx)
    params = ctx.path_params
    items = ctx.state.lists.replace_item(pid, params["listName"], params["itemId"], ctx.json())
    return FakeResponse(200, items)


@handles("update-list-item")
def update_item(ctx: Context) -> FakeResponse:
    """PATCH one item; the whole list."""
    pid = _person(ctx)
    params = ctx.path_params
    items = ctx.state.lists.update_item(pid, params["listName"], params["itemId"], ctx.json())
    return FakeResponse(200, items)
