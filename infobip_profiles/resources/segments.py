"""The ``segments`` resource (being built)."""

from __future__ import annotations

from ._base import AsyncResource, SyncResource

__all__ = ["Segments", "AsyncSegments"]


class Segments(SyncResource):
    """The ``segments`` resource."""


class AsyncSegments(AsyncResource):
    """The async ``segments`` resource."""
