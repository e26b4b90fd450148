"""The ``companies`` resource: lookup, CRUD, the three batch calls and membership, sync and async.

Each method is written once as a plan (see :mod:`infobip_profiles._plan`); :class:`Companies` and
:class:`AsyncCompanies` expose the same plans as blocking and awaitable methods.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Union

from typing_extensions import Unpack

from .._company_fields import COMPANY_MAX_LENGTHS
from .._converter import dumps, from_wire, to_wire
from .._operations import CLIENT_PAGE_SIZE, batch_limit, page_size
from .._plan import Call, Plan, async_op, json_of, sync_op
from .._types import CallOptions
from ..errors import NotFoundError, ValidationError
from ..filters import FilterLike, to_query_param
from ..models import (
    Company,
    CompanyBatchItemResult,
    CompanyBatchResult,
    CompanyUpdate,
    StoredCompany,
)
from ..pagination import PageSpec, async_pager, sync_pager
from ..refs import CompanyRef, CompanySelector, PersonRef
from ._base import AsyncResource, SyncResource
from ._batch import (
    CompactOutcomes,
    OnError,
    RequestFailures,
    batch_store,
    by_index,
    in_order,
    is_strict,
    query_store,
    results_of,
    send_refs,
    stream_many,
)
from ._params import order_by_param

__all__ = ["Companies", "AsyncCompanies", "BATCH_LIMIT", "COMPANY_MAX_LENGTHS", "check_company"]

_OP = "get-a-single-company-by-name-or-a-list-of-companies"

#: Items per request of the batch and membership calls (the spec states the same limit for each).
BATCH_LIMIT = batch_limit("create-companies")
MAX_PAGE_SIZE = page_size(_OP).maximum
DEFAULT_PAGE_SIZE = CLIENT_PAGE_SIZE
_ORDER_FIELDS = ("name", "createdAt", "modifiedAt")

UpdateItem = Union[CompanyUpdate, "tuple[CompanyRef, Company]"]


def check_company(body: Mapping[str, Any], *, create: bool) -> None:
    """Validate a company's wire body before it is sent; raise :class:`ValidationError`.

    On create ``name`` is required; on any write it is not blank and every text field is within
    its limit.
    """
    name = body.get("name")
    if create and (not isinstance(name, str) or not name.strip()):
        raise ValidationError("a company needs a name", field="name")
    if "name" in body and (name is None or (isinstance(name, str) and not name.strip())):
        raise ValidationError("a company's name must not be blank", field="name")
    for field, limit in COMPANY_MAX_LENGTHS.items():
        value = body.get(field)
        if isinstance(value, str) and len(value) > limit:
            raise ValidationError(
                f"{field} is {len(value)} characters long; the limit is {limit}", field=field
            )


def _company_body(company: Company, *, create: bool) -> dict[str, Any]:
    if not isinstance(company, Company):
        raise TypeError(f"expected a Company, got {type(company).__name__}")
    body: dict[str, Any] = to_wire(company)
    check_company(body, create=create)
    return body


def _decode(data: Any) -> StoredCompany:
    return from_wire(data, StoredCompany)


def _filter_param(filter: FilterLike | str) -> str:
    text = filter if isinstance(filter, str) else to_query_param(filter)
    if '"#notContain"' in text:
        raise ValidationError("the companies filter does not support #notContain", field="filter")
    return text


def _query_wire(ref: CompanyRef) -> dict[str, str]:
    """The ``CompanyIdentityQuery`` body form: every selector is a string, the id included."""
    return {ref.selector.value: ref.value}


def _as_update(item: UpdateItem) -> CompanyUpdate:
    if isinstance(item, CompanyUpdate):
        return item
    ref, company = item
    return CompanyUpdate(ref, company)


def _messages(errors: Any) -> tuple[str, ...]:
    return tuple(str(e.get("message") if isinstance(e, Mapping) else e) for e in errors or () if e)


def _query_key(selector: str, value: Any) -> tuple[str, str]:
    text = str(value)
    if selector in (CompanySelector.NAME.value, CompanySelector.DOMAIN.value):
        text = text.lower()
    return selector, text


def _ref_key(ref: CompanyRef) -> tuple[str, str]:
    return _query_key(ref.selector.value, ref.value)


def _by_index(body: Any, offset: int, count: int) -> list[CompanyBatchItemResult]:
    """Batch create outcomes: the API lists successes (with ids) and failures, by index."""

    def outcome(i: int, status: int, res: Mapping[str, Any]) -> CompanyBatchItemResult:
        return CompanyBatchItemResult(
            index=offset + i,
            ok=200 <= status < 300,
            status=status,
            errors=_messages(res.get("errors")),
            id=None if res.get("id") is None else int(res["id"]),
        )

    # An item the API did not mention was created (older services list failures only).
    return by_index(
        body,
        count,
        outcome,
        lambda i: CompanyBatchItemResult(index=offset + i, ok=True, status=200),
    )


def _by_query(body: Any, offset: int, refs: Sequence[CompanyRef]) -> list[CompanyBatchItemResult]:
    """Batch update/delete outcomes: only failures are listed, named by their query."""
    positions: dict[tuple[str, str], list[int]] = {}
    for i, ref in enumerate(refs):
        positions.setdefault(_ref_key(ref), []).append(i)
    outcomes: dict[int, CompanyBatchItemResult] = {}
    unplaced = []
    for res in results_of(body):
        query = res.get("query")
        slots = None
        if isinstance(query, Mapping) and len(query) == 1:
            ((selector, value),) = query.items()
            slots = positions.get(_query_key(str(selector), value))
        status = int(res.get("status", 409))
        if slots:
            i = slots.pop(0)
            outcomes[i] = CompanyBatchItemResult(
                index=offset + i,
                ok=200 <= status < 300,
                status=status,
                errors=_messages(res.get("errors")),
                query=refs[i],
            )
        else:
            unplaced.append(res)
    return in_order(
        outcomes,
        unplaced,
        len(refs),
        lambda i: CompanyBatchItemResult(index=offset + i, ok=True, status=200, query=refs[i]),
    )


def _as_company_ref(ref: CompanyRef) -> CompanyRef:
    if not isinstance(ref, CompanyRef):
        raise TypeError(f"expected a CompanyRef, got {type(ref).__name__}")
    return ref


def _membership(
    op_id: str,
    ref: CompanyRef,
    person_refs: Iterable[PersonRef],
    strict: bool | None,
    options: CallOptions,
) -> Plan[None]:
    """Send one membership call per chunk of 1000 people (a request after the first failing is
    a :class:`~infobip_profiles.PartialBatchError` saying which items were applied)."""
    query = _as_company_ref(ref).query()
    return (
        yield from send_refs(
            person_refs,
            BATCH_LIMIT,
            is_strict(strict, person_refs),
            lambda queries: Call(op_id, query=query, body={"people": queries}, options=options),
        )
    )


def _create_entry(company: Company) -> tuple[str, None]:
    return dumps(_company_body(company, create=True)).decode(), None


def _update_entry(item: UpdateItem) -> tuple[str, CompanyRef]:
    update = _as_update(item)
    ref = _as_company_ref(update.ref)
    body = {"query": _query_wire(ref), "update": _company_body(update.company, create=False)}
    return dumps(body).decode(), ref


def _delete_entry(ref: CompanyRef) -> tuple[str, CompanyRef]:
    checked = _as_company_ref(ref)
    return dumps({"query": _query_wire(checked)}).decode(), checked


def _created(
    body: Any, offset: int, refs: Sequence[Any] | None, count: int
) -> list[CompanyBatchItemResult]:
    return _by_index(body, offset, count)


def _addressed(
    body: Any, offset: int, refs: Sequence[Any] | None, count: int
) -> list[CompanyBatchItemResult]:
    return _by_query(body, offset, refs or ())


def _send_batches(
    op_id: str,
    items: Iterable[Any],
    prepare: Any,
    strict: bool | None,
    on_error: OnError,
    options: CallOptions,
) -> Plan[CompanyBatchResult]:
    """Send ``items`` as requests of ``op_id``, 1000 per request, read chunk by chunk (see
    :func:`~infobip_profiles.resources._batch.stream_many`); one outcome per item, in order.

    Creations are answered by index; updates and deletes name each outcome by the company it
    addressed.
    """
    named = prepare is not _create_entry
    # Either way a plain success is stored in a few bytes, not as an object.
    store: CompactOutcomes[CompanyBatchItemResult] = (
        query_store(CompanyBatchItemResult) if named else batch_store(CompanyBatchItemResult)
    )
    return (
        yield from stream_many(
            op_id,
            items,
            key="companies",
            size=BATCH_LIMIT,
            prepare=prepare,
            decode=_addressed if named else _created,
            make=CompanyBatchItemResult,
            named=named,
            strict=is_strict(strict, items),
            failures=RequestFailures(on_error),
            options=options,
            store=store,
            wrap=CompanyBatchResult,
        )
    )


class _CompaniesPlans:
    """The company operations, written once."""

    def get(self, ref: CompanyRef, **options: Unpack[CallOptions]) -> Plan[StoredCompany]:
        """Fetch one company by id, external id, name (ignoring case) or domain.

        Raises :class:`~infobip_profiles.NotFoundError` when no company matches.
        """
        response = yield Call(_OP, query=ref.query(), options=options)
        body = json_of(response) or {}
        if isinstance(body, Mapping) and "companies" in body:
            companies = body.get("companies") or []
            if not companies:
                raise NotFoundError(404, "NOT_FOUND", f"no company matches {ref}")
            return _decode(companies[0])
        return _decode(body)

    def list(
        self,
        *,
        filter: FilterLike | str | None = None,
        order_by: str | None = None,
        page_size: int | None = None,
        **options: Unpack[CallOptions],
    ) -> PageSpec[StoredCompany]:
        """Every company matching ``filter``, lazily, page by page.

        ``order_by`` is ``"name"``, ``"createdAt:desc"`` style over name, createdAt, modifiedAt.
        The companies filter supports every operator of the persons filter except ``#notContain``.
        """
        size = DEFAULT_PAGE_SIZE if page_size is None else page_size
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise ValidationError(f"page_size must be 1 to {MAX_PAGE_SIZE}", field="limit")
        params: list[tuple[str, str]] = []
        if filter is not None:
            params.append(("filter", _filter_param(filter)))
        if order_by is not None:
            params.append(("orderBy", order_by_param(order_by, _ORDER_FIELDS)))
        return PageSpec(
            _OP, _decode, size, "companies", params=params, options=options, model=StoredCompany
        )

    def create(self, company: Company, **options: Unpack[CallOptions]) -> Plan[StoredCompany]:
        """Create a company; returns it as stored. A name already taken (ignoring case) is a 409."""
        body = _company_body(company, create=True)
        response = yield Call("create-company", body=body, options=options)
        return _decode(json_of(response))

    def update(
        self,
        ref: CompanyRef,
        company: Company,
        *,
        replace_tags: bool = False,
        replace_domains: bool = False,
        **options: Unpack[CallOptions],
    ) -> Plan[StoredCompany]:
        """Change only the fields you set (PATCH). Tags and domains you send are added to the
        company's, unless ``replace_tags`` / ``replace_domains`` make them replace the lists."""
        body = _company_body(company, create=False)
        query = ref.query()
        if replace_tags:
            query.append(("replaceTags", "true"))
        if replace_domains:
            query.append(("replaceDomains", "true"))
        response = yield Call("update-company", query=query, body=body, options=options)
        return _decode(json_of(response))

    def delete(self, ref: CompanyRef, **options: Unpack[CallOptions]) -> Plan[None]:
        """Delete a company (its people stay, without a company)."""
        yield Call("delete-company", query=ref.query(), options=options)
        return None

    def create_many(
        self,
        companies: Iterable[Company],
        *,
        strict: bool | None = None,
        on_error: OnError = "continue",
        **options: Unpack[CallOptions],
    ) -> Plan[CompanyBatchResult]:
        """Create any number of companies, 1000 per request; one outcome per company, in order,
        with the created ``id`` on each success.

        ``strict=True``, and the default for a sequence (a list or tuple, already in memory):
        every company is checked before the first request, so a bad one raises
        :class:`~infobip_profiles.ValidationError` and sends nothing. ``strict=False``, and the
        default for any other iterable (a generator): companies are read, checked and encoded
        chunk by chunk just before each request; a bad one is not sent (its outcome is failed,
        status 0) and the others go ahead. Plain successes are stored in at most 13 bytes each
        (a status byte, ids as runs of consecutive values), failures in full, so a million
        companies from a generator cost a few megabytes, not the hundreds their objects would.

        If the first request fails, its error is raised; if a later one fails, the outcomes
        already known are kept: that request's companies come back not ok (``unknown=True`` when
        it may have been applied) and the rest are still sent, or, with ``on_error="raise"``, a
        :class:`~infobip_profiles.PartialBatchError` carries every outcome so far.
        """
        return (
            yield from _send_batches(
                "create-companies", companies, _create_entry, strict, on_error, options
            )
        )

    def update_many(
        self,
        items: Iterable[UpdateItem],
        *,
        strict: bool | None = None,
        on_error: OnError = "continue",
        **options: Unpack[CallOptions],
    ) -> Plan[CompanyBatchResult]:
        """PATCH any number of companies: ``CompanyUpdate(ref, company)`` or ``(ref, company)``.

        See :meth:`create_many` for the checks (``strict``) and for what happens when a request
        fails; the input is read chunk by chunk. Each outcome names the company it addressed
        (``query``, a ref equal to yours, built when the outcome is read), but a plain success
        is stored without an object and without your ref: per success, next to nothing for ids
        in sequence, 13 bytes for ids in no order, a name's, domain's or external id's UTF-8
        text plus 4 bytes; failures are kept in full. The people calls store outcomes the same
        way and measured, per million, 13 MB for ids in no order and 26 MB for emails of 22
        characters, where keeping outcome objects took 337 MB.
        """
        return (
            yield from _send_batches(
                "update-companies", items, _update_entry, strict, on_error, options
            )
        )

    def delete_many(
        self,
        refs: Iterable[CompanyRef],
        *,
        strict: bool | None = None,
        on_error: OnError = "continue",
        **options: Unpack[CallOptions],
    ) -> Plan[CompanyBatchResult]:
        """Delete any number of companies, 1000 per request; one outcome per ref, in order.

        See :meth:`create_many` for the checks (``strict``) and for what happens when a request
        fails; outcomes are stored as in :meth:`update_many` (next to nothing per success for
        ids in sequence, 13 bytes for ids in no order, a name's or domain's text plus 4).
        """
        return (
            yield from _send_batches(
                "delete-companies", refs, _delete_entry, strict, on_error, options
            )
        )

    def add_people(
        self,
        ref: CompanyRef,
        person_refs: Iterable[PersonRef],
        *,
        strict: bool | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan[None]:
        """Make these people members of the company (1000 per request). A person belongs to one
        company at most: joining this one leaves the previous one.

        ``strict`` as in ``tags.add_to_people``: a sequence
        is checked first, any other iterable read chunk by chunk (one chunk held at a time)."""
        return (
            yield from _membership(
                "batch-add-persons-to-company", ref, person_refs, strict, options
            )
        )

    def remove_people(
        self,
        ref: CompanyRef,
        person_refs: Iterable[PersonRef],
        *,
        strict: bool | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan[None]:
        """Remove these people from the company (1000 per request); ``strict`` as in
        :meth:`add_people`."""
        return (
            yield from _membership(
                "batch-remove-persons-from-company", ref, person_refs, strict, options
            )
        )


class Companies(SyncResource):
    """Companies (blocking). See :class:`_CompaniesPlans` for each method's documentation."""

    get = sync_op(_CompaniesPlans.get)
    list = sync_pager(_CompaniesPlans.list)
    create = sync_op(_CompaniesPlans.create)
    update = sync_op(_CompaniesPlans.update)
    delete = sync_op(_CompaniesPlans.delete)
    create_many = sync_op(_CompaniesPlans.create_many)
    update_many = sync_op(_CompaniesPlans.update_many)
    delete_many = sync_op(_CompaniesPlans.delete_many)
    add_people = sync_op(_CompaniesPlans.add_people)
    remove_people = sync_op(_CompaniesPlans.remove_people)


class AsyncCompanies(AsyncResource):
    """Companies (async): the same methods as :class:`Companies`, awaitable."""

    get = async_op(_CompaniesPlans.get)
    list = async_pager(_CompaniesPlans.list)
    create = async_op(_CompaniesPlans.create)
    update = async_op(_CompaniesPlans.update)
    delete = async_op(_CompaniesPlans.delete)
    create_many = async_op(_CompaniesPlans.create_many)
    update_many = async_op(_CompaniesPlans.update_many)
    delete_many = async_op(_CompaniesPlans.delete_many)
    add_people = async_op(_CompaniesPlans.add_people)
    remove_people = async_op(_CompaniesPlans.remove_people)
