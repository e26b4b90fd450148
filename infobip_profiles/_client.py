"""``ProfilesClient`` and ``AsyncProfilesClient``.

Configuration, request building, error mapping and the retry decisions are shared; only the
send-and-sleep loop exists twice (blocking and ``async``). Resource methods are plans (see
:mod:`infobip_profiles._plan`) that both clients drive.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import os
import platform
import re
import threading
import time
import warnings
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, urlencode, urlsplit

import attrs
import httpx
from tenacity import AsyncRetrying, RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from ._converter import dumps
from ._operations import Operation
from ._plan import NO_BODY, Call, JSONBody, Plan
from ._ratelimit import Pacer
from ._response import RawResponse
from ._retry import RetryPolicy, log
from ._types import NOT_GIVEN, NotGiven, TimeoutTypes
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ConfigurationError,
    error_from_response,
)

if TYPE_CHECKING:
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

#: (sleep, async sleep, clock) for clients created while it is set, unless given their own:
#: ``FakeProfiles.patch()`` pushes its fake clock's here for the length of the patch.
_default_timing: list[
    tuple[Callable[[float], None], Callable[[float], Awaitable[None]], Callable[[], float]]
] = []

USER_AGENT = (
    f"infobip-profiles/{__version__} python/{platform.python_version()} httpx/{httpx.__version__}"
)


class InsecureTransportWarning(UserWarning):
    """The base URL sends the API key in clear text over the network (``http://`` off loopback)."""


def _is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


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


def _choose_timeout(timeout: TimeoutTypes | NotGiven, http_client: Any) -> TimeoutTypes:
    """The timeout given; else an injected client's own one (unless it is httpx's stock 5 s); else 30 s."""
    if not isinstance(timeout, NotGiven):
        return timeout
    own = getattr(http_client, "timeout", None)
    if isinstance(own, httpx.Timeout) and own != _HTTPX_DEFAULT_TIMEOUT:
        return own
    return DEFAULT_TIMEOUT


@attrs.frozen
class _Shared:
    """What ``with_options`` copies share: the connection pool and the pacers."""

    http: Any
    owns_http: bool
    pacers: dict[str, Pacer] = attrs.field(factory=dict)
    lock: threading.Lock = attrs.field(factory=threading.Lock)

    def pacer(self, op: Operation, clock: Callable[[], float]) -> Pacer | None:
        """The pacer of ``op`` (created on first use, reading ``clock``), or ``None`` if unlimited."""
        if op.rate_limit is None:
            return None
        with self.lock:
            pacer = self.pacers.get(op.op_id)
            if pacer is None:
                pacer = self.pacers[op.op_id] = Pacer(op.rate_limit, clock=clock)
            return pacer


class _BaseClient:
    """Configuration and everything about a request that is neither blocking nor async."""

    _http_class: type[Any] = httpx.Client

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int = 3,
        http_client: Any = None,
        throttle: bool = True,
        _shared: _Shared | None = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
        # A key read from a file or pasted often carries a newline, which no header may hold.
        key = key.strip() if key else key
        if not key:
            raise ConfigurationError(
                f"no API key: pass api_key=... or set the {API_KEY_ENV} environment variable"
            )
        if max_retries < 0:
            raise ConfigurationError("max_retries must be 0 or more")
        self.__api_key = key
        self.base_url = normalize_base_url(
            base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL,
            warn=_shared is None,
        )
        self.timeout: TimeoutTypes = _choose_timeout(timeout, http_client)
        self.max_retries = max_retries
        self.throttle = throttle
        self._retry = RetryPolicy(max_retries=max_retries)
        if _shared is None:
            if http_client is not None and not isinstance(http_client, self._http_class):
                raise ConfigurationError(
                    f"http_client must be an {self._http_class.__module__}."
                    f"{self._http_class.__qualname__}"
                )
            owns = http_client is None
            http = http_client if http_client is not None else self._new_http_client()
            _shared = _Shared(http, owns)
        self._shared = _shared
        self._http = _shared.http
        # Seams for tests: the throttle's clock (pacers read it when first created).
        self._clock: Callable[[], float] = time.monotonic

    def _new_http_client(self) -> Any:
        return self._http_class(
            timeout=self.timeout,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, api_key=<redacted>, "
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
            "api_key": self.__api_key,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "throttle": self.throttle,
            "_shared": self._shared,
        }
        current.update({k: v for k, v in changes.items() if v is not NOT_GIVEN})
        return current

    # -- building a request --------------------------------------------------------------------

    def _url(self, call: Call) -> str:
        op = call.operation
        path = op.format_path(**call.path_params) if op.path_params else op.path
        query = list(call.query)
        extra = call.options.get("extra_query")
        if extra:
            # extra_query wins over a parameter of the same name the method would have sent
            names = {str(k) for k in extra}
            query = [(k, v) for k, v in query if k not in names]
            query.extend((str(k), str(v)) for k, v in extra.items())
        url = self.base_url + path
        if query:
            # quote (not quote_plus): channel ids with spaces or '+' survive exactly
            url += "?" + urlencode(query, quote_via=quote, safe="")
        return url

    def _headers(self, call: Call) -> dict[str, str]:
        headers = {
            "Authorization": f"App {self.__api_key}",
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
        return self.timeout if isinstance(value, NotGiven) else value

    def _build_request(self, call: Call) -> httpx.Request:
        body = call.body
        if body is NO_BODY:
            content = None
        elif type(body) is JSONBody:
            content = body.content
        else:
            content = dumps(body)
        request: httpx.Request = self._http.build_request(
            call.operation.method,
            self._url(call),
            headers=self._headers(call),
            content=content,
            timeout=self._timeout(call),
        )
        return request

    # -- reading a response --------------------------------------------------------------------

    def _redact(self, text: str) -> str:
        """``text`` with the API key blanked out (error bodies and messages may echo it)."""
        return text.replace(self.__api_key, "<redacted>")

    def _transport_error(self, exc: httpx.TransportError) -> APIConnectionError:
        # Errors raised while connecting (or waiting for a pooled connection) happen before the
        # request is on the wire; anything later may have reached the server.
        sent = not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
        name = type(exc).__name__
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(f"request timed out ({name})", request_sent=sent)
        detail = self._redact(str(exc))
        return APIConnectionError(f"connection error ({name}): {detail}", request_sent=sent)

    def _check(self, request: httpx.Request, response: httpx.Response, started: float) -> None:
        log.debug(
            "%s %s -> %s (%.0f ms)",
            request.method,
            request.url.path,
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        if response.is_success:
            return
        content = response.content
        secret = self.__api_key.encode()
        if secret in content:
            content = content.replace(secret, b"<redacted>")
        error = error_from_response(
            response.status_code,
            response.headers,
            content,
            method=request.method,
            path=request.url.path,
        )
        error.response = response
        raise error

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
        base_url: your base URL, with or without scheme (default: ``INFOBIP_BASE_URL``, else
            ``https://api.infobip.com``).
        timeout: seconds, or an ``httpx.Timeout`` (``None``: no timeout). Default 30 s, or the
            injected ``http_client``'s own timeout when it set one. Every call may override it.
        max_retries: replays after the first attempt, per the retry rule.
        http_client: an ``httpx.Client`` to use instead of our own. It stays yours: ``close()``
            and the ``with`` block leave it open, and you close it when you are done.
        throttle: pace each operation to its published rate limit.
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
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int = 3,
        http_client: httpx.Client | None = None,
        throttle: bool = True,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        _shared: _Shared | None = None,
    ) -> None:
        super().__init__(
            api_key,
            base_url,
            timeout=timeout,
            max_retries=max_retries,
            http_client=http_client,
            throttle=throttle,
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
            response: httpx.Response = self._http.send(request)
        except httpx.TransportError as exc:
            raise self._transport_error(exc) from exc
        self._check(request, response, started)
        return response

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
        retrying = Retrying(
            stop=stop_after_attempt(self._retry.max_retries + 1),
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
                call = plan.send(response)
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
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int = 3,
        http_client: httpx.AsyncClient | None = None,
        throttle: bool = True,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] | None = None,
        _shared: _Shared | None = None,
    ) -> None:
        super().__init__(
            api_key,
            base_url,
            timeout=timeout,
            max_retries=max_retries,
            http_client=http_client,
            throttle=throttle,
            _shared=_shared,
        )
        timing = _default_timing[-1] if _default_timing else None  # FakeProfiles.patch()
        self._sleep: Callable[[float], Any] = (
            sleep if sleep is not None else timing[1] if timing else asyncio.sleep
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
    ) -> AsyncProfilesClient:
        """A copy with other settings, sharing this client's connection pool and pacing."""
        return self._copy(
            AsyncProfilesClient, timeout=timeout, max_retries=max_retries, throttle=throttle
        )

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
        try:
            response: httpx.Response = await self._http.send(request)
        except httpx.TransportError as exc:
            raise self._transport_error(exc) from exc
        self._check(request, response, started)
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
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._retry.max_retries + 1),
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

    async def _run(self, plan: Plan[R]) -> R:
        return await self._drive(plan, None)

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
                call = plan.send(response)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        finally:
            plan.close()  # whatever stopped the loop, the plan's own cleanup runs now
