"""Engine: v3 lists over LIST_OF_OBJECTS attributes (docs/fake-semantics.md, lists). No HTTP.

A "list" is one person's value of a ``LIST_OF_OBJECTS`` custom attribute (the API calls it a
placeholder in its errors). The engine holds no state of its own: it reads and writes the value
through the persons engine and checks items against the attribute's ``objectSchema`` with the
attributes engine. Every stored item carries a server UUID under ``__id``; an item written through
the v2 person endpoints gets its id the first time a lists call sees it.

Errors use the lists family's envelope ``{"errorCode", "message"}``: ``400116`` missing parameter,
``400117`` sender missing or not allowed (a sender with ID, EXTERNAL_ID, PHONE or EMAIL is an error
here, unlike the v2 lookups), ``400101`` empty or malformed body, ``300109`` a field value of the
wrong type (also any write naming a computed attribute, which is read-only), ``429002`` item ids
where they are not allowed or invalid, and the 404s ``300101`` (person), ``300103`` (list
attribute) and ``300130`` (items). A rejected request changes nothing.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..._operations import batch_limit, spec_enum
from .._messages import MSG
from .._wire import dumps
from ._domain import Invalid, NotFound
from .attributes import ITEM_ID_KEY
from .events import COMPUTED_READ_ONLY
from .persons import IDENTIFIER_TYPES

if TYPE_CHECKING:
    from .._state import TenantState

__all__ = ["ListsEngine", "MAX_ITEMS", "SENDERLESS_TYPES"]

MAX_ITEMS = batch_limit("append-list-items")
"""Most items (or fields of one item) a request body may carry (the same for every list write)."""

SENDERLESS_TYPES = frozenset(spec_enum("senderless_types"))
"""Identifier types that must come without a ``sender`` on the lists calls."""

Item = dict[str, Any]


class ListsEngine:
    """The nine v3 list operations over one tenant's persons."""

    def __init__(self, state: TenantState) -> None:
        self._state = state

    # == addressing ================================================================================

    def person(self, id_type: str | None, identifier: str | None, sender: str | None) -> int:
        """The person the ``type``/``identifier``/``sender`` parameters name, with the lists
        family's checks: both required (``400116``), the sender rule (``400117``), 404 ``300101``."""
        if not identifier:
            raise Invalid(MSG.LIST_MISSING_PARAMETER.format(name="identifier"), code=400116)
        if not id_type:
            raise Invalid(MSG.LIST_MISSING_PARAMETER.format(name="type"), code=400116)
        if id_type not in IDENTIFIER_TYPES:
            raise Invalid(MSG.LIST_INVALID_TYPE.format(type=id_type), code=400116)
        if id_type in SENDERLESS_TYPES and sender is not None:
            raise Invalid(MSG.LIST_SENDER_FORBIDDEN.format(type=id_type), code=400117)
        if id_type not in SENDERLESS_TYPES and not sender:
            raise Invalid(MSG.LIST_SENDER_REQUIRED.format(type=id_type), code=400117)
        pid = self._state.persons.resolve(id_type, identifier, sender)
        if pid is None:
            raise NotFound(
                "person", MSG.LIST_PERSON_NOT_FOUND.format(identifier=identifier), code=300101
            )
        return pid

    def _attribute(self, name: str) -> str:
        """The defined spelling of list attribute ``name``; 404 ``300103`` if it is not one."""
        attributes = self._state.attributes
        if attributes.data_type(name) != "LIST_OF_OBJECTS":
            raise NotFound(
                "list attribute", MSG.LIST_PLACEHOLDER_NOT_FOUND.format(name=name), code=300103
            )
        return attributes.canonical_name(name) or name

    def _writable(self, name: str) -> str:
        """:meth:`_attribute` for a write: a computed attribute's name is a 400 ``300109``."""
        if self._state.events.is_computed(name):
            raise Invalid(COMPUTED_READ_ONLY.format(name=name), code=300109)
        return self._attribute(name)

    def _attributes(self, names: Sequence[str]) -> list[str]:
        missing = [n for n in names if self._state.attributes.data_type(n) != "LIST_OF_OBJECTS"]
        if len(missing) == 1:
            raise NotFound(
                "list attribute",
                MSG.LIST_PLACEHOLDER_NOT_FOUND.format(name=missing[0]),
                code=300103,
            )
        if missing:
            raise NotFound(
                "list attribute",
                MSG.LIST_PLACEHOLDERS_NOT_FOUND.format(names=", ".join(missing)),
                code=300103,
            )
        return [self._attribute(n) for n in names]

    def _items(self, pid: int, name: str) -> list[Item]:
        """The stored items (copies), every one with an ``__id``; ids missing from items written
        through the v2 endpoints are assigned and kept now."""
        raw = self._state.persons.custom_attribute(pid, name)
        if not isinstance(raw, list):
            return []
        if any(isinstance(i, dict) and ITEM_ID_KEY not in i for i in raw):
            for item in raw:
                if isinstance(item, dict) and ITEM_ID_KEY not in item:
                    # Stamped in place: giving stored items their ids is not a change to the person.
                    item[ITEM_ID_KEY] = self._new_id()
        return [copy.deepcopy(i) for i in raw if isinstance(i, dict)]

    def _store(self, pid: int, name: str, items: list[Item]) -> list[Item]:
        self._state.persons.set_custom_attribute(pid, name, items or None)
        return copy.deepcopy(items)

    def _new_id(self) -> str:
        return self._state.next_uuid("list-item")

    # == the nine operations =======================================================================

    def get_lists(self, pid: int, names: Sequence[str]) -> dict[str, list[Item]]:
        """``{name: items}`` for each requested list (an unset list is ``[]``)."""
        canonical = self._attributes(names)
        return {asked: self._items(pid, name) for asked, name in zip(names, canonical, strict=True)}

    def delete_lists(self, pid: int, names: Sequence[str]) -> None:
        """Empty each list."""
        for name in names:
            if self._state.events.is_computed(name):
                raise Invalid(COMPUTED_READ_ONLY.format(name=name), code=300109)
        for name in self._attributes(names):
            self._state.persons.set_custom_attribute(pid, name, None)

    def replace(self, pid: int, name: str, body: Any) -> list[Item]:
        """Replace every item with ``body`` (1-128 items, no ids); returns the new list."""
        name = self._writable(name)
        items = self._new_items(name, body)
        return self._store(pid, name, [{ITEM_ID_KEY: self._new_id(), **i} for i in items])

    def append(self, pid: int, name: str, body: Any) -> list[Item]:
        """Append ``body`` (1-128 items, no ids); returns the whole list."""
        name = self._writable(name)
        items = self._new_items(name, body)
        current = self._items(pid, name)
        current.extend({ITEM_ID_KEY: self._new_id(), **i} for i in items)
        return self._store(pid, name, current)

    def update(self, pid: int, name: str, body: Any) -> list[Item]:
        """Update existing items by ``__id`` (omitted fields kept, ``null`` deletes a field)."""
        name = self._writable(name)
        patches = _item_array(body)
        for patch in patches:
            item_id = patch.get(ITEM_ID_KEY)
            if item_id is None:
                raise Invalid(MSG.LIST_IDS_REQUIRED.format(item=_render(patch)), code=429002)
            if not isinstance(item_id, str):  # a number, an array, an object: no item's id
                raise Invalid(MSG.LIST_ID_INVALID.format(item_id=dumps(item_id)), code=429002)
        current = self._items(pid, name)
        by_id = {i[ITEM_ID_KEY]: i for i in current}
        unknown = [str(p[ITEM_ID_KEY]) for p in patches if p[ITEM_ID_KEY] not in by_id]
        if unknown:
            raise self._items_not_found(name, unknown)
        for patch in patches:
            fields = {k: v for k, v in patch.items() if k != ITEM_ID_KEY}
            self._validate(name, fields, partial=True)
            _merge(by_id[patch[ITEM_ID_KEY]], fields)
        return self._store(pid, name, current)

    def get_items(self, pid: int, name: str, item_ids: Sequence[str]) -> list[Item]:
        """The items with ``item_ids``, in the order asked; 404 ``300130`` if one is missing."""
        name = self._attribute(name)
        ids = self._check_ids(item_ids)
        by_id = {i[ITEM_ID_KEY]: i for i in self._items(pid, name)}
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise self._items_not_found(name, unknown)
        return [by_id[i] for i in ids]

    def delete_items(self, pid: int, name: str, item_ids: Sequence[str]) -> list[Item]:
        """Delete the items with ``item_ids``; returns the items that remain."""
        name = self._writable(name)
        ids = set(self._check_ids(item_ids))
        current = self._items(pid, name)
        unknown = sorted(ids - {i[ITEM_ID_KEY] for i in current})
        if unknown:
            raise self._items_not_found(name, unknown)
        return self._store(pid, name, [i for i in current if i[ITEM_ID_KEY] not in ids])

    def replace_item(self, pid: int, name: str, item_id: str, body: Any) -> list[Item]:
        """Replace one item's fields (it keeps its ``__id``; ``null`` fields are left out)."""
        return self._change_item(pid, name, item_id, body, _replace)

    def update_item(self, pid: int, name: str, item_id: str, body: Any) -> list[Item]:
        """Change some fields of one item (``null`` deletes a field); returns the whole list."""
        return self._change_item(pid, name, item_id, body, _merge)

    def _change_item(
        self,
        pid: int,
        name: str,
        item_id: str,
        body: Any,
        change: Callable[[Item, Mapping[str, Any]], None],
    ) -> list[Item]:
        """Check the list, the id and the fields, then ``change`` the stored item in place."""
        name = self._writable(name)
        (item_id,) = self._check_ids([item_id])
        fields = self._fields(body, item_id)
        current = self._items(pid, name)
        target = self._find(name, current, item_id)
        self._validate(name, fields, partial=True)
        change(target, fields)
        return self._store(pid, name, current)

    # == checks ====================================================================================

    def _new_items(self, name: str, body: Any) -> list[Item]:
        items = _item_array(body)
        for item in items:
            if ITEM_ID_KEY in item:
                raise Invalid(MSG.LIST_IDS_FORBIDDEN, code=429002)
        for item in items:
            self._validate(name, item, partial=False)
        return items

    def _validate(self, name: str, fields: Item, *, partial: bool) -> None:
        problems = self._state.attributes.validate_item(name, fields, partial=partial)
        if problems:
            raise Invalid(
                MSG.LIST_FIELD_VALUE.format(name=name, problem="; ".join(problems)), code=300109
            )

    def _fields(self, body: Any, item_id: str) -> Item:
        if body is None:
            raise Invalid(MSG.LIST_EMPTY_BODY, code=400101)
        if not isinstance(body, dict):
            raise Invalid(MSG.LIST_BODY_SHAPE.format(what="a JSON object"), code=400101)
        given = body.get(ITEM_ID_KEY)
        if given is not None and given != item_id:
            raise Invalid(MSG.LIST_IDS_FORBIDDEN, code=429002)
        fields = {k: v for k, v in body.items() if k != ITEM_ID_KEY}
        if not 1 <= len(fields) <= MAX_ITEMS:
            raise Invalid(MSG.LIST_BODY_SIZE.format(max=MAX_ITEMS, what="fields"), code=400101)
        return fields

    @staticmethod
    def _check_ids(item_ids: Iterable[str]) -> list[str]:
        ids = [i for i in item_ids if i != ""]
        if not ids:
            raise Invalid(MSG.LIST_MISSING_PARAMETER.format(name="itemIds"), code=400116)
        for item_id in ids:
            try:
                uuid.UUID(item_id)
            except ValueError:
                raise Invalid(MSG.LIST_ID_INVALID.format(item_id=item_id), code=429002) from None
        return ids

    def _find(self, name: str, items: list[Item], item_id: str) -> Item:
        for item in items:
            if item[ITEM_ID_KEY] == item_id:
                return item
        raise self._items_not_found(name, [item_id])

    @staticmethod
    def _items_not_found(name: str, ids: Iterable[str]) -> NotFound:
        return NotFound(
            "list item", MSG.LIST_ITEMS_NOT_FOUND.format(name=name, ids=", ".join(ids)), code=300130
        )


def _item_array(body: Any) -> list[Item]:
    if body is None:
        raise Invalid(MSG.LIST_EMPTY_BODY, code=400101)
    if not isinstance(body, list):
        raise Invalid(MSG.LIST_BODY_SHAPE.format(what="a JSON array of objects"), code=400101)
    if not 1 <= len(body) <= MAX_ITEMS:
        raise Invalid(MSG.LIST_BODY_SIZE.format(max=MAX_ITEMS, what="items"), code=400101)
    if not all(isinstance(i, dict) for i in body):
        raise Invalid(MSG.LIST_BODY_SHAPE.format(what="a JSON array of objects"), code=400101)
    return [dict(i) for i in body]


def _replace(target: Item, fields: Mapping[str, Any]) -> None:
    """Keep only the item's id, then set the fields given (``null`` ones are left out)."""
    item_id = target[ITEM_ID_KEY]
    target.clear()
    target[ITEM_ID_KEY] = item_id
    target.update({k: v for k, v in fields.items() if v is not None})


def _merge(target: Item, fields: Mapping[str, Any]) -> None:
    for key, value in fields.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value


def _render(item: Mapping[str, Any]) -> str:
    return dumps(item, separators=(", ", ": "))
