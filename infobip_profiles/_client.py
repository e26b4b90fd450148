"""``ProfilesClient`` and ``AsyncProfilesClient``.

Configuration, request building, error mapping and the retry decisions are shared; only the
send-and-sleep loop exists twice (blocking and ``async``). Resource methods are plans (see
:mod:`infobip_profiles._plan`) that both clients drive.
"""

from __future__ import annotations

import contextvars
import datetime
import functools
import ipaddress
import logging
import os
import re
import ssl
import threading
import time
import warnings
import zlib
from collections.abc import Awaitable, Callable, Generator, Iterable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, urlencode, urlsplit

import anyio
import httpcore
import httpx

from ._converter import dumps
from ._plan import NO_BODY, Call, JSONBody, Plan, check_answer, forget_json
from ._ratelimit import Pacer
from ._response import RawResponse
from ._retry import RetryPolicy, log
from ._secrets import USER_AGENT, _Credential, _is_loopback, _Secrets
from ._types import NOT_GIVEN, NotGiven, TimeoutTypes
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ConfigurationError,
    ProfilesError,
    UnexpectedResponseError,
    ValidationError,
    _snippet,
    error_from_response,
)

if TYPE_CHECKING:
    from tenacity import RetryCallState

    from ._operations import Operation
    from .auth import Auth
    from .resources.companies import AsyncCompanies, Companies
    from .resources.custom_attributes import AsyncCustomAttributes, CustomAttributes
    from .resources.events import AsyncEvents, Events
    from .resources.lists import AsyncLists, Lists
    from .resources.people import AsyncPeople, People
    from .resources.push import AsyncPush, Push
    from .resources.segments import AsyncSegments, Segments
    from .resources.tags import AsyncTags, Tags

__all__ = [
    "ProfilesClient",
    "AsyncProfilesClient",
    "InsecureTransportWarning",
    "DEFAULT_BASE_URL",
    "API_KEY_ENV",
    "BASE_URL_ENV",
]

R = TypeVar("R")
_C = TypeVar("_C", bound="_BaseClient")

DEFAULT_BASE_URL = "https://api.infobip.com"
API_KEY_ENV = "INFOBIP_API_KEY"
BASE_URL_ENV = "INFOBIP_BASE_URL"
DEFAULT_TIMEOUT = 30.0
#: The largest response body a client reads by default (after decompression): 32 MiB.
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
#: The most a call waits in total between its attempts by default (``Retry-After`` included).
DEFAULT_MAX_RETRY_WAIT = 120.0

#: (sleep, async sleep, clock) for clients created while it is set, unless given their own:
#: ``FakeProfiles.patch()`` pushes its fake clock's here for the length of the patch.
_default_timing: list[
    tuple[Callable[[float], None], Callable[[float], Awaitable[None]], Callable[[], float]]
] = []


class InsecureTransportWarning(UserWarning):
    """The base URL sends the API key in clear text over the network (``http://`` off loopback)."""


_HOST_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")


def _valid_host(host: str) -> bool:
    """A DNS name (letters, digits, ``-``, ``_`` in dot-separated labels) or an IP address."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    return all(_HOST_LABEL.fullmatch(label) for label in labels)


def _valid_port(parts: Any) -> bool:
    try:
        parts.port  # noqa: B018 (reading it validates it)
    except ValueError:
        return False
    return True


def normalize_base_url(value: str, *, warn: bool = True) -> str:
    """``xyz.api.infobip.com`` -> ``https://xyz.api.infobip.com``; no trailing slash.

    Plain ``http://`` to a host that is not loopback raises an :class:`InsecureTransportWarning`
    (unless ``warn`` is false: ``with_options`` copies do not repeat it).
    """
    text = value.strip()
    if not text:
        raise ConfigurationError(f"the base URL is empty (set base_url= or {BASE_URL_ENV})")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"the base URL {value!r} is not an http(s) URL")
    if not _valid_host(parts.hostname) or not _valid_port(parts) or any(c.isspace() for c in text):
        raise ConfigurationError(
            f"the base URL {value!r} is not a URL (expected e.g. https://xyz.api.infobip.com)"
        )
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise ConfigurationError(f"the base URL {value!r} must not carry a query or fragment")
    if warn and parts.scheme == "http" and not _is_loopback(parts.hostname):
        warnings.warn(
            f"base URL {text!r} is plain http to a host that is not loopback: "
            "the API key would cross the network unencrypted",
            InsecureTransportWarning,
            stacklevel=4,
        )
    return text.rstrip("/")


_HTTPX_DEFAULT_TIMEOUT = httpx.Timeout(5.0)
_POOL_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


def _check_timeout(timeout: Any) -> TimeoutTypes:
    """``timeout`` if it is ``None`` (no limit), a positive finite number of seconds, or an
    ``httpx.Timeout`` whose parts are each one of those; else a ``ConfigurationError`` (a zero or
    negative one would fail every call, NaN or infinity would crash inside the deadline)."""
    parts = (
        [timeout.connect, timeout.read, timeout.write, timeout.pool]
        if isinstance(timeout, httpx.Timeout)
        else [timeout]
    )
    for part in parts:
        if part is None:
            continue
        if isinstance(part, bool) or not isinstance(part, (int, float)) or not 0 < part < 1e9:
            raise ConfigurationError(
                f"timeout must be None or a positive finite number of seconds, got {part!r}"
            )
    return timeout  # type: ignore[no-any-return]


def _choose_timeout(timeout: TimeoutTypes | NotGiven, http_client: Any) -> TimeoutTypes:
    """The timeout given; else an injected client's own one (unless it is httpx's stock 5 s); else 30 s."""
    if not isinstance(timeout, NotGiven):
        return _check_timeout(timeout)
    own = getattr(http_client, "timeout", None)
    if isinstance(own, httpx.Timeout) and own != _HTTPX_DEFAULT_TIMEOUT:
        return own
    return DEFAULT_TIMEOUT


class _Gate:
    """Lets at most ``size`` requests at a time into an httpx pool served by httpcore.

    httpcore's pool rescans its whole queue of waiting requests each time a connection frees up
    or opens, so a burst of N concurrent calls costs time quadratic in N; callers waiting here
    instead cost nothing until their turn. One semaphore per event loop (an ``asyncio``
    primitive belongs to one loop).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._loop: object = None
        self._semaphore: Any = None

    def semaphore(self) -> Any:
        """This event loop's ``asyncio.Semaphore``."""
        import asyncio

        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._semaphore, self._loop = asyncio.Semaphore(self.size), loop
        return self._semaphore


class _Shared:
    """What ``with_options`` copies share: the connection pool and the pacers.

    A plain class, not an attrs one: attrs generates its methods when the module is imported,
    which every program pays at start."""

    __slots__ = ("direct", "gate", "http", "lock", "owns_http", "pacers")

    def __init__(
        self, http: Any, owns_http: bool, *, gate: _Gate | None = None, direct: Any = None
    ) -> None:
        self.http = http
        self.owns_http = owns_http
        self.pacers: dict[str, Pacer] = {}
        self.lock = threading.Lock()
        #: Bounds the requests in flight in an owned httpcore pool (async clients only).
        self.gate = gate
        #: The owned aiohttp pool that calls use without httpx's sending layer (async only).
        self.direct = direct

    def pacer(self, op: Operation, clock: Callable[[], float]) -> Pacer | None:
        """The pacer of ``op`` (created on first use, reading ``clock``), or ``None`` if unlimited."""
        if op.rate_limit is None:
            return None
        with self.lock:
            pacer = self.pacers.get(op.op_id)
            if pacer is None:
                pacer = self.pacers[op.op_id] = Pacer(op.rate_limit, clock=clock)
            return pacer


class _AppKeyAuth(httpx.Auth):
    """Writes ``Authorization: App <key>`` into each request as httpx sends it.

    The header is built here and nowhere else; other schemes are other ``httpx.Auth`` objects
    the client holds in the same place. After the exchange the client overwrites the header on
    the stored request (see ``_redact_request``), so a response or error never carries it.
    """

    def __init__(self, key: _Credential) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self._write_header(request)
        yield request

    def _write_header(self, request: httpx.Request) -> None:
        """The whole flow: the header written once (the async client calls it directly)."""
        request.headers["Authorization"] = "App " + self._key.reveal()

    def __repr__(self) -> str:
        return "_AppKeyAuth(<redacted>)"


def _api_key(value: str | _Credential | None) -> _Credential:
    """The API key given (else ``INFOBIP_API_KEY``), checked; the error never echoes it."""
    if isinstance(value, _Credential):
        return value
    text = value if value is not None else os.environ.get(API_KEY_ENV)
    # A key read from a file or pasted often carries a newline, which no header may hold.
    text = text.strip() if text else text
    if not text:
        raise ConfigurationError(
            f"no API key: pass api_key=... or set the {API_KEY_ENV} environment variable"
        )
    if not (text.isascii() and text.isprintable()) or any(ch.isspace() for ch in text):
        raise ConfigurationError(
            "the API key holds a character no HTTP header can carry (only printable ASCII "
            "without spaces may appear in it); the key is not shown here"
        )
    return _Credential(text)


#: When the blocking client's attempt under way in this thread must be over (monotonic seconds).
_ATTEMPT_ENDS: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "infobip_profiles_attempt_ends", default=None
)


def _until_deadline(
    timeout: float | None, late: type[Exception] = httpcore.ReadTimeout
) -> float | None:
    """``timeout`` shortened to what is left of the attempt's deadline (if one is set); ``late``
    is raised once it has passed (a connect timeout says the request was not sent)."""
    ends = _ATTEMPT_ENDS.get()
    if ends is None:
        return timeout
    left = ends - time.monotonic()
    if left <= 0:
        raise late("the attempt's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection of the blocking client whose every read and write ends by the deadline of
    the attempt under way: a server trickling its headers a byte at a time cannot stretch it."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _until_deadline(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _until_deadline(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, _until_deadline(timeout))
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend, with connections that keep the attempt's deadline."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host,
            port,
            _until_deadline(timeout, httpcore.ConnectTimeout),
            local_address,
            socket_options,
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_unix_socket(
            path, _until_deadline(timeout, httpcore.ConnectTimeout), socket_options
        )
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _keep_deadlines(http: Any) -> None:
    """Give the blocking client's own connection pool connections that keep the deadline.

    Reaches into httpx's transport (no public hook exists); when its layout differs, the pool
    is left as it is and the deadline is checked between the pieces of the body only."""
    pool = getattr(getattr(http, "_transport", None), "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, httpcore.NetworkBackend) and not isinstance(backend, _DeadlineBackend):
        pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]


class _URLs:
    """``httpx.URL`` objects for a path and a query under one base URL, without httpx parsing
    each one.

    The client percent-encodes every character outside the unreserved set in the paths and
    queries it sends (see ``Operation.format_path`` and ``_BaseClient._target``), so httpx's
    parse of the whole URL would keep them as they are: the base URL is parsed once, and each
    URL is its parsed form with the path extended and the query set. That this gives what
    httpx's own parse gives is checked once, on a probe with escapes and dot segments; where it
    does not (a base URL whose path httpx rewrites), or httpx's URL is not laid out as expected,
    every URL is parsed by httpx.
    """

    __slots__ = ("_base",)

    def __init__(self, base_url: str) -> None:
        self._base: Any = None
        path, query = "/a%2Fb/%2E%2E/%25~c._-", "x=%20%2B&y="
        try:
            base = httpx.URL(base_url)._uri_reference
            parsed = httpx.URL(base_url + path + "?" + query)._uri_reference
            if self._with(base, path, query)._uri_reference == parsed:
                self._base = base
        except Exception:  # another httpx layout: parse each URL
            self._base = None

    @staticmethod
    def _with(base: Any, path: str, query: str) -> httpx.URL:
        url = httpx.URL.__new__(httpx.URL)
        url._uri_reference = base._replace(path=base.path + path, query=query or None)
        return url

    def make(self, path: str, query: str) -> httpx.URL | None:
        """The URL of ``path`` and ``query`` (both percent-encoded); ``None``: parse it instead."""
        base = self._base
        return None if base is None else self._with(base, path, query)


_HTTPX_LOG = logging.getLogger("httpx")


def _within(deadline: float | None) -> Any:
    """An async context that ends its block with ``TimeoutError`` after ``deadline`` seconds:
    ``asyncio.timeout`` where there is one (Python 3.11+), else anyio's (a cancel scope, which
    costs more)."""
    import asyncio

    timeout = getattr(asyncio, "timeout", None)
    if timeout is not None:
        return timeout(deadline)
    return _AnyioDeadline(deadline)


class _AnyioDeadline:
    """``anyio.fail_after`` as an async context manager."""

    def __init__(self, deadline: float | None) -> None:
        self._scope = anyio.fail_after(deadline)

    async def __aenter__(self) -> None:
        self._scope.__enter__()

    async def __aexit__(self, *exc: Any) -> bool | None:
        return self._scope.__exit__(*exc)


#: Headers httpx's request adds or reads on its own: given any of them, httpx builds the request.
_AUTO = frozenset({"host", "content-length", "transfer-encoding", "cookie"})


def _assemble(
    method: str,
    url: httpx.URL,
    headers: list[tuple[str, str]],
    content: bytes | None,
    extensions: dict[str, Any],
) -> httpx.Request:
    """The ``httpx.Request(method, url, headers=headers, content=content, extensions=...)`` of
    a body in bytes (or none), made without the steps of its constructor that cannot apply:
    the headers are made once (``Host`` first, then those given, then ``Content-Length``).
    Only for a method in upper case and headers without any of ``_AUTO``."""
    pairs = [("Host", url.netloc.decode("ascii"))]
    if not content and method in ("POST", "PUT", "PATCH"):
        pairs.append(("Content-Length", "0"))
    pairs.extend(headers)
    if content:
        pairs.append(("Content-Length", str(len(content))))
    request = httpx.Request.__new__(httpx.Request)
    request.method = method
    request.url = url
    request.headers = httpx.Headers(pairs)
    request.extensions = extensions
    body = content or b""
    request.stream = httpx.ByteStream(body)
    request._content = body
    return request


_ASSEMBLY: list[bool] = []


def _assembly_works() -> bool:
    """Whether :func:`_assemble` gives what httpx's constructor gives, in this httpx (checked
    once, on a request of each kind; where it does not, httpx's constructor builds each)."""
    if not _ASSEMBLY:
        url = httpx.URL("https://h.example:8443/p/a%2Fb?x=%40y")
        headers = [("Accept", "application/json"), ("Content-Type", "application/json")]
        works = True
        for method, content in (("GET", None), ("POST", b'{"a":1}'), ("POST", None)):
            for body in (content, b"") if content is None else (content,):
                try:
                    made = _assemble(method, url, headers, body, {"timeout": {}})
                except Exception:
                    works = False
                    break
                real = httpx.Request(
                    method, url, headers=headers, content=body, extensions={"timeout": {}}
                )
                works = works and (
                    vars(made).keys() == vars(real).keys()
                    and made.headers.raw == real.headers.raw
                    and (made.method, made.url, made.content, made.extensions)
                    == (real.method, real.url, real.content, real.extensions)
                    and type(made.stream) is type(real.stream)
                )
        _ASSEMBLY.append(works)
    return _ASSEMBLY[0]


class _TooLarge(Exception):
    """A body went past ``max_response_bytes``."""


def _framing(response: httpx.Response) -> tuple[str, str]:
    """The ``Content-Length`` and ``Content-Encoding`` of ``response`` (``""`` when absent)."""
    headers = response.headers
    return headers.get("content-length", ""), headers.get("content-encoding", "")


class _Body:
    """A response body gathered up to a byte cap, counted after decompression.

    gzip and deflate are decompressed here, a bounded piece at a time, so that no step ever
    holds more than the cap (a small compressed body can expand a thousandfold); other encodings
    go through httpx's own decoders, checked after each decoded piece.
    """

    def __init__(self, content_encoding: str, cap: int) -> None:
        self.cap = cap
        self.size = 0
        self.chunks: list[bytes] = []
        encoding = content_encoding.strip().lower()
        #: Sent as it is (no ``Content-Encoding``, or ``identity``): no decoding to do.
        self.plain = encoding in ("", "identity")
        self.deflate = encoding == "deflate"
        self.inflater: Any = None
        if encoding in ("gzip", "x-gzip"):
            self.inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif self.deflate:
            self.inflater = zlib.decompressobj(zlib.MAX_WBITS)

    @property
    def raw(self) -> bool:
        """Whether to read the raw bytes (we decompress) rather than httpx's decoded ones."""
        return self.inflater is not None

    def add(self, data: bytes) -> None:
        """Take the next piece (raises ``_TooLarge`` past the cap, ``zlib.error`` if corrupt)."""
        if self.inflater is None:
            self._keep(data)
            return
        while data:
            try:
                out = self.inflater.decompress(data, self.cap - self.size + 1)
            except zlib.error:
                if not (self.deflate and self.size == 0):
                    raise
                # "deflate" sent as a raw stream, without the zlib wrapper.
                self.deflate = False
                self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._keep(out)
            data = self.inflater.unconsumed_tail

    def _keep(self, out: bytes) -> None:
        self.size += len(out)
        if self.size > self.cap:
            raise _TooLarge
        if out:
            self.chunks.append(out)

    def content(self) -> bytes:
        """The whole body, once every piece has been added."""
        if self.inflater is not None:
            self._keep(self.inflater.flush())
        return b"".join(self.chunks)


class _BaseClient:
    """Configuration and everything about a request that is neither blocking nor async."""

    _http_class: type[Any] = httpx.Client

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        auth: Auth | None = None,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int = 3,
        http_client: Any = None,
        throttle: bool = True,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        _shared: _Shared | None = None,
    ) -> None:
        #: The credentials given as ``auth=`` (``None``: the API key, as ``api_key=`` or from
        #: ``INFOBIP_API_KEY``).
        self.auth = auth
        # Every secret this client sends, for redaction; the one auth object that writes the
        # Authorization header.
        self._secrets: _Secrets
        self._auth: httpx.Auth
        if auth is None:
            self._api_key: _Credential | None = _api_key(api_key)
            self._secrets, self._auth = _Secrets(self._api_key), _AppKeyAuth(self._api_key)
        else:
            from .auth import _bind  # auth builds on this module: imported when used

            self._api_key = None
            self._secrets, self._auth = _bind(auth, api_key, self)
        del api_key  # this frame keeps no local holding the key
        if max_retries < 0:
            raise ConfigurationError("max_retries must be 0 or more")
        if max_response_bytes < 1:
            raise ConfigurationError("max_response_bytes must be 1 or more")
        if not max_retry_wait >= 0:
            raise ConfigurationError("max_retry_wait must be 0 or more seconds")
        self.max_response_bytes = max_response_bytes
        self.max_retry_wait = float(max_retry_wait)
        self.base_url = normalize_base_url(
            base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL,
            warn=_shared is None,
        )
        self.timeout: TimeoutTypes = _choose_timeout(timeout, http_client)
        self.max_retries = max_retries
        self.throttle = throttle
        self._retry = RetryPolicy(max_retries=max_retries, max_total_wait=self.max_retry_wait)
        if _shared is None:
            if http_client is not None and not isinstance(http_client, self._http_class):
                raise ConfigurationError(
                    f"http_client must be an {self._http_class.__module__}."
                    f"{self._http_class.__qualname__}"
                )
            owns = http_client is None
            http = http_client if http_client is not None else self._new_http_client()
            _shared = (
                _Shared(http, owns, gate=self._new_gate(http), direct=self._new_direct(http))
                if owns
                else _Shared(http, owns)
            )
        self._shared = _shared
        self._http = _shared.http
        # Seams for tests: the throttle's clock (pacers read it when first created).
        self._clock: Callable[[], float] = time.monotonic
        # Made on the first request: the base URL parsed once, the default timeout's parts.
        self._urls: _URLs | None = None
        self._timeouts: dict[str, float | None] | None = None
        self._default_headers: list[tuple[str, str]] | None = None

    def _new_http_client(self) -> Any:
        http = self._http_class(
            timeout=self.timeout,
            limits=_POOL_LIMITS,
            follow_redirects=False,
        )
        if isinstance(http, httpx.Client):
            _keep_deadlines(http)
        return http

    def _new_gate(self, http: Any) -> _Gate | None:
        return None

    def _new_direct(self, http: Any) -> Any:
        return None

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, "
            f"{'api_key=<redacted>' if self.auth is None else f'auth={self.auth!r}'}, "
            f"timeout={self.timeout!r}, max_retries={self.max_retries}, throttle={self.throttle})"
        )

    def __reduce__(self) -> Any:
        raise TypeError(f"{type(self).__name__} cannot be pickled (it holds a secret)")

    def _copy(self, cls: type[_C], **changes: Any) -> _C:
        """A ``cls`` client with ``changes`` (NOT_GIVEN ones ignored) that shares this one's
        connection pool and pacing, and sleeps and reads time the way this one does."""
        copy = cls(**self._options(**changes))
        copy._sleep = self._sleep  # type: ignore[attr-defined]
        copy._clock = self._clock
        return copy

    def _options(self, **changes: Any) -> dict[str, Any]:
        current: dict[str, Any] = {
            "api_key": self._api_key,
            "auth": self.auth,
            "max_response_bytes": self.max_response_bytes,
            "max_retry_wait": self.max_retry_wait,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "throttle": self.throttle,
            "_shared": self._shared,
        }
        current.update({k: v for k, v in changes.items() if v is not NOT_GIVEN})
        return current

    # -- building a request --------------------------------------------------------------------

    def _target(self, call: Call) -> tuple[str, str]:
        """The path (after the base URL) and the query string of ``call``, both percent-encoded:
        every character outside the unreserved set is escaped."""
        op = call.operation
        path = op.format_path(**call.path_params) if op.path_params else op.path
        query = list(call.query)
        extra = call.options.get("extra_query")
        if extra:
            # extra_query wins over a parameter of the same name the method would have sent
            names = {str(k) for k in extra}
            query = [(k, v) for k, v in query if k not in names]
            query.extend((str(k), str(v)) for k, v in extra.items())
        # quote (not quote_plus): channel ids with spaces or '+' survive exactly
        return path, urlencode(query, quote_via=quote, safe="") if query else ""

    def _url(self, call: Call) -> str:
        path, query = self._target(call)
        return self.base_url + path + ("?" + query if query else "")

    def _headers(self, call: Call) -> dict[str, str]:
        # Authorization is not here: ``self._auth`` writes it as the request is sent.
        headers = {
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        if call.body is not NO_BODY:
            headers["Content-Type"] = "application/json"
        headers.update(call.headers)
        extra = call.options.get("extra_headers")
        if extra:
            headers.update(extra)
        return headers

    def _timeout(self, call: Call) -> TimeoutTypes:
        value = call.options.get("timeout", NOT_GIVEN)
        return self.timeout if isinstance(value, NotGiven) else _check_timeout(value)

    def _build_request(self, call: Call) -> httpx.Request:
        body = call.body
        if body is NO_BODY:
            content = None
        elif type(body) is JSONBody:
            content = body.content
        else:
            content = dumps(body)
        headers = self._headers(call)
        try:
            if self._shared.owns_http:
                request = self._own_request(call, headers, content)
            else:  # a user's client: its base URL, headers, params and cookies apply
                request = self._http.build_request(
                    call.operation.method,
                    self._url(call),
                    headers=headers,
                    content=content,
                    timeout=self._timeout(call),
                )
        except UnicodeEncodeError:
            # The value is not echoed: a header may carry an application code or a token.
            names = [k for k, v in headers.items() if not (str(k) + str(v)).isascii()]
            raise ValidationError(
                f"header {', '.join(names) or '(unknown)'} holds a character HTTP headers cannot "
                "carry (only ASCII is allowed)",
                field=names[0] if names else None,
            ) from None
        return request

    def _own_request(
        self, call: Call, headers: dict[str, str], content: bytes | None
    ) -> httpx.Request:
        """The request ``self._http.build_request`` makes on the client's own ``httpx`` client
        (whose settings are httpx's defaults), built without its merging and URL parsing."""
        http = self._http
        urls = self._urls
        if urls is None:
            urls = self._urls = _URLs(self.base_url)
        path, query = self._target(call)
        url = urls.make(path, query)
        # httpx's merge: the client's headers but those given, then the given ones in order.
        defaults = self._default_headers
        if defaults is None:
            encoding = http.headers.encoding
            defaults = self._default_headers = [
                (k.decode(encoding), v.decode(encoding)) for k, v in http.headers.raw
            ]
        given = {k.lower() for k in headers}
        merged = [(k, v) for k, v in defaults if k.lower() not in given]
        merged.extend(headers.items())
        value = call.options.get("timeout", NOT_GIVEN)
        if isinstance(value, NotGiven):
            timeouts = self._timeouts
            if timeouts is None:
                timeouts = self._timeouts = httpx.Timeout(self.timeout).as_dict()
        else:
            timeouts = httpx.Timeout(_check_timeout(value)).as_dict()
        cookies = http.cookies
        method = call.operation.method
        extensions = {"timeout": dict(timeouts)}
        if url is not None and not cookies and _assembly_works() and given.isdisjoint(_AUTO):
            return _assemble(method, url, merged, content, extensions)
        return httpx.Request(
            method,
            url if url is not None else self.base_url + path + ("?" + query if query else ""),
            headers=merged,
            cookies=cookies if cookies else None,
            content=content,
            extensions=extensions,
        )

    # -- reading a response --------------------------------------------------------------------

    def _redact(self, text: str) -> str:
        """``text`` with every credential (and an escaped echo of one) blanked out."""
        return self._secrets.text(text)

    @staticmethod
    def _redact_request(request: httpx.Request) -> None:
        """Blank the credential out of the Authorization header of a request that has been sent
        (a response, an error and a raw response keep the request; the auth flow writes the
        header again if the request is replayed)."""
        if "authorization" in request.headers:
            request.headers["Authorization"] = (
                request.headers["authorization"].partition(" ")[0] + " <redacted>"
            ).lstrip()

    def _transport_error(self, exc: httpx.TransportError) -> APIConnectionError:
        # Errors raised while connecting (or waiting for a pooled connection) happen before the
        # request is on the wire; anything later may have reached the server.
        sent = not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
        name = type(exc).__name__
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(f"request timed out ({name})", request_sent=sent)
        detail = self._redact(str(exc))
        return APIConnectionError(f"connection error ({name}): {detail}", request_sent=sent)

    @staticmethod
    def _deadline(request: httpx.Request) -> float | None:
        """Seconds one attempt may take in all (the read timeout: a number given as ``timeout``)."""
        timeouts = request.extensions.get("timeout") or {}
        read = timeouts.get("read")
        return float(read) if read is not None else None

    def _late(self, deadline: float) -> APITimeoutError:
        return APITimeoutError(
            f"request timed out (no complete answer within the {deadline:g} s deadline)",
            request_sent=True,
        )

    def _unreadable(
        self, request: httpx.Request, response: httpx.Response, op: Operation, text: str
    ) -> UnexpectedResponseError:
        return UnexpectedResponseError(
            response.status_code,
            text,
            operation_id=op.op_id,
            headers=self._redact_headers(response.headers),
            method=request.method,
            path=request.url.path,
        )

    def _oversized(
        self, request: httpx.Request, response: httpx.Response, op: Operation
    ) -> UnexpectedResponseError:
        limit = f"{self.max_response_bytes:,}"
        text = f"the body is larger than max_response_bytes ({limit} bytes)"
        return self._unreadable(request, response, op, text)

    def _undecodable(
        self, request: httpx.Request, response: httpx.Response, op: Operation, exc: Exception
    ) -> UnexpectedResponseError:
        text = f"the body could not be decoded ({type(exc).__name__})"
        return self._unreadable(request, response, op, text)

    def _redact_headers(self, headers: Any) -> dict[str, str]:
        return {k: self._secrets.text(v) for k, v in headers.items()}

    def _declared_too_long(self, content_length: str, content_encoding: str) -> bool:
        # A plain body announced past the cap is refused before a byte of it is read.
        length = content_length.strip()
        return (
            length.isdigit()
            and content_encoding.strip().lower() in ("", "identity")
            and int(length) > self.max_response_bytes
        )

    def _check(self, request: httpx.Request, response: httpx.Response, started: float) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s %s -> %s (%.0f ms)",
                request.method,
                request.url.path,
                response.status_code,
                (time.monotonic() - started) * 1000,
            )
        if response.is_success:
            return
        # The stored response and the error carry no echo of a credential.
        self._redact_response(response)
        error = error_from_response(
            response.status_code,
            response.headers,
            response.content,
            method=request.method,
            path=request.url.path,
        )
        self._scrub(error)
        error.response = response
        raise error

    def _redact_response(self, response: httpx.Response) -> None:
        """Blank every credential out of a response's body and headers (kept on an error)."""
        secrets = self._secrets
        response._content = secrets.bytes(response.content)
        pairs = response.headers.multi_items()
        if any(secrets.text(v) != v for _, v in pairs):
            response.headers = httpx.Headers([(k, secrets.text(v)) for k, v in pairs])

    def _scrub(self, error: APIError) -> None:
        """Redact every credential from what ``error`` holds, after parsing (a JSON escape of
        the key in a message is caught here, where the raw bytes did not show it)."""
        secrets = self._secrets
        error.text = secrets.text(error.text)
        if error.message_id is not None:
            error.message_id = secrets.text(error.message_id)
        error.validation_errors = {
            secrets.text(k): [secrets.text(m) for m in v]
            for k, v in error.validation_errors.items()
        }
        error.body = secrets.deep(error.body)
        error.headers = self._redact_headers(error.headers)
        if isinstance(error, UnexpectedResponseError):
            error.excerpt = secrets.text(error.excerpt)
        error.args = (error._describe(),)

    def _unexpected(
        self, call: Call, response: httpx.Response, error: Exception
    ) -> UnexpectedResponseError:
        """``error`` (raised while turning ``response`` into the method's value) as a new
        :class:`UnexpectedResponseError` naming the operation, with a redacted excerpt.

        A new one, raised without its cause: the frames that decoded the body (and hold it, with
        whatever a hostile server echoed into it) stay off the error's traceback."""
        if isinstance(error, UnexpectedResponseError):
            text = error.text
        elif isinstance(error, RecursionError):
            text = "the body does not have the shape expected (nested too deeply)"
        else:
            detail = f"{type(error).__name__}: {str(error)[:200]}"
            text = f"the body does not have the shape expected ({detail})"
        self._redact_response(response)
        request = response.request
        unexpected = UnexpectedResponseError(
            response.status_code,
            text,
            operation_id=call.op_id,
            excerpt=_snippet(response.content) if response.content else "",
            headers=response.headers,
            method=request.method,
            path=request.url.path,
        )
        self._scrub(unexpected)
        unexpected.response = response
        return unexpected

    def _advance(self, plan: Plan[Any], call: Call, response: httpx.Response) -> Call:
        """The plan's next call once it has ``response`` (``StopIteration`` when it is done).

        Whatever goes wrong turning a success answer into the method's value (the shape check,
        JSON nested too deep, a decode that trips on the wrong type) is an
        :class:`UnexpectedResponseError`; the errors the plan raises on purpose pass as they are.
        """
        try:
            try:
                check_answer(call, response)
            except UnexpectedResponseError as error:
                # Into the plan, like a failed request: a many-item call keeps the outcomes
                # of its earlier requests and marks this one's items as maybe applied.
                forget_json(response)
                return plan.throw(self._unexpected(call, response, error))
            return plan.send(response)
        except StopIteration:
            raise
        except UnexpectedResponseError as error:
            raise self._unexpected(call, response, error) from None
        except ProfilesError:
            raise
        except Exception as error:
            raise self._unexpected(call, response, error) from None
        finally:
            # The body parsed once for the check and the plan is not kept on the response.
            forget_json(response)

    def _retryable(self, op: Operation, error: Exception) -> bool:
        """Whether a failed first attempt goes on to the retry loop; sets ``retries_taken`` if not."""
        if self._retry.max_retries >= 1 and self._retry.reason(op, error) is not None:
            return True
        if isinstance(error, APIError):
            error.retries_taken = 0
        return False

    def _retry_predicate(self, op: Operation) -> Callable[[BaseException], bool]:
        return lambda error: self._retry.reason(op, error) is not None

    def _log_retry(self, op: Operation, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        log.info(
            "retrying %s %s in %.2fs: %s (attempt %d of %d)",
            op.method,
            op.path,
            delay,
            self._retry.reason(op, error) if error else "unknown",
            state.attempt_number + 1,
            self._retry.max_retries + 1,
        )


class ProfilesClient(_BaseClient):
    """The blocking client.

    Example::

        from infobip_profiles import ProfilesClient, PersonRef

        with ProfilesClient() as client:          # INFOBIP_API_KEY / INFOBIP_BASE_URL from the environment
            person = client.people.get(PersonRef.email("ada@example.com"))

    Args:
        api_key: the API key (default: ``INFOBIP_API_KEY``).
        auth: other credentials instead of an API key: an
            :class:`~infobip_profiles.auth.Auth` (``BasicAuth``, ``IBSSOAuth``, ``BearerAuth``,
            ``OAuth2ClientCredentials``...). Give ``api_key`` or ``auth``, not both.
        base_url: your base URL, with or without scheme (default: ``INFOBIP_BASE_URL``, else
            ``https://api.infobip.com``).
        timeout: seconds, or an ``httpx.Timeout`` (``None``: no timeout). Default 30 s, or the
            injected ``http_client``'s own timeout when it set one. Every call may override it.
            It is a deadline per attempt, not per read: connecting, sending and reading the
            whole answer end within it (for an ``httpx.Timeout``, within its ``read`` value).
        max_retries: replays after the first attempt, per the retry rule.
        http_client: an ``httpx.Client`` to use instead of our own. It stays yours: ``close()``
            and the ``with`` block leave it open, and you close it when you are done.
        throttle: pace each operation to its published rate limit.
        max_response_bytes: the largest response body the client reads, counted after
            decompression (default 32 MiB); a larger one raises
            :class:`~infobip_profiles.errors.UnexpectedResponseError` as soon as the excess arrives.
        max_retry_wait: the most seconds one request spends waiting between its attempts, all
            waits together (default 120; one ``Retry-After`` is followed up to 60 s). A replay
            whose wait would go past it is not made: the last error is raised instead.
        sleep: how the client waits (retry backoff, ``Retry-After``, pacing); default
            ``time.sleep``. Pass a fake clock's ``sleep`` so tests never wait for real time.
        clock: the monotonic clock pacing reads, in seconds (default ``time.monotonic``); give
            it together with ``sleep`` so that a wait moves the clock it is measured on.
    """

    _http_class = httpx.Client

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        auth: Auth | None = None,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int = 3,
        http_client: httpx.Client | None = None,
        throttle: bool = True,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        _shared: _Shared | None = None,
    ) -> None:
        super().__init__(
            api_key,
            base_url,
            auth=auth,
            timeout=timeout,
            max_retries=max_retries,
            http_client=http_client,
            throttle=throttle,
            max_response_bytes=max_response_bytes,
            max_retry_wait=max_retry_wait,
            _shared=_shared,
        )
        timing = _default_timing[-1] if _default_timing else None  # FakeProfiles.patch()
        self._sleep: Callable[[float], None] = (
            sleep if sleep is not None else timing[0] if timing else time.sleep
        )
        clock = clock if clock is not None else timing[2] if timing else None
        if clock is not None:
            self._clock = clock

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        throttle: bool | NotGiven = NOT_GIVEN,
    ) -> ProfilesClient:
        """A copy with other settings, sharing this client's connection pool and pacing."""
        return self._copy(
            ProfilesClient, timeout=timeout, max_retries=max_retries, throttle=throttle
        )

    def close(self) -> None:
        """Close the connection pool (unless it was passed in as ``http_client``)."""
        if self._shared.owns_http:
            self._http.close()

    def __enter__(self) -> ProfilesClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- resources -------------------------------------------------------------------------------

    @functools.cached_property
    def people(self) -> People:
        """Persons: get, list, create, update, batches, upserts, merge."""
        from .resources.people import People

        return People(self)

    @functools.cached_property
    def companies(self) -> Companies:
        """Companies and their members."""
        from .resources.companies import Companies

        return Companies(self)

    @functools.cached_property
    def tags(self) -> Tags:
        """Tags and tagging people."""
        from .resources.tags import Tags

        return Tags(self)

    @functools.cached_property
    def custom_attributes(self) -> CustomAttributes:
        """Custom attribute definitions."""
        from .resources.custom_attributes import CustomAttributes

        return CustomAttributes(self)

    @functools.cached_property
    def lists(self) -> Lists:
        """Lists (v3): items of a person's LIST_OF_OBJECTS attributes."""
        from .resources.lists import Lists

        return Lists(self)

    @functools.cached_property
    def events(self) -> Events:
        """Event definitions, sending events, exports."""
        from .resources.events import Events

        return Events(self)

    @functools.cached_property
    def push(self) -> Push:
        """Push registrations: get, update, personalize, depersonalize."""
        from .resources.push import Push

        return Push(self)

    @functools.cached_property
    def segments(self) -> Segments:
        """Segments and the people in them."""
        from .resources.segments import Segments

        return Segments(self)

    # -- the blocking loop ---------------------------------------------------------------------

    def _pace(self, op: Operation) -> None:
        if not self.throttle:
            return
        pacer = self._shared.pacer(op, self._clock)
        if pacer is not None:
            wait = pacer.reserve()
            if wait > 0:
                self._sleep(wait)
            pacer.started()

    def _send_once(self, request: httpx.Request, op: Operation) -> httpx.Response:
        self._pace(op)
        started = time.monotonic()
        try:
            response = self._receive(request, op, started, self._deadline(request))
        finally:
            self._redact_request(request)
        self._check(request, response, started)
        return response

    def _receive(
        self, request: httpx.Request, op: Operation, started: float, deadline: float | None
    ) -> httpx.Response:
        """Send ``request`` and read its body: at most ``max_response_bytes`` (counted after
        decompression), all of it within ``deadline`` seconds of ``started``. On the client's own
        connection pool every socket read and write is cut to what is left of the deadline; on
        an injected ``http_client`` the deadline is checked as each piece of the body arrives."""
        ends = _ATTEMPT_ENDS.set(None if deadline is None else started + deadline)
        try:
            try:
                response: httpx.Response = self._http.send(request, auth=self._auth, stream=True)
            except httpx.TransportError as exc:
                raise self._transport_error(exc) from exc
            try:
                length, encoding = _framing(response)
                if self._declared_too_long(length, encoding):
                    raise _TooLarge
                body = _Body(encoding, self.max_response_bytes)
                for chunk in response.iter_raw() if body.raw else response.iter_bytes():
                    body.add(chunk)
                    if deadline is not None and time.monotonic() - started > deadline:
                        raise self._late(deadline)
                if deadline is not None and time.monotonic() - started > deadline:
                    raise self._late(deadline)
                response._content = body.content()
            except _TooLarge:
                raise self._oversized(request, response, op) from None
            except httpx.TransportError as exc:
                raise self._transport_error(exc) from exc
            except (httpx.DecodingError, zlib.error) as exc:
                raise self._undecodable(request, response, op, exc) from None
            finally:
                response.close()
            return response
        finally:
            _ATTEMPT_ENDS.reset(ends)

    def _send(self, call: Call) -> tuple[httpx.Response, int]:
        op = call.operation
        request = self._build_request(call)
        # The first attempt runs outside tenacity: most calls succeed (or fail for good) at once.
        try:
            return self._send_once(request, op), 0
        except Exception as error:
            first = error
            if not self._retryable(op, error):
                raise
        from tenacity import Retrying, retry_if_exception  # on a retry only

        retrying = Retrying(
            stop=self._retry.stop,
            retry=retry_if_exception(self._retry_predicate(op)),
            wait=self._retry.wait,
            before_sleep=functools.partial(self._log_retry, op),
            sleep=self._sleep,
            reraise=True,
        )
        attempts = 0
        try:
            for attempt in retrying:
                with attempt:
                    attempts += 1
                    if attempts == 1:
                        raise first  # the attempt already made, so tenacity counts and waits
                    response = self._send_once(request, op)
        except APIError as error:
            error.retries_taken = attempts - 1
            raise
        return response, attempts - 1

    def _run(self, plan: Plan[R]) -> R:
        return self._drive(plan, None)

    def _run_raw(self, plan: Plan[R]) -> RawResponse[R]:
        seen: list[tuple[httpx.Response, int]] = []
        value = self._drive(plan, seen)
        return RawResponse([r for r, _ in seen], sum(n for _, n in seen), lambda: value)

    def _drive(self, plan: Plan[R], seen: list[tuple[httpx.Response, int]] | None) -> R:
        try:
            call = next(plan)
            while True:
                try:
                    response, retries = self._send(call)
                except (APIError, APIConnectionError) as error:
                    # The plan may handle it (a 404 meaning "none", a many-item call keeping the
                    # outcomes of its earlier requests); raw access still sees the response.
                    if (
                        seen is not None
                        and isinstance(error, APIError)
                        and error.response is not None
                    ):
                        seen.append((error.response, error.retries_taken))
                    call = plan.throw(error)
                    continue
                if seen is not None:
                    seen.append((response, retries))
                call = self._advance(plan, call, response)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        finally:
            plan.close()  # whatever stopped the loop, the plan's own cleanup runs now


class AsyncProfilesClient(_BaseClient):
    """The async client: the same resources and methods, every call awaitable.

    Example::

        async with AsyncProfilesClient() as client:
            person = await client.people.get(PersonRef.external_id("crm-1"))
            async for p in client.people.list(page_size=500):
                ...

    Takes the same arguments as :class:`ProfilesClient`; ``sleep`` is awaited
    (``async def sleep(seconds)``, default ``asyncio.sleep``).
    """

    _http_class = httpx.AsyncClient

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        auth: Auth | None = None,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int = 3,
        http_client: httpx.AsyncClient | None = None,
        throttle: bool = True,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] | None = None,
        _shared: _Shared | None = None,
    ) -> None:
        super().__init__(
            api_key,
            base_url,
            auth=auth,
            timeout=timeout,
            max_retries=max_retries,
            http_client=http_client,
            throttle=throttle,
            max_response_bytes=max_response_bytes,
            max_retry_wait=max_retry_wait,
            _shared=_shared,
        )
        timing = _default_timing[-1] if _default_timing else None  # FakeProfiles.patch()
        if sleep is None:
            if timing:
                sleep = timing[1]
            else:
                import asyncio  # here, not at the top: a sync program never imports it

                sleep = asyncio.sleep
        self._sleep: Callable[[float], Any] = sleep
        clock = clock if clock is not None else timing[2] if timing else None
        if clock is not None:
            self._clock = clock

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        throttle: bool | NotGiven = NOT_GIVEN,
    ) -> AsyncProfilesClient:
        """A copy with other settings, sharing this client's connection pool and pacing."""
        return self._copy(
            AsyncProfilesClient, timeout=timeout, max_retries=max_retries, throttle=throttle
        )

    def _new_http_client(self) -> Any:
        # httpx in front, aiohttp's pool underneath (see _aiohttp.py and docs/performance.md):
        # unless aiohttp is missing or the environment names a proxy, which httpx's own
        # transport honours.
        from ._aiohttp import AiohttpTransport, aiohttp_available, environment_uses_proxy

        if not aiohttp_available() or environment_uses_proxy():
            return super()._new_http_client()
        return self._http_class(
            timeout=self.timeout,
            transport=AiohttpTransport(limits=_POOL_LIMITS),
            follow_redirects=False,
        )

    def _new_gate(self, http: Any) -> _Gate | None:
        if self._new_direct(http) is not None:
            return None
        # As many in flight as the pool keeps alive: measured best between 10 and 20.
        return _Gate(_POOL_LIMITS.max_keepalive_connections or 20)

    def _new_direct(self, http: Any) -> Any:
        from ._aiohttp import AiohttpTransport

        transport = getattr(http, "_transport", None)
        return transport if isinstance(transport, AiohttpTransport) else None

    async def aclose(self) -> None:
        """Close the connection pool (unless it was passed in as ``http_client``)."""
        if self._shared.owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncProfilesClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- resources -------------------------------------------------------------------------------

    @functools.cached_property
    def people(self) -> AsyncPeople:
        """Persons: get, list, create, update, batches, upserts, merge."""
        from .resources.people import AsyncPeople

        return AsyncPeople(self)

    @functools.cached_property
    def companies(self) -> AsyncCompanies:
        """Companies and their members."""
        from .resources.companies import AsyncCompanies

        return AsyncCompanies(self)

    @functools.cached_property
    def tags(self) -> AsyncTags:
        """Tags and tagging people."""
        from .resources.tags import AsyncTags

        return AsyncTags(self)

    @functools.cached_property
    def custom_attributes(self) -> AsyncCustomAttributes:
        """Custom attribute definitions."""
        from .resources.custom_attributes import AsyncCustomAttributes

        return AsyncCustomAttributes(self)

    @functools.cached_property
    def lists(self) -> AsyncLists:
        """Lists (v3): items of a person's LIST_OF_OBJECTS attributes."""
        from .resources.lists import AsyncLists

        return AsyncLists(self)

    @functools.cached_property
    def events(self) -> AsyncEvents:
        """Event definitions, sending events, exports."""
        from .resources.events import AsyncEvents

        return AsyncEvents(self)

    @functools.cached_property
    def push(self) -> AsyncPush:
        """Push registrations: get, update, personalize, depersonalize."""
        from .resources.push import AsyncPush

        return AsyncPush(self)

    @functools.cached_property
    def segments(self) -> AsyncSegments:
        """Segments and the people in them."""
        from .resources.segments import AsyncSegments

        return AsyncSegments(self)

    # -- the async loop ----------------------------------------------------------------------------

    async def _pace(self, op: Operation) -> None:
        if not self.throttle:
            return
        pacer = self._shared.pacer(op, self._clock)
        if pacer is not None:
            wait = pacer.reserve()
            if wait > 0:
                await self._sleep(wait)
            pacer.started()

    async def _send_once(self, request: httpx.Request, op: Operation) -> httpx.Response:
        await self._pace(op)
        started = time.monotonic()
        deadline = self._deadline(request)
        try:
            # The deadline covers the whole attempt: connecting, sending, the headers, the body.
            direct = self._direct()
            if direct is not None:
                if deadline is None:
                    response = await self._exchange(direct, request, op)
                else:
                    async with _within(deadline):
                        response = await self._exchange(direct, request, op)
            else:
                with anyio.fail_after(deadline):
                    gate = self._shared.gate
                    if gate is None:
                        response = await self._receive(request, op)
                    else:  # waiting here counts towards the deadline, as waiting for the pool does
                        async with gate.semaphore():
                            response = await self._receive(request, op)
        except TimeoutError:
            raise self._late(deadline or 0.0) from None
        finally:
            self._redact_request(request)
        self._check(request, response, started)
        return response

    def _direct(self) -> Any:
        """The client's own aiohttp pool, if this attempt may go to it without httpx's sending
        layer (see :meth:`_exchange`): not while something patches httpcore (respx,
        ``FakeProfiles.patch()``), once the client is closed, or with event hooks set."""
        transport = self._shared.direct
        if transport is None or not transport.direct():
            return None
        http = self._http
        if http.is_closed:
            return None  # httpx's send raises the error a closed client gives
        hooks = http.event_hooks
        if hooks["request"] or hooks["response"]:
            return None
        return transport

    def _exchange(
        self, transport: Any, request: httpx.Request, op: Operation
    ) -> Awaitable[httpx.Response]:
        """What ``self._http.send(request, auth=self._auth, stream=True)`` followed by
        :meth:`_receive` give, on the client's own aiohttp pool, without httpx's sending layer.

        httpx's client wraps each exchange in work this client never needs (redirects it does
        not follow, event hooks it has none of, a response stream read a piece at a time through
        three layers) and that costs more CPU than aiohttp's own exchange: here the auth flow
        runs as httpx runs it, each request goes straight to aiohttp, and each answer comes back
        as the same ``httpx.Response`` (headers as received, body read and decoded under
        ``max_response_bytes``, cookies kept, httpx's log line). An auth that writes one fixed
        header (the API key, Basic, IBSSO, Bearer) writes it without running a flow."""
        write = getattr(self._auth, "_write_header", None)
        if write is not None:
            write(request)
            return self._direct_receive(transport, request, op)
        return self._exchange_flow(transport, request, op)

    async def _exchange_flow(
        self, transport: Any, request: httpx.Request, op: Operation
    ) -> httpx.Response:
        """:meth:`_exchange` for an auth that runs a flow (OAuth2: a token first, a replay
        after a 401), run as httpx's client runs it."""
        flow = self._auth.async_auth_flow(request)
        history: list[httpx.Response] = []
        try:
            request = await flow.__anext__()
            while True:
                response = await self._direct_receive(transport, request, op)
                if history:
                    response.history = list(history)
                try:
                    request = await flow.asend(response)
                except StopAsyncIteration:
                    return response
                history.append(response)
        finally:
            await flow.aclose()

    async def _direct_receive(
        self, transport: Any, request: httpx.Request, op: Operation
    ) -> httpx.Response:
        from ._aiohttp import map_error, response_of

        started = time.perf_counter()
        try:
            # No per-read timeout: the attempt's deadline (the read timeout) bounds every read.
            answer = await transport.start(request, reads=False)
        except Exception as exc:
            mapped = map_error(exc)
            if mapped is None:
                raise
            try:
                raise mapped from exc
            except httpx.TransportError as error:
                raise self._transport_error(error) from error
        response = response_of(answer, request)
        if "Set-Cookie" in answer.headers:
            self._http.cookies.extract_cookies(response)
        if _HTTPX_LOG.isEnabledFor(logging.INFO):
            _HTTPX_LOG.info(
                'HTTP Request: %s %s "%s %d %s"',
                request.method,
                request.url,
                response.http_version,
                response.status_code,
                response.reason_phrase,
            )
        try:
            # As httpx reads them: repeated headers joined by commas.
            encoding = ", ".join(answer.headers.getall("Content-Encoding", ()))
            length = ", ".join(answer.headers.getall("Content-Length", ()))
            if self._declared_too_long(length, encoding):
                raise _TooLarge
            body = _Body(encoding, self.max_response_bytes)
            if body.plain or body.raw:
                # Straight from aiohttp's buffer (httpx's decoders would pass it as it is, or
                # decompress what _Body decompresses itself).
                content = answer.content
                received = 0
                try:
                    while chunk := await content.readany():
                        received += len(chunk)
                        body.add(chunk)
                except (_TooLarge, zlib.error):
                    raise
                except Exception as exc:
                    mapped = map_error(exc)
                    if mapped is None:
                        raise
                    raise mapped from exc
                finally:
                    response._num_bytes_downloaded = received  # as httpx counts them
                response.is_stream_consumed = True
            else:  # another encoding (br, zstd...): httpx's decoders
                async for chunk in response.aiter_bytes():
                    body.add(chunk)
            response._content = body.content()
        except _TooLarge:
            raise self._oversized(request, response, op) from None
        except httpx.TransportError as exc:
            raise self._transport_error(exc) from exc
        except (httpx.DecodingError, zlib.error) as exc:
            raise self._undecodable(request, response, op, exc) from None
        finally:
            answer.release()  # back to the pool if read to its end; closed otherwise
            response.is_closed = True
            response.elapsed = datetime.timedelta(seconds=time.perf_counter() - started)
        return response

    async def _receive(self, request: httpx.Request, op: Operation) -> httpx.Response:
        """Send ``request`` and read at most ``max_response_bytes`` of body (after decompression)."""
        try:
            response: httpx.Response = await self._http.send(request, auth=self._auth, stream=True)
        except httpx.TransportError as exc:
            raise self._transport_error(exc) from exc
        try:
            length, encoding = _framing(response)
            if self._declared_too_long(length, encoding):
                raise _TooLarge
            body = _Body(encoding, self.max_response_bytes)
            async for chunk in response.aiter_raw() if body.raw else response.aiter_bytes():
                body.add(chunk)
            response._content = body.content()
        except _TooLarge:
            raise self._oversized(request, response, op) from None
        except httpx.TransportError as exc:
            raise self._transport_error(exc) from exc
        except (httpx.DecodingError, zlib.error) as exc:
            raise self._undecodable(request, response, op, exc) from None
        finally:
            await response.aclose()
        return response

    async def _send(self, call: Call) -> tuple[httpx.Response, int]:
        op = call.operation
        request = self._build_request(call)
        # The first attempt runs outside tenacity: most calls succeed (or fail for good) at once.
        try:
            return await self._send_once(request, op), 0
        except Exception as error:
            first = error
            if not self._retryable(op, error):
                raise
        from tenacity import AsyncRetrying, retry_if_exception

        retrying = AsyncRetrying(
            stop=self._retry.stop,
            retry=retry_if_exception(self._retry_predicate(op)),
            wait=self._retry.wait,
            before_sleep=functools.partial(self._log_retry, op),
            sleep=self._sleep,
            reraise=True,
        )
        attempts = 0
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    if attempts == 1:
                        raise first  # the attempt already made, so tenacity counts and waits
                    response = await self._send_once(request, op)
        except APIError as error:
            error.retries_taken = attempts - 1
            raise
        return response, attempts - 1

    def _run(self, plan: Plan[R]) -> Awaitable[R]:
        return self._drive(plan, None)  # awaited by the caller: one coroutine fewer per call

    async def _run_raw(self, plan: Plan[R]) -> RawResponse[R]:
        seen: list[tuple[httpx.Response, int]] = []
        value = await self._drive(plan, seen)
        return RawResponse([r for r, _ in seen], sum(n for _, n in seen), lambda: value)

    async def _drive(self, plan: Plan[R], seen: list[tuple[httpx.Response, int]] | None) -> R:
        try:
            call = next(plan)
            while True:
                try:
                    response, retries = await self._send(call)
                except (APIError, APIConnectionError) as error:
                    # The plan may handle it (a 404 meaning "none", a many-item call keeping the
                    # outcomes of its earlier requests); raw access still sees the response.
                    if (
                        seen is not None
                        and isinstance(error, APIError)
                        and error.response is not None
                    ):
                        seen.append((error.response, error.retries_taken))
                    call = plan.throw(error)
                    continue
                if seen is not None:
                    seen.append((response, retries))
                call = self._advance(plan, call, response)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        finally:
            plan.close()  # whatever stopped the loop, the plan's own cleanup runs now
