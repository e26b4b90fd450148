"""httpx transports that hand each request to a :class:`FakeProfiles` in-process."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from ._wire import FakeRequest, FakeResponse

if TYPE_CHECKING:
    from ._fake import FakeProfiles

__all__ = ["FakeTransport", "AsyncFakeTransport"]


def to_fake_request(request: httpx.Request, body: bytes) -> FakeRequest:
    """Convert an httpx request (its body already read) into the fake's request."""
    return FakeRequest(
        method=request.method,
        path=request.url.path,
        query=[(k, v) for k, v in request.url.params.multi_items()],
        headers={k.lower(): v for k, v in request.headers.items()},
        body=body,
    )


def to_httpx_response(response: FakeResponse, request: httpx.Request) -> httpx.Response:
    """Convert the fake's response into an httpx response for ``request``."""
    return httpx.Response(
        response.status,
        headers=response.wire_headers(),
        content=response.content(),
        request=request,
    )


class FakeTransport(httpx.BaseTransport):
    """Sync transport: every request goes to ``fake.handle``."""

    def __init__(self, fake: FakeProfiles) -> None:
        self._fake = fake

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        return to_httpx_response(self._fake.handle(to_fake_request(request, body)), request)


class AsyncFakeTransport(httpx.AsyncBaseTransport):
    """Async transport: every request goes to ``fake.handle``."""

    def __init__(self, fake: FakeProfiles) -> None:
        self._fake = fake

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        return to_httpx_response(self._fake.handle(to_fake_request(request, body)), request)
