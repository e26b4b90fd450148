"""Raw access: ``client.people.with_raw_response.get(ref)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import httpx

from ._plan import _AsyncOp, _Op

__all__ = ["RawResponse", "RawView", "AsyncRawView"]

R = TypeVar("R")


class RawResponse(Generic[R]):
    """The HTTP response behind a method call, with the parsed result one ``.parse()`` away.

    ``status_code``, ``headers`` (rate-limit headers included) and ``retries_taken`` describe the
    last response of the call (a ``*_many`` call may make several requests: ``responses`` has all;
    given no items it makes none, and then only ``.parse()`` and ``responses`` are available).
    """

    def __init__(
        self, responses: list[httpx.Response], retries_taken: int, parse: Callable[[], R]
    ) -> None:
        self.responses = responses
        self._last = responses[-1] if responses else None
        self.retries_taken = retries_taken
        self._parse = parse

    @property
    def http_response(self) -> httpx.Response:
        """The (last) ``httpx.Response``."""
        if self._last is None:
            raise LookupError("this call sent no request (a *_many call given no items)")
        return self._last

    @property
    def status_code(self) -> int:
        """HTTP status of the (last) response."""
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """Headers of the (last) response."""
        return self.http_response.headers

    @property
    def content(self) -> bytes:
        """Body bytes of the (last) response."""
        return self.http_response.content

    def parse(self) -> R:
        """The value the normal method would have returned."""
        return self._parse()

    def __repr__(self) -> str:
        status = "no request" if self._last is None else self._last.status_code
        return f"<RawResponse [{status}] retries_taken={self.retries_taken}>"


def _find(resource: object, name: str) -> Any:
    for klass in type(resource).__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    raise AttributeError(name)


class RawView:
    """A resource's methods, returning :class:`RawResponse` instead of the parsed value."""

    def __init__(self, resource: object) -> None:
        self._resource = resource

    def __getattr__(self, name: str) -> Callable[..., RawResponse[Any]]:
        op = _find(self._resource, name)
        if not isinstance(op, _Op):
            raise AttributeError(f"{name} has no raw form")
        client = self._resource._client  # type: ignore[attr-defined]
        resource = self._resource

        def method(*args: Any, **kwargs: Any) -> RawResponse[Any]:
            return client._run_raw(op.plan(resource, *args, **kwargs))  # type: ignore[no-any-return]

        return method


class AsyncRawView:
    """The async twin of :class:`RawView`."""

    def __init__(self, resource: object) -> None:
        self._resource = resource

    def __getattr__(self, name: str) -> Callable[..., Any]:
        op = _find(self._resource, name)
        if not isinstance(op, _AsyncOp):
            raise AttributeError(f"{name} has no raw form")
        client = self._resource._client  # type: ignore[attr-defined]
        resource = self._resource

        async def method(*args: Any, **kwargs: Any) -> RawResponse[Any]:
            return await client._run_raw(op.plan(resource, *args, **kwargs))  # type: ignore[no-any-return]

        return method
