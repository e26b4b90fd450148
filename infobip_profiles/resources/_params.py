"""Query parameters shared by the resources: ordering, a persons listing's filter and order,
and the person a call addresses.

These are the client's own checks of what it puts in a URL; the fake keeps its own rules apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..errors import ValidationError
from ..filters import FilterLike, to_query_param
from ..refs import PersonRef

__all__ = ["PERSON_ORDER_FIELDS", "as_person_ref", "list_params", "order_by_param"]

#: What the persons list may be ordered by (wire names).
PERSON_ORDER_FIELDS = frozenset({"firstName", "lastName", "createdAt", "modifiedAt"})
_ORDER_RE = re.compile(r"^(\w+)(?::(asc|desc))?$", re.IGNORECASE)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def order_by_param(order_by: str, allowed: Iterable[str] = PERSON_ORDER_FIELDS) -> str:
    """Validate ``field`` or ``field:asc|desc`` (snake_case accepted) and render the wire form."""
    match = _ORDER_RE.match(order_by.strip())
    fields = set(allowed)
    if not match or _camel(match.group(1)) not in fields:
        raise ValidationError(
            f"order_by {order_by!r}: use one of {', '.join(sorted(fields))}, "
            "optionally followed by ':asc' or ':desc'",
            field="orderBy",
        )
    direction = (match.group(2) or "asc").lower()
    return f"{_camel(match.group(1))}:{direction}"


def list_params(filter: FilterLike | str | None, order_by: str | None) -> list[tuple[str, str]]:
    """The ``filter`` and ``orderBy`` query parameters of a persons listing, those given."""
    params: list[tuple[str, str]] = []
    if filter is not None:
        params.append(("filter", filter if isinstance(filter, str) else to_query_param(filter)))
    if order_by is not None:
        params.append(("orderBy", order_by_param(order_by)))
    return params


def as_person_ref(ref: PersonRef) -> PersonRef:
    """``ref`` itself, after checking that it is a :class:`~infobip_profiles.PersonRef`."""
    if not isinstance(ref, PersonRef):
        raise TypeError(f"expected a PersonRef, got {type(ref).__name__}")
    return ref
