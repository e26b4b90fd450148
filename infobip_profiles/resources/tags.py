"""The ``tags`` resource (being built)."""

from __future__ import annotations

from ._base import AsyncResource, SyncResource

__all__ = ["Tags", "AsyncTags"]


class Tags(SyncResource):
    """The ``tags`` resource."""


class AsyncTags(AsyncResource):
    """The async ``tags`` resource."""
