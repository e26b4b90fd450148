"""The ``events`` resource (being built)."""

from __future__ import annotations

from ._base import AsyncResource, SyncResource

__all__ = ["Events", "AsyncEvents"]


class Events(SyncResource):
    """The ``events`` resource."""


class AsyncEvents(AsyncResource):
    """The async ``events`` resource."""
