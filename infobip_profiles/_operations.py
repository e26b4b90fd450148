"""The one table of operations.

Every fact about an endpoint lives here: its operationId, HTTP method and path (from the spec, via
``_operations_data``), how it pages, whether a replay is safe, its published rate limit and which
error envelope it answers with. The resources, the retry policy, the throttle, the docs' coverage page
and the fake's router all read this table.

The spec's other facts (how many items one request carries, page sizes, field lengths, the contacts
cap, the event size limits, the enums values are checked against) are generated into
``_operations_data`` too and read through the accessors and constants below, by the client and by
the fake alike: neither side writes one of these numbers itself.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from types import MappingProxyType
from urllib.parse import quote

import attrs

from ._operations_data import (
    SPEC_BATCH_LIMITS,
    SPEC_ENUMS,
    SPEC_LIMITS,
    SPEC_MAX_LENGTHS,
    SPEC_OPERATIONS,
    SPEC_PAGE_SIZES,
    SPEC_VERSION,
)
from ._ratelimit import RateLimit
from .errors import ValidationError

__all__ = [
    "SPEC_VERSION",
    "ErrorFamily",
    "Operation",
    "OPERATIONS",
    "Paging",
    "PageSize",
    "operation",
    "batch_limit",
    "page_size",
    "max_lengths",
    "spec_limit",
    "spec_enum",
    "CLIENT_PAGE_SIZE",
    "PERSON_MAX_LENGTHS",
    "COMPANY_MAX_LENGTHS",
    "MAX_CONTACTS",
    "EMAIL_MAX_LENGTH",
    "PHONE_MAX_LENGTH",
    "CONTACT_IDENTIFIER_MAX_LENGTH",
    "TAG_NAME_MAX_LENGTH",
    "ATTRIBUTE_NAME_MAX_LENGTH",
    "ATTRIBUTE_VALUE_MAX_LENGTH",
]


class Paging(enum.Enum):
    """The three paging styles the API uses."""

    NONE = "none"
    PAGE_LIMIT = "page/limit from 1"
    PAGE_SIZE = "page/size from 0"
    OFFSET_LIMIT = "offset/limit"


class ErrorFamily(enum.Enum):
    """Which error envelope an operation answers with."""

    V2 = "requestError.serviceException"
    V3 = "code/message/details"
    LISTS = "errorCode/message"
    PUSH = "errorCode/errorMessage"
    EVENTS_BATCH = "problem details"
    SEGMENTS = "errorCode/description/violations"
    EVENT_DEFINITIONS = "no body"


@attrs.frozen
class Operation:
    """One API operation and the facts the SDK and the fake need about it."""

    op_id: str
    method: str
    path: str
    deprecated: bool
    rate_limit: RateLimit | None
    paging: Paging
    replay_safe: bool
    errors: ErrorFamily
    path_regex: re.Pattern[str] = attrs.field(eq=False, repr=False)

    @property
    def path_params(self) -> tuple[str, ...]:
        """Names of the ``{placeholders}`` in the path, in order."""
        return tuple(re.findall(r"{(\w+)}", self.path))

    def format_path(self, **params: str) -> str:
        """The path with its placeholders filled, each value one percent-encoded segment.

        Every character outside the unreserved set is encoded (``/`` as ``%2F``, ``?`` as
        ``%3F``, ``%`` as ``%25``, non-ASCII as its UTF-8 bytes), and a value that is exactly
        ``.`` or ``..`` becomes ``%2E`` / ``%2E%2E``: as plain text it would be a dot segment,
        which URL handling removes, sending the request to another operation. An empty value
        (which would leave ``//`` or drop the segment) raises :class:`ValidationError`.
        """
        return _PLACEHOLDER.sub(lambda m: _segment(m.group(1), params[m.group(1)]), self.path)


_PLACEHOLDER = re.compile(r"{(\w+)}")


def _segment(name: str, value: object) -> str:
    text = str(value)
    if not text:
        raise ValidationError(
            f"{name} must not be empty (it is a segment of the URL path)", field=name
        )
    if text in (".", ".."):
        return "%2E" * len(text)
    return quote(text, safe="")


_PAGING = {
    "get-a-single-person-or-a-list-of-people": Paging.PAGE_LIMIT,
    "get-a-single-company-by-name-or-a-list-of-companies": Paging.PAGE_LIMIT,
    "get-list-of-tags": Paging.PAGE_LIMIT,
    "get-a-list-of-custom-attributes": Paging.PAGE_LIMIT,
    "get-segments": Paging.PAGE_SIZE,
    "get-segment-persons": Paging.PAGE_SIZE,
    "list-event-definitions": Paging.OFFSET_LIMIT,
}

# Non-GET operations a replay cannot harm: every PATCH here sets fields or adds members without
# duplicating them (tags, contacts and domains are de-duplicated; list items are addressed by id),
# and match is a read sent as a POST. Everything else that is a POST creates or appends, so a replay
# after the server may have acted would duplicate it.
_REPLAY_SAFE_POSTS = {"match-people-ids", "update-event-definition"}


def _family(op_id: str, path: str) -> ErrorFamily:
    if "/lists" in path:
        return ErrorFamily.LISTS
    if path.startswith("/people/3/segments"):
        return ErrorFamily.SEGMENTS
    if path.startswith("/people/3/persons"):
        return ErrorFamily.V3
    if op_id == "send-custom-events":
        return ErrorFamily.EVENTS_BATCH
    if "/contactInformation/push/" in path:
        return ErrorFamily.PUSH
    if path.startswith("/peopleevents/2/definitions"):
        return ErrorFamily.EVENT_DEFINITIONS
    return ErrorFamily.V2


def _replay_safe(op_id: str, method: str) -> bool:
    if method in ("GET", "PUT", "DELETE", "PATCH"):
        return True
    return op_id in _REPLAY_SAFE_POSTS


def _path_regex(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"{(\w+)}", r"(?P<\1>[^/]+)", path) + "$")


OPERATIONS: dict[str, Operation] = {
    op_id: Operation(
        op_id=op_id,
        method=method,
        path=path,
        deprecated=deprecated,
        rate_limit=limit,
        paging=_PAGING.get(op_id, Paging.NONE),
        replay_safe=_replay_safe(op_id, method),
        errors=_family(op_id, path),
        path_regex=_path_regex(path),
    )
    for op_id, method, path, deprecated, limit in SPEC_OPERATIONS
}


def operation(op_id: str) -> Operation:
    """Look an operation up by its operationId (``KeyError`` names it when unknown)."""
    try:
        return OPERATIONS[op_id]
    except KeyError:
        raise KeyError(f"unknown operationId {op_id!r}") from None


# -- the spec's limits and enums -----------------------------------------------------------------


@attrs.frozen
class PageSize:
    """The page-size parameter of a listing: what the service uses when it is not sent, and the
    largest value it accepts."""

    default: int
    maximum: int


def batch_limit(op_id: str) -> int:
    """The most elements one request of ``op_id`` carries (persons, companies, people, events,
    list items, or an item's fields); ``KeyError`` for an operation the spec states none for."""
    operation(op_id)
    try:
        return SPEC_BATCH_LIMITS[op_id]
    except KeyError:
        raise KeyError(f"the spec states no item limit for {op_id!r}") from None


def page_size(op_id: str) -> PageSize:
    """Default and maximum page size of a listing; ``KeyError`` when the spec states none."""
    operation(op_id)
    try:
        default, maximum = SPEC_PAGE_SIZES[op_id]
    except KeyError:
        raise KeyError(f"the spec states no page size for {op_id!r}") from None
    return PageSize(default, maximum)


def max_lengths(kind: str) -> Mapping[str, int]:
    """Wire field -> maximum length, for a ``person``, ``company``, ``email``, ``phone``,
    ``contact``, ``tag``, ``custom_attribute``, ``event_definition``, ``event_field`` or
    ``event`` (a batch item's ``eventId``)."""
    return MappingProxyType(SPEC_MAX_LENGTHS[kind])


def spec_limit(name: str) -> int:
    """A named limit of the spec: ``contacts_per_person``, ``custom_attribute_value_length``,
    ``event_item_bytes``, ``event_batch_bytes``, ``event_age_days``, ``event_definition_fields``,
    ``event_list_fields`` (the fields of a ``List`` field's items) or ``export_definition_ids``."""
    return SPEC_LIMITS[name]


def spec_enum(name: str) -> tuple[str, ...]:
    """An enum of the spec, in its order: ``query_types`` (a batch item's identity query),
    ``match_types`` (the match call's), ``attribute_data_types``, ``person_types``, ``genders``,
    ``push_cloud_types``, ``event_field_types``, ``event_categories``, and ``senderless_types``
    (the identifier types that take no ``sender``)."""
    return SPEC_ENUMS[name]


#: The page size the client asks for when the caller gives none: ours, not the spec's (whose
#: default, 20, makes five times the requests for a long listing).
CLIENT_PAGE_SIZE = 100

PERSON_MAX_LENGTHS: Mapping[str, int] = max_lengths("person")
"""A person's scalar fields -> maximum length (the v2 and v3 schemas agree)."""
COMPANY_MAX_LENGTHS: Mapping[str, int] = max_lengths("company")
"""A company's fields -> maximum length."""
MAX_CONTACTS = spec_limit("contacts_per_person")
"""Most email addresses, and most phone numbers, one person holds."""
EMAIL_MAX_LENGTH = max_lengths("email")["address"]
"""Longest email address."""
PHONE_MAX_LENGTH = max_lengths("phone")["number"]
"""Longest phone number."""
CONTACT_IDENTIFIER_MAX_LENGTH = max_lengths("contact")["identifier"]
"""Longest contact identifier in a v3 body (and, by the same rule, any identifier)."""
TAG_NAME_MAX_LENGTH = max_lengths("tag")["name"]
"""Longest tag name."""
ATTRIBUTE_NAME_MAX_LENGTH = max_lengths("custom_attribute")["name"]
"""Longest custom attribute name."""
ATTRIBUTE_VALUE_MAX_LENGTH = spec_limit("custom_attribute_value_length")
"""Longest text value of a custom attribute."""
