"""Say, per list attribute, whether a person write adds items or overwrites the list.

A ``LIST_OF_OBJECTS`` value sent in a person write replaces the whole stored list: that is what
the service does with a plain list in ``people.create``, ``people.update`` (PATCH) and
``people.replace`` (PUT), and in the v3 upserts. Chatbot flows usually mean the other thing:
"add this order to the person's orders". Wrap the value to say which one you mean::

    from infobip_profiles import Append, Overwrite, Person

    client.people.update(ref, Person(custom_attributes={
        "Orders": Append([{"sku": "A-1", "qty": 2}]),      # added after the stored items
        "Addresses": Overwrite([{"city": "Zagreb"}]),     # the list becomes exactly this
    }))

=====================  ============================  ===============================================
method                 a plain list (the default)    ``Append([...])``
=====================  ============================  ===============================================
``people.create``      overwrite (the list is new)   the person is created, then the items appended
``people.update``      overwrite the whole list      the PATCH is sent without it, then the items
                                                     appended, in order
``people.replace``     overwrite the whole list      the PUT is sent without it (so the list is
                                                     emptied), then the items appended
v3 upserts, batches    overwrite                     refused (:class:`ValidationError`) before
                                                     anything is sent
=====================  ============================  ===============================================

``Overwrite([...])`` is a plain list with a name: it is sent as it is, everywhere.

An append is sent as the lists API's append call (``POST /people/3/lists/{name}/items``), at most
128 items a request, after the person write succeeded and addressed by the person's id. If the
write fails nothing is appended; if an append request fails, the write and the earlier appends
stay applied and the error is raised (nothing is retried that the service may have applied).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from ._plan import Call, Plan, json_of
from ._types import CallOptions
from .errors import ValidationError
from .models import ITEM_ID, MAX_LIST_ITEMS, Person, StoredPerson

if TYPE_CHECKING:
    from .refs import PersonRef

__all__ = ["Append", "Overwrite", "split_appends", "send_appends", "APPEND_OP"]

P = TypeVar("P", bound=Person)

#: The operation an :class:`Append` is sent with.
APPEND_OP = "append-list-items"


def _items(items: Iterable[Mapping[str, Any]], what: str) -> tuple[dict[str, Any], ...]:
    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Iterable):
        raise ValidationError(f"{what} takes a list of dicts (list items)", field="items")
    out = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise ValidationError(f"{what} item {index} is not a dict", field=f"items[{index}]")
        out.append(dict(item))
    return tuple(out)


@attrs.frozen(init=False)
class Append:
    """Items to add after a list attribute's stored items, in order (see the module docs)."""

    items: tuple[dict[str, Any], ...]

    def __init__(self, items: Iterable[Mapping[str, Any]]) -> None:
        values = _items(items, "Append")
        for index, item in enumerate(values):
            if ITEM_ID in item:
                raise ValidationError(
                    f"Append item {index} carries {ITEM_ID!r}: the service assigns item ids",
                    field=f"items[{index}].{ITEM_ID}",
                )
        self.__attrs_init__(values)


class Overwrite(list):  # type: ignore[type-arg]
    """The list attribute becomes exactly these items: a plain list, named for the reader."""

    def __init__(self, items: Iterable[Mapping[str, Any]] = ()) -> None:
        super().__init__(_items(items, "Overwrite"))

    def __repr__(self) -> str:
        return f"Overwrite({list.__repr__(self)})"


def split_appends(person: Person) -> tuple[Person, list[tuple[str, tuple[dict[str, Any], ...]]]]:
    """``person`` without its :class:`Append` values, and those values as ``(name, items)`` in
    the order the attributes were given. A person without any is returned as it is."""
    if not isinstance(person, Person) or not isinstance(person.custom_attributes, Mapping):
        return person, []
    attributes = person.custom_attributes
    appends = [(str(k), v.items) for k, v in attributes.items() if isinstance(v, Append)]
    if not appends:
        return person, []
    kept = {k: v for k, v in attributes.items() if not isinstance(v, Append)}
    if kept:
        return person.replace(custom_attributes=kept), appends
    # Nothing else to write: the field is left unset (a null would clear every attribute).
    bare = copy.copy(person)
    object.__setattr__(bare, "custom_attributes", None)
    object.__setattr__(bare, "_fields_set", person.fields_set() - {"custom_attributes"})
    return bare, appends


def send_appends(
    person_id: int | None,
    appends: Sequence[tuple[str, tuple[dict[str, Any], ...]]],
    options: CallOptions,
) -> Plan[dict[str, list[dict[str, Any]]]]:
    """Append each list's items (128 a request) to the person ``person_id``; returns each
    list as the last answer showed it (the whole stored list)."""
    from .refs import PersonRef

    lists: dict[str, list[dict[str, Any]]] = {}
    if not appends:
        return lists
    if not person_id:
        raise ValidationError("the write answered without a person id: cannot append", field="id")
    ref: PersonRef = PersonRef.id(person_id)
    for name, items in appends:
        for start in range(0, len(items), MAX_LIST_ITEMS):
            chunk = [dict(i) for i in items[start : start + MAX_LIST_ITEMS]]
            response = yield Call(
                APPEND_OP,
                path_params={"listName": name},
                query=ref.query(),
                body=_wire(chunk),
                options=options,
            )
            body = json_of(response)
            if isinstance(body, list):
                lists[name] = [dict(i) for i in body if isinstance(i, Mapping)]
    return lists


def _wire(items: list[dict[str, Any]]) -> Any:
    from ._converter import to_wire

    return to_wire(items)


def with_lists(person: P, lists: Mapping[str, list[dict[str, Any]]]) -> P:
    """``person`` (a write's answer) with the appended lists as the service last returned them."""
    if not lists:
        return person
    attributes = dict(person.custom_attributes or {})
    attributes.update(lists)
    return person.replace(custom_attributes=attributes)


def append_after(
    stored: P,
    appends: Sequence[tuple[str, tuple[dict[str, Any], ...]]],
    options: CallOptions,
) -> Plan[P]:
    """After a person write answered ``stored``: send the appends, return the person with the
    appended lists as the service returned them last (``stored`` itself when there are none)."""
    if not appends:
        return stored
    lists = yield from send_appends(stored.id, appends, options)
    return with_lists(stored, lists)


def append_only(
    ref: PersonRef,
    appends: Sequence[tuple[str, tuple[dict[str, Any], ...]]],
    options: CallOptions,
) -> Plan[StoredPerson]:
    """An update that only appends: the person is read (its id, and a 404 when there is none)
    instead of sending an empty PATCH, then the items are appended."""
    from ._converter import from_wire

    response = yield Call(
        "get-a-single-person-or-a-list-of-people", query=ref.query(), options=options
    )
    stored = from_wire(json_of(response), StoredPerson)
    return (yield from append_after(stored, appends, options))
