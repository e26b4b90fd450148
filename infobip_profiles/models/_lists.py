"""Lists (v3): the items of a person's ``LIST_OF_OBJECTS`` attribute, addressed one by one.

An item is a plain ``dict`` of the attribute's ``objectSchema`` fields; the service stamps each
stored item with a UUID under :data:`ITEM_ID` (``"__id"``), which addresses it afterwards.
"""

from __future__ import annotations

from typing import Any

from .._operations import batch_limit

__all__ = ["ListItem", "ITEM_ID", "MAX_LIST_ITEMS", "item_id"]

#: One list item: field name to value (dates, datetimes and Decimals are converted on the way out).
ListItem = dict[str, Any]

#: The key under which the service stores each item's id.
ITEM_ID = "__id"

#: Most items (or, for a single item, fields) one request body may carry; at least one is needed.
MAX_LIST_ITEMS = batch_limit("append-list-items")


def item_id(item: ListItem) -> str:
    """The server-assigned id of a stored item (``KeyError`` if the item has none yet)."""
    return str(item[ITEM_ID])
