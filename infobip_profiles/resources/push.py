"""The ``push`` resource (being built)."""

from __future__ import annotations

from ._base import AsyncResource, SyncResource

__all__ = ["Push", "AsyncPush"]


class Push(SyncResource):
    """The ``push`` resource."""


class AsyncPush(AsyncResource):
    """The async ``push`` resource."""
