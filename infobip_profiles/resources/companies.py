"""The ``companies`` resource (being built)."""

from __future__ import annotations

from ._base import AsyncResource, SyncResource

__all__ = ["Companies", "AsyncCompanies"]


class Companies(SyncResource):
    """The ``companies`` resource."""


class AsyncCompanies(AsyncResource):
    """The async ``companies`` resource."""
