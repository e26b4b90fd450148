"""Company models: the company itself and the outcomes of the company batches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs

from .._converter import Model, model
from ..errors import ProfilesError
from ..refs import CompanyRef
from ._people import Origin, _kept, _not_ok, _Outcomes, describe_outcome

__all__ = [
    "Company",
    "StoredCompany",
    "CompanyUpdate",
    "CompanyBatchItemResult",
    "CompanyBatchResult",
]

_RO = {"read_only": True}


@model
class Company(Model):
    """A company (early access in the API): people can belong to one company each.

    Example::

        Company(name="Acme", domains=["acme.example"], tags=["Partner"], industry="Retail")

    ``name`` is required on create, at most 255 characters and unique ignoring case. Read-only
    fields (``id``, timestamps, ``origin``) are filled by the service and never sent.
    """

    id: int | None = attrs.field(default=None, metadata=_RO)
    name: str | None = None
    external_id: str | None = None
    domains: list[str] | None = None
    tags: list[str] | None = None
    account_manager: str | None = None
    customer_stage: str | None = None
    industry: str | None = None
    region: str | None = None
    segment: str | None = None
    country: str | None = None
    vat_number: str | None = None
    notes: str | None = None
    custom_attributes: dict[str, Any] | None = None
    service_data: dict[str, Any] | None = None
    origin: Origin | str | None = attrs.field(default=None, metadata=_RO)
    modified_from: Origin | str | None = attrs.field(default=None, metadata=_RO)
    created_at: datetime | None = attrs.field(default=None, metadata=_RO)
    modified_at: datetime | None = attrs.field(default=None, metadata=_RO)

    def ref(self) -> CompanyRef:
        """A :class:`CompanyRef` for this stored company (by id)."""
        if not self.id:
            raise ValueError("this company has no id yet: create it first")
        return CompanyRef.id(self.id)


@model
class StoredCompany(Company):
    """A company as the service returns it: ``id`` and ``name`` are always there.

    It is a :class:`Company` (send it back changed); only the types are narrower, so
    ``CompanyRef.id(company.id)`` needs no ``None`` check.
    """

    id: int = attrs.field(metadata=_RO)
    name: str


@attrs.frozen
class CompanyUpdate:
    """One item of :meth:`companies.update_many`: which company, and what to change (PATCH)."""

    ref: CompanyRef
    company: Company


@attrs.frozen
class CompanyBatchItemResult:
    """The outcome of one input item of a company batch call.

    ``index`` is the item's position in *your* input (across every request a ``*_many`` call
    made); ``status`` is the per-item HTTP-like status (200 on success, 409 and so on on failure).
    ``id`` is the created company's id (batch create reports successes with their ids); ``query``
    is the :class:`CompanyRef` the item addressed (batch update and delete).
    """

    index: int
    ok: bool
    status: int
    errors: tuple[str, ...] = ()
    id: int | None = None
    query: CompanyRef | None = None
    #: The request carrying this item failed in a way that leaves open whether the service applied
    #: it (the connection dropped after sending, a timeout, a 5xx). ``ok`` is ``False`` but the
    #: item may have been applied; ``error`` says what happened. See ``docs/batches.md``.
    unknown: bool = False
    #: The error of the whole request when that is why this item did not succeed, else ``None``.
    error: ProfilesError | None = attrs.field(default=None, eq=False, repr=False)

    def __str__(self) -> str:
        return describe_outcome(self, f"status {self.status}")


@attrs.frozen
class CompanyBatchResult(_Outcomes[CompanyBatchItemResult]):
    """One outcome per input company, in input order: nothing is silently dropped.

    ``items`` is a tuple, or (from the ``*_many`` calls) a compact sequence that stores plain
    successes as columns and builds each outcome when read; both compare equal item by item.
    """

    items: Sequence[CompanyBatchItemResult]

    @property
    def succeeded(self) -> list[CompanyBatchItemResult]:
        """The items that were applied."""
        return [i for i in self.items if i.ok]

    @property
    def failed(self) -> list[CompanyBatchItemResult]:
        """The items that did not succeed, each with its status and errors (``unknown`` ones
        included: they are not known to have been applied)."""
        return _not_ok(self.items)

    @property
    def unknown(self) -> list[CompanyBatchItemResult]:
        """The items whose request failed in a way that leaves open whether they were applied."""
        return [i for i in _kept(self.items) if i.unknown]

    @property
    def ok(self) -> bool:
        """True when every item was applied."""
        return not _not_ok(self.items)

    @property
    def ids(self) -> list[int | None]:
        """The created ids in input order (``None`` for an item that failed or has none)."""
        return [i.id for i in self.items]
