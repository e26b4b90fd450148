"""Company models: the company itself (``IamCompanyV2``) and the outcomes of the company batches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import attrs

from .._converter import Model, model
from .._types import UNSET
from ..refs import CompanyRef
from ._people import Origin

__all__ = ["Company", "CompanyUpdate", "CompanyBatchItemResult", "CompanyBatchResult"]

_RO = {"read_only": True}


@model
class Company(Model):
    """A company (early access in the API): people can belong to one company each.

    Example::

        Company(name="Acme", domains=["acme.example"], tags=["Partner"], industry="Retail")

    ``name`` is required on create, at most 255 characters and unique ignoring case. Read-only
    fields (``id``, timestamps, ``origin``) are filled by the service and never sent.
    """

    id: int | None = attrs.field(default=UNSET, metadata=_RO)
    name: str | None = UNSET
    external_id: str | None = UNSET
    domains: list[str] | None = UNSET
    tags: list[str] | None = UNSET
    account_manager: str | None = UNSET
    customer_stage: str | None = UNSET
    industry: str | None = UNSET
    region: str | None = UNSET
    segment: str | None = UNSET
    country: str | None = UNSET
    vat_number: str | None = UNSET
    notes: str | None = UNSET
    custom_attributes: dict[str, Any] | None = UNSET
    service_data: dict[str, Any] | None = UNSET
    origin: Origin | None = attrs.field(default=UNSET, metadata=_RO)
    modified_from: Origin | None = attrs.field(default=UNSET, metadata=_RO)
    created_at: datetime | None = attrs.field(default=UNSET, metadata=_RO)
    modified_at: datetime | None = attrs.field(default=UNSET, metadata=_RO)

    def ref(self) -> CompanyRef:
        """A :class:`CompanyRef` for this stored company (by id)."""
        if not self.id:
            raise ValueError("this company has no id yet: create it first")
        return CompanyRef.id(self.id)


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


@attrs.frozen
class CompanyBatchResult(Sequence[CompanyBatchItemResult]):
    """One outcome per input company, in input order: nothing is silently dropped."""

    items: tuple[CompanyBatchItemResult, ...]

    def __getitem__(self, index: Any) -> Any:
        return self.items[index]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[CompanyBatchItemResult]:
        return iter(self.items)

    @property
    def succeeded(self) -> list[CompanyBatchItemResult]:
        """The items that were applied."""
        return [i for i in self.items if i.ok]

    @property
    def failed(self) -> list[CompanyBatchItemResult]:
        """The items that were rejected, each with its status and errors."""
        return [i for i in self.items if not i.ok]

    @property
    def ok(self) -> bool:
        """True when every item was applied."""
        return all(i.ok for i in self.items)

    @property
    def ids(self) -> list[int | None]:
        """The created ids in input order (``None`` for an item that failed or has none)."""
        return [i.id for i in self.items]
