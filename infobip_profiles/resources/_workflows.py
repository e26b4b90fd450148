"""The Customer Profiles docs' workflows, one call each: tags by person, a person's whole
picture, and the segments a person belongs to (archive and activate, which reuse the people
batch update, are people's own plans).

Each function here is a plan (see :mod:`infobip_profiles._plan`), bound as a method of
``people`` / ``segments`` on both clients, so the logic exists once for sync and async.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs
from typing_extensions import Unpack

from .._converter import from_wire, to_wire, wire_name
from .._operations import page_size
from .._plan import Call, Plan, json_of
from .._types import CallOptions
from ..errors import NotFoundError, ValidationError
from ..filters import ARCHIVED_ATTRIBUTE, active, archived, to_query_param
from ..models import Company, DataType, Person, StoredPerson, StoredSegment
from ..refs import CompanyRef, IdentifierType, PersonRef
from ._params import as_person_ref

__all__ = [
    "ARCHIVED_ATTRIBUTE",
    "PersonExport",
    "archived",
    "active",
    "add_tags",
    "remove_tags",
    "has_tags",
    "ensure_status_attribute",
    "export",
    "segments_of",
]

_GET_PERSON = "get-a-single-person-or-a-list-of-people"
_SEGMENT_PAGE = page_size("get-segments").maximum


def _names(names: str | Iterable[str]) -> list[str]:
    from .tags import check_tag_name

    values = [names] if isinstance(names, str) else list(names)
    if not values:
        raise ValidationError("name at least one tag", field="tags")
    return [check_tag_name(n) for n in values]


def _get_person(ref: PersonRef, options: CallOptions) -> Plan[StoredPerson]:
    response = yield Call(_GET_PERSON, query=as_person_ref(ref).query(), options=options)
    return from_wire(json_of(response), StoredPerson)


# -- tags ----------------------------------------------------------------------------------------


def add_tags(
    self: Any, ref: PersonRef, names: str | Iterable[str], **options: Unpack[CallOptions]
) -> Plan[StoredPerson]:
    """Tag one person with ``names`` in one request (a PATCH of ``tags``, which appends); tags
    that do not exist yet are created by the service. Returns the person as stored."""
    tags = _names(names)
    response = yield Call(
        "partial-person-update",
        query=as_person_ref(ref).query(),
        body={"tags": tags},
        options=options,
    )
    return from_wire(json_of(response), StoredPerson)


def remove_tags(
    self: Any, ref: PersonRef, names: str | Iterable[str], **options: Unpack[CallOptions]
) -> Plan[None]:
    """Remove ``names`` from one person: one request per tag (the tag's remove-from-people
    call), so no read-modify-write races with other writers. A tag that does not exist is
    skipped: nobody carries it."""
    tags = _names(names)
    body = {"people": [{"query": as_person_ref(ref).to_wire()}]}
    for name in tags:
        try:
            yield Call(
                "remove-tag-from-people-batch",
                path_params={"name": name},
                body=body,
                options=options,
            )
        except NotFoundError:
            continue
    return None


def has_tags(
    self: Any, ref: PersonRef, names: str | Iterable[str], **options: Unpack[CallOptions]
) -> Plan[bool]:
    """Whether the person carries every one of ``names`` (ignoring case, as tag names do); one
    request. :class:`~infobip_profiles.NotFoundError` when there is no such person."""
    wanted = {n.casefold() for n in _names(names)}
    person = yield from _get_person(ref, options)
    carried = {t.casefold() for t in person.tags or ()}
    return wanted <= carried


# -- archive / activate --------------------------------------------------------------------------


def ensure_status_attribute(options: CallOptions) -> Plan[None]:
    """Create the ``BOOLEAN`` attribute :data:`ARCHIVED_ATTRIBUTE` when the account lacks it
    (what ``people.archive`` and ``people.activate`` set)."""
    from .custom_attributes import _CustomAttributesPlans

    plans: Any = _CustomAttributesPlans
    yield from plans.ensure(None, ARCHIVED_ATTRIBUTE, DataType.BOOLEAN, **options)
    return None


# -- segments of a person ------------------------------------------------------------------------


def _person_id(ref: PersonRef, options: CallOptions) -> Plan[int]:
    if ref.type is IdentifierType.ID and ref.identifier.isdigit():
        return int(ref.identifier)
    person = yield from _get_person(ref, options)
    if not person.id:
        raise ValidationError("the person was returned without an id", field="id")
    return person.id


def _all_segments(options: CallOptions) -> Plan[list[StoredSegment]]:
    segments: list[StoredSegment] = []
    page = 0
    while True:
        response = yield Call(
            "get-segments",
            query=[("page", str(page)), ("size", str(_SEGMENT_PAGE))],
            options=options,
        )
        body = json_of(response) or {}
        results = body.get("results") or []
        segments.extend(from_wire(s, StoredSegment) for s in results)
        total_pages = (body.get("paging") or {}).get("totalPages")
        page += 1
        if not results or (isinstance(total_pages, int) and page >= total_pages):
            return segments


def _in_members(segment_id: int, person_id: int, options: CallOptions) -> Plan[bool]:
    page = 0
    while True:
        response = yield Call(
            "get-segment-persons",
            path_params={"segmentId": str(segment_id)},
            query=[("page", str(page)), ("size", str(_SEGMENT_PAGE))],
            options=options,
        )
        body = json_of(response) or {}
        results = body.get("results") or []
        if any(isinstance(p, Mapping) and p.get("id") == person_id for p in results):
            return True
        total_pages = (body.get("paging") or {}).get("totalPages")
        page += 1
        if not results or (isinstance(total_pages, int) and page >= total_pages):
            return False


def _matches_query(query: Mapping[str, Any], person_id: int, options: CallOptions) -> Plan[bool]:
    both = {"#and": [dict(query), {"id": person_id}]} if query else {"id": person_id}
    params = [("filter", to_query_param(both)), ("page", "1"), ("limit", "1")]
    response = yield Call(_GET_PERSON, query=params, options=options)
    body = json_of(response) or {}
    return bool(body.get("persons"))


def segments_of(
    self: Any, ref: PersonRef, **options: Unpack[CallOptions]
) -> Plan[list[StoredSegment]]:
    """The segments the person belongs to right now, in the order the service lists them.

    What it costs: one request to resolve the person's id (none for a ``PersonRef.id``), one
    per 1000 segments to list them, then for each segment one request: a segment defined only
    by a query is checked with the persons filter (the segment's query AND the person's id:
    one short answer, however large the segment); a segment with event conditions cannot be
    expressed as a filter, so its members are read, 1000 a request, until the person is found
    (the whole segment when the person is not in it). Segments change live: the answer is
    each segment's membership at the moment it was checked.
    """
    person_id = yield from _person_id(as_person_ref(ref), options)
    found: list[StoredSegment] = []
    for segment in (yield from _all_segments(options)):
        if segment.events:
            member = yield from _in_members(segment.id, person_id, options)
        else:
            member = yield from _matches_query(segment.query or {}, person_id, options)
        if member:
            found.append(segment)
    return found


# -- a person's whole picture --------------------------------------------------------------------


@attrs.frozen
class PersonExport:
    """One person's data in one object (what :meth:`people.export` returns).

    ``person`` is the profile as the service returns it, with the list attributes moved out to
    ``lists`` (their items with their ``__id``); ``computed_attributes`` and ``tags`` are the
    person's; ``segments`` the segments the person belongs to (see :meth:`segments.of`);
    ``company`` the company you named, if any (the service does not say which company a
    person belongs to).
    """

    person: Person
    lists: dict[str, list[dict[str, Any]]]
    computed_attributes: dict[str, Any]
    tags: list[str]
    segments: list[StoredSegment]
    company: Company | None = None

    def to_dict(self) -> dict[str, Any]:
        """The export as JSON-able data: camelCase keys as the API spells them, read-only fields
        (ids, timestamps, origin) included."""
        return {
            "person": _full_wire(self.person),
            "lists": _full_wire(self.lists),
            "computedAttributes": _full_wire(self.computed_attributes),
            "tags": list(self.tags),
            "segments": [_full_wire(s) for s in self.segments],
            "company": None if self.company is None else _full_wire(self.company),
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as one line of JSON (a JSON Lines record; decimals exact)."""
        from .._converter import dumps

        return dumps(self.to_dict()).decode()


def _full_wire(value: Any) -> Any:
    """A model as wire data with its read-only fields too (an export shows everything)."""
    if attrs.has(type(value)):
        out: dict[str, Any] = {}
        for field in attrs.fields(type(value)):
            item = getattr(value, field.name)
            if item is not None:
                out[wire_name(field)] = _full_wire(item)
        return out
    if isinstance(value, Mapping):
        return {str(k): _full_wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_full_wire(v) for v in value]
    return to_wire(value)


def export(
    self: Any,
    ref: PersonRef,
    *,
    company: CompanyRef | None = None,
    segments: bool = True,
    **options: Unpack[CallOptions],
) -> Plan[PersonExport]:
    """A person's whole picture in one object: profile, list attributes, computed attributes,
    tags, segments (``segments=False`` skips them) and the ``company`` you name.

    Requests: one for the profile, one for the list items (when the person has list values),
    one for the company, and :meth:`segments.of`'s for the segments.
    """
    person = yield from _get_person(ref, options)
    attributes = dict(person.custom_attributes or {})
    list_names = [name for name, value in attributes.items() if isinstance(value, list)]
    lists: dict[str, list[dict[str, Any]]] = {}
    if list_names and person.id:
        response = yield Call(
            "get-lists",
            query=[("listNames", ",".join(list_names)), *PersonRef.id(person.id).query()],
            options=options,
        )
        body = json_of(response) or {}
        for name in list_names:
            items = body.get(name)
            lists[name] = [dict(i) for i in items or [] if isinstance(i, Mapping)]
    profile = person.replace(
        custom_attributes={k: v for k, v in attributes.items() if k not in lists} or None,
    )
    found: list[StoredSegment] = []
    if segments and person.id:
        found = yield from segments_of(self, PersonRef.id(person.id), **options)
    company_value: Company | None = None
    if company is not None:
        from .companies import _CompaniesPlans

        plans: Any = _CompaniesPlans
        company_value = yield from plans.get(None, company, **options)
    return PersonExport(
        person=profile,
        lists=lists,
        computed_attributes=dict(person.computed_attributes or {}),
        tags=list(person.tags or []),
        segments=found,
        company=company_value,
    )
