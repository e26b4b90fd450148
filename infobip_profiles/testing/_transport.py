"""httpx transports that hand each request to a :class:`FakeProfiles` in-process.

Injected faults become the exceptions a real network would give httpx:

- ``drop="before"``: ``httpx.ConnectError`` (nothing was sent, so any retry is safe);
- ``drop="after"``: ``httpx.RemoteProtocolError`` (the server acted, the response was lost);
- latency beyond the request's read timeout: ``httpx.ReadTimeout`` after that timeout.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import anyio.to_thread
import httpx

from ._faults import ConnectionDropped, ResponseTimedOut
from ._wire import FakeRequest, FakeResponse

if TYPE_CHECKING:
    from ._fake import FakeProfiles

__all__ = ["FakeTransport", "AsyncFakeTransport", "answer_sync", "answer_async"]


def to_fake_request(request: httpx.Request, body: bytes) -> FakeRequest:
    """Convert an httpx request (its body already read) into the fake's request."""
    # The raw (still percent-encoded) path, as on the wire: the router decodes path parameters
    # itself, so a tag named "a/b" stays one segment.
    raw_path = request.url.raw_path.decode("ascii").split("?", 1)[0]
    return FakeRequest(
        method=request.method,
        path=raw_path or "/",
        query=[(k, v) for k, v in request.url.params.multi_items()],
        headers={k.lower(): v for k, v in request.headers.items()},
        body=body,
    )


def to_httpx_response(response: FakeResponse, request: httpx.Request) -> httpx.Response:
    """Convert the fake's response into an httpx response for ``request`` (no body for a
    ``HEAD``, as on the wire)."""
    return httpx.Response(
        response.status,
        headers=response.wire_headers(),
        content=b"" if request.method == "HEAD" else response.content(),
        request=request,
    )


def read_timeout(request: httpx.Request) -> float | None:
    """The read timeout httpx attached to ``request`` (``None``: wait forever)."""
    timeout = request.extensions.get("timeout") or {}
    value = timeout.get("read")
    return float(value) if value is not None else None


def to_transport_error(
    exc: ConnectionDropped | ResponseTimedOut, request: httpx.Request
) -> Exception:
    """The httpx exception a real connection would raise for an injected fault."""
    if isinstance(exc, ResponseTimedOut):
        return httpx.ReadTimeout("The read operation timed out (injected latency)", request=request)
    if exc.processed:
        return httpx.RemoteProtocolError(
            "Server disconnected without sending a response (injected drop)", request=request
        )
    return httpx.ConnectError("Connection dropped by the fake (injected drop)", request=request)


def answer_sync(fake: FakeProfiles, request: httpx.Request) -> httpx.Response:
    """Answer an httpx request from ``fake`` on the calling thread (body read here)."""
    fake_request = to_fake_request(request, request.read())
    try:
        response = fake.handle(fake_request, timeout=read_timeout(request))
    except (ConnectionDropped, ResponseTimedOut) as exc:
        raise to_transport_error(exc, request) from None
    return to_httpx_response(response, request)


async def answer_async(fake: FakeProfiles, request: httpx.Request) -> httpx.Response:
    """Answer an httpx request from ``fake`` without blocking the event loop on injected latency."""
    fake_request = to_fake_request(request, await request.aread())
    handle = functools.partial(fake.handle, fake_request, timeout=read_timeout(request))
    try:
        if fake.faults.may_delay():
            # Latency sleeps in a worker thread so other tasks keep running meanwhile.
            response = await anyio.to_thread.run_sync(handle)
        else:
            response = handle()
    except (ConnectionDropped, ResponseTimedOut) as exc:
        raise to_transport_error(exc, request) from None
    return to_httpx_response(response, request)


class FakeTransport(httpx.BaseTransport):
    """Sync transport: every request goes to ``fake.handle``.

    Example::

        http = httpx.Client(transport=FakeTransport(fake), base_url="https://api.infobip.com")
    """

    def __init__(self, fake: FakeProfiles) -> None:
        self._fake = fake

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` from the fake (faults raise the httpx errors listed above)."""
        return answer_sync(self._fake, request)


class AsyncFakeTransport(httpx.AsyncBaseTransport):
    """Async transport: every request goes to ``fake.handle``."""

    def __init__(self, fake: FakeProfiles) -> None:
        self._fake = fake

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` from the fake (faults raise the httpx errors listed above)."""
        return await answer_async(self._fake, request)
