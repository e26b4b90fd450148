"""Shared bits of every resource: the client handle, raw access, batching helpers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from .._plan import AsyncRunner, Runner
from .._response import AsyncRawView, RawView

__all__ = ["SyncResource", "AsyncResource", "chunked"]

T = TypeVar("T")


class SyncResource:
    """Base of the blocking resources."""

    def __init__(self, client: Runner) -> None:
        self._client = client

    @property
    def with_raw_response(self) -> Any:
        """The same methods, returning a :class:`~infobip_profiles.RawResponse` (status, headers,
        ``retries_taken``, ``.parse()``)."""
        return RawView(self)


class AsyncResource:
    """Base of the async resources."""

    def __init__(self, client: AsyncRunner) -> None:
        self._client = client

    @property
    def with_raw_response(self) -> Any:
        """The same methods, returning a :class:`~infobip_profiles.RawResponse`."""
        return AsyncRawView(self)


def chunked(items: Iterable[T], size: int) -> Iterator[tuple[int, list[T]]]:
    """``(offset, chunk)`` pairs of at most ``size`` items, lazily (any iterable, any length)."""
    chunk: list[T] = []
    offset = 0
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield offset, chunk
            offset += size
            chunk = []
    if chunk:
        yield offset, chunk
