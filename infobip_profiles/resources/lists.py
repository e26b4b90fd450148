"""The ``lists`` resource (being built)."""

from __future__ import annotations

from ._base import AsyncResource, SyncResource

__all__ = ["Lists", "AsyncLists"]


class Lists(SyncResource):
    """The ``lists`` resource."""


class AsyncLists(AsyncResource):
    """The async ``lists`` resource."""
