"""The async client's own connection pools against the plain path, over loopback HTTP.

``AsyncProfilesClient`` sends through aiohttp's pool when it creates its own ``httpx.AsyncClient``
(``infobip_profiles._aiohttp``), or through httpcore with a bounded number of requests in flight
when aiohttp is missing or a proxy is configured. A user's ``httpx.AsyncClient`` is used as is: the
plain path. The same script of calls (successes, a 404, retried 503s and 429s, connections dropped
before and after the server processed the request, a concurrent burst) must send the same requests
and give the same results, errors and retries on every path, and on the blocking client.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

import infobip_profiles._aiohttp as aiohttp_module
from infobip_profiles import (
    APIConnectionError,
    APIError,
    AsyncProfilesClient,
    ContactInformation,
    Person,
    PersonRef,
    ProfilesClient,
)
from infobip_profiles._aiohttp import AiohttpTransport
from infobip_profiles.testing import FakeProfiles

pytestmark = pytest.mark.http

KEY = "pool-paths-key"
GET = "get-a-single-person-or-a-list-of-people"
PATHS = ["aiohttp", "gated-httpcore", "user-client", "sync"]
BURST = 60


def _person(i: int) -> Person:
    return Person(
        first_name=f"P{i}",
        contact_information=ContactInformation.of(emails=[f"p{i}@example.com"]),
    )


def _outcome(value: Any) -> Any:
    """What a call gave, comparable across paths (error text past the class name may differ:
    aiohttp and httpcore word "the server closed the connection" differently)."""
    if isinstance(value, APIError):
        return ("api-error", type(value).__name__, value.status_code, value.retries_taken)
    if isinstance(value, APIConnectionError):
        return ("connection", type(value).__name__, value.request_sent, str(value).split(":")[0])
    if isinstance(value, BaseException):
        return ("other", type(value).__name__, str(value))
    if hasattr(value, "retries_taken"):  # a RawResponse
        return ("raw", value.status_code, value.retries_taken, _outcome(value.parse()))
    if isinstance(value, list):
        return [_outcome(v) for v in value]
    if isinstance(value, Person):
        return ("person", value.id, value.first_name, value.contact_information)
    return ("value", repr(value))


class _Script:
    """Runs the same calls on a sync or async client; records each outcome."""

    def __init__(self, fake: FakeProfiles, client: ProfilesClient | AsyncProfilesClient) -> None:
        self.fake = fake
        self.client = client
        self.outcomes: list[Any] = []

    async def call(self, name: str, *args: Any, raw: bool = False) -> None:
        people = self.client.people.with_raw_response if raw else self.client.people
        try:
            value = getattr(people, name)(*args)
            if isinstance(self.client, AsyncProfilesClient):
                value = await value
        except (APIError, APIConnectionError) as error:
            value = error
        self.outcomes.append(_outcome(value))

    async def run(self) -> None:
        fake = self.fake
        for i in range(3):
            await self.call("create", _person(i))
        await self.call("get", PersonRef.email("p1@example.com"))
        await self.call("get", PersonRef.email("nobody@example.com"))  # 404, not retried
        fake.inject(503, op_id=GET, times=2)
        await self.call("get", PersonRef.email("p0@example.com"), raw=True)  # 2 retries
        fake.inject(429, op_id=GET, times=1, retry_after=1)
        await self.call("get", PersonRef.email("p2@example.com"), raw=True)  # 1 retry
        fake.inject(500, op_id=GET, times=4)
        await self.call("get", PersonRef.email("p2@example.com"))  # retries run out
        # A dropped connection on a kept-alive connection: the client's policy decides, and
        # nothing resends the request behind its back (a DELETE resent would answer 404).
        fake.inject(drop="after", op_id="delete-a-person", times=1)
        await self.call("delete", PersonRef.email("p2@example.com"))
        fake.inject(drop="before", op_id=GET, times=1)
        await self.call("get", PersonRef.email("p1@example.com"), raw=True)
        fake.inject(drop="after", op_id="create-a-new-person", times=1)
        await self.call("create", _person(9))  # a write that may have been applied: not retried
        await self.call("get", PersonRef.email("p9@example.com"))
        # A concurrent burst, more callers than the gate lets in.
        refs = [PersonRef.email(f"p{i % 2}@example.com") for i in range(BURST)]
        if isinstance(self.client, AsyncProfilesClient):
            burst = await asyncio.gather(*(self.client.people.get(r) for r in refs))
        else:
            burst = [self.client.people.get(r) for r in refs]
        self.outcomes.append(_outcome(burst))


def _calls(fake: FakeProfiles) -> list[Any]:
    return [
        (
            c.method,
            c.path,
            c.query,
            c.content,
            c.status,
            c.fault,
            {k.lower(): v for k, v in c.headers.items() if k.lower() != "host"},
        )
        for c in fake.calls
    ]


async def _no_sleep(seconds: float) -> None:
    return None


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("all_proxy", raising=False)


async def _run_path(path: str, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[Any]]:
    fake = FakeProfiles(KEY)
    with fake.serve() as url:
        options: dict[str, Any] = {"throttle": False, "max_retries": 3, "timeout": 20.0}
        if path == "sync":
            with ProfilesClient(KEY, url, sleep=lambda s: None, **options) as client:
                script = _Script(fake, client)
                await script.run()
        else:
            user = httpx.AsyncClient(timeout=20.0) if path == "user-client" else None
            with monkeypatch.context() as patch:
                if path == "gated-httpcore":
                    patch.setattr(aiohttp_module, "aiohttp_available", lambda: False)
                client_ = AsyncProfilesClient(
                    KEY, url, sleep=_no_sleep, http_client=user, **options
                )
            transport = client_._http._transport
            if path == "aiohttp":
                assert isinstance(transport, AiohttpTransport)
                assert client_._shared.gate is None
            elif path == "gated-httpcore":
                assert not isinstance(transport, AiohttpTransport)
                assert client_._shared.gate is not None
            else:
                assert client_._http is user  # the user's client, as is: no gate
                assert client_._shared.gate is None
            async with client_ as client:
                script = _Script(fake, client)
                await script.run()
            if user is not None:
                await user.aclose()
    return script.outcomes, _calls(fake)


@pytest.mark.usefixtures("no_proxy_env")
async def test_every_pool_path_sends_the_same_requests_and_gets_the_same_outcomes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    results = {path: await _run_path(path, monkeypatch) for path in PATHS}

    reference_outcomes, reference_calls = results["user-client"]
    # The script exercised what it means to: retries taken, errors of each kind.
    assert ("api-error", "NotFoundError", 404, 0) in reference_outcomes
    assert ("api-error", "ServerError", 500, 3) in reference_outcomes
    assert any(o[0] == "raw" and o[2] == 2 for o in reference_outcomes if isinstance(o, tuple))
    assert any(
        o[0] == "connection" and o[2] is True for o in reference_outcomes if isinstance(o, tuple)
    )
    for path in PATHS:
        outcomes, calls = results[path]
        assert outcomes == reference_outcomes, path
        assert len(calls) == len(reference_calls), path
        # In order, but the burst at the end, whose requests arrive in any order.
        assert calls[:-BURST] == reference_calls[:-BURST], path
        assert sorted(map(repr, calls[-BURST:])) == sorted(map(repr, reference_calls[-BURST:]))


@pytest.mark.usefixtures("no_proxy_env")
async def test_a_configured_proxy_keeps_httpx_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    client = AsyncProfilesClient(KEY, "https://acme.api.infobip.com")

    assert not isinstance(client._http._transport, AiohttpTransport)
    assert client._shared.gate is not None
    await client.aclose()


@pytest.mark.usefixtures("no_proxy_env")
async def test_respx_and_fake_patch_still_intercept_the_default_client() -> None:
    fake = FakeProfiles(KEY)
    with fake.patch():
        async with AsyncProfilesClient(KEY, throttle=False) as client:
            assert isinstance(client._http._transport, AiohttpTransport)
            created = await client.people.create(_person(1))
            same = await client.people.get(PersonRef.email("p1@example.com"))

    assert same.id == created.id
    assert fake.calls.count(op_id=GET) == 1


async def test_the_pool_follows_the_event_loop() -> None:
    fake = FakeProfiles(KEY)
    with fake.serve() as url:
        client = AsyncProfilesClient(KEY, url, throttle=False)
        created = await client.people.create(_person(1))

        def in_another_loop() -> Person:
            return asyncio.run(client.people.get(PersonRef.email("p1@example.com")))

        other = await asyncio.to_thread(in_another_loop)
        again = await client.people.get(PersonRef.email("p1@example.com"))
        await client.aclose()

    assert created.id == other.id == again.id


def test_transport_errors_map_to_the_httpx_ones_httpcore_raises() -> None:
    import aiohttp
    from aiohttp import client_exceptions as errors

    from infobip_profiles._aiohttp import _map_error

    key = aiohttp.client_reqrep.ConnectionKey("h", 1, False, True, None, None, None)
    cases = [
        (errors.ConnectionTimeoutError("t"), httpx.ConnectTimeout),
        (errors.SocketTimeoutError("t"), httpx.ReadTimeout),
        (errors.ClientConnectorError(key, OSError(111, "refused")), httpx.ConnectError),
        (errors.ServerDisconnectedError(), httpx.RemoteProtocolError),
        (errors.ClientPayloadError("cut"), httpx.RemoteProtocolError),
        (errors.ClientOSError(104, "reset"), httpx.ReadError),
        (asyncio.TimeoutError(), httpx.ReadTimeout),
    ]
    for error, expected in cases:
        assert type(_map_error(error)) is expected, error
    assert _map_error(ValueError("not a transport error")) is None


@pytest.mark.usefixtures("no_proxy_env")
@pytest.mark.parametrize("path", ["aiohttp", "gated-httpcore"])
async def test_cancelled_calls_give_back_their_connections_and_turns(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeProfiles(KEY)
    with fake.serve() as url:
        with monkeypatch.context() as patch:
            if path == "gated-httpcore":
                patch.setattr(aiohttp_module, "aiohttp_available", lambda: False)
            client = AsyncProfilesClient(KEY, url, throttle=False, max_retries=0)
        async with client:
            await client.people.create(_person(1))
            fake.inject(latency=2.0, op_id=GET, times=25)
            # More than the gate lets in at once, all cancelled (in flight or waiting their turn).
            cut = await asyncio.gather(
                *(
                    asyncio.wait_for(client.people.get(PersonRef.email("p1@example.com")), 0.3)
                    for _ in range(25)
                ),
                return_exceptions=True,
            )
            assert all(isinstance(r, asyncio.TimeoutError) for r in cut), cut
            fake.faults.clear()
            again = await asyncio.wait_for(
                asyncio.gather(
                    *(client.people.get(PersonRef.email("p1@example.com")) for _ in range(40))
                ),
                30,
            )

    assert {p.first_name for p in again} == {"P1"}
