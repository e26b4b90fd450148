"""The ``people`` resource: every persons operation, v2 and v3, sync and async.

Each method is written once as a plan (see :mod:`infobip_profiles._plan`); :class:`People` and
:class:`AsyncPeople` expose the same plans as blocking and awaitable methods.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from json.encoder import encode_basestring as _json_str  # a JSON string, non-ASCII kept (as dumps)
from typing import Any, Literal, TypeVar, Union

import attrs
import httpx
from typing_extensions import Unpack

from .._converter import _PLAIN, dumps, from_wire, to_wire, wire_name
from .._plan import Call, JSONBody, Plan, async_op, async_pager, json_of, sync_op, sync_pager
from .._types import UNSET, CallOptions
from .._validation import (
    FORBIDDEN_NAME_CHARACTERS,
    MAX_ATTRIBUTE_TEXT,
    MAX_CONTACTS,
    PERSON_MAX_LENGTHS,
    check_contacts,
    check_person,
)
from ..errors import APIError, NotFoundError, ValidationError
from ..filters import FilterLike, to_query_param
from ..models import (
    BatchItemResult,
    BatchResult,
    ContactInformation,
    EmailContact,
    MatchResult,
    MergeItemResult,
    MergeResult,
    Person,
    PersonUpdate,
    PhoneContact,
    UpsertItemResult,
    UpsertResult,
    UpsertStatus,
)
from ..pagination import PageSpec
from ..refs import IdentifierType, PersonRef
from ._base import AsyncResource, SyncResource, chunked
from ._batch import Outcomes, by_index, in_order, results_of

__all__ = ["People", "AsyncPeople", "BATCH_LIMIT", "MAX_PAGE_SIZE", "order_by_param"]

#: Items per request of the batch, upsert and merge calls.
BATCH_LIMIT = 1000
#: Largest ``limit`` the persons list accepts.
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100

_LIST_OP = "get-a-single-person-or-a-list-of-people"
_ORDER_FIELDS = {"firstName", "lastName", "createdAt", "modifiedAt"}
_ORDER_RE = re.compile(r"^(\w+)(?::(asc|desc))?$", re.IGNORECASE)

UpdateItem = Union[PersonUpdate, "tuple[PersonRef, Person]"]
# The plans define a method named ``list``; annotations inside the class use this alias.
_List = list
T = TypeVar("T")
R = TypeVar("R")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def order_by_param(order_by: str, allowed: Iterable[str] = _ORDER_FIELDS) -> str:
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


def _list_params(filter: FilterLike | str | None, order_by: str | None) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = []
    if filter is not None:
        params.append(("filter", filter if isinstance(filter, str) else to_query_param(filter)))
    if order_by is not None:
        params.append(("orderBy", order_by_param(order_by)))
    return params


def _decode_person(data: Any) -> Person:
    return from_wire(data, Person)


def _person_body(person: Person, *, v3: bool = False) -> dict[str, Any]:
    if not isinstance(person, Person):
        raise TypeError(f"expected a Person, got {type(person).__name__}")
    body: dict[str, Any] = to_wire(person)
    if not v3 and body.get("nickName", "") is None:
        del body["nickName"]  # v2 has no nickName; a null one (a copied response) means nothing
    check_person(body, v3=v3)
    return body


def _v3_json(person: Person) -> str:
    """A person's v3 body as JSON text: exactly what ``dumps(_v3_body_reference(person))`` writes.

    One pass over the fields set, validating as it encodes, with no dict per person: for a bulk
    call of 100,000 persons those would be 300,000 containers, and the garbage collector's passes
    over them and over the caller's own objects cost more than the encoding itself. Anything out
    of the ordinary (a value that breaks a rule, a subclass, an unusual type) takes the reference
    path, which raises the error or builds the body the general way: the two give the same text.
    """
    if type(person) is not Person:
        return _reference_json(person)
    chosen = person.fields_set()
    plan = _V3_PLANS.get(chosen)
    if plan is None:
        plan = [entry for entry in _V3_FIELDS if entry[0] in chosen]
        if len(_V3_PLANS) < 1024:
            _V3_PLANS[chosen] = plan
    parts: list[str] = []
    contacts: str | None = None
    for name, key, prefix, limit, is_name in plan:
        value = getattr(person, name)
        if value is UNSET:
            continue
        kind = type(value)
        if kind is str:
            if (limit and len(value) > limit) or (
                is_name and not FORBIDDEN_NAME_CHARACTERS.isdisjoint(value)
            ):
                return _reference_json(person)
            parts.append(prefix + _json_str(value))
        elif value is None:
            if key != "contactInformation":  # a null contactInformation is not sent
                parts.append(prefix + "null")
        elif limit or is_name:
            return _reference_json(person)  # a non-str in a checked text field
        elif key == "contactInformation":
            contacts = _v3_contacts_json(value)
            if contacts is None:
                return _reference_json(person)
        elif key == "customAttributes":
            if kind is not dict:
                return _reference_json(person)
            value = {
                (k if type(k) is str else str(k)): (v if type(v) in _PLAIN else to_wire(v))
                for k, v in value.items()
            }
            for v in value.values():
                if isinstance(v, str) and len(v) > MAX_ATTRIBUTE_TEXT:
                    return _reference_json(person)
            parts.append(prefix + dumps(value).decode())
        elif kind is list and all(type(v) is str for v in value):
            parts.append(prefix + "[" + ",".join(map(_json_str, value)) + "]")
        else:
            parts.append(prefix + dumps(value if kind in _PLAIN else to_wire(value)).decode())
    if contacts:
        parts.append('"contactInformation":' + contacts)
    return "{" + ",".join(parts) + "}"


def _reference_json(person: Person) -> str:
    return dumps(_v3_body_reference(person)).decode()


def _v3_contacts_json(info: Any) -> str | None:
    """The v3 contact array of a ContactInformation as JSON text; ``""`` when nothing is sent,
    ``None`` when the reference path must decide (a broken rule or an unusual value)."""
    if type(info) is not ContactInformation:
        return None
    chosen = info.fields_set()
    out: list[str] = []
    present = False
    for field, cls, attr, prefix, limit in _V3_CONTACT_KINDS:
        if field not in chosen:
            continue
        items = getattr(info, field)
        if items is UNSET:
            continue
        present = True
        if not items:
            continue
        if type(items) is not list or len(items) > MAX_CONTACTS:
            return None
        for item in items:
            if type(item) is not cls or attr not in item.fields_set():
                return None
            value = getattr(item, attr)
            if type(value) is not str:
                return None
            if len(value) > limit:
                return None
            if value:
                out.append(prefix + _json_str(value) + "}")
    return "[" + ",".join(out) + "]" if present else ""


def _encode_all(items: Iterable[T], encode: Callable[[T], R]) -> list[R]:
    """``encode`` each item, in order; a :class:`ValidationError` or :class:`TypeError` names the
    position of the item that raised it (among 100,000 persons, "firstName" alone finds nothing)."""
    out: list[R] = []
    append = out.append
    try:
        for item in items:
            append(encode(item))
    except ValidationError as error:
        raise error.at(len(out)) from None
    except TypeError as error:
        raise TypeError(f"item {len(out)}: {error}") from None
    return out


def _requests(items: Sequence[Any]) -> int:
    """How many requests ``items`` take, ``BATCH_LIMIT`` per request."""
    return -(-len(items) // BATCH_LIMIT)


def _json_array_body(key: str, texts: Sequence[str]) -> JSONBody:
    """``{"<key>": [...]}`` from items already encoded as JSON text."""
    return JSONBody(('{"' + key + '":[' + ",".join(texts) + "]}").encode())


def _v3_body_reference(person: Person) -> dict[str, Any]:
    """The v3 body built the general way: the v2 wire body, checked, then reshaped."""
    body = _person_body(person, v3=True)
    contacts = body.pop("contactInformation", None)
    if contacts:
        items = [
            {"type": "EMAIL", "identifier": e["address"]}
            for e in contacts.get("email") or []
            if e.get("address")
        ]
        items += [
            {"type": "PHONE", "identifier": p["number"]}
            for p in contacts.get("phone") or []
            if p.get("number")
        ]
        body["contactInformation"] = items
    return body


#: Person fields the v3 body may carry: (attribute, wire key, the key as JSON text with its colon,
#: length limit or 0, a name field).
_V3_FIELDS = [
    (
        f.name,
        wire_name(f),
        _json_str(wire_name(f)) + ":",
        PERSON_MAX_LENGTHS.get(wire_name(f), 0),
        wire_name(f) in ("firstName", "lastName", "middleName", "nickName"),
    )
    for f in attrs.fields(Person)  # type: ignore[arg-type]
    if not f.metadata.get("read_only")
]
_V3_PLANS: dict[frozenset[str], list[tuple[str, str, str, int, bool]]] = {}
#: (field, item class, item attribute, the item's JSON text up to its identifier, length limit)
#: per contact kind, in wire order.
_V3_CONTACT_KINDS = (
    ("email", EmailContact, "address", '{"type":"EMAIL","identifier":', 255),
    ("phone", PhoneContact, "number", '{"type":"PHONE","identifier":', 50),
)


def _contacts_body(contacts: ContactInformation) -> dict[str, Any]:
    if not isinstance(contacts, ContactInformation):
        raise TypeError(f"expected ContactInformation, got {type(contacts).__name__}")
    wire = to_wire(contacts)
    check_contacts(wire)
    return {"contactInformation": wire}


def _ref_key(data: Mapping[str, Any]) -> tuple[str, str, str | None]:
    kind = str(data.get("type", ""))
    ident = str(data.get("identifier", ""))
    if kind == IdentifierType.EMAIL.value:
        ident = ident.lower()
    return kind, ident, data.get("sender")


def _messages(errors: Any) -> tuple[str, ...]:
    out = []
    for err in errors or []:
        out.append(str(err.get("message") if isinstance(err, Mapping) else err))
    return tuple(out)


def _batch_by_index(body: Any, offset: int, count: int) -> list[BatchItemResult]:
    """Outcomes of a batch create: the API lists failures (and sometimes successes) by index."""

    def outcome(i: int, status: int, res: Mapping[str, Any]) -> BatchItemResult:
        return BatchItemResult(
            index=offset + i,
            ok=200 <= status < 300,
            status=status,
            errors=_messages(res.get("errors")),
            id=res.get("id"),
        )

    return by_index(
        body, count, outcome, lambda i: BatchItemResult(index=offset + i, ok=True, status=200)
    )


def _batch_by_query(body: Any, offset: int, refs: Sequence[PersonRef]) -> list[BatchItemResult]:
    """Outcomes of a batch update/delete: failures are named by their query, not their index."""
    positions: dict[tuple[str, str, str | None], list[int]] = {}
    loose: dict[tuple[str, str], list[int]] = {}
    for i, ref in enumerate(refs):
        key = _ref_key(ref.to_wire())
        positions.setdefault(key, []).append(i)
        loose.setdefault((key[0], key[1].lower()), []).append(i)
    outcomes: dict[int, BatchItemResult] = {}
    unplaced = []
    for res in results_of(body):
        query = res.get("query") or {}
        status = int(res.get("status", 409))
        candidates: list[int] = []
        if isinstance(query, Mapping):
            key = _ref_key(query)
            exact = [j for j in positions.get(key, []) if j not in outcomes]
            # The echo may differ in case or leave the sender out: fall back to a looser match.
            near = [j for j in loose.get((key[0], key[1].lower()), []) if j not in outcomes]
            candidates = exact or near
        if candidates:
            i = candidates[0]
            outcomes[i] = BatchItemResult(
                index=offset + i,
                ok=200 <= status < 300,
                status=status,
                errors=_messages(res.get("errors")),
                query=refs[i],
                is_modified=res.get("isModified"),
            )
        else:
            unplaced.append(res)
    return in_order(
        outcomes,
        unplaced,
        len(refs),
        lambda i: BatchItemResult(index=offset + i, ok=True, status=200, query=refs[i]),
    )


_UPSERT_STATUSES: dict[Any, UpsertStatus] = {s.value: s for s in UpsertStatus}


def _v3_outcomes(response: httpx.Response, offset: int, count: int, upsert: bool) -> list[Any]:
    body = json_of(response)
    results: dict[int, Any] = {}
    for res in (body or {}).get("results") or []:
        index = int(res.get("index", -1))
        if not 0 <= index < count:
            continue
        if upsert:
            raw = res.get("status")
            # The enum's own value map first (what UpsertStatus(raw) looks up first).
            status: UpsertStatus | str | None = (
                _UPSERT_STATUSES.get(raw) if type(raw) is str else None
            )
            if status is None:
                try:
                    status = UpsertStatus(raw)
                except ValueError:
                    status = raw
            results[index] = UpsertItemResult(
                index=offset + index, ok=True, id=res.get("id"), status=status
            )
        else:
            results[index] = MergeItemResult(index=offset + index, ok=True, id=res.get("id"))
    for err in (body or {}).get("errors") or []:
        index = int(err.get("index", -1))
        details = tuple(
            (str(d.get("property", "")), str(d.get("message", "")))
            for d in err.get("details") or []
        )
        item_cls = UpsertItemResult if upsert else MergeItemResult
        outcome = item_cls(
            index=offset + index,
            ok=False,
            code=None if err.get("code") is None else str(err.get("code")),
            errors=(str(err.get("message", "")),),
            details=details,
        )
        if 0 <= index < count:
            results[index] = outcome
        else:  # a whole-chunk error: every item of the chunk failed with it
            for i in range(count):
                results.setdefault(i, attrs.evolve(outcome, index=offset + i))
    missing = [i for i in range(count) if i not in results]
    if missing:
        item_cls = UpsertItemResult if upsert else MergeItemResult
        for i in missing:
            results[i] = item_cls(
                index=offset + i, ok=False, errors=("the API reported no outcome for this item",)
            )
    return [results[i] for i in range(count)]


def _chunk_failed(
    error: APIError, offset: int, count: int, refs: Sequence[PersonRef] | None = None
) -> list[BatchItemResult]:
    """Outcomes of a chunk whose whole request failed (see :func:`_raise_if_first`)."""
    _raise_if_first(error, offset)
    return [
        BatchItemResult(
            index=offset + i,
            ok=False,
            status=error.status_code,
            errors=(error.text,),
            query=refs[i] if refs is not None else None,
        )
        for i in range(count)
    ]


_V3Item = TypeVar("_V3Item", UpsertItemResult, MergeItemResult)


def _v3_chunk_failed(cls: type[_V3Item], error: APIError, offset: int, count: int) -> list[_V3Item]:
    _raise_if_first(error, offset)
    return [
        cls(index=offset + i, ok=False, code=error.message_id, errors=(error.text,))
        for i in range(count)
    ]


def _raise_if_first(error: APIError, offset: int) -> None:
    """A ``*_many`` call whose first request fails raises: nothing was applied yet.

    Once a request has succeeded, a later request's failure no longer raises (that would lose
    the outcomes already known): its items come back failed, with the status and message, and the
    remaining chunks are still sent.
    """
    if offset == 0:
        raise error


def _as_ref(ref: PersonRef) -> PersonRef:
    if not isinstance(ref, PersonRef):
        raise TypeError(f"expected a PersonRef, got {type(ref).__name__}")
    return ref


def _as_update(item: UpdateItem) -> PersonUpdate:
    if isinstance(item, PersonUpdate):
        return item
    ref, person = item
    return PersonUpdate(ref, person)


class _PeoplePlans:
    """The persons operations, written once."""

    def get(self, ref: PersonRef, **options: Unpack[CallOptions]) -> Plan[Person]:
        """Fetch one person.

        Raises :class:`~infobip_profiles.NotFoundError` when no person has this identifier.
        """
        response = yield Call(_LIST_OP, query=_as_ref(ref).query(), options=options)
        return _decode_person(json_of(response))

    def list(
        self,
        *,
        filter: FilterLike | str | None = None,
        order_by: str | None = None,
        page_size: int | None = None,
        **options: Unpack[CallOptions],
    ) -> PageSpec[Person]:
        """Every person matching ``filter``, lazily, page by page.

        ``filter`` is a :mod:`infobip_profiles.filters` expression, a dict, or raw JSON text;
        ``order_by`` is ``"modifiedAt:desc"`` style over firstName, lastName, createdAt, modifiedAt.
        """
        size = DEFAULT_PAGE_SIZE if page_size is None else page_size
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise ValidationError(f"page_size must be 1 to {MAX_PAGE_SIZE}", field="limit")
        return PageSpec(
            _LIST_OP,
            _decode_person,
            size,
            "persons",
            params=_list_params(filter, order_by),
            options=options,
        )

    def count(
        self, *, filter: FilterLike | str | None = None, **options: Unpack[CallOptions]
    ) -> Plan[int]:
        """How many persons match ``filter`` (one request, ``includeTotalCount``)."""
        params = [
            *_list_params(filter, None),
            ("page", "1"),
            ("limit", "1"),
            ("includeTotalCount", "true"),
        ]
        response = yield Call(_LIST_OP, query=params, options=options)
        body = json_of(response) or {}
        total = body.get("totalCount")
        return int(total) if total is not None else len(body.get("persons") or [])

    def create(self, person: Person, **options: Unpack[CallOptions]) -> Plan[Person]:
        """Create a person; returns it as stored (with ``id`` and timestamps). Type defaults to CUSTOMER."""
        body = _person_body(person)
        response = yield Call("create-a-new-person", body=body, options=options)
        return _decode_person(json_of(response))

    def replace(
        self, ref: PersonRef, person: Person, **options: Unpack[CallOptions]
    ) -> Plan[Person]:
        """Overwrite a person (PUT): every field you leave out is cleared, tags and contacts replaced."""
        body = _person_body(person)
        response = yield Call(
            "update-a-person", query=_as_ref(ref).query(), body=body, options=options
        )
        return _decode_person(json_of(response))

    def update(
        self, ref: PersonRef, person: Person, **options: Unpack[CallOptions]
    ) -> Plan[Person]:
        """Change only the fields you set (PATCH); tags and contacts are appended.

        Set a field to ``None`` explicitly to clear it.
        """
        body = _person_body(person)
        response = yield Call(
            "partial-person-update", query=_as_ref(ref).query(), body=body, options=options
        )
        return _decode_person(json_of(response))

    def delete(self, ref: PersonRef, **options: Unpack[CallOptions]) -> Plan[None]:
        """Delete a person."""
        yield Call("delete-a-person", query=_as_ref(ref).query(), options=options)
        return None

    def set_contacts(
        self, ref: PersonRef, contacts: ContactInformation, **options: Unpack[CallOptions]
    ) -> Plan[Person]:
        """Replace all of a person's emails and phones with ``contacts``."""
        response = yield Call(
            "set-person-contact-information",
            query=_as_ref(ref).query(),
            body=_contacts_body(contacts),
            options=options,
        )
        return _decode_person(json_of(response))

    def add_contacts(
        self, ref: PersonRef, contacts: ContactInformation, **options: Unpack[CallOptions]
    ) -> Plan[Person]:
        """Add emails and phones to a person (each may belong to one person only)."""
        response = yield Call(
            "add-person-contact-information",
            query=_as_ref(ref).query(),
            body=_contacts_body(contacts),
            options=options,
        )
        return _decode_person(json_of(response))

    def remove_contacts(
        self, ref: PersonRef, contacts: ContactInformation, **options: Unpack[CallOptions]
    ) -> Plan[Person]:
        """Remove the listed emails and phones from a person (absent ones are ignored)."""
        response = yield Call(
            "delete-person-contact-information",
            query=_as_ref(ref).query(),
            body=_contacts_body(contacts),
            options=options,
        )
        return _decode_person(json_of(response))

    def create_many(
        self, persons: Iterable[Person], **options: Unpack[CallOptions]
    ) -> Plan[BatchResult]:
        """Create any number of persons, 1000 per request; one outcome per person, in order.

        Every person is checked before the first request, so a bad one sends nothing. If the
        first request fails, its error is raised (nothing was applied); if a later one fails, its
        persons come back failed with the status and message and the rest are still sent.
        """
        bodies = _encode_all(persons, _person_body)
        items: list[BatchItemResult] = []
        for offset, chunk in chunked(bodies, BATCH_LIMIT):
            body = {"people": list(chunk)}
            try:
                response = yield Call("batch-people-create", body=body, options=options)
            except APIError as error:
                items.extend(_chunk_failed(error, offset, len(chunk)))
                continue
            items.extend(_batch_by_index(json_of(response), offset, len(chunk)))
        return BatchResult(tuple(items))

    def update_many(
        self, items: Iterable[UpdateItem], **options: Unpack[CallOptions]
    ) -> Plan[BatchResult]:
        """PATCH any number of persons: ``PersonUpdate(ref, person)`` or ``(ref, person)`` pairs.

        1000 per request; one outcome per item, in order. See :meth:`create_many` for what happens when one of the requests fails.
        """
        updates = _encode_all(items, _as_update)
        entries = _encode_all(
            updates, lambda u: {"query": u.ref.to_wire(), "update": _person_body(u.person)}
        )
        results: list[BatchItemResult] = []
        for offset, chunk in chunked(entries, BATCH_LIMIT):
            body = {"people": list(chunk)}
            refs = [u.ref for u in updates[offset : offset + len(chunk)]]
            try:
                response = yield Call("batch-people-update", body=body, options=options)
            except APIError as error:
                results.extend(_chunk_failed(error, offset, len(chunk), refs))
                continue
            results.extend(_batch_by_query(json_of(response), offset, refs))
        return BatchResult(tuple(results))

    def delete_many(
        self, refs: Iterable[PersonRef], **options: Unpack[CallOptions]
    ) -> Plan[BatchResult]:
        """Delete any number of persons, 1000 per request; one outcome per ref, in order.

        See :meth:`create_many` for what happens when one of the requests fails.
        """
        checked = _encode_all(refs, _as_ref)
        results: list[BatchItemResult] = []
        for offset, chunk in chunked(checked, BATCH_LIMIT):
            body = {"people": [{"query": r.to_wire()} for r in chunk]}
            try:
                response = yield Call("batch-people-delete", body=body, options=options)
            except APIError as error:
                results.extend(_chunk_failed(error, offset, len(chunk), chunk))
                continue
            results.extend(_batch_by_query(json_of(response), offset, chunk))
        return BatchResult(tuple(results))

    def upsert_many(
        self,
        persons: Iterable[Person],
        *,
        mode: Literal["partial", "full"] = "partial",
        **options: Unpack[CallOptions],
    ) -> Plan[UpsertResult]:
        """Create or update persons matched by externalId, email or phone (v3), 1000 per request.

        ``mode="partial"`` (PATCH) keeps the fields you leave out; ``"full"`` (PUT) clears them.
        Each person ends CREATED, UPDATED or NOT_MODIFIED, or failed with its error.
        See :meth:`create_many` for what happens when one of the requests fails.
        """
        if mode not in ("partial", "full"):
            raise ValidationError("mode must be 'partial' or 'full'", field="mode")
        op = "upsert-persons-partial" if mode == "partial" else "upsert-persons-full"
        texts = _encode_all(persons, _v3_json)
        with Outcomes[UpsertItemResult](_requests(texts)) as outcomes:
            for offset, chunk in chunked(texts, BATCH_LIMIT):
                body = _json_array_body("persons", chunk)
                try:
                    response = yield Call(op, body=body, options=options)
                except APIError as error:
                    outcomes.now(_v3_chunk_failed(UpsertItemResult, error, offset, len(chunk)))
                    continue
                outcomes.later(_v3_outcomes, response, offset, len(chunk), True)
            return UpsertResult(tuple(outcomes.collect()))

    def match(
        self, identities: Iterable[PersonRef], **options: Unpack[CallOptions]
    ) -> Plan[_List[MatchResult]]:
        """Which persons hold these identities; unmatched identities are left out.

        Each result's ``ref`` is the identity you passed (so an email in another case, or a
        sender the answer leaves out, still finds its input).
        """
        refs = [_as_ref(r) for r in identities]
        body = {"identities": [ref.to_wire() for ref in refs]}
        try:
            response = yield Call("match-people-ids", body=body, options=options)
        except NotFoundError:
            return []
        exact: dict[tuple[str, str, str | None], PersonRef] = {}
        loose: dict[tuple[str, str], PersonRef] = {}
        for ref in refs:
            key = _ref_key(ref.to_wire())
            exact.setdefault(key, ref)
            loose.setdefault((key[0], key[1].lower()), ref)
        out = []
        for m in (json_of(response) or {}).get("matches") or []:
            key = _ref_key(m)
            sent = exact.get(key) or loose.get((key[0], key[1].lower()))
            if sent is None:  # an identity we did not send: take it as the API wrote it
                sent = PersonRef(
                    str(m.get("identifier", "")), IdentifierType(m["type"]), m.get("sender")
                )
            out.append(MatchResult(person_id=int(m["personId"]), ref=sent))
        return out

    def merge(self, persons: Iterable[Person], **options: Unpack[CallOptions]) -> Plan[MergeResult]:
        """Merge, per item, every profile its identifiers match into one (v3), 1000 items per request.

        The oldest profile survives; the request's data overrides stored data.
        See :meth:`create_many` for what happens when one of the requests fails.
        """
        texts = _encode_all(persons, _v3_json)
        with Outcomes[MergeItemResult](_requests(texts)) as outcomes:
            for offset, chunk in chunked(texts, BATCH_LIMIT):
                body = _json_array_body("persons", chunk)
                try:
                    response = yield Call("merge-persons", body=body, options=options)
                except APIError as error:
                    outcomes.now(_v3_chunk_failed(MergeItemResult, error, offset, len(chunk)))
                    continue
                outcomes.later(_v3_outcomes, response, offset, len(chunk), False)
            return MergeResult(tuple(outcomes.collect()))

    def append_to_attribute(
        self,
        ref: PersonRef,
        name: str,
        item: Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> Plan[_List[dict[str, Any]]]:
        """Append one object to a person's LIST_OF_OBJECTS attribute; returns the whole list."""
        response = yield Call(
            "append-item-to-custom-attribute",
            path_params={"name": name},
            query=_as_ref(ref).query(),
            body=to_wire(dict(item)),
            options=options,
        )
        return list(json_of(response) or [])


class People(SyncResource):
    """Persons (blocking). See :class:`_PeoplePlans` for each method's documentation."""

    get = sync_op(_PeoplePlans.get)
    list = sync_pager(_PeoplePlans.list)
    count = sync_op(_PeoplePlans.count)
    create = sync_op(_PeoplePlans.create)
    replace = sync_op(_PeoplePlans.replace)
    update = sync_op(_PeoplePlans.update)
    delete = sync_op(_PeoplePlans.delete)
    set_contacts = sync_op(_PeoplePlans.set_contacts)
    add_contacts = sync_op(_PeoplePlans.add_contacts)
    remove_contacts = sync_op(_PeoplePlans.remove_contacts)
    create_many = sync_op(_PeoplePlans.create_many)
    update_many = sync_op(_PeoplePlans.update_many)
    delete_many = sync_op(_PeoplePlans.delete_many)
    upsert_many = sync_op(_PeoplePlans.upsert_many)
    match = sync_op(_PeoplePlans.match)
    merge = sync_op(_PeoplePlans.merge)
    append_to_attribute = sync_op(_PeoplePlans.append_to_attribute)


class AsyncPeople(AsyncResource):
    """Persons (async): the same methods as :class:`People`, awaitable."""

    get = async_op(_PeoplePlans.get)
    list = async_pager(_PeoplePlans.list)
    count = async_op(_PeoplePlans.count)
    create = async_op(_PeoplePlans.create)
    replace = async_op(_PeoplePlans.replace)
    update = async_op(_PeoplePlans.update)
    delete = async_op(_PeoplePlans.delete)
    set_contacts = async_op(_PeoplePlans.set_contacts)
    add_contacts = async_op(_PeoplePlans.add_contacts)
    remove_contacts = async_op(_PeoplePlans.remove_contacts)
    create_many = async_op(_PeoplePlans.create_many)
    update_many = async_op(_PeoplePlans.update_many)
    delete_many = async_op(_PeoplePlans.delete_many)
    upsert_many = async_op(_PeoplePlans.upsert_many)
    match = async_op(_PeoplePlans.match)
    merge = async_op(_PeoplePlans.merge)
    append_to_attribute = async_op(_PeoplePlans.append_to_attribute)
