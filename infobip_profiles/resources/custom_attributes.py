"""The ``custom_attributes`` resource (being built)."""

from __future__ import annotations

from ._base import AsyncResource, SyncResource

__all__ = ["CustomAttributes", "AsyncCustomAttributes"]


class CustomAttributes(SyncResource):
    """The ``custom_attributes`` resource."""


class AsyncCustomAttributes(AsyncResource):
    """The async ``custom_attributes`` resource."""
