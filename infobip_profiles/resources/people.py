"""The ``people`` resource: every persons operation, v2 and v3, sync and async.

Each method is written once as a plan (see :mod:`infobip_profiles._plan`); :class:`People` and
:class:`AsyncPeople` expose the same plans as blocking and awaitable methods.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from typing import Any, Literal, TypeVar, Union

import httpx
from typing_extensions import Unpack

from .._converter import dumps, from_wire, to_wire
from .._operations import CLIENT_PAGE_SIZE, batch_limit, page_size
from .._plan import Call, Plan, async_op, json_of, sync_op
from .._types import CallOptions
from ..errors import (
    APIConnectionError,
    APIError,
    NotFoundError,
    UnexpectedResponseError,
    ValidationError,
)
from ..filters import ARCHIVED_ATTRIBUTE, FilterLike
from ..lists_ops import append_after, append_only, split_appends
from ..models import (
    BatchItemResult,
    BatchResult,
    ContactInformation,
    MatchResult,
    MergeItemResult,
    MergeResult,
    Person,
    PersonUpdate,
    StoredPerson,
    UpsertedPerson,
    UpsertItemResult,
    UpsertResult,
)
from ..pagination import PageSpec, async_pager, sync_pager
from ..refs import IdentifierType, PersonRef
from . import _workflows
from ._base import AsyncResource, SyncResource, chunked
from ._batch import (
    OnError,
    Outcomes,
    RequestFailures,
    batch_store,
    encode_all,
    is_strict,
    json_array_body,
    placed_refusal,
    query_store,
    requests_hint,
    stream_many,
)
from ._outcomes import (
    V3Item,
    batch_by_index,
    batch_by_query,
    item_error,
    outcome_store,
    ref_key,
    refused_outcome,
    v3_chunk_failed,
    v3_chunk_outcomes,
    v3_outcomes,
)
from ._params import as_person_ref, list_params, order_by_param
from ._person_bodies import (
    contacts_body,
    create_body,
    person_body,
    upsert_json,
    v3_json,
    validate_person_for_upsert,
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

UpdateItem = Union[PersonUpdate, "tuple[PersonRef, Person]"]
# The plans define a method named ``list``; annotations inside the class use this alias.
_List = list
R = TypeVar("R")


def _decode_person(data: Any) -> StoredPerson:
    return from_wire(data, StoredPerson)


def _v3_prepare(
    chunk: Sequence[Any], offset: int, cls: type[V3Item], encode: Callable[[Any], str]
) -> tuple[list[str], list[int], dict[int, V3Item], Exception | None]:
    """Check and encode one chunk just before its request: the texts to send, their positions
    in the chunk, the outcomes of the items refused, and the first refusal (placed at its item)."""
    texts: list[str] = []
    positions: list[int] = []
    refused: dict[int, V3Item] = {}
    first: Exception | None = None
    for i, person in enumerate(chunk):
        try:
            texts.append(encode(person))
        except (ValidationError, TypeError) as error:
            refused[i] = refused_outcome(cls, offset + i, error)
            first = first or placed_refusal(error, offset + i)
            continue
        positions.append(i)
    return texts, positions, refused, first


def _as_update(item: UpdateItem) -> PersonUpdate:
    if isinstance(item, PersonUpdate):
        return item
    ref, person = item
    return PersonUpdate(ref, person)


def _create_entry(person: Person) -> tuple[str, None]:
    return dumps(create_body(person)).decode(), None


def _update_entry(item: UpdateItem) -> tuple[str, PersonRef]:
    update = _as_update(item)
    ref = as_person_ref(update.ref)
    text = dumps({"query": ref.to_wire(), "update": person_body(update.person)}).decode()
    return text, ref


def _delete_entry(ref: PersonRef) -> tuple[str, PersonRef]:
    checked = as_person_ref(ref)
    return dumps({"query": checked.to_wire()}).decode(), checked


def _create_outcomes(
    body: Any, offset: int, refs: Sequence[Any] | None, count: int
) -> list[BatchItemResult]:
    return batch_by_index(body, offset, count)


def _query_outcomes(
    body: Any, offset: int, refs: Sequence[Any] | None, count: int
) -> list[BatchItemResult]:
    return batch_by_query(body, offset, refs or ())


def _upsert_op(mode: str) -> str:
    if mode not in ("partial", "full"):
        raise ValidationError("mode must be 'partial' or 'full'", field="mode")
    return "upsert-persons-partial" if mode == "partial" else "upsert-persons-full"


def _v3_many(
    op_id: str,
    persons: Iterable[Person],
    cls: type[V3Item],
    encode: Callable[[Any], str],
    strict: bool,
    failures: RequestFailures,
    options: CallOptions,
    wrap: Callable[[Sequence[V3Item]], R],
) -> Generator[Call, httpx.Response, R]:
    """Upsert or merge ``persons`` chunk by chunk; the result ``wrap`` makes of every outcome,
    in input order (stored compactly: see :class:`CompactOutcomes`)."""
    hint = requests_hint(persons, BATCH_LIMIT)
    source: Iterable[Any] = encode_all(persons, encode) if strict else persons
    sent = False
    first_refusal: Exception | None = None
    refused: dict[int, V3Item]
    store = outcome_store(cls)
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
            body = json_array_body("persons", texts)
            del texts
            try:
                response = yield Call(op_id, body=body, options=options)
            except (APIError, APIConnectionError) as error:
                failures.failed(error)
                lost = {o.index - offset: o for o in v3_chunk_failed(cls, error, offset, positions)}
                outcomes.now([refused.get(i) or lost[i] for i in range(len(chunk))])
                failures.after(error, offset, len(chunk), lambda: wrap(outcomes.collect()))
                continue
            failures.succeeded()
            outcomes.later(
                v3_chunk_outcomes, response, offset, positions, refused, cls is UpsertItemResult
            )
        if not sent and first_refusal is not None:
            raise first_refusal
        return wrap(outcomes.collect())


class _PeoplePlans:
    """The persons operations, written once."""

    def get(self, ref: PersonRef, **options: Unpack[CallOptions]) -> Plan[StoredPerson]:
        """Fetch one person.

        Raises :class:`~infobip_profiles.NotFoundError` when no person has this identifier.
        """
        response = yield Call(_LIST_OP, query=as_person_ref(ref).query(), options=options)
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
            params=list_params(filter, order_by),
            options=options,
            model=StoredPerson,
        )

    def count(
        self, *, filter: FilterLike | str | None = None, **options: Unpack[CallOptions]
    ) -> Plan[int]:
        """How many persons match ``filter`` (one request, ``includeTotalCount``)."""
        params = [
            *list_params(filter, None),
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
        body = create_body(person)
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
        body = person_body(person)
        response = yield Call(
            "update-a-person", query=as_person_ref(ref).query(), body=body, options=options
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
            return (yield from append_only(as_person_ref(ref), appends, options))
        body = person_body(person)
        response = yield Call(
            "partial-person-update", query=as_person_ref(ref).query(), body=body, options=options
        )
        return (yield from append_after(_decode_person(json_of(response)), appends, options))

    def delete(self, ref: PersonRef, **options: Unpack[CallOptions]) -> Plan[None]:
        """Delete a person."""
        yield Call("delete-a-person", query=as_person_ref(ref).query(), options=options)
        return None

    def set_contacts(
        self, ref: PersonRef, contacts: ContactInformation, **options: Unpack[CallOptions]
    ) -> Plan[StoredPerson]:
        """Replace all of a person's emails and phones with ``contacts``."""
        response = yield Call(
            "set-person-contact-information",
            query=as_person_ref(ref).query(),
            body=contacts_body(contacts),
            options=options,
        )
        return _decode_person(json_of(response))

    def add_contacts(
        self, ref: PersonRef, contacts: ContactInformation, **options: Unpack[CallOptions]
    ) -> Plan[StoredPerson]:
        """Add emails and phones to a person (each may belong to one person only)."""
        response = yield Call(
            "add-person-contact-information",
            query=as_person_ref(ref).query(),
            body=contacts_body(contacts),
            options=options,
        )
        return _decode_person(json_of(response))

    def remove_contacts(
        self, ref: PersonRef, contacts: ContactInformation, **options: Unpack[CallOptions]
    ) -> Plan[StoredPerson]:
        """Remove the listed emails and phones from a person (absent ones are ignored)."""
        response = yield Call(
            "delete-person-contact-information",
            query=as_person_ref(ref).query(),
            body=contacts_body(contacts),
            options=options,
        )
        return _decode_person(json_of(response))

    def create_many(
        self,
        persons: Iterable[Person],
        *,
        strict: bool | None = None,
        on_error: OnError = "continue",
        **options: Unpack[CallOptions],
    ) -> Plan[BatchResult]:
        """Create any number of persons, 1000 per request; one outcome per person, in order.

        Checks (the field rules, and at least one of external id, email or phone) depend on
        ``strict``:

        * ``strict=True``, and the default for a sequence (a list or tuple: your input is in
          memory already): every person is checked and encoded before the first request, so a bad
          one raises :class:`~infobip_profiles.ValidationError` and sends nothing.
        * ``strict=False``, and the default for any other iterable (a generator): ``persons`` is
          read chunk by chunk, each chunk checked and encoded just before its request. A bad
          person is not sent: its outcome is failed (status 0, the reason in ``errors`` and
          ``error``) and the others go ahead; only when every person is bad is the first
          refusal raised.

        The result stores each plain success in columns (a status byte, and ids as runs of
        consecutive values: ids in no order cost at most 13 bytes; the outcome object is built
        when read) and each failure in full. Fed a generator, a million persons cost 5.8 MB of
        client memory when measured and a hundred thousand 4.8 MB (tracemalloc peak, a stub
        answering success with ids in sequence), where encoding every person first cost 41 MB
        for a hundred thousand (figure ``create_stream_memory`` of ``python -m benchmarks
        --only peers``).

        If the first request fails, its error is raised (no outcome is known yet). If a later
        one fails, the outcomes already known are kept: that request's persons come back not ok,
        with ``unknown=True`` when the request may have been applied (a connection lost after
        sending, a timeout, a 5xx), and the remaining requests are still sent; with
        ``on_error="raise"`` the call stops there with a
        :class:`~infobip_profiles.PartialBatchError` carrying every outcome so far.
        """
        failures = RequestFailures(on_error)
        return (
            yield from stream_many(
                "batch-people-create",
                persons,
                key="people",
                size=BATCH_LIMIT,
                prepare=_create_entry,
                decode=_create_outcomes,
                make=BatchItemResult,
                named=False,
                strict=is_strict(strict, persons),
                failures=failures,
                options=options,
                store=batch_store(BatchItemResult),
                wrap=BatchResult,
            )
        )

    def update_many(
        self,
        items: Iterable[UpdateItem],
        *,
        strict: bool | None = None,
        on_error: OnError = "continue",
        **options: Unpack[CallOptions],
    ) -> Plan[BatchResult]:
        """PATCH any number of persons: ``PersonUpdate(ref, person)`` or ``(ref, person)`` pairs.

        1000 per request; one outcome per item, in order. ``strict`` as in :meth:`create_many`:
        a sequence is checked first (a bad item sends nothing), any other iterable is read chunk
        by chunk (a bad item fails alone). See :meth:`create_many` for what happens when a
        request fails.

        Each outcome names the ref it addressed (``query``, a ref equal to yours, built when the
        outcome is read). The result stores a plain success without an object and without your
        ref: successes in a row with the same status and kind of ref, whose ids follow each
        other, are one run of 13 bytes, and any identifier but an id is kept as its UTF-8 text
        plus 4 bytes; failures are kept in full. Per million successes (tracemalloc, a stub
        answering success, a generator of refs): next to nothing for ids in sequence (1.7 MB
        peak for the whole call), 13 MB for ids in no order, 26 MB for emails of 22
        characters, where keeping outcome objects took 337 MB (figures
        ``update_stream_memory`` and ``delete_stream_memory`` of ``python -m benchmarks --only
        peers``). The input is never held whole.
        """
        failures = RequestFailures(on_error)
        return (
            yield from stream_many(
                "batch-people-update",
                items,
                key="people",
                size=BATCH_LIMIT,
                prepare=_update_entry,
                decode=_query_outcomes,
                make=BatchItemResult,
                named=True,
                strict=is_strict(strict, items),
                failures=failures,
                options=options,
                store=query_store(BatchItemResult),
                wrap=BatchResult,
            )
        )

    def delete_many(
        self,
        refs: Iterable[PersonRef],
        *,
        strict: bool | None = None,
        on_error: OnError = "continue",
        **options: Unpack[CallOptions],
    ) -> Plan[BatchResult]:
        """Delete any number of persons, 1000 per request; one outcome per ref, in order.

        ``strict`` as in :meth:`update_many` (a sequence is checked first; a generator is read
        chunk by chunk). See :meth:`create_many` for what happens when a request fails.
        Outcomes are stored as in :meth:`update_many`: per million successes, next to nothing
        for refs by ids in sequence, 13 bytes each for ids in no order, the identifier's UTF-8
        text plus 4 bytes for other refs (26 MB for emails of 22 characters), where keeping
        outcome objects took 337 MB.
        """
        failures = RequestFailures(on_error)
        return (
            yield from stream_many(
                "batch-people-delete",
                refs,
                key="people",
                size=BATCH_LIMIT,
                prepare=_delete_entry,
                decode=_query_outcomes,
                make=BatchItemResult,
                named=True,
                strict=is_strict(strict, refs),
                failures=failures,
                options=options,
                store=query_store(BatchItemResult),
                wrap=BatchResult,
            )
        )

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
        result. The result stores each plain success in at most 13 bytes (a status byte, ids as
        runs of consecutive values; the outcome object is built when read) and each failure in
        full: a million upserted persons cost at most 13 MB of outcomes, and the whole call grew
        the process by about 17 MB
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
                op, persons, UpsertItemResult, upsert_json, strict, failures, options, UpsertResult
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
        body = json_array_body("persons", [upsert_json(person)])
        response = yield Call(op, body=body, options=options)
        (outcome,) = v3_outcomes(response, 0, 1, True)
        if not outcome.ok:
            raise item_error(outcome, response)
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
        refs = [as_person_ref(r) for r in identities]
        body = {"identities": [ref.to_wire() for ref in refs]}
        try:
            response = yield Call("match-people-ids", body=body, options=options)
        except NotFoundError:
            return []
        exact: dict[tuple[str, str, str | None], PersonRef] = {}
        loose: dict[tuple[str, str], PersonRef] = {}
        for ref in refs:
            key = ref_key(ref.to_wire())
            exact.setdefault(key, ref)
            loose.setdefault((key[0], key[1].lower()), ref)
        out = []
        for m in (json_of(response) or {}).get("matches") or []:
            key = ref_key(m)
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
                v3_json,
                strict,
                failures,
                options,
                MergeResult,
            )
        )

    def archive(
        self, refs: PersonRef | Iterable[PersonRef], **options: Unpack[CallOptions]
    ) -> Plan[BatchResult]:
        """Archive people: set :data:`~infobip_profiles.filters.ARCHIVED_ATTRIBUTE` to ``True``
        (one person or any number, 1000 per batch request; one outcome per person, in order).

        The attribute is created (``BOOLEAN``) when the account lacks it, also for an empty
        ``refs``. Filter with :func:`~infobip_profiles.filters.archived` /
        :func:`~infobip_profiles.filters.active`.
        """
        return (yield from _set_status(self, refs, True, options))

    def activate(
        self, refs: PersonRef | Iterable[PersonRef], **options: Unpack[CallOptions]
    ) -> Plan[BatchResult]:
        """Activate people: set :data:`~infobip_profiles.filters.ARCHIVED_ATTRIBUTE` to ``False``
        (see :meth:`archive`)."""
        return (yield from _set_status(self, refs, False, options))

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
            query=as_person_ref(ref).query(),
            body=to_wire(dict(item)),
            options=options,
        )
        return [dict(item) for item in json_of(response)]  # the answer's kind is checked


def _set_status(
    resource: Any, refs: PersonRef | Iterable[PersonRef], value: bool, options: CallOptions
) -> Plan[BatchResult]:
    """Set the archived attribute of ``refs`` to ``value`` (creating the attribute first).

    A sequence is checked whole before anything is sent; any other iterable is read chunk by
    chunk by :meth:`~_PeoplePlans.update_many` (a bad ref fails alone there)."""
    targets = [refs] if isinstance(refs, PersonRef) else refs
    change = Person(custom_attributes={ARCHIVED_ATTRIBUTE: value})
    items: Iterable[tuple[PersonRef, Person]]
    if isinstance(targets, Sequence):
        items = [(as_person_ref(r), change) for r in targets]
    else:
        items = ((r, change) for r in targets)
    yield from _workflows.ensure_status_attribute(options)
    return (yield from _PeoplePlans.update_many(resource, items, **options))


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
    archive = sync_op(_PeoplePlans.archive)
    activate = sync_op(_PeoplePlans.activate)
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
    archive = async_op(_PeoplePlans.archive)
    activate = async_op(_PeoplePlans.activate)
    export = async_op(_workflows.export)
