"""Query parameters and identity checks shared by the handlers: which person a query addresses
(``identifier``/``type``/``sender`` or a legacy parameter), paging, ordering, total counts,
integer parameters, and the ``query`` objects of batch items.

Each renders its 400 in the envelope the spec gives the operations that use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..._operations import page_size, spec_enum
from .._context import Context
from .._errors import MSG, lists_error, v2_error
from ..engine.persons import IDENTIFIER_TYPES

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "INT32_MAX",
    "LEGACY_ADDRESS",
    "MAX_PAGE_SIZE",
    "QUERY_TYPES",
    "SENDERLESS_TYPES",
    "addresses_person",
    "check_identity",
    "check_identity_queries",
    "identity_problems",
    "include_total",
    "int_param_value",
    "legacy_address",
    "lists_person",
    "page_params",
    "parse_order_by",
    "person_from_query",
    "query_identifier",
]

_LIST_OP = "get-a-single-person-or-a-list-of-people"

MAX_PAGE_SIZE = page_size(_LIST_OP).maximum
"""Largest ``limit`` a list accepts."""
DEFAULT_PAGE_SIZE = page_size(_LIST_OP).default
INT32_MAX = 2**31 - 1
"""Largest value of an ``int32`` query parameter (``page``, ``limit``)."""

QUERY_TYPES = spec_enum("query_types")
"""The spec's ``IdentityQuery.type`` enum: what a batch item's ``query`` may name (and what its
207 result may echo)."""

#: Identifier types that need no ``sender``.
SENDERLESS_TYPES = frozenset(spec_enum("senderless_types"))

#: Legacy addressing of one person, from the People v2 docs (``phone=41793026727``,
#: ``email=janesmith%40acme.com``): each query parameter and the identifier type it stands for.
#: Served wherever the spec takes ``identifier`` + ``type``.
LEGACY_ADDRESS = {
    "phone": "PHONE",
    "email": "EMAIL",
    "externalId": "EXTERNAL_ID",
    "pushRegistrationId": "PUSH",
}
_ORDER_RE = re.compile(r"^([A-Za-z]+)(?::(asc|desc))?$", re.IGNORECASE)
_INT_RE = re.compile(r"([+-]?)0*([0-9]+)")
_HUGE = 10**30  # stands for any integer with more digits: beyond every range a parameter has


def person_from_query(ctx: Context) -> int:
    """The person named by ``identifier``, ``type`` and ``sender`` query parameters, or by one
    legacy parameter (:data:`LEGACY_ADDRESS`); 400 when they are incomplete or address twice,
    404 when nobody matches."""
    legacy = legacy_address(ctx)
    if legacy is not None:
        # sender plays no part: a legacy type needs none (a push registration id is unique)
        return ctx.state.persons.require(legacy[0], legacy[1], ctx.param("sender"))
    kind, sender = ctx.param("type"), ctx.param("sender")
    identifier = query_identifier(kind, ctx.param("identifier"))
    check_identity(identifier, kind, sender)
    return ctx.state.persons.require(str(kind), str(identifier), sender)


def addresses_person(ctx: Context) -> bool:
    """Whether the query addresses one person (``identifier``, ``type`` or a legacy
    parameter), as opposed to asking for a list."""
    return any(
        name in ("identifier", "type") or name in LEGACY_ADDRESS for name, _ in ctx.request.query
    )


def legacy_address(ctx: Context, *, lists: bool = False) -> tuple[str, str] | None:
    """``(type, identifier)`` when the query addresses a person with one legacy parameter
    (``email=...``), ``None`` when it uses none.

    Two addressings at once (two legacy parameters, one given twice, or one beside
    ``identifier``/``type``) are a 400 naming them, as is an empty value: in the v2 envelope, or
    the lists family's ``400116`` when ``lists``.
    """
    found = [(name, value) for name, value in ctx.request.query if name in LEGACY_ADDRESS]
    if not found:
        return None
    names = [name for name, _ in found]
    names += [name for name in ("identifier", "type") if ctx.param(name) is not None]
    if len(names) > 1:
        if lists:
            raise lists_error(400, 400116, MSG.ADDRESS_TWICE)
        problems = {name: [MSG.ADDRESS_TWICE] for name in sorted(set(names))}
        raise v2_error(400, MSG.ADDRESS_TWICE, validation_errors=problems)
    name, value = found[0]
    if not value:
        if lists:
            raise lists_error(400, 400116, MSG.LIST_MISSING_PARAMETER.format(name=name))
        raise v2_error(400, MSG.BAD_REQUEST, validation_errors={name: [MSG.FIELD_REQUIRED]})
    kind = LEGACY_ADDRESS[name]
    return kind, query_identifier(kind, value) or value


def query_identifier(kind: str | None, value: str | None) -> str | None:
    """An identifier as a query gave it, with a phone number's unencoded ``+`` put back: a
    ``+`` in a query decodes to a space, and a phone number never starts with one."""
    if kind == "PHONE" and value is not None and value.startswith(" "):
        stripped = value.lstrip(" ")
        if stripped:
            return "+" + stripped
    return value


def lists_person(ctx: Context) -> int:
    """The person a lists operation addresses, with the lists family's checks and errors; a
    legacy parameter works as its ``type`` would, except that ``pushRegistrationId`` needs no
    ``sender`` (a push registration id is unique)."""
    sender = ctx.param("sender")
    legacy = legacy_address(ctx, lists=True)
    if legacy is None:
        kind = ctx.param("type")
        return ctx.state.lists.person(kind, query_identifier(kind, ctx.param("identifier")), sender)
    kind, identifier = legacy
    if kind == "PUSH" and sender is None:
        pid = ctx.state.persons.resolve(kind, identifier)
        if pid is None:
            raise lists_error(404, 300101, MSG.LIST_PERSON_NOT_FOUND.format(identifier=identifier))
        return pid
    return ctx.state.lists.person(kind, identifier, sender)


def check_identity(identifier: Any, kind: Any, sender: Any) -> None:
    """400 unless ``identifier`` and ``type`` are given, ``type`` is known and ``sender`` is
    present for channel types."""
    errors: dict[str, list[str]] = {}
    if not isinstance(identifier, str) or not identifier:
        errors["identifier"] = [MSG.FIELD_REQUIRED]
    if not isinstance(kind, str) or not kind:
        errors["type"] = [MSG.FIELD_REQUIRED]
    elif kind not in IDENTIFIER_TYPES:
        errors["type"] = [MSG.FIELD_ONE_OF.format(values=", ".join(IDENTIFIER_TYPES))]
    elif kind not in SENDERLESS_TYPES and not sender:
        errors["sender"] = [MSG.SENDER_REQUIRED.format(type=kind)]
    if sender is not None and not isinstance(sender, str):
        errors["sender"] = [MSG.FIELD_STRING]
    if errors:
        raise v2_error(400, MSG.BAD_REQUEST, validation_errors=errors)


def page_params(ctx: Context) -> tuple[int, int]:
    """``(page, limit)`` from the query: 1-based page (default 1, at most the int32 maximum),
    limit 1..1000 (default 20). A value that is not an integer (an empty one included) is a 400.
    """
    errors: dict[str, list[str]] = {}
    page = _int_param(ctx, "page", 1)
    limit = _int_param(ctx, "limit", DEFAULT_PAGE_SIZE)
    if page is None or not 1 <= page <= INT32_MAX:
        errors["page"] = [MSG.PAGE_RANGE]
    if limit is None or not 1 <= limit <= MAX_PAGE_SIZE:
        errors["limit"] = [MSG.LIMIT_RANGE.format(max=MAX_PAGE_SIZE)]
    if errors:
        raise v2_error(400, MSG.BAD_REQUEST, validation_errors=errors)
    return page or 1, limit or DEFAULT_PAGE_SIZE


def parse_order_by(value: str | None, fields: tuple[str, ...]) -> str | None:
    """``field:asc|desc`` normalised (direction lower-case, default ``asc``); 400 when bad."""
    if value is None or value == "":
        return None
    match = _ORDER_RE.match(value)
    if not match or match.group(1) not in fields:
        raise v2_error(
            400,
            MSG.ORDER_BY.format(fields=", ".join(fields)),
            validation_errors={"orderBy": [MSG.ORDER_BY.format(fields=", ".join(fields))]},
        )
    return f"{match.group(1)}:{(match.group(2) or 'asc').lower()}"


def include_total(ctx: Context) -> bool:
    """Whether ``includeTotalCount=true`` was asked for; a value other than ``true`` or
    ``false`` (an empty one included) is a 400."""
    raw = ctx.param("includeTotalCount")
    if raw is None:
        return False
    value = raw.lower()
    if value not in ("true", "false"):
        raise v2_error(
            400, MSG.BAD_REQUEST, validation_errors={"includeTotalCount": [MSG.FIELD_BOOLEAN]}
        )
    return value == "true"


def int_param_value(raw: str) -> int | None:
    """``raw`` as an integer when it is one (optional sign, ASCII digits only), else ``None``.

    Python's ``int()`` would also read ``" 1"``, ``"1_0"`` and other scripts' digits, which the
    spec's integer does not allow. An integer of more than 30 digits comes back as ±10**30 (out of
    every range, with its sign), so its conversion cannot hit Python's digit limit.
    """
    match = _INT_RE.fullmatch(raw)
    if match is None:
        return None
    sign, digits = match.groups()
    value = int(digits) if len(digits) <= 30 else _HUGE
    return -value if sign == "-" else value


def _int_param(ctx: Context, name: str, default: int) -> int | None:
    raw = ctx.param(name)
    if raw is None:
        return default
    return int_param_value(raw)


def check_identity_queries(
    items: list[Any],
    key: str,
    query_problems: Callable[[dict[str, Any], str], dict[str, list[str]]] | None = None,
) -> None:
    """400 unless every batch item is an object with a ``query`` the spec allows. For persons
    (the default ``query_problems``): an object whose ``identifier``, ``type`` and ``sender`` are
    strings when given, ``type`` one of :data:`QUERY_TYPES`; other families pass their own check.
    Checked for the whole request before any item is applied.

    An item without a query is refused with the request, not reported as a failed item: the
    207 result echoes the item's query, which the spec types as an object.
    """
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        where = f"{key}[{index}]"
        if not isinstance(item, dict):
            errors[where] = [MSG.FIELD_OBJECT]
            continue
        query = item.get("query")
        if query is None:
            errors[f"{where}.query"] = [MSG.FIELD_NOT_NULL]
        elif not isinstance(query, dict):
            errors[f"{where}.query"] = [MSG.FIELD_OBJECT]
        else:
            path = f"{where}.query"
            if query_problems is None:
                errors.update(identity_problems(query, path, QUERY_TYPES))
            else:
                errors.update(query_problems(query, path))
    if errors:
        raise v2_error(400, MSG.BAD_REQUEST, validation_errors=errors)


def identity_problems(
    identity: dict[str, Any], where: str, types: tuple[str, ...]
) -> dict[str, list[str]]:
    """Problems of one identity object at ``where``: non-string ``identifier``, ``type`` or
    ``sender``, or a ``type`` not in ``types``."""
    errors: dict[str, list[str]] = {}
    for name in ("identifier", "type", "sender"):
        if name in identity and not isinstance(identity[name], str):
            errors[f"{where}.{name}"] = [MSG.FIELD_STRING]
    kind = identity.get("type")
    if isinstance(kind, str) and kind not in types:
        errors[f"{where}.type"] = [MSG.FIELD_ONE_OF.format(values=", ".join(types))]
    return errors
