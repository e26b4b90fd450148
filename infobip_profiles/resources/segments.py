"""The ``segments`` resource (v3): saved person queries with event conditions, and their members.

Segments page from 0 with ``page``/``size`` (the :class:`~infobip_profiles.Pager` hides that) and
answer errors in their own envelope (``errorCode`` ``"E400"``, ``"E404"``...), which becomes the
usual :class:`~infobip_profiles.APIError` subclass with the violations in ``validation_errors``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from typing_extensions import Unpack

from .._converter import from_wire, to_wire
from .._operations import CLIENT_PAGE_SIZE, page_size
from .._plan import Call, Plan, async_op, json_of, sync_op
from .._types import CallOptions
from ..errors import ValidationError
from ..filters import Filter, FilterLike
from ..models import EventCondition, Segment, StoredPerson, StoredSegment
from ..pagination import PageSpec, async_pager, sync_pager
from ..refs import CHANNEL_CONTACT_KEYS
from . import _workflows
from ._base import AsyncResource, SyncResource

__all__ = ["Segments", "AsyncSegments", "MAX_PAGE_SIZE", "person_from_v3"]

#: Largest ``size`` the segment listings accept (the spec states the same for both).
MAX_PAGE_SIZE = page_size("get-segments").maximum
DEFAULT_PAGE_SIZE = CLIENT_PAGE_SIZE

_SORT_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(?:,\s*(asc|desc)\s*)?$", re.IGNORECASE)

# v3 contact types -> the v2 ContactInformation key they belong under (channels with one).
_CHANNEL_KEYS = {kind: key for kind, key in CHANNEL_CONTACT_KEYS.items() if key}


def person_from_v3(data: Any) -> StoredPerson:
    """A v3 person (``contactInformation`` as an array of typed identifiers) as a
    :class:`StoredPerson` (its ``id`` is always there).

    Emails and phones land in ``contact_information.email``/``.phone``; push registrations in
    ``.push`` (the sender is the application); messaging channels in their own lists.
    """
    body = dict(data or {})
    contacts = body.pop("contactInformation", None)
    if "createdFrom" in body and "origin" not in body:
        body["origin"] = body.pop("createdFrom")
    if isinstance(contacts, list):
        grouped: dict[str, list[dict[str, Any]]] = {}
        for item in contacts:
            if not isinstance(item, Mapping):
                continue
            kind = str(item.get("type", "")).upper()
            ident = item.get("identifier")
            if kind == "EMAIL":
                grouped.setdefault("email", []).append({"address": ident})
            elif kind == "PHONE":
                grouped.setdefault("phone", []).append({"number": ident})
            elif kind in ("PUSH", "WEB_PUSH"):
                entry: dict[str, Any] = {"registrationId": ident}
                if item.get("sender") is not None:
                    entry["applicationId"] = item["sender"]
                if item.get("primary") is not None:
                    entry["isPrimary"] = item["primary"]
                grouped.setdefault(_CHANNEL_KEYS[kind], []).append(entry)
            elif kind in _CHANNEL_KEYS:
                grouped.setdefault(_CHANNEL_KEYS[kind], []).append(
                    {"userId": ident, "applicationId": item.get("sender")}
                )
        body["contactInformation"] = grouped
    elif isinstance(contacts, Mapping):  # already the v2 shape
        body["contactInformation"] = contacts
    return from_wire(body, StoredPerson)


def _decode_segment(data: Any) -> StoredSegment:
    return from_wire(data, StoredSegment)


def _sort_params(sort: str | Sequence[str] | None) -> list[tuple[str, str]]:
    if sort is None:
        return []
    items = [sort] if isinstance(sort, str) else list(sort)
    params = []
    for item in items:
        match = _SORT_RE.match(item) if isinstance(item, str) else None
        if not match:
            raise ValidationError(
                f"sort {item!r}: use 'property' or 'property,asc|desc'", field="sort"
            )
        direction = (match.group(2) or "asc").lower()
        params.append(("sort", f"{match.group(1)},{direction}"))
    return params


def _page_size(page_size: int | None) -> int:
    size = DEFAULT_PAGE_SIZE if page_size is None else page_size
    if not isinstance(size, int) or not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationError(f"page_size must be 1 to {MAX_PAGE_SIZE}", field="size")
    return size


def _segment_id(segment_id: int) -> dict[str, str]:
    if isinstance(segment_id, bool) or not isinstance(segment_id, int) or segment_id < 1:
        raise ValidationError("a segment id is a positive integer", field="segmentId")
    return {"segmentId": str(segment_id)}


def _segment_body(
    name: str | Segment,
    description: str | None,
    query: FilterLike | None,
    events: Iterable[EventCondition] | None,
) -> dict[str, Any]:
    if isinstance(name, Segment):
        if description is not None or query is not None or events is not None:
            raise TypeError("pass either a Segment or name with keywords, not both")
        segment = name
    else:
        fields: dict[str, Any] = {"name": name}
        if description is not None:
            fields["description"] = description
        if query is not None:
            fields["query"] = Filter(query).to_dict()
        if events is not None:
            fields["events"] = list(events)
        segment = Segment(**fields)
    body: dict[str, Any] = to_wire(segment)
    if not isinstance(body.get("name"), str) or not body["name"].strip():
        raise ValidationError("a segment needs a non-empty name", field="name")
    raw_query = body.get("query")
    if isinstance(raw_query, Filter):
        body["query"] = raw_query.to_dict()
    elif raw_query is not None and not isinstance(raw_query, Mapping):
        raise ValidationError("query must be a filter or a JSON object", field="query")
    for i, event in enumerate(body.get("events") or []):
        if not isinstance(event, Mapping) or not event.get("definitionId"):
            raise ValidationError(
                f"events[{i}] needs a definition_id", field=f"events[{i}].definitionId"
            )
    return body


class _SegmentsPlans:
    """The segment operations, written once."""

    def list(
        self,
        *,
        sort: str | Sequence[str] | None = None,
        page_size: int | None = None,
        **options: Unpack[CallOptions],
    ) -> PageSpec[StoredSegment]:
        """Every segment, lazily, page by page; ``sort`` is ``"name,desc"`` style (repeatable)."""
        return PageSpec(
            "get-segments",
            _decode_segment,
            _page_size(page_size),
            "results",
            params=_sort_params(sort),
            options=options,
        )

    def create(
        self,
        name: str | Segment,
        *,
        description: str | None = None,
        query: FilterLike | None = None,
        events: Iterable[EventCondition] | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan[StoredSegment]:
        """Create a segment (names are unique); returns it with its ``id``.

        Pass a :class:`~infobip_profiles.Segment`, or its name and keywords. ``query`` is a
        :mod:`infobip_profiles.filters` expression or a dict.

        Example::

            vip = client.segments.create("VIP", query=F("tags").contains("VIP"))
        """
        body = _segment_body(name, description, query, events)
        response = yield Call("create-segment", body=body, options=options)
        return _decode_segment(json_of(response))

    def get(self, id: int, **options: Unpack[CallOptions]) -> Plan[StoredSegment]:
        """One segment; :class:`~infobip_profiles.NotFoundError` (``E404``) when there is none."""
        response = yield Call("get-segment", path_params=_segment_id(id), options=options)
        return _decode_segment(json_of(response))

    def update(
        self,
        id: int,
        name: str | Segment,
        *,
        description: str | None = None,
        query: FilterLike | None = None,
        events: Iterable[EventCondition] | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan[StoredSegment]:
        """Replace a segment (PUT): what you leave out (description, query, events) is cleared."""
        body = _segment_body(name, description, query, events)
        response = yield Call(
            "update-segment", path_params=_segment_id(id), body=body, options=options
        )
        return _decode_segment(json_of(response))

    def delete(self, id: int, **options: Unpack[CallOptions]) -> Plan[None]:
        """Delete a segment."""
        yield Call("delete-segment", path_params=_segment_id(id), options=options)
        return None

    def people(
        self,
        id: int,
        *,
        sort: str | Sequence[str] | None = None,
        page_size: int | None = None,
        **options: Unpack[CallOptions],
    ) -> PageSpec[StoredPerson]:
        """The persons in segment ``id`` right now, lazily, as
        :class:`~infobip_profiles.StoredPerson`."""
        return PageSpec(
            "get-segment-persons",
            person_from_v3,
            _page_size(page_size),
            "results",
            params=_sort_params(sort),
            path_params=_segment_id(id),
            options=options,
        )


class Segments(SyncResource):
    """Segments (blocking)."""

    list = sync_pager(_SegmentsPlans.list)
    create = sync_op(_SegmentsPlans.create)
    get = sync_op(_SegmentsPlans.get)
    update = sync_op(_SegmentsPlans.update)
    delete = sync_op(_SegmentsPlans.delete)
    people = sync_pager(_SegmentsPlans.people)
    of = sync_op(_workflows.segments_of)


class AsyncSegments(AsyncResource):
    """Segments (async): the same methods as :class:`Segments`, awaitable."""

    list = async_pager(_SegmentsPlans.list)
    create = async_op(_SegmentsPlans.create)
    get = async_op(_SegmentsPlans.get)
    update = async_op(_SegmentsPlans.update)
    delete = async_op(_SegmentsPlans.delete)
    people = async_pager(_SegmentsPlans.people)
    of = async_op(_workflows.segments_of)
