"""The ``people`` resource: every persons operation, v2 and v3, sync and async.

Each method is written once as a plan (see :mod:`infobip_profiles._plan`); :class:`People` and
:class:`AsyncPeople` expose the same plans as blocking and awaitable methods.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from json.encoder import encode_basestring as _json_str  # a JSON string, non-ASCII kept (as dumps)
from typing import Any, Literal, TypeVar, Union

import attrs
import httpx
from typing_extensions import Unpack

from .._converter import _PLAIN, dumps, from_wire, to_wire, wire_name
from .._operations import CLIENT_PAGE_SIZE, batch_limit, page_size
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
from ..errors import (
    APIConnectionError,
    APIError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    ProfilesError,
    UnexpectedResponseError,
    ValidationError,
)
from ..filters import FilterLike, to_query_param
from ..lists_ops import Append, append_after, append_only, split_appends
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
    StoredPerson,
    UpsertedPerson,
    UpsertItemResult,
    UpsertResult,
    UpsertStatus,
)
from ..pagination import PageSpec
from ..refs import IdentifierType, PersonRef
from . import _workflows
from ._base import AsyncResource, SyncResource, chunked
from ._batch import (
    CompactOutcomes,
    OnError,
    Outcomes,
    RequestFailures,
    by_index,
    chunk_failed,
    in_order,
    may_have_been_applied,
    requests_hint,
    results_of,
    text_of,
)

__all__ = [
    "People",
    "AsyncPeople",
    "BATCH_LIMIT",
    "MAX_PAGE_SIZE",
    "order_by_param",
    "validate_person_for_upsert",
]

_LIST_OP = "get-a-single-person-or-a-list-of-people"

#: Items per request of the batch, upsert and merge calls (the spec states the same limit for each).
BATCH_LIMIT = batch_limit("batch-people-create")
#: Largest ``limit`` the persons list accepts.
MAX_PAGE_SIZE = page_size(_LIST_OP).maximum
DEFAULT_PAGE_SIZE = CLIENT_PAGE_SIZE
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


def _decode_person(data: Any) -> StoredPerson:
    return from_wire(data, StoredPerson)


def _person_body(person: Person, *, v3: bool = False) -> dict[str, Any]:
    if not isinstance(person, Person):
        raise TypeError(f"expected a Person, got {type(person).__name__}")
    body: dict[str, Any] = to_wire(person)
    if not v3 and body.get("nickName", "") is None:
        del body["nickName"]  # v2 has no nickName; a null one (a copied response) means nothing
    check_person(body, v3=v3)
    return body


def _has_identifier(person: Person) -> bool:
    """Whether ``person`` carries an external id, an email or a phone (what every stored person
    has, and what an upsert matches on)."""
    external_id = person.external_id
    if isinstance(external_id, str) and external_id:
        return True
    info = person.contact_information
    return isinstance(info, ContactInformation) and bool(info.emails or info.phones)


def _require_identifier(person: Person) -> None:
    if isinstance(person, Person) and not _has_identifier(person):
        raise ValidationError(
            "a person needs at least one of external_id, an email or a phone",
            field="externalId",
        )


def _create_body(person: Person) -> dict[str, Any]:
    body = _person_body(person)
    _require_identifier(person)
    return body


def _upsert_json(person: Person) -> str:
    """A person's v3 upsert body as JSON text, after every check the client makes."""
    text = _v3_json(person)
    _require_identifier(person)
    return text


def validate_person_for_upsert(person: Person) -> list[str]:
    """The problems the client finds in ``person`` as an item of ``people.upsert_many`` (or
    ``people.upsert``), without sending anything; an empty list when it would be sent.

    These are the checks made before each request: the field lengths, forbidden characters in
    names, at most 100 emails and 100 phones, and at least one of external id, email or phone
    to match the person on. An item failing them is not sent: its outcome in ``upsert_many``'s
    result is failed with the same message. The service may still refuse a person that passes
    (an email taken by someone else, an address it finds malformed).

    Example::

        problems = validate_person_for_upsert(Person(first_name="Ada"))
        # ['a person needs at least one of external_id, an email or a phone']
    """
    try:
        _upsert_json(person)
    except (ValidationError, TypeError) as error:
        return [str(error)]
    return []


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
    if not chosen.isdisjoint(_PERSON_READ_ONLY):
        return _reference_json(person)  # raises the converter's read-only ValidationError
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
                if (isinstance(v, str) and len(v) > MAX_ATTRIBUTE_TEXT) or type(v) is Append:
                    return _reference_json(person)  # the reference path raises the error
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
    if not chosen.isdisjoint(_CONTACTS_READ_ONLY):
        return None  # the reference path refuses read-only contacts
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
#: Fields the service sets and a write may not carry (the reference path refuses them).
_PERSON_READ_ONLY = frozenset(
    f.name
    for f in attrs.fields(Person)  # type: ignore[arg-type]
    if f.metadata.get("read_only")
)
_CONTACTS_READ_ONLY = frozenset(
    f.name
    for f in attrs.fields(ContactInformation)  # type: ignore[arg-type]
    if f.metadata.get("read_only")
)
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
    """The outcomes of a v3 upsert or merge request of ``count`` items (input items ``offset`` on)."""
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


def _v3_chunk_outcomes(
    response: httpx.Response,
    offset: int,
    sent: Sequence[int],
    refused: Mapping[int, Any],
    upsert: bool,
) -> list[Any]:
    """The outcomes of one chunk of an upsert or merge: ``sent`` are the chunk positions of the
    items the request carried (in order), ``refused`` the outcomes of the items the client's
    checks kept back."""
    answered = _v3_outcomes(response, 0, len(sent), upsert)
    if not refused:  # every item was sent: positions are the request's own indexes
        return [attrs.evolve(o, index=offset + o.index) for o in answered] if offset else answered
    out: dict[int, Any] = dict(refused)
    for outcome in answered:
        position = sent[outcome.index]
        out[position] = attrs.evolve(outcome, index=offset + position)
    return [out[i] for i in range(len(sent) + len(refused))]


_V3Item = TypeVar("_V3Item", UpsertItemResult, MergeItemResult)


def _v3_chunk_failed(
    cls: type[_V3Item], error: ProfilesError, offset: int, positions: Sequence[int]
) -> list[_V3Item]:
    unknown = may_have_been_applied(error)
    code = error.message_id if isinstance(error, APIError) else None
    details = tuple(
        (prop, message)
        for prop, messages in (
            error.validation_errors if isinstance(error, APIError) else {}
        ).items()
        for message in messages
    )
    return [
        cls(
            index=offset + i,
            ok=False,
            code=code,
            errors=(text_of(error),),
            details=details,
            unknown=unknown,
            error=error,
        )
        for i in positions
    ]


def _refused(cls: type[_V3Item], index: int, error: Exception) -> _V3Item:
    """The outcome of an item the client's checks kept back (it was not sent)."""
    field = getattr(error, "field", None) or ""
    placed = error.at(index) if isinstance(error, ValidationError) else error
    return cls(
        index=index,
        ok=False,
        errors=("not sent: refused by the client's checks",),
        details=((field, str(error)),),
        error=placed if isinstance(placed, ProfilesError) else None,
    )


def _v3_prepare(
    chunk: Sequence[Any], offset: int, cls: type[_V3Item], encode: Callable[[Any], str]
) -> tuple[list[str], list[int], dict[int, _V3Item], Exception | None]:
    """Check and encode one chunk just before its request: the texts to send, their positions
    in the chunk, the outcomes of the items refused, and the first refusal (placed at its item)."""
    texts: list[str] = []
    positions: list[int] = []
    refused: dict[int, _V3Item] = {}
    first: Exception | None = None
    for i, person in enumerate(chunk):
        try:
            texts.append(encode(person))
        except ValidationError as error:
            refused[i] = _refused(cls, offset + i, error)
            first = first or error.at(offset + i)
            continue
        except TypeError as error:
            refused[i] = _refused(cls, offset + i, error)
            first = first or TypeError(f"item {offset + i}: {error}")
            continue
        positions.append(i)
    return texts, positions, refused, first


def _as_ref(ref: PersonRef) -> PersonRef:
    if not isinstance(ref, PersonRef):
        raise TypeError(f"expected a PersonRef, got {type(ref).__name__}")
    return ref


def _as_update(item: UpdateItem) -> PersonUpdate:
    if isinstance(item, PersonUpdate):
        return item
    ref, person = item
    return PersonUpdate(ref, person)


def _upsert_op(mode: str) -> str:
    if mode not in ("partial", "full"):
        raise ValidationError("mode must be 'partial' or 'full'", field="mode")
    return "upsert-persons-partial" if mode == "partial" else "upsert-persons-full"


def _item_error(outcome: Any, response: httpx.Response) -> APIError:
    """The exception for the one item of a single-person upsert that the service refused."""
    code = outcome.code
    status = 409 if code is not None and str(code).startswith("409") else 400
    errors: dict[str, list[str]] = {}
    for prop, message in outcome.details:
        errors.setdefault(prop, []).append(message)
    cls = ConflictError if status == 409 else BadRequestError
    error = cls(
        status,
        code,
        "; ".join(outcome.errors) or "the service refused the person",
        errors,
        body=json_of(response),
        method=response.request.method,
        path=response.request.url.path,
    )
    error.response = response
    return error


def _v3_many(
    op_id: str,
    persons: Iterable[Person],
    cls: type[_V3Item],
    encode: Callable[[Any], str],
    strict: bool,
    failures: RequestFailures,
    options: CallOptions,
    wrap: Callable[[Sequence[_V3Item]], R],
) -> Generator[Call, httpx.Response, R]:
    """Upsert or merge ``persons`` chunk by chunk; the result ``wrap`` makes of every outcome,
    in input order (stored compactly: see :class:`CompactOutcomes`)."""
    hint = requests_hint(persons, BATCH_LIMIT)
    source: Iterable[Any] = _encode_all(persons, encode) if strict else persons
    sent = False
    first_refusal: Exception | None = None
    refused: dict[int, _V3Item]
    store = _outcome_store(cls)
    with Outcomes[cls](hint, store) as outcomes:  # type: ignore[valid-type]
        for offset, chunk in chunked(source, BATCH_LIMIT):
            if strict:
                texts, positions, refused = list(chunk), list(range(len(chunk))), {}
            else:
                texts, positions, refused, first = _v3_prepare(chunk, offset, cls, encode)
                first_refusal = first_refusal or first
            if not texts:
                outcomes.now([refused[i] for i in range(len(chunk))])
                continue
            sent = True
            body = _json_array_body("persons", texts)
            del texts
            try:
                response = yield Call(op_id, body=body, options=options)
            except (APIError, APIConnectionError) as error:
                failures.failed(error)
                lost = {
                    o.index - offset: o for o in _v3_chunk_failed(cls, error, offset, positions)
                }
                outcomes.now([refused.get(i) or lost[i] for i in range(len(chunk))])
                failures.after(error, offset, len(chunk), lambda: wrap(outcomes.collect()))
                continue
            failures.succeeded()
            outcomes.later(
                _v3_chunk_outcomes, response, offset, positions, refused, cls is UpsertItemResult
            )
        if not sent and first_refusal is not None:
            raise first_refusal
        return wrap(outcomes.collect())


def _plain_v3(outcome: UpsertItemResult | MergeItemResult) -> bool:
    """A success with nothing to it but its index, id and status."""
    return (
        outcome.ok
        and outcome.code is None
        and not outcome.errors
        and not outcome.details
        and not outcome.unknown
        and outcome.error is None
    )


def _outcome_store(cls: type[Any]) -> CompactOutcomes[Any]:
    if cls is UpsertItemResult:
        return CompactOutcomes(
            lambda i, ident, status: UpsertItemResult(index=i, ok=True, id=ident, status=status),
            lambda o: o.status,
            _plain_v3,
        )
    return CompactOutcomes(
        lambda i, ident, _: MergeItemResult(index=i, ok=True, id=ident),
        lambda o: None,
        _plain_v3,
    )


class _PeoplePlans:
    """The persons operations, written once."""

    def get(self, ref: PersonRef, **options: Unpack[CallOptions]) -> Plan[StoredPerson]:
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
    ) -> PageSpec[StoredPerson]:
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

    def create(self, person: Person, **options: Unpack[CallOptions]) -> Plan[StoredPerson]:
        """Create a person; returns it as stored (with ``id`` and timestamps). Type defaults to CUSTOMER.

        The person needs at least one of external id, email or phone
        (:class:`~infobip_profiles.ValidationError` before sending otherwise). A list given as
        :class:`~infobip_profiles.Append` is appended after the person is created.
        """
        person, appends = split_appends(person)
        body = _create_body(person)
        response = yield Call("create-a-new-person", body=body, options=options)
        return (yield from append_after(_decode_person(json_of(response)), appends, options))

    def replace(
        self, ref: PersonRef, person: Person, **options: Unpack[CallOptions]
    ) -> Plan[StoredPerson]:
        """Overwrite a person (PUT): every field you leave out is cleared, tags and contacts replaced.

        A list given as :class:`~infobip_profiles.Append` is emptied by the PUT, then its items
        are appended (see :mod:`infobip_profiles.lists_ops`); a plain list overwrites.
        """
        person, appends = split_appends(person)
        body = _person_body(person)
        response = yield Call(
            "update-a-person", query=_as_ref(ref).query(), body=body, options=options
        )
        return (yield from append_after(_decode_person(json_of(response)), appends, options))

    def update(
        self, ref: PersonRef, person: Person, **options: Unpack[CallOptions]
    ) -> Plan[StoredPerson]:
        """Change only the fields you set (PATCH); tags and contacts are appended.

        Set a field to ``None`` explicitly to clear it. A list value overwrites the list; wrap
        it in :class:`~infobip_profiles.Append` to add its items after the stored ones instead
        (see :mod:`infobip_profiles.lists_ops`).
        """
        person, appends = split_appends(person)
        if appends and not person.fields_set():
            return (yield from append_only(_as_ref(ref), appends, options))
        body = _person_body(person)
        response = yield Call(
            "partial-person-update", query=_as_ref(ref).query(), body=body, options=options
        )
        return (yield from append_after(_decode_person(json_of(response)), appends, options))

    def delete(self, ref: PersonRef, **options: Unpack[CallOptions]) -> Plan[None]:
        """Delete a person."""
        yield Call("delete-a-person", query=_as_ref(ref).query(), options=options)
        return None

    def set_contacts(
        self, ref: PersonRef, contacts: ContactInformation, **options: Unpack[CallOptions]
    ) -> Plan[StoredPerson]:
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
    ) -> Plan[StoredPerson]:
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
    ) -> Plan[StoredPerson]:
        """Remove the listed emails and phones from a person (absent ones are ignored)."""
        response = yield Call(
            "delete-person-contact-information",
            query=_as_ref(ref).query(),
            body=_contacts_body(contacts),
            options=options,
        )
        return _decode_person(json_of(response))

    def create_many(
        self,
        persons: Iterable[Person],
        *,
        on_error: OnError = "continue",
        **options: Unpack[CallOptions],
    ) -> Plan[BatchResult]:
        """Create any number of persons, 1000 per request; one outcome per person, in order.

        Every person is checked before the first request (the field rules, and at least one of
        external id, email or phone), so a bad one raises :class:`~infobip_profiles.ValidationError`
        and sends nothing.

        If the first request fails, its error is raised (no outcome is known yet). If a later
        one fails, the outcomes already known are kept: that request's persons come back not ok,
        with ``unknown=True`` when the request may have been applied (a connection lost after
        sending, a timeout, a 5xx), and the remaining requests are still sent; with
        ``on_error="raise"`` the call stops there with a
        :class:`~infobip_profiles.PartialBatchError` carrying every outcome so far.
        """
        failures = RequestFailures(on_error)
        # Checked and encoded to JSON text up front (a bad person sends nothing): text is a
        # third of the memory of the dicts it comes from.
        bodies = _encode_all(persons, lambda p: dumps(_create_body(p)).decode())
        items: list[BatchItemResult] = []
        for offset, chunk in chunked(bodies, BATCH_LIMIT):
            body = _json_array_body("people", chunk)
            try:
                response = yield Call("batch-people-create", body=body, options=options)
            except (APIError, APIConnectionError) as error:
                failures.failed(error)
                items.extend(chunk_failed(BatchItemResult, error, offset, len(chunk)))
                failures.after(error, offset, len(chunk), lambda: BatchResult(tuple(items)))
                continue
            failures.succeeded()
            items.extend(_batch_by_index(json_of(response), offset, len(chunk)))
        return BatchResult(tuple(items))

    def update_many(
        self,
        items: Iterable[UpdateItem],
        *,
        on_error: OnError = "continue",
        **options: Unpack[CallOptions],
    ) -> Plan[BatchResult]:
        """PATCH any number of persons: ``PersonUpdate(ref, person)`` or ``(ref, person)`` pairs.

        1000 per request; one outcome per item, in order. Every item is checked first. See
        :meth:`create_many` for what happens when one of the requests fails.
        """
        failures = RequestFailures(on_error)
        updates = _encode_all(items, _as_update)
        entries = _encode_all(
            updates,
            lambda u: dumps({"query": u.ref.to_wire(), "update": _person_body(u.person)}).decode(),
        )
        results: list[BatchItemResult] = []
        for offset, chunk in chunked(entries, BATCH_LIMIT):
            body = _json_array_body("people", chunk)
            refs = [u.ref for u in updates[offset : offset + len(chunk)]]
            try:
                response = yield Call("batch-people-update", body=body, options=options)
            except (APIError, APIConnectionError) as error:
                failures.failed(error)
                results.extend(chunk_failed(BatchItemResult, error, offset, len(chunk), refs))
                failures.after(error, offset, len(chunk), lambda: BatchResult(tuple(results)))
                continue
            failures.succeeded()
            results.extend(_batch_by_query(json_of(response), offset, refs))
        return BatchResult(tuple(results))

    def delete_many(
        self,
        refs: Iterable[PersonRef],
        *,
        on_error: OnError = "continue",
        **options: Unpack[CallOptions],
    ) -> Plan[BatchResult]:
        """Delete any number of persons, 1000 per request; one outcome per ref, in order.

        See :meth:`create_many` for what happens when one of the requests fails.
        """
        failures = RequestFailures(on_error)
        checked = _encode_all(refs, _as_ref)
        results: list[BatchItemResult] = []
        for offset, chunk in chunked(checked, BATCH_LIMIT):
            body = {"people": [{"query": r.to_wire()} for r in chunk]}
            try:
                response = yield Call("batch-people-delete", body=body, options=options)
            except (APIError, APIConnectionError) as error:
                failures.failed(error)
                results.extend(chunk_failed(BatchItemResult, error, offset, len(chunk), chunk))
                failures.after(error, offset, len(chunk), lambda: BatchResult(tuple(results)))
                continue
            failures.succeeded()
            results.extend(_batch_by_query(json_of(response), offset, chunk))
        return BatchResult(tuple(results))

    def upsert_many(
        self,
        persons: Iterable[Person],
        *,
        mode: Literal["partial", "full"] = "partial",
        strict: bool = False,
        on_error: OnError = "continue",
        **options: Unpack[CallOptions],
    ) -> Plan[UpsertResult]:
        """Create or update persons matched by externalId, email or phone (v3), 1000 per request.

        ``mode="partial"`` (PATCH) keeps the fields you leave out; ``"full"`` (PUT) clears them.
        Each person ends CREATED, UPDATED or NOT_MODIFIED, or failed with its error.

        ``persons`` is read chunk by chunk: each chunk of 1000 is checked and encoded just before
        its request, so a generator of any length costs the memory of about two chunks plus the
        result. The result stores each plain success as 9 bytes (its id and status, in columns;
        the outcome object is built when read) and each failure in full: a million upserted
        persons cost about 9 MB of outcomes, and the whole call grew the process by about 17 MB
        when measured (a stub answering CREATED; 460 MB when every person was encoded first and
        every outcome was an object). Pass a generator to keep your own input out of memory. A
        person
        failing the client's checks (see :func:`validate_person_for_upsert`) is not sent: its
        outcome is failed, with the reason in ``details``, and the others go ahead. Only when
        *every* person fails them is :class:`~infobip_profiles.ValidationError` raised (for the
        first). ``strict=True`` checks every person before the first request instead and raises
        at the first bad one, sending nothing (it holds the whole input's encoding in memory).

        See :meth:`create_many` for what happens when one of the requests fails (``on_error``).
        """
        op = _upsert_op(mode)
        failures = RequestFailures(on_error)
        return (
            yield from _v3_many(
                op, persons, UpsertItemResult, _upsert_json, strict, failures, options, UpsertResult
            )
        )

    def upsert(
        self,
        person: Person,
        *,
        mode: Literal["partial", "full"] = "partial",
        **options: Unpack[CallOptions],
    ) -> Plan[UpsertedPerson]:
        """Find-or-create one person in one request: matched by externalId, email or phone,
        created when nobody matches, updated otherwise (v3 upsert with one item).

        Returns the person's outcome: ``status`` CREATED, UPDATED or NOT_MODIFIED and its ``id``.
        ``mode="partial"`` keeps the stored fields you leave out; ``"full"`` clears them. A person
        failing the client's checks raises :class:`~infobip_profiles.ValidationError` and sends
        nothing; a person the service refuses raises
        :class:`~infobip_profiles.ConflictError` (its identifiers belong to two different
        people, code ``409100``) or :class:`~infobip_profiles.BadRequestError`, with the
        service's ``(property, message)`` details in ``validation_errors``.

        Example::

            outcome = client.people.upsert(Person(external_id="crm-1", first_name="Ada"))
            outcome.status, outcome.id        # UpsertStatus.CREATED, 1234
        """
        op = _upsert_op(mode)
        if not isinstance(person, Person):
            raise TypeError(f"expected a Person, got {type(person).__name__}")
        body = _json_array_body("persons", [_upsert_json(person)])
        response = yield Call(op, body=body, options=options)
        (outcome,) = _v3_outcomes(response, 0, 1, True)
        if not outcome.ok:
            raise _item_error(outcome, response)
        if type(outcome.id) is not int or outcome.status is None:
            raise UnexpectedResponseError(
                response.status_code,
                "the upsert answer has no id or status for the person",
                operation_id=op,
            )
        return UpsertedPerson(
            index=outcome.index, ok=True, id=outcome.id, status=outcome.status, code=outcome.code
        )

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

    def merge(
        self,
        persons: Iterable[Person],
        *,
        strict: bool = False,
        on_error: OnError = "continue",
        **options: Unpack[CallOptions],
    ) -> Plan[MergeResult]:
        """Merge, per item, every profile its identifiers match into one (v3), 1000 items per request.

        The oldest profile survives; the request's data overrides stored data. Items are read,
        checked and encoded chunk by chunk, successes stored in a few bytes each, and an item
        failing the client's checks fails alone, as in :meth:`upsert_many` (``strict=True``:
        check all first and raise).
        See :meth:`create_many` for what happens when one of the requests fails (``on_error``).
        """
        failures = RequestFailures(on_error)
        return (
            yield from _v3_many(
                "merge-persons",
                persons,
                MergeItemResult,
                _v3_json,
                strict,
                failures,
                options,
                MergeResult,
            )
        )

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
        return [dict(item) for item in json_of(response)]  # the answer's kind is checked


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
    upsert = sync_op(_PeoplePlans.upsert)
    match = sync_op(_PeoplePlans.match)
    merge = sync_op(_PeoplePlans.merge)
    append_to_attribute = sync_op(_PeoplePlans.append_to_attribute)
    add_tags = sync_op(_workflows.add_tags)
    remove_tags = sync_op(_workflows.remove_tags)
    has_tags = sync_op(_workflows.has_tags)
    archive = sync_op(_workflows.archive)
    activate = sync_op(_workflows.activate)
    export = sync_op(_workflows.export)


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
    upsert = async_op(_PeoplePlans.upsert)
    match = async_op(_PeoplePlans.match)
    merge = async_op(_PeoplePlans.merge)
    append_to_attribute = async_op(_PeoplePlans.append_to_attribute)
    add_tags = async_op(_workflows.add_tags)
    remove_tags = async_op(_workflows.remove_tags)
    has_tags = async_op(_workflows.has_tags)
    archive = async_op(_workflows.archive)
    activate = async_op(_workflows.activate)
    export = async_op(_workflows.export)
