"""Bounded in time and memory, whatever the server does.

``timeout`` is a deadline for a whole attempt (a server trickling its answer byte by byte cannot
hold a call past it); a body is read up to ``max_response_bytes`` counted after decompression (a
gzip bomb costs no more than the cap); a listing never loops forever on a server that ignores the
page number or miscounts. The slow and compressed answers come from a real loopback server;
the listings from ``httpx.MockTransport``. Sync and async throughout.
"""

from __future__ import annotations

import gzip
import json
import socket
import time
import tracemalloc
import zlib
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from infobip_profiles import (
    APITimeoutError,
    AsyncProfilesClient,
    ConfigurationError,
    ProfilesClient,
    UnexpectedResponseError,
)
from tests._support.client import close_client, collect, resolve
from tests._support.hostile_server import HostileServer, Seen, hostile, send_json
from tests._support.mock_transport import mock_client

TAG = b'{"id": 1, "name": "vip"}'


def make(kind: str, url: str, **options: Any) -> Any:
    options.setdefault("max_retries", 0)
    options.setdefault("throttle", False)
    if kind == "sync":
        return ProfilesClient("key-1", url, **options)
    return AsyncProfilesClient("key-1", url, **options)


# -- the deadline -------------------------------------------------------------------------------


def trickle_body(server: HostileServer, seen: Seen, conn: socket.socket) -> None:
    # Every single read completes well within the timeout, so a per-read timeout alone would
    # wait the 16 s out and return the tag.
    body = TAG + b" " * 40
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    for byte in body:  # one byte every 0.25 s: 16 s for the whole body
        if server.stopping:
            return
        conn.sendall(bytes([byte]))
        time.sleep(0.25)


def trickle_headers(server: HostileServer, seen: Seen, conn: socket.socket) -> None:
    # The answer never gets past its headers: a byte every 0.25 s, 20 s in all.
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 80:
        if server.stopping:
            return
        conn.sendall(bytes([byte]))
        time.sleep(0.25)


@pytest.mark.http
@pytest.mark.parametrize(
    "trickle",
    [pytest.param(trickle_body, id="body"), pytest.param(trickle_headers, id="headers")],
)
async def test_a_trickled_answer_cannot_outlast_the_deadline(
    kind: str, trickle: Callable[[HostileServer, Seen, socket.socket], None]
) -> None:
    holder: list[HostileServer] = []
    with hostile(lambda seen, conn: trickle(holder[0], seen, conn)) as server:
        holder.append(server)
        client = make(kind, server.url, timeout=1.0)
        try:
            with pytest.raises(APITimeoutError) as info:
                await resolve(client.tags.get("vip"))
        finally:
            await close_client(client)
    assert info.value.request_sent is True


# -- the body cap -------------------------------------------------------------------------------

BOMB_SIZE = 256 * 1024 * 1024


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A valid start of JSON, then 256 MiB of padding, gzipped to about 256 KiB."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    parts = [packer.compress(b'{"id": 1, "name": "vip", "pad": "')]
    block = b"a" * (4 * 1024 * 1024)
    parts += [packer.compress(block) for _ in range(BOMB_SIZE // len(block))]
    parts.append(packer.flush())
    return b"".join(parts)


@pytest.mark.http
@pytest.mark.parametrize("encoding", ["gzip", "x-gzip"])
async def test_a_gzip_bomb_costs_no_more_than_the_cap(
    kind: str, bomb: bytes, encoding: str
) -> None:
    assert len(bomb) < 1024 * 1024
    with hostile(
        lambda seen, conn: send_json(conn, 200, bomb, Content_Encoding=encoding)
    ) as server:
        client = make(kind, server.url, max_response_bytes=1024 * 1024)
        tracemalloc.start()
        try:
            with pytest.raises(UnexpectedResponseError, match="max_response_bytes") as info:
                await resolve(client.tags.get("vip"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
            await close_client(client)
    assert peak < 24 * 1024 * 1024, f"peak {peak:,} bytes"
    assert info.value.operation_id == "get-a-tag"
    assert info.value.status_code == 200


@pytest.mark.http
async def test_a_body_over_the_cap_is_refused(kind: str) -> None:
    big = json.dumps({"id": 1, "name": "vip", "pad": "a" * 5000}).encode()
    with hostile(lambda seen, conn: send_json(conn, 200, big)) as server:
        client = make(kind, server.url, max_response_bytes=4096)
        try:
            with pytest.raises(UnexpectedResponseError, match="max_response_bytes"):
                await resolve(client.tags.get("vip"))
            small = make(kind, server.url, max_response_bytes=len(big))
            assert (await resolve(small.tags.get("vip"))).name == "vip"
            await close_client(small)
        finally:
            await close_client(client)


@pytest.mark.http
async def test_a_compressed_body_within_the_cap_still_reads(kind: str) -> None:
    with hostile(
        lambda seen, conn: send_json(conn, 200, gzip.compress(TAG), Content_Encoding="gzip")
    ) as server:
        client = make(kind, server.url)
        try:
            assert (await resolve(client.tags.get("vip"))).name == "vip"
        finally:
            await close_client(client)


def test_the_default_cap_is_32_mib() -> None:
    assert ProfilesClient("k-1").max_response_bytes == 32 * 1024 * 1024
    assert AsyncProfilesClient("k-1").max_response_bytes == 32 * 1024 * 1024


# -- listings -----------------------------------------------------------------------------------


def person(n: int) -> dict[str, Any]:
    return {"id": n, "firstName": f"P{n}"}


async def test_a_page_longer_than_asked_is_an_unexpected_response(kind: str) -> None:
    client = mock_client(
        kind, lambda r: httpx.Response(200, json={"persons": [person(n) for n in range(11)]})
    )
    with pytest.raises(UnexpectedResponseError, match="more than the 10 asked for"):
        await collect(client.people.list(page_size=10))


async def test_a_server_repeating_the_same_page_does_not_loop_forever(kind: str) -> None:
    requests: list[httpx.Request] = []

    def respond(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if len(requests) > 50:  # a pager looping forever fails here instead of hanging
            return httpx.Response(500)
        return httpx.Response(200, json={"persons": [person(n) for n in range(10)]})

    client = mock_client(kind, respond)
    people = await collect(client.people.list(page_size=10))
    assert [p.id for p in people] == list(range(10))
    assert len(requests) == 2


async def test_a_listing_stops_at_the_total_count(kind: str) -> None:
    requests: list[httpx.Request] = []

    def respond(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if len(requests) > 50:
            return httpx.Response(500)
        page = int(request.url.params["page"])
        items = [person(page * 100 + n) for n in range(10)]
        return httpx.Response(200, json={"persons": items, "totalCount": 20})

    client = mock_client(kind, respond)
    people = await collect(client.people.list(page_size=10))
    assert len(people) == 20
    assert len(requests) == 2


@pytest.mark.parametrize(
    "options",
    [{"max_response_bytes": 0}, {"max_retry_wait": -1}, {"max_retry_wait": float("nan")}],
)
@pytest.mark.parametrize("cls", [ProfilesClient, AsyncProfilesClient])
def test_bounds_that_make_no_sense_are_configuration_errors(
    cls: Any, options: dict[str, Any]
) -> None:
    with pytest.raises(ConfigurationError):
        cls("k-1", **options)


def test_a_copy_keeps_the_bounds() -> None:
    client = ProfilesClient("k-1", max_response_bytes=1000, max_retry_wait=5)
    copy = client.with_options(max_retries=0)
    assert (copy.max_response_bytes, copy.max_retry_wait) == (1000, 5.0)
