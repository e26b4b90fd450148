"""The fake's adapters: in-process transports, the threaded HTTP server and the respx hook.

Adapters must not depend on any engine's semantics, so these tests answer two operations with
stub handlers installed for the test (restored afterwards): ``get-a-tag`` echoes its path
parameter and ``create-a-new-tag`` stores its body in the tenant's state.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from infobip_profiles.testing import FakeProfiles
from infobip_profiles.testing._context import Context
from infobip_profiles.testing._router import HANDLERS
from infobip_profiles.testing._wire import FakeResponse
from tests._support.stubs import record_write, stored
from tests._support.wire import AUTH, KEY, service_exception


@pytest.fixture(autouse=True)
def stub_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    def echo(ctx: Context) -> FakeResponse:
        return FakeResponse(200, {"name": ctx.path_params["name"], "query": ctx.request.query})

    def write(ctx: Context) -> FakeResponse:
        return FakeResponse(200, {"stored": record_write(ctx)})

    monkeypatch.setitem(HANDLERS, "get-a-tag", echo)
    monkeypatch.setitem(HANDLERS, "create-a-new-tag", write)


# -- in-process transports ---------------------------------------------------------------------


def test_sync_transport_answers_from_the_fake(fake: FakeProfiles) -> None:
    with httpx.Client(transport=fake.transport(), base_url="https://api.infobip.com") as http:
        response = http.post("/people/2/tags", json={"name": "vip"}, headers=AUTH)

    assert response.status_code == 200
    assert response.json() == {"stored": {"name": "vip"}}
    assert stored(fake) == [{"name": "vip"}]


async def test_async_transport_answers_from_the_fake(fake: FakeProfiles) -> None:
    async with httpx.AsyncClient(
        transport=fake.async_transport(), base_url="https://api.infobip.com"
    ) as http:
        response = await http.post("/people/2/tags", json={"name": "vip"}, headers=AUTH)

    assert response.status_code == 200
    assert stored(fake) == [{"name": "vip"}]


def test_missing_key_is_401_in_the_v2_envelope(fake: FakeProfiles) -> None:
    with httpx.Client(transport=fake.transport(), base_url="https://x") as http:
        response = http.get("/people/2/tags/vip")

    assert response.status_code == 401
    assert service_exception(response)["messageId"] == "UNAUTHORIZED"


def test_unknown_key_is_401_unless_any_key_is_accepted() -> None:
    strict = FakeProfiles(KEY)
    lenient = FakeProfiles(KEY, accept_any_key=True)
    headers = {"Authorization": "App somebody-else"}

    with httpx.Client(transport=strict.transport(), base_url="https://x") as http:
        assert http.get("/people/2/tags/a", headers=headers).status_code == 401
    with httpx.Client(transport=lenient.transport(), base_url="https://x") as http:
        assert http.post("/people/2/tags", json={"name": "a"}, headers=headers).status_code == 200

    assert lenient.has_tenant("somebody-else")
    assert stored(lenient, "somebody-else") == [{"name": "a"}]
    assert stored(lenient) == []


def test_unknown_path_is_404_and_wrong_method_405(fake: FakeProfiles) -> None:
    with httpx.Client(transport=fake.transport(), base_url="https://x") as http:
        missing = http.get("/people/9/nothing", headers=AUTH)
        wrong = http.post("/people/2/tags/vip", headers=AUTH)

    assert missing.status_code == 404
    assert service_exception(missing)["messageId"] == "NOT_FOUND"
    assert wrong.status_code == 405


def test_path_parameters_keep_encoded_slashes(fake: FakeProfiles) -> None:
    with httpx.Client(transport=fake.transport(), base_url="https://x") as http:
        response = http.get("/people/2/tags/a%2Fb%20c", headers=AUTH)

    assert response.status_code == 200
    assert response.json()["name"] == "a/b c"


@pytest.mark.nonconforming  # sends requests the spec does not declare, on purpose
def test_wrong_content_type_is_415(fake: FakeProfiles) -> None:
    with httpx.Client(transport=fake.transport(), base_url="https://x") as http:
        response = http.post(
            "/people/2/tags",
            content=b"<tag>vip</tag>",
            headers={**AUTH, "Content-Type": "application/xml"},
        )

    assert response.status_code == 415
    assert "application/xml" in service_exception(response)["text"]
    assert stored(fake) == []


@pytest.mark.nonconforming  # sends requests the spec does not declare, on purpose
def test_json_content_type_variants_are_accepted(fake: FakeProfiles) -> None:
    with httpx.Client(transport=fake.transport(), base_url="https://x") as http:
        for ctype in ("application/json; charset=utf-8", "text/json", "application/merge+json"):
            response = http.post(
                "/people/2/tags", content=b'{"name":"x"}', headers={**AUTH, "Content-Type": ctype}
            )
            assert response.status_code == 200, ctype


def test_body_over_the_limit_is_413(fake: FakeProfiles, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FakeProfiles, "MAX_BODY_BYTES", 64)
    with httpx.Client(transport=fake.transport(), base_url="https://x") as http:
        response = http.post("/people/2/tags", json={"name": "x" * 100}, headers=AUTH)

    assert response.status_code == 413
    assert stored(fake) == []


# -- the call history --------------------------------------------------------------------------


@pytest.mark.nonconforming  # sends requests the spec does not declare, on purpose
def test_calls_record_requests_without_the_key(
    fake: FakeProfiles, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with httpx.Client(transport=fake.transport(), base_url="https://x") as http:
        http.post("/people/2/tags?x=1", json={"name": "vip"}, headers=AUTH)

    call = fake.calls.last
    assert (call.method, call.path, call.query) == ("POST", "/people/2/tags", (("x", "1"),))
    assert call.op_id == "create-a-new-tag"
    assert call.status == 200
    assert call.body == {"name": "vip"}
    assert call.response_body == {"stored": {"name": "vip"}}
    assert call.headers["authorization"] == "App [REDACTED]"
    assert call.tenant is not None
    assert KEY not in call.tenant
    everything = repr(fake.calls) + repr(call) + json.dumps(call.to_dict()) + repr(fake)
    assert KEY not in everything
    assert caplog.records, "the fake logs each request at DEBUG"
    assert all(KEY not in record.getMessage() for record in caplog.records)


def test_calls_filter_count_last_and_clear(fake: FakeProfiles) -> None:
    fake.add_tenant("other")
    with httpx.Client(transport=fake.transport(), base_url="https://x") as http:
        http.get("/people/2/tags/a", headers=AUTH)
        http.get("/people/2/tags/b", headers=AUTH)
        http.post("/people/2/tags", json={"name": "c"}, headers={"Authorization": "App other"})

    assert len(fake.calls) == 3
    assert fake.calls.count(op_id="get-a-tag") == 2
    assert fake.calls.count(method="post") == 1
    assert [c.path for c in fake.calls.filter(path="/people/2/tags/*")] == [
        "/people/2/tags/a",
        "/people/2/tags/b",
    ]
    assert fake.calls.count(api_key="other") == 1
    assert fake.calls.last.op_id == "create-a-new-tag"
    assert fake.calls[0].path == "/people/2/tags/a"

    fake.calls.clear(api_key="other")
    assert len(fake.calls) == 2
    fake.calls.clear()
    assert len(fake.calls) == 0
    with pytest.raises(IndexError):
        _ = fake.calls.last


def test_call_history_can_be_bounded() -> None:
    fake = FakeProfiles(KEY, max_calls=2)
    with httpx.Client(transport=fake.transport(), base_url="https://x") as http:
        for name in "abc":
            http.get(f"/people/2/tags/{name}", headers=AUTH)

    assert [c.path[-1] for c in fake.calls] == ["b", "c"]


def test_calls_are_read_only(fake: FakeProfiles) -> None:
    with pytest.raises(AttributeError):
        fake.calls = []  # type: ignore[misc]
    with pytest.raises(TypeError):
        fake.calls[0] = None  # type: ignore[index]


# -- the HTTP server ---------------------------------------------------------------------------


def raw_exchange(base_url: str, payload: bytes, *, read: bool = True) -> bytes:
    """Send raw bytes to the server and return whatever comes back before it closes."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(payload)
        if not read:
            return b""
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.nonconforming  # sends requests the spec does not declare, on purpose
def test_server_answers_over_http(fake: FakeProfiles) -> None:
    with fake.serve() as base_url, httpx.Client(base_url=base_url) as http:
        created = http.post("/people/2/tags", json={"name": "vip"}, headers=AUTH)
        echoed = http.get("/people/2/tags/a%2Fb", params={"q": "1"}, headers=AUTH)
        unauthorized = http.get("/people/2/tags/a")

    assert base_url.startswith("http://127.0.0.1:")
    assert created.status_code == 200
    assert created.headers["content-type"] == "application/json"
    assert stored(fake) == [{"name": "vip"}]
    assert echoed.json() == {"name": "a/b", "query": [["q", "1"]]}
    assert unauthorized.status_code == 401
    assert service_exception(unauthorized)["messageId"] == "UNAUTHORIZED"


def test_server_keeps_connections_alive(fake: FakeProfiles) -> None:
    request = b"GET /people/2/tags/a HTTP/1.1\r\nHost: x\r\nAuthorization: App test-key\r\n\r\n"
    closing = request.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
    with fake.serve() as base_url:
        raw = raw_exchange(base_url, request + closing)

    assert raw.count(b"HTTP/1.1 200") == 2


def test_server_serves_requests_in_parallel(fake: FakeProfiles) -> None:
    results: list[int] = []
    with fake.serve() as base_url:

        def worker(i: int) -> None:
            with httpx.Client(base_url=base_url) as http:
                for j in range(5):
                    r = http.post("/people/2/tags", json={"name": f"{i}-{j}"}, headers=AUTH)
                    results.append(r.status_code)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    assert results == [200] * 40
    assert sorted(item["name"] for item in stored(fake)) == sorted(
        f"{i}-{j}" for i in range(8) for j in range(5)
    )


def test_server_survives_malformed_requests(fake: FakeProfiles) -> None:
    with fake.serve() as base_url:
        garbage = raw_exchange(base_url, b"this is not http\r\n\r\n")
        bad_length = raw_exchange(
            base_url,
            b"POST /people/2/tags HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n",
        )
        ok = httpx.get(base_url + "/people/2/tags/a", headers=AUTH)

    assert garbage.startswith(b"HTTP/1.1 400")
    body = json.loads(garbage.split(b"\r\n\r\n", 1)[1])
    assert body["requestError"]["serviceException"]["messageId"] == "BAD_REQUEST"
    assert bad_length.startswith(b"HTTP/1.1 400")
    assert ok.status_code == 200


def test_server_refuses_huge_bodies_without_reading_them(fake: FakeProfiles) -> None:
    headers = (
        b"POST /people/2/tags HTTP/1.1\r\nHost: x\r\nAuthorization: App test-key\r\n"
        b"Content-Type: application/json\r\nContent-Length: 30000000\r\n\r\n"
    )
    with fake.serve() as base_url:
        raw = raw_exchange(base_url, headers + b"{" * 1000)
        ok = httpx.get(base_url + "/people/2/tags/a", headers=AUTH)

    assert raw.startswith(b"HTTP/1.1 413")
    assert b"Connection: close" in raw
    assert ok.status_code == 200
    assert stored(fake) == []


def test_server_survives_clients_hanging_up_mid_request(fake: FakeProfiles) -> None:
    with fake.serve() as base_url:
        raw_exchange(base_url, b"GET /people/2/tags/a HTTP/1.1\r\nHost:", read=False)
        raw_exchange(
            base_url,
            b"POST /people/2/tags HTTP/1.1\r\nHost: x\r\nAuthorization: App test-key\r\n"
            b'Content-Length: 100\r\n\r\n{"name":',
        )
        ok = httpx.get(base_url + "/people/2/tags/a", headers=AUTH)

    assert ok.status_code == 200
    assert stored(fake) == []


def test_server_reads_chunked_bodies(fake: FakeProfiles) -> None:
    def chunks() -> Any:
        yield b'{"name":'
        yield b'"chunked"}'

    with fake.serve() as base_url, httpx.Client(base_url=base_url) as http:
        response = http.post(
            "/people/2/tags",
            content=chunks(),
            headers={**AUTH, "Content-Type": "application/json"},
        )

    assert response.status_code == 200
    assert stored(fake) == [{"name": "chunked"}]


@pytest.mark.nonconforming  # sends requests the spec does not declare, on purpose
def test_server_wrong_content_type_and_unknown_path(fake: FakeProfiles) -> None:
    with fake.serve() as base_url, httpx.Client(base_url=base_url) as http:
        unsupported = http.post(
            "/people/2/tags", content=b"name=x", headers={**AUTH, "Content-Type": "text/plain"}
        )
        missing = http.get("/nowhere", headers=AUTH)

    assert unsupported.status_code == 415
    assert missing.status_code == 404
    assert service_exception(missing)["messageId"] == "NOT_FOUND"


def test_start_server_and_stop(fake: FakeProfiles) -> None:
    base_url = fake.start_server()
    try:
        assert fake.base_url == base_url
        assert httpx.get(base_url + "/_fake/health").json()["status"] == "ok"
        with pytest.raises(RuntimeError, match="already serving"):
            fake.start_server()
    finally:
        fake.stop()

    assert fake.base_url is None
    with pytest.raises(httpx.ConnectError):
        httpx.get(base_url + "/_fake/health")
    fake.stop()  # a second stop is harmless


def test_stop_closes_idle_keep_alive_connections(fake: FakeProfiles) -> None:
    http = httpx.Client()
    with fake.serve() as base_url:
        assert http.get(base_url + "/people/2/tags/a", headers=AUTH).status_code == 200
    started = time.monotonic()
    with pytest.raises(httpx.TransportError):
        http.get(base_url + "/people/2/tags/a", headers=AUTH)
    http.close()
    assert time.monotonic() - started < 2


def test_serving_a_non_loopback_address_needs_consent(fake: FakeProfiles) -> None:
    with pytest.raises(ValueError, match="allow_remote"), fake.serve(host="0.0.0.0"):
        pass


# -- the respx hook ----------------------------------------------------------------------------


def test_patch_routes_sync_calls_to_the_api_host(fake: FakeProfiles) -> None:
    with fake.patch():
        default = httpx.get("https://api.infobip.com/people/2/tags/a", headers=AUTH)
        personal = httpx.post(
            "https://xyz12.api.infobip.com/people/2/tags", json={"name": "p"}, headers=AUTH
        )

    assert default.json()["name"] == "a"
    assert personal.status_code == 200
    assert stored(fake) == [{"name": "p"}]
    assert fake.calls.count() == 2


async def test_patch_routes_async_calls_to_the_api_host(fake: FakeProfiles) -> None:
    with fake.patch():
        async with httpx.AsyncClient() as http:
            response = await http.post(
                "https://api.infobip.com/people/2/tags", json={"name": "a"}, headers=AUTH
            )

    assert response.status_code == 200
    assert stored(fake) == [{"name": "a"}]


def test_patch_lets_other_hosts_through(fake: FakeProfiles) -> None:
    elsewhere = FakeProfiles(KEY)
    with elsewhere.serve() as other_url, fake.patch():
        response = httpx.post(other_url + "/people/2/tags", json={"name": "x"}, headers=AUTH)

    assert response.status_code == 200
    assert stored(elsewhere) == [{"name": "x"}]
    assert len(fake.calls) == 0


def test_patch_with_a_base_url_catches_that_host_instead(fake: FakeProfiles) -> None:
    elsewhere = FakeProfiles(KEY)
    with elsewhere.serve() as other_url, fake.patch(base_url=other_url):
        response = httpx.post(other_url + "/people/2/tags", json={"name": "x"}, headers=AUTH)

    assert response.status_code == 200
    assert stored(fake) == [{"name": "x"}]
    assert stored(elsewhere) == []


def test_patch_ends_with_the_block(fake: FakeProfiles) -> None:
    elsewhere = FakeProfiles(KEY)
    with elsewhere.serve() as other_url:
        with fake.patch(base_url=other_url):
            pass
        httpx.post(other_url + "/people/2/tags", json={"name": "x"}, headers=AUTH)

    assert stored(elsewhere) == [{"name": "x"}]
    assert stored(fake) == []


def test_patch_without_respx_says_how_to_get_it(
    fake: FakeProfiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(sys.modules, "infobip_profiles.testing._respx", raising=False)
    monkeypatch.setitem(sys.modules, "respx", None)
    with pytest.raises(ImportError, match=r"infobip-profiles\[testing\]"):
        fake.patch()


# -- the same behaviour through every adapter --------------------------------------------------


Send = Callable[[str, str, dict[str, Any]], httpx.Response]


@pytest.fixture(params=["transport", "server", "patch"])
def send(request: pytest.FixtureRequest, fake: FakeProfiles) -> Any:
    """A ``send(method, path, **kwargs)`` through one adapter."""
    if request.param == "transport":
        http = httpx.Client(transport=fake.transport(), base_url="https://api.infobip.com")
        yield lambda method, path, **kw: http.request(method, path, **kw)
        http.close()
    elif request.param == "server":
        with fake.serve() as base_url, httpx.Client(base_url=base_url) as http:
            yield lambda method, path, **kw: http.request(method, path, **kw)
    else:
        with fake.patch(), httpx.Client(base_url="https://api.infobip.com") as http:
            yield lambda method, path, **kw: http.request(method, path, **kw)


def test_every_adapter_gives_the_same_answers(send: Any, fake: FakeProfiles) -> None:
    ok = send("POST", "/people/2/tags", json={"name": "vip"}, headers=AUTH)
    bad_key = send("GET", "/people/2/tags/vip", headers={"Authorization": "App nope"})
    missing = send("GET", "/nope", headers=AUTH)

    assert (ok.status_code, ok.json()) == (200, {"stored": {"name": "vip"}})
    assert (bad_key.status_code, service_exception(bad_key)["messageId"]) == (401, "UNAUTHORIZED")
    assert missing.status_code == 404
    assert [c.status for c in fake.calls] == [200, 401, 404]


async def test_async_concurrent_requests_through_the_transport(fake: FakeProfiles) -> None:
    async with httpx.AsyncClient(transport=fake.async_transport(), base_url="https://x") as http:
        responses = await asyncio.gather(
            *(http.post("/people/2/tags", json={"name": str(i)}, headers=AUTH) for i in range(20))
        )

    assert [r.status_code for r in responses] == [200] * 20
    assert len(stored(fake)) == 20
