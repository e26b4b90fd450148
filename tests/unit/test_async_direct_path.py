"""The async client's direct path against the plain httpx path, over loopback HTTP.

A client that makes its own connection pool (no ``http_client`` given, aiohttp installed, no proxy,
nothing patching httpcore) sends each request straight to aiohttp and builds the
``httpx.Request`` and ``httpx.Response`` itself, without going through ``httpx.AsyncClient.send``.
Here the same scripts run three ways: that direct path; the same client and pool with the direct
path switched off (every request through ``httpx.AsyncClient.send`` over the same aiohttp pool);
and a user's ``httpx.AsyncClient`` (httpx's own transport). The requests on the wire, the results,
the errors (their text included), the retries and the responses kept on raw results and errors
must be the same.
"""

from __future__ import annotations

import gzip
import socket
import time
import zlib
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from infobip_profiles import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AsyncProfilesClient,
    ContactInformation,
    Person,
    PersonRef,
    ProfilesError,
)
from infobip_profiles.auth import OAuth2ClientCredentials
from infobip_profiles.testing import FakeProfiles
from tests._support.hostile_server import Seen, hostile, send_json

pytestmark = pytest.mark.http

KEY = "direct-path-key-0123456789"
SECRET = "direct-path-client-secret"
GET = "get-a-single-person-or-a-list-of-people"
PATHS = ["direct", "httpx", "user-client"]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


async def _no_sleep(seconds: float) -> None:
    return None


class _Sends:
    """Counts what goes through ``httpx.AsyncClient.send`` of one client's pool."""

    def __init__(self, client: AsyncProfilesClient, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        http = client._http
        original = http.send

        async def send(request: httpx.Request, **kwargs: Any) -> httpx.Response:
            self.paths.append(request.url.path)
            return await original(request, **kwargs)

        monkeypatch.setattr(http, "send", send)


def _client(
    path: str, url: str, monkeypatch: pytest.MonkeyPatch, **options: Any
) -> tuple[AsyncProfilesClient, httpx.AsyncClient | None]:
    options = {"throttle": False, "timeout": 20.0, "sleep": _no_sleep, **options}
    user = httpx.AsyncClient(timeout=20.0) if path == "user-client" else None
    client = AsyncProfilesClient(base_url=url, http_client=user, **options)
    if path == "direct":
        assert client._direct() is not None
    elif path == "httpx":
        assert client._direct() is not None  # the same pool, whose direct path is switched off
        monkeypatch.setattr(client, "_direct", lambda: None)
    else:
        assert client._direct() is None
    return client, user


def _host_free(text: str, url: str) -> str:
    return text.replace(url, "<base>").replace(url.removeprefix("http://"), "<host>")


def _response(response: httpx.Response, url: str) -> Any:
    """A response as the client keeps it, comparable across runs (no date, no port)."""
    request = response.request
    return (
        response.status_code,
        response.reason_phrase,
        response.http_version,
        [(k, v) for k, v in response.headers.multi_items() if k != "date"],
        response.content,
        response.is_closed,
        response.is_stream_consumed,
        response.num_bytes_downloaded,
        [r.status_code for r in response.history],
        isinstance(response.elapsed.total_seconds(), float),
        request.method,
        _host_free(str(request.url), url),
        [(k, _host_free(v, url)) for k, v in request.headers.multi_items()],
        request.content,
        request.extensions,
    )


def _outcome(value: Any, url: str) -> Any:
    """What a call gave, comparable across runs."""
    if isinstance(value, APIError):
        response = None if value.response is None else _response(value.response, url)
        return (
            "api-error",
            type(value).__name__,
            value.status_code,
            value.retries_taken,
            _host_free(str(value), url),
            response,
        )
    if isinstance(value, (APIConnectionError, ProfilesError)):
        return (
            "error",
            type(value).__name__,
            getattr(value, "request_sent", None),
            _host_free(str(value), url),
        )
    if hasattr(value, "http_response") and hasattr(value, "retries_taken"):  # a RawResponse
        last = value.responses[-1] if value.responses else None
        shown = None if last is None else _response(last, url)
        return ("raw", value.retries_taken, shown, _outcome(value.parse(), url))
    if isinstance(value, list):
        return [_outcome(v, url) for v in value]
    return ("value", repr(value))


def _person(i: int) -> Person:
    return Person(
        first_name=f"P{i}",
        external_id=f"crm-{i}",
        contact_information=ContactInformation.of(emails=[f"p{i}@example.com"]),
    )


async def _fake_script(fake: FakeProfiles, client: AsyncProfilesClient, url: str) -> list[Any]:
    """Every kind of operation, error status and retry the client has, against the fake."""
    out: list[Any] = []

    async def call(make: Callable[[], Any]) -> None:
        try:
            value = await make()
        except (APIError, APIConnectionError, ProfilesError) as error:
            value = error
        out.append(_outcome(value, url))

    people = client.people
    for i in range(4):  # writes
        await call(lambda i=i: people.create(_person(i)))
    await call(lambda: people.get(PersonRef.email("p1@example.com")))  # a get
    await call(lambda: people.with_raw_response.get(PersonRef.external_id("crm-2")))
    await call(lambda: people.get(PersonRef.email("nobody@example.com")))  # 404
    out.append(_outcome([p async for p in people.list(page_size=3)], url))  # pages
    await call(lambda: people.count())
    await call(lambda: people.update(PersonRef.external_id("crm-0"), Person(last_name="L")))
    await call(lambda: people.replace(PersonRef.external_id("crm-3"), _person(3)))
    await call(lambda: people.delete(PersonRef.external_id("crm-3")))
    # many-item calls: a batch create with a duplicate, an upsert, a batch delete
    await call(lambda: people.create_many([_person(10), _person(11), _person(1)]))
    await call(lambda: people.upsert_many([_person(12), _person(0)]))
    await call(lambda: people.delete_many([PersonRef.external_id("crm-12")]))
    await call(lambda: client.tags.create("vip"))
    await call(lambda: client.tags.add_to_people("vip", [PersonRef.external_id("crm-1")]))
    # error statuses and retries
    await call(lambda: people.create(Person(first_name="no identifier", external_id="")))
    fake.inject(400, op_id=GET, times=1)
    await call(lambda: people.get(PersonRef.email("p1@example.com")))
    fake.inject(503, op_id=GET, times=2)
    await call(lambda: people.with_raw_response.get(PersonRef.email("p0@example.com")))
    fake.inject(429, op_id=GET, times=1, retry_after=1)
    await call(lambda: people.get(PersonRef.email("p2@example.com")))
    fake.inject(500, op_id=GET, times=4)
    await call(lambda: people.get(PersonRef.email("p2@example.com")))  # retries run out
    fake.inject(503, op_id="batch-people-create", times=1)
    await call(lambda: people.create_many([_person(20), _person(21)]))
    fake.inject(drop="before", op_id=GET, times=1)
    await call(lambda: people.get(PersonRef.email("p1@example.com")))  # retried
    fake.inject(drop="after", op_id="create-a-new-person", times=1)
    await call(lambda: people.create(_person(30)))  # a write that may have been applied
    fake.inject(401, op_id=GET, times=1)
    await call(lambda: people.get(PersonRef.email("p1@example.com")))
    return out


def _calls(fake: FakeProfiles, url: str) -> list[Any]:
    return [
        (
            c.method,
            c.path,
            c.query,
            c.content,
            c.status,
            c.fault,
            [(k.lower(), _host_free(v, url)) for k, v in c.headers.items()],
        )
        for c in fake.calls
    ]


async def _run_fake(path: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any, list[str]]:
    fake = FakeProfiles(KEY)
    fake.clock.freeze(datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    with fake.serve() as url, monkeypatch.context() as patch:
        client, user = _client(path, url, patch, api_key=KEY, max_retries=3)
        sends = _Sends(client, patch)
        async with client:
            outcomes = await _fake_script(fake, client, url)
        if user is not None:
            await user.aclose()
        return outcomes, _calls(fake, url), sends.paths


async def test_every_kind_of_call_is_the_same_on_the_direct_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs = {path: await _run_fake(path, monkeypatch) for path in PATHS}

    outcomes, calls, sends = runs["direct"]
    assert sends == []  # nothing went through httpx's send
    assert len(runs["httpx"][2]) == len(calls)  # everything did, with the direct path off
    # The script did what it means to: pages, a raw response after retries, errors of each kind.
    flat = repr(outcomes)
    for expected in ("NotFoundError", "BadRequestError", "AuthenticationError", "ServerError"):
        assert expected in flat
    assert any(o[0] == "raw" and o[1] == 2 for o in outcomes if isinstance(o, tuple))
    assert any(o[0] == "error" and o[2] is True for o in outcomes if isinstance(o, tuple))
    assert runs["httpx"][0] == outcomes
    assert runs["httpx"][1] == calls
    # httpx's own transport: the same requests and the same results (its error texts for a
    # dropped connection are worded differently, and it sends header names as given).
    theirs, their_calls, _ = runs["user-client"]
    assert [o[:3] if o[0] == "error" else o for o in theirs] == [
        o[:3] if o[0] == "error" else o for o in outcomes
    ]
    assert their_calls == calls


async def _oauth_script(fake: FakeProfiles, client: AsyncProfilesClient, url: str) -> list[Any]:
    out: list[Any] = []
    ada = await client.people.create(Person(first_name="Ada", external_id="crm-ada"))
    fake.clock.advance(fake.oauth_tokens.lifetime - 30)  # inside the renewal margin
    out.append(_outcome(await client.people.with_raw_response.get(PersonRef.id(ada.id)), url))
    client._clock = lambda: 0.0  # the token expires while this client's clock stands still
    fake.clock.advance(fake.oauth_tokens.lifetime)
    out.append(_outcome(await client.people.with_raw_response.get(PersonRef.id(ada.id)), url))
    return out


async def test_oauth2_renewal_and_the_replay_after_a_401_are_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs = {}
    for path in PATHS:
        fake = FakeProfiles(KEY)
        fake.clock.freeze(datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
        with fake.serve() as url, monkeypatch.context() as patch:
            auth = OAuth2ClientCredentials(fake.api_key, SECRET)
            client, user = _client(path, url, patch, auth=auth, max_retries=0)
            client._clock = fake.clock.time
            sends = _Sends(client, patch)
            async with client:
                outcomes = await _oauth_script(fake, client, url)
            if user is not None:
                await user.aclose()
            runs[path] = (outcomes, _calls(fake, url), sends.paths)

    outcomes, calls, sends = runs["direct"]
    assert set(sends) == {"/auth/1/oauth2/token"}  # only the token requests use httpx's send
    assert [c[4] for c in calls if c[1] != "/auth/1/oauth2/token"] == [200, 200, 401, 200]
    last = outcomes[-1]
    assert last[2][8] == [401]  # the refused attempt is the history of the replayed one
    assert SECRET not in repr(outcomes)
    assert SECRET not in repr(calls)
    for path in ("httpx", "user-client"):
        assert runs[path][0] == outcomes, path
        assert runs[path][1] == calls, path


# -- answers the fake does not give: compressed, chunked, cookies, oversized, slow --------------


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data)


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


PERSON = b'{"id": 7, "firstName": "Ada", "type": "CUSTOMER"}'


def _answers() -> Callable[[Seen, socket.socket], None]:
    """A handler answering by the identifier asked for (``identifier=<kind>%40example.com``)."""
    flaky: list[Seen] = []

    def answer(seen: Seen, conn: socket.socket) -> None:
        kind = seen.target.partition("identifier=")[2].partition("%40")[0]
        if kind == "flaky":
            flaky.append(seen)
        _answer(kind, len(flaky), conn)

    return answer


def _answer(kind: str, flaky_seen: int, conn: socket.socket) -> None:
    if kind == "gzip":
        send_json(conn, 200, _gzip(PERSON), Content_Encoding="gzip")
    elif kind == "deflate":
        send_json(conn, 200, _raw_deflate(PERSON), Content_Encoding="deflate")
    elif kind == "chunked":
        half = len(PERSON) // 2
        chunks = b"".join(
            f"{len(part):x}\r\n".encode() + part + b"\r\n"
            for part in (PERSON[:half], PERSON[half:])
        )
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked"
        conn.sendall(head + b"\r\n\r\n" + chunks + b"0\r\n\r\n")
    elif kind == "cookie":
        send_json(conn, 200, PERSON, Set_Cookie="session=abc123; Path=/")
    elif kind == "bomb":
        send_json(conn, 200, _gzip(b"[" + b" " * 200_000 + b"]"), Content_Encoding="gzip")
    elif kind == "declared":
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 900000"
        conn.sendall(head + b"\r\n\r\n" + b"[")
        conn.close()
    elif kind == "corrupt":
        send_json(conn, 200, b"\x1f\x8b not gzip at all", Content_Encoding="gzip")
    elif kind == "html":
        send_json(conn, 200, b"<html>maintenance</html>", Content_Type="text/html")
    elif kind == "echo":
        body = b'{"requestError": {"serviceException": {"messageId": "BAD", "text": "key App '
        send_json(conn, 400, body + KEY.encode() + b'"}}}')
    elif kind == "slow":
        time.sleep(1.5)
        send_json(conn, 200, PERSON)
    elif kind == "flaky" and flaky_seen == 1:
        send_json(conn, 503, b'{"error": "busy"}', Retry_After="0")
    else:
        send_json(conn, 200, PERSON)


KINDS = [
    "plain",
    "gzip",
    "deflate",
    "chunked",
    "cookie",
    "after-cookie",
    "bomb",
    "declared",
    "corrupt",
    "html",
    "echo",
    "flaky",
    "slow",
]


async def _run_hostile(path: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    with hostile(_answers()) as server, monkeypatch.context() as patch:
        url = server.url
        client, user = _client(
            path, url, patch, api_key=KEY, max_retries=1, max_response_bytes=100_000, timeout=0.5
        )
        outcomes = []
        async with client:
            for kind in KINDS:
                try:
                    value: Any = await client.people.with_raw_response.get(
                        PersonRef.email(f"{kind}@example.com")
                    )
                except (APIError, APIConnectionError, ProfilesError) as error:
                    value = error
                outcomes.append((kind, _outcome(value, url)))
        if user is not None:
            await user.aclose()
        seen = [
            (s.method, s.target, [(k, _host_free(v, url)) for k, v in s.headers.items()], s.body)
            for s in server.seen
        ]
    return outcomes, seen


async def test_compressed_chunked_cookies_oversized_and_slow_answers_are_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs = {path: await _run_hostile(path, monkeypatch) for path in PATHS}

    outcomes, seen = runs["direct"]
    by_kind = dict(outcomes)
    for kind in ("plain", "gzip", "deflate", "chunked", "cookie"):
        assert by_kind[kind][0] == "raw", kind
        assert by_kind[kind][3] == ("value", by_kind["plain"][3][1]), kind
    assert "max_response_bytes" in by_kind["bomb"][4]
    assert "max_response_bytes" in by_kind["declared"][4]
    assert "could not be decoded" in by_kind["corrupt"][4]
    assert by_kind["html"][1] == "UnexpectedResponseError"
    assert KEY not in repr(by_kind["echo"])
    assert by_kind["flaky"][1] == 1  # retried once after the 503
    assert by_kind["slow"][:2] == ("error", "APITimeoutError")
    cookie_sent = [dict(s[2]).get("cookie") for s in seen]
    assert cookie_sent.index("session=abc123") == KINDS.index("after-cookie")
    assert runs["httpx"] == (outcomes, seen)
    theirs, their_seen = runs["user-client"]
    assert [o for o in theirs if o[0] != "slow"] == [o for o in outcomes if o[0] != "slow"]
    assert [(m, t, sorted(h), b) for m, t, h, b in their_seen] == [
        (m, t, sorted(h), b) for m, t, h, b in seen
    ]


async def test_without_asyncio_timeout_the_deadline_still_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Python 3.10 has no ``asyncio.timeout``: the direct path bounds the attempt with anyio's."""
    import asyncio

    monkeypatch.delattr(asyncio, "timeout", raising=False)
    with hostile(_answers()) as server:
        client, _ = _client("direct", server.url, monkeypatch, api_key=KEY, timeout=0.5)
        async with client:
            fine = await client.people.get(PersonRef.email("plain@example.com"))
            with pytest.raises(APITimeoutError, match=r"within the 0\.5 s deadline") as late:
                await client.people.get(PersonRef.email("slow@example.com"))

    assert fine.first_name == "Ada"
    assert late.value.request_sent is True
