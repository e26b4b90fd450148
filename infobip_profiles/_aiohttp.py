"""An ``httpx`` transport over ``aiohttp``: the async client's default connection pool.

``httpx.AsyncClient`` sends through httpcore, whose pool rescans every queued request whenever a
connection frees up or opens: a burst of concurrent calls costs time quadratic in its size
(measured in ``docs/performance.md``). aiohttp's pool hands connections over in constant time and
its HTTP/1.1 parser is compiled. This transport keeps httpx in front (requests are built, and
responses decoded, exactly as before: redirects, cookies, content decoding, the response object)
and only swaps what carries the bytes.

Behaviour kept equal to httpcore's, where aiohttp would differ:

- aiohttp silently resends an idempotent request (``GET``, ``PUT``, ``DELETE``) once when a
  reused connection turns out closed. That would hide a dropped connection from the client's
  retry policy and could repeat a write the server applied; it is switched off.
- Mocking keeps working: while something patches httpcore's pool (respx, and so
  ``FakeProfiles.patch()``), requests go through httpx's own transport, which it intercepts.
- The URL is sent as httpx built it (no re-quoting); no cookie jar (httpx keeps cookies), no
  automatic decompression (httpx decodes), no redirects (the client does not follow them).
- aiohttp's errors become the httpx errors httpcore raises in the same situation, so that what
  the client reports (and whether it may retry) does not depend on the transport: failing to
  connect, or to get a pooled connection in time, before the request is sent; the server closing
  the connection, a broken answer or a read timeout after.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    import aiohttp

__all__ = [
    "AiohttpTransport",
    "aiohttp_available",
    "environment_uses_proxy",
    "map_error",
    "response_of",
]

_URL: Any = None  # yarl.URL, bound when the first pool opens (aiohttp is imported only then)


def aiohttp_available() -> bool:
    """Whether ``aiohttp`` can be imported (without importing it)."""
    import importlib.util

    return importlib.util.find_spec("aiohttp") is not None


def environment_uses_proxy() -> bool:
    """Whether the environment names an HTTP(S) proxy that httpx would use.

    This transport does not speak to proxies; where one is configured, the client keeps httpx's
    own transport, which honours it.
    """
    from urllib.request import getproxies

    found = getproxies()
    if "*" in [h.strip() for h in found.get("no", "").split(",")]:
        return False
    return any(found.get(scheme) for scheme in ("http", "https", "all"))


def map_error(exc: BaseException) -> httpx.TransportError | None:
    """The httpx error httpcore raises where aiohttp raised ``exc`` (``None``: not a transport error)."""
    import aiohttp

    message = str(exc) or type(exc).__name__
    errors = aiohttp.client_exceptions
    # Most specific first: several of these subclass each other.
    table: tuple[tuple[Any, type[httpx.TransportError]], ...] = (
        (errors.ConnectionTimeoutError, httpx.ConnectTimeout),
        (errors.ServerTimeoutError, httpx.ReadTimeout),
        (errors.ClientConnectorError, httpx.ConnectError),
        (
            (errors.ServerDisconnectedError, errors.ClientPayloadError, errors.ClientResponseError),
            httpx.RemoteProtocolError,
        ),
        (errors.ClientOSError, httpx.ReadError),
        (errors.ClientError, httpx.TransportError),
        (asyncio.TimeoutError, httpx.ReadTimeout),
    )
    for theirs, ours in table:
        if isinstance(exc, theirs):
            return ours(message)
    return None


_map_error = map_error  # the name tests knew it by

_REQUEST_CLASS: Any = None


def _request_class() -> Any:
    """aiohttp's request, minus the ``Content-Length: 0`` it adds to a body-less ``DELETE``
    (httpx sends none; the request goes out as httpx built it)."""
    global _REQUEST_CLASS
    if _REQUEST_CLASS is None:
        from aiohttp import ClientRequest

        class _Request(ClientRequest):
            def update_body_from_data(self, body: Any, *args: Any, **kwargs: Any) -> None:
                had = "Content-Length" in self.headers
                super().update_body_from_data(body, *args, **kwargs)
                if body is None and not had:
                    self.headers.pop("Content-Length", None)

        _REQUEST_CLASS = _Request
    return _REQUEST_CLASS


class _Body(httpx.AsyncByteStream):
    """An aiohttp answer's body as httpx reads it; closing it frees the connection."""

    def __init__(self, answer: aiohttp.ClientResponse) -> None:
        self._answer = answer

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._answer.content.iter_any():
                yield chunk
        except Exception as exc:
            mapped = map_error(exc)
            if mapped is None:
                raise
            raise mapped from exc

    async def aclose(self) -> None:
        # Back to the pool if the body was read to its end; aiohttp closes it otherwise.
        self._answer.release()


def response_of(answer: aiohttp.ClientResponse, request: httpx.Request) -> httpx.Response:
    """The ``httpx.Response`` of aiohttp's ``answer``, its body streaming from the connection."""
    extensions: dict[str, Any] = {"http_version": b"HTTP/1.1"}
    if answer.reason:
        extensions["reason_phrase"] = answer.reason.encode("ascii", "replace")
    # ``stream=`` (not ``content=``): the headers stay those received, and httpx decodes the
    # body (gzip...) as it reads it, as it does for httpcore's answers.
    return httpx.Response(
        answer.status,
        headers=answer.raw_headers,
        stream=_Body(answer),
        request=request,
        extensions=extensions,
    )


_SSL_CONTEXTS: dict[tuple[bool, str | None, str | None], ssl.SSLContext] = {}


def _shared_ssl_context(verify: bool) -> ssl.SSLContext:
    """httpx's TLS settings, made once per process (and per certificate location named in the
    environment): loading the certificate bundle costs some 20 ms of CPU, which a new client
    would otherwise pay on its first request. A context serves any number of connections."""
    import os

    key = (verify, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    context = _SSL_CONTEXTS.get(key)
    if context is None:
        context = _SSL_CONTEXTS[key] = httpx.create_ssl_context(verify=verify)
    return context


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Sends httpx requests over an ``aiohttp`` connection pool (one per event loop).

    ``limits`` are httpx's: ``max_connections`` bounds the pool, ``keepalive_expiry`` how long an
    idle connection is kept. The pool is opened on the first request, inside the running loop.
    """

    def __init__(self, *, limits: httpx.Limits, verify: bool = True) -> None:
        self._limits = limits
        self._verify = verify
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timeouts: dict[tuple[Any, ...], aiohttp.ClientTimeout] = {}
        self._fallback: httpx.AsyncBaseTransport | None = None
        self._ssl_context: ssl.SSLContext | None = None

    @property
    def ssl_context(self) -> ssl.SSLContext:
        """The TLS settings of every connection: httpx's (certificates verified by default)."""
        if self._ssl_context is None:
            self._ssl_context = _shared_ssl_context(self._verify)
        return self._ssl_context

    def _open(self) -> aiohttp.ClientSession:
        global _URL
        import aiohttp
        from yarl import URL

        _URL = URL

        loop = asyncio.get_running_loop()
        session = self._session
        if session is not None and self._loop is loop and not session.closed:
            return session
        connector = aiohttp.TCPConnector(
            limit=self._limits.max_connections or 0,
            keepalive_timeout=self._limits.keepalive_expiry or 0,
            ssl=self.ssl_context,
            enable_cleanup_closed=False,
        )
        session = aiohttp.ClientSession(
            connector=connector,
            request_class=_request_class(),
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent", "Content-Type"),
        )
        # Switch off aiohttp's silent resend of an idempotent request over a connection found
        # closed (see the module docstring); there is no public option for it.
        if hasattr(session, "_retry_connection"):
            session._retry_connection = False
        self._session, self._loop = session, loop
        return session

    def _timeout(self, request: httpx.Request, reads: bool = True) -> aiohttp.ClientTimeout:
        import aiohttp

        given = request.extensions.get("timeout") or {}
        key = (given.get("connect"), given.get("read") if reads else None, given.get("pool"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            connect, read, pool = key
            # aiohttp's ``connect`` covers the wait for a pooled connection and the connect.
            both = None if connect is None or pool is None else connect + pool
            timeout = aiohttp.ClientTimeout(
                total=None, connect=both, sock_connect=connect, sock_read=read
            )
            if len(self._timeouts) < 64:
                self._timeouts[key] = timeout
        return timeout

    def _patched(self) -> httpx.AsyncBaseTransport | None:
        """httpx's own transport, while something patches httpcore (respx, ``fake.patch()``)."""
        import httpcore

        handler = httpcore.AsyncConnectionPool.handle_async_request
        if getattr(handler, "__module__", None) == "httpcore._async.connection_pool":
            return None
        if self._fallback is None:
            self._fallback = httpx.AsyncHTTPTransport(limits=self._limits, verify=self._verify)
        return self._fallback

    def direct(self) -> bool:
        """Whether a request may go straight to :meth:`open` (nothing patches httpcore)."""
        return self._patched() is None

    def start(self, request: httpx.Request, *, reads: bool = True) -> Any:
        """Start sending ``request`` over the pool: awaited, aiohttp's answer, its body not read
        yet (the caller reads it from ``answer.content`` and releases the answer); aiohttp's
        errors pass as they are (see :func:`map_error`).

        ``reads=False`` leaves out the per-read timeout: for a caller that bounds the whole
        exchange by the read timeout already (no single read can outlast it then)."""
        session = self._open()
        content = request.content  # the client's bodies are always bytes
        return session.request(
            request.method,
            _URL(str(request.url), encoded=True),
            headers=request.headers.multi_items(),
            data=content or None,
            allow_redirects=False,
            compress=None,
            timeout=self._timeout(request, reads),
        )

    async def open(self, request: httpx.Request) -> aiohttp.ClientResponse:
        """Send ``request`` over the pool; aiohttp's answer, its body not read yet.

        Raises the httpx error httpcore raises in the same situation. The caller reads the body
        from ``answer.content`` and releases the answer.
        """
        try:
            answer: aiohttp.ClientResponse = await self.start(request)
            return answer
        except Exception as exc:
            mapped = map_error(exc)
            if mapped is None:
                raise
            raise mapped from exc

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; the answer's body streams from the connection as httpx reads it."""
        patched = self._patched()
        if patched is not None:
            return await patched.handle_async_request(request)
        return response_of(await self.open(request), request)

    async def aclose(self) -> None:
        """Close the pool (if it was opened in the running loop; a closed loop's pool is gone)."""
        fallback, self._fallback = self._fallback, None
        if fallback is not None:
            await fallback.aclose()
        session, self._session = self._session, None
        if session is None or session.closed:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            await session.close()
