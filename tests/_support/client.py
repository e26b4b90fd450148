"""Helpers shared by the client tests in ``tests/unit/``: respx routers, clients, request bodies.

Imported as ``from tests._support.client import ...``.
"""

from __future__ import annotations

import contextlib
import inspect
import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import respx

from infobip_profiles import AsyncProfilesClient, ProfilesClient

if TYPE_CHECKING:
    from _pytest.fixtures import FixtureFunctionDefinition

#: Either client: the tests in ``tests/unit/`` run most calls on both.
AnyClient = ProfilesClient | AsyncProfilesClient

#: The settings of a client that sends each request once, right away.
PLAIN: dict[str, Any] = {"throttle": False, "max_retries": 0}


class Sleeps(list[float]):
    """Records every wait the client asks for instead of sleeping: set a client's ``_sleep`` to
    :meth:`sync` (or an async client's to :meth:`asynchronous`)."""

    def sync(self, seconds: float) -> None:
        """Record a sync client's wait."""
        self.append(seconds)

    async def asynchronous(self, seconds: float) -> None:
        """Record an async client's wait."""
        self.append(seconds)

    def for_kind(self, kind: str) -> Callable[[float], Any]:
        """The recorder a ``"sync"`` or ``"async"`` client takes as its sleep."""
        return self.sync if kind == "sync" else self.asynchronous


class Api:
    """Calls one resource's methods on the sync or the async client, the same way."""

    def __init__(self, client: ProfilesClient | AsyncProfilesClient, resource: str) -> None:
        self.client = client
        self.resource = resource

    async def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """The method's result; awaited on the async client."""
        result = getattr(getattr(self.client, self.resource), method)(*args, **kwargs)
        return await result if isinstance(self.client, AsyncProfilesClient) else result

    async def collect(self, method: str, *args: Any, **kwargs: Any) -> list[Any]:
        """Every item of the pager the method returns, on either client."""
        pager = getattr(getattr(self.client, self.resource), method)(*args, **kwargs)
        if isinstance(self.client, AsyncProfilesClient):
            return [item async for item in pager]
        return list(pager)


@contextlib.asynccontextmanager
async def open_client(
    kind: str, base_url: str, api_key: str = "test-key-123"
) -> AsyncIterator[AnyClient]:
    """A plain ``kind`` (``"sync"``/``"async"``) client, closed after the block."""
    if kind == "sync":
        with ProfilesClient(api_key=api_key, base_url=base_url, **PLAIN) as client:
            yield client
    else:
        async with AsyncProfilesClient(api_key=api_key, base_url=base_url, **PLAIN) as aclient:
            yield aclient


@contextlib.asynccontextmanager
async def open_api(
    kind: str, base_url: str, resource: str, api_key: str = "test-key-123"
) -> AsyncIterator[Api]:
    """An :class:`Api` on a plain ``kind`` client, closed after the block."""
    async with open_client(kind, base_url, api_key) as client:
        yield Api(client, resource)


def api_fixture(base_url: str, resource: str) -> FixtureFunctionDefinition:
    """An ``api`` fixture: an :class:`Api` for ``resource`` on a plain sync client, then on a
    plain async one (``api = ...`` in a test module)."""

    @pytest.fixture(params=["sync", "async"], name="api")
    async def api(request: pytest.FixtureRequest) -> AsyncIterator[Api]:
        async with open_api(request.param, base_url, resource) as opened:
            yield opened

    return api


def plain_client(kind: str, api_key: str, base_url: str) -> AnyClient:
    """A plain ``kind`` (``"sync"``/``"async"``) client (not closed: the test owns it)."""
    cls = ProfilesClient if kind == "sync" else AsyncProfilesClient
    return cls(api_key=api_key, base_url=base_url, **PLAIN)


def client_fixture(api_key: str, base_url: str) -> FixtureFunctionDefinition:
    """A ``client`` fixture: a plain sync client, then a plain async one (``client = ...`` in a
    test module)."""

    @pytest.fixture(params=["sync", "async"], name="client")
    def client(request: pytest.FixtureRequest) -> AnyClient:
        return plain_client(request.param, api_key, base_url)

    return client


def router_fixture(name: str = "api", base_url: str | None = None) -> FixtureFunctionDefinition:
    """A fixture called ``name`` that yields a :func:`mock_router` (``api = ...`` in a test
    module)."""

    @pytest.fixture(name=name)
    def router() -> Iterator[respx.MockRouter]:
        with mock_router(base_url) as mock:
            yield mock

    return router


@contextlib.contextmanager
def mock_router(base_url: str | None = None) -> Iterator[respx.MockRouter]:
    """A respx router for the block; routes need not all be called."""
    options: dict[str, Any] = {} if base_url is None else {"base_url": base_url}
    with respx.mock(assert_all_called=False, **options) as router:
        yield router


def body_of(route: respx.Route, call: int = -1) -> Any:
    """The JSON body of one request a route received (the last by default)."""
    return json.loads(route.calls[call].request.content)


def query_of(route: respx.Route, call: int = -1) -> list[tuple[str, str]]:
    """The query pairs of one request a route received (the last by default), in order."""
    return list(route.calls[call].request.url.params.multi_items())


def last_request(route: respx.Route) -> httpx.Request:
    """The last request a route received."""
    request: httpx.Request = route.calls.last.request
    return request


async def close_client(client: AnyClient) -> None:
    """Close a sync or an async client."""
    if isinstance(client, AsyncProfilesClient):
        await client.aclose()
    else:
        client.close()


async def call_then_close(
    client: AnyClient, resource: str, method: str, *args: Any, **kwargs: Any
) -> Any:
    """Call ``client.<resource>.<method>(*args, **kwargs)`` on a sync or an async client (awaited
    on an async one), then close the client whatever happened."""
    bound = getattr(getattr(client, resource), method)
    try:
        result = bound(*args, **kwargs)
        return await result if isinstance(client, AsyncProfilesClient) else result
    finally:
        await close_client(client)


async def collect(pager: Any) -> list[Any]:
    """Every item of a sync or async listing."""
    if hasattr(pager, "__aiter__"):
        return [item async for item in pager]
    return list(pager)


async def resolve(value: Any) -> Any:
    """``value`` awaited when it is awaitable (an async client's result), else as it is."""
    return await value if inspect.isawaitable(value) else value
