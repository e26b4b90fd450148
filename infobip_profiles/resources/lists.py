"""The ``lists`` resource (v3): one person's ``LIST_OF_OBJECTS`` attributes, item by item.

Every stored item carries a server-assigned UUID under ``"__id"`` (:data:`~infobip_profiles.ITEM_ID`),
which :meth:`~_ListsPlans.update`, :meth:`~_ListsPlans.get_items` and the single-item methods use.
Writes return the whole list as stored. A body holds 1 to 128 items; the methods check that, and
the lists family's ``sender`` rule (a ``sender`` only for channel identifiers, never with EMAIL,
PHONE, ID or EXTERNAL_ID), before any request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from typing_extensions import Unpack

from .._converter import to_wire
from .._plan import NO_BODY, Call, Plan, async_op, json_of, sync_op
from .._types import CallOptions
from ..errors import ValidationError
from ..models import ITEM_ID, MAX_LIST_ITEMS, ListItem
from ..refs import PersonRef
from ._base import AsyncResource, SyncResource

__all__ = ["Lists", "AsyncLists"]

# The plans define methods named ``list``-like things; annotations use this alias.
_List = list


def _person_query(ref: PersonRef) -> list[tuple[str, str]]:
    if ref.sender is not None and not ref.type.needs_sender:
        raise ValidationError(
            f"the lists calls refuse a sender with identifier type {ref.type.value}: "
            "use a PersonRef without sender",
            field="sender",
        )
    return ref.query()


def _names(names: str | Iterable[str], field: str) -> str:
    values = [names] if isinstance(names, str) else list(names)
    if not values or any(not isinstance(v, str) or not v.strip() for v in values):
        raise ValidationError(f"{field} needs at least one non-blank value", field=field)
    return ",".join(values)


def _list_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("a list name must not be blank", field="listName")
    return name


def _item_id(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("an item id must not be blank", field="itemId")
    return value


def _items(items: Iterable[Mapping[str, Any]], *, ids: bool) -> _List[dict[str, Any]]:
    """Items as wire dicts: 1 to 128 of them, each with (``ids``) or without an ``__id``.

    A list write is one request of at most 128 items, so ``items`` is read no further than the
    129th: a longer generator is refused without being drained."""
    out = []
    for index, item in enumerate(items):
        if index == MAX_LIST_ITEMS:  # one more than a request takes: read no further
            raise ValidationError(
                f"a request carries 1 to {MAX_LIST_ITEMS} items, got more", field="items"
            )
        if not isinstance(item, Mapping):
            raise ValidationError(f"item {index} is not a dict", field=f"items[{index}]")
        has_id = item.get(ITEM_ID) is not None
        if ids and not has_id:
            raise ValidationError(
                f"item {index} has no {ITEM_ID!r}: update addresses items by their id",
                field=f"items[{index}].{ITEM_ID}",
            )
        if not ids and ITEM_ID in item:
            raise ValidationError(
                f"item {index} carries {ITEM_ID!r}: the service assigns item ids",
                field=f"items[{index}].{ITEM_ID}",
            )
        out.append(to_wire(dict(item)))
    _count(len(out), "items")
    return out


def _fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(fields, Mapping):
        raise ValidationError("an item is a dict of fields", field="item")
    body = {k: v for k, v in fields.items() if k != ITEM_ID}
    _count(len(body), "fields")
    return dict(to_wire(body))


def _count(n: int, what: str) -> None:
    if not 1 <= n <= MAX_LIST_ITEMS:
        raise ValidationError(
            f"a request carries 1 to {MAX_LIST_ITEMS} {what}, got {n}", field=what
        )


def _item_list(response_body: Any) -> _List[ListItem]:
    if isinstance(response_body, Mapping):  # a single item (one spec example shows that)
        return [dict(response_body)]
    return [dict(item) for item in response_body or []]


def _list_call(
    op_id: str,
    path_params: Mapping[str, str],
    query: Sequence[tuple[str, str]],
    options: CallOptions,
    body: Any = NO_BODY,
) -> Plan[_List[ListItem]]:
    """Send one call that answers with a list's items, and decode them."""
    response = yield Call(op_id, path_params=path_params, query=query, body=body, options=options)
    return _item_list(json_of(response))


def _write_list(
    op_id: str,
    ref: PersonRef,
    name: str,
    options: CallOptions,
    body: Callable[[], Any],
    item_id: str | None = None,
) -> Plan[_List[ListItem]]:
    """Send one write to a person's list (or to one item of it), answered by the whole list.

    The arguments are checked in a fixed order: list name, item id, person, then ``body()``.
    """
    path_params = {"listName": _list_name(name)}
    if item_id is not None:
        path_params["itemId"] = _item_id(item_id)
    query = _person_query(ref)
    return (yield from _list_call(op_id, path_params, query, options, body=body()))


class _ListsPlans:
    """The v3 lists operations, written once."""

    def get(
        self, ref: PersonRef, names: str | Sequence[str], **options: Unpack[CallOptions]
    ) -> Plan[dict[str, _List[ListItem]]]:
        """The items of one or more lists: ``{list name: [items]}``."""
        query = [("listNames", _names(names, "listNames")), *_person_query(ref)]
        response = yield Call("get-lists", query=query, options=options)
        body = json_of(response) or {}
        return {str(k): _item_list(v) for k, v in body.items()}

    def delete(
        self, ref: PersonRef, names: str | Sequence[str], **options: Unpack[CallOptions]
    ) -> Plan[None]:
        """Empty one or more lists."""
        query = [("listNames", _names(names, "listNames")), *_person_query(ref)]
        yield Call("delete-lists", query=query, options=options)
        return None

    def replace(
        self,
        ref: PersonRef,
        name: str,
        items: Iterable[Mapping[str, Any]],
        **options: Unpack[CallOptions],
    ) -> Plan[_List[ListItem]]:
        """Replace every item of a list with ``items`` (1 to 128, no ids); returns the new list."""
        return (
            yield from _write_list(
                "replace-list", ref, name, options, lambda: _items(items, ids=False)
            )
        )

    def update(
        self,
        ref: PersonRef,
        name: str,
        items: Iterable[Mapping[str, Any]],
        **options: Unpack[CallOptions],
    ) -> Plan[_List[ListItem]]:
        """Update existing items, each addressed by its ``"__id"``: fields you leave out are kept,
        a field set to ``None`` is deleted. Returns the whole list."""
        return (
            yield from _write_list(
                "update-list", ref, name, options, lambda: _items(items, ids=True)
            )
        )

    def get_items(
        self,
        ref: PersonRef,
        name: str,
        item_ids: str | Sequence[str],
        **options: Unpack[CallOptions],
    ) -> Plan[_List[ListItem]]:
        """The items with these ids (a 404 when one does not exist)."""
        query = [("itemIds", _names(item_ids, "itemIds")), *_person_query(ref)]
        return (
            yield from _list_call("get-list-items", {"listName": _list_name(name)}, query, options)
        )

    def append(
        self,
        ref: PersonRef,
        name: str,
        items: Iterable[Mapping[str, Any]],
        **options: Unpack[CallOptions],
    ) -> Plan[_List[ListItem]]:
        """Append ``items`` (1 to 128, no ids); returns the whole list, new items with their ids."""
        return (
            yield from _write_list(
                "append-list-items", ref, name, options, lambda: _items(items, ids=False)
            )
        )

    def delete_items(
        self,
        ref: PersonRef,
        name: str,
        item_ids: str | Sequence[str],
        **options: Unpack[CallOptions],
    ) -> Plan[_List[ListItem]]:
        """Delete the items with these ids; returns the items that remain."""
        query = [("itemIds", _names(item_ids, "itemIds")), *_person_query(ref)]
        return (
            yield from _list_call(
                "delete-list-items", {"listName": _list_name(name)}, query, options
            )
        )

    def replace_item(
        self,
        ref: PersonRef,
        name: str,
        item_id: str,
        item: Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> Plan[_List[ListItem]]:
        """Replace one item's fields with ``item`` (it keeps its id); returns the whole list."""
        return (
            yield from _write_list(
                "replace-list-item", ref, name, options, lambda: _fields(item), item_id
            )
        )

    def update_item(
        self,
        ref: PersonRef,
        name: str,
        item_id: str,
        fields: Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> Plan[_List[ListItem]]:
        """Change some fields of one item (``None`` deletes a field); returns the whole list."""
        return (
            yield from _write_list(
                "update-list-item", ref, name, options, lambda: _fields(fields), item_id
            )
        )


class Lists(SyncResource):
    """v3 lists (blocking)."""

    get = sync_op(_ListsPlans.get)
    delete = sync_op(_ListsPlans.delete)
    replace = sync_op(_ListsPlans.replace)
    update = sync_op(_ListsPlans.update)
    get_items = sync_op(_ListsPlans.get_items)
    append = sync_op(_ListsPlans.append)
    delete_items = sync_op(_ListsPlans.delete_items)
    replace_item = sync_op(_ListsPlans.replace_item)
    update_item = sync_op(_ListsPlans.update_item)


class AsyncLists(AsyncResource):
    """v3 lists (async): the same methods as :class:`Lists`, awaitable."""

    get = async_op(_ListsPlans.get)
    delete = async_op(_ListsPlans.delete)
    replace = async_op(_ListsPlans.replace)
    update = async_op(_ListsPlans.update)
    get_items = async_op(_ListsPlans.get_items)
    append = async_op(_ListsPlans.append)
    delete_items = async_op(_ListsPlans.delete_items)
    replace_item = async_op(_ListsPlans.replace_item)
    update_item = async_op(_ListsPlans.update_item)
