"""Fault injection and rate limits, through the in-process transports, the server and respx.

Stub handlers (installed per test) stand in for the engine: ``create-a-new-tag`` stores its body,
the other stubbed operations echo. What is asserted is the fault machinery, not semantics.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from typing import Any

import httpx
import pytest

from infobip_profiles.testing import FakeClock, FakeProfiles
from infobip_profiles.testing._context import Context
from infobip_profiles.testing._router import HANDLERS
from infobip_profiles.testing._wire import FakeResponse
from tests._support.stubs import record_write, stored
from tests._support.wire import AUTH, KEY

STUBBED = (
    "get-a-tag",
    "get-segment",
    "get-event-definition",
    "get-lists",
    "cancel-events-export-request",
)


@pytest.fixture(autouse=True)
def stub_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    def echo(ctx: Context) -> FakeResponse:
        return FakeResponse(200, {"op": ctx.op.op_id})

    def write(ctx: Context) -> FakeResponse:
        return FakeResponse(200, {"stored": record_write(ctx)})

    for op_id in STUBBED:
        monkeypatch.setitem(HANDLERS, op_id, echo)
    monkeypatch.setitem(HANDLERS, "create-a-new-tag", write)


@pytest.fixture
def fake() -> FakeProfiles:
    return FakeProfiles(KEY, clock=FakeClock(frozen=True))


@pytest.fixture
def http(fake: FakeProfiles) -> Any:
    with httpx.Client(transport=fake.transport(), base_url="https://api.infobip.com") as client:
        yield client


def create(http: httpx.Client, name: str = "vip", **kw: Any) -> httpx.Response:
    return http.post("/people/2/tags", json={"name": name}, headers=AUTH, **kw)


def message_id(response: httpx.Response) -> str:
    return str(response.json()["requestError"]["serviceException"]["messageId"])


# -- status faults -----------------------------------------------------------------------------


def test_status_fault_answers_instead_of_processing_then_expires(
    fake: FakeProfiles, http: httpx.Client
) -> None:
    fault = fake.inject(503, op_id="create-a-new-tag")

    failed = create(http, "first")
    passed = create(http, "second")

    assert failed.status_code == 503
    assert message_id(failed) == "GENERAL_ERROR"
    assert passed.status_code == 200
    assert stored(fake) == [{"name": "second"}]
    assert (fault.hits, fault.remaining, fault.active) == (1, 0, False)
    assert [c.fault for c in fake.calls] == ["status", None]


def test_times_counts_matching_calls_only(fake: FakeProfiles, http: httpx.Client) -> None:
    fault = fake.inject(500, method="POST", times=2)

    statuses = [
        http.get("/people/2/tags/a", headers=AUTH).status_code,
        create(http).status_code,
        http.get("/people/2/tags/a", headers=AUTH).status_code,
        create(http).status_code,
        create(http).status_code,
    ]

    assert statuses == [200, 500, 200, 500, 200]
    assert fault.hits == 2


def test_429_carries_retry_after(fake: FakeProfiles, http: httpx.Client) -> None:
    fake.inject(429)
    fake.inject(429, retry_after=2.5)

    default = create(http)
    explicit = create(http)

    assert (default.status_code, default.headers["retry-after"]) == (429, "1")
    assert message_id(default) == "TOO_MANY_REQUESTS"
    assert explicit.headers["retry-after"] == "3"


@pytest.mark.nonconforming  # sends requests the spec does not declare, on purpose
def test_fault_bodies_follow_the_operation_family(fake: FakeProfiles, http: httpx.Client) -> None:
    fake.inject(503, op_id="get-segment")
    fake.inject(500, op_id="get-event-definition")
    fake.inject(500, op_id="get-lists")

    segment = http.get("/people/3/segments/7", headers=AUTH)
    definition = http.get("/peopleevents/2/definitions/abc", headers=AUTH)
    lists = http.get("/people/3/lists", headers=AUTH)

    assert segment.json()["errorCode"] == "E503"
    assert (definition.status_code, definition.content) == (500, b"")
    assert message_id(lists) == "GENERAL_ERROR"


def test_custom_text_headers_and_body(fake: FakeProfiles, http: httpx.Client) -> None:
    fake.inject(502, text="upstream gone", headers={"X-Trace": "t1"})
    fake.inject(500, body={"weird": True})

    first = create(http)
    second = create(http)

    assert first.json()["requestError"]["serviceException"]["text"] == "upstream gone"
    assert first.headers["x-trace"] == "t1"
    assert second.json() == {"weird": True}


@pytest.mark.parametrize(
    ("criteria", "hit"),
    [
        ({"path": "/people/2/tags/a"}, "/people/2/tags/a"),
        ({"path": "/people/2/tags/*"}, "/people/2/tags/b"),
        ({"path": re.compile(r"/people/2/tags/[b-z]")}, "/people/2/tags/b"),
        ({"op_id": "get-a-tag", "method": "get"}, "/people/2/tags/a"),
    ],
)
def test_path_glob_regex_and_op_id_matching(
    fake: FakeProfiles, http: httpx.Client, criteria: dict[str, Any], hit: str
) -> None:
    fake.inject(503, times=None, **criteria)

    failed = [
        path
        for path in ("/people/2/tags", "/people/2/tags/a", "/people/2/tags/b")
        if http.get(path, headers=AUTH).status_code == 503
    ]

    assert hit in failed
    assert "/people/2/tags" not in failed


def test_faults_scoped_to_a_tenant(fake: FakeProfiles, http: httpx.Client) -> None:
    fake.add_tenant("other")
    fake.inject(503, api_key="other", times=None)

    mine = create(http)
    theirs = http.post("/people/2/tags", json={"name": "x"}, headers={"Authorization": "App other"})

    assert (mine.status_code, theirs.status_code) == (200, 503)


def test_oldest_matching_fault_applies_first(fake: FakeProfiles, http: httpx.Client) -> None:
    first = fake.inject(500)
    second = fake.inject(503)

    assert [create(http).status_code for _ in range(3)] == [500, 503, 200]
    assert (first.hits, second.hits) == (1, 1)


def test_unlimited_fault_until_cancelled(fake: FakeProfiles, http: httpx.Client) -> None:
    with fake.inject(503, times=None) as fault:
        statuses = [create(http).status_code for _ in range(4)]
        assert fault.remaining is None

    assert statuses == [503] * 4
    assert fault.remaining == 0
    assert create(http).status_code == 200


def test_faults_clear(fake: FakeProfiles, http: httpx.Client) -> None:
    a = fake.inject(503, times=None)
    fake.inject(500, times=None)

    fake.faults.clear()

    assert len(fake.faults) == 0
    assert not a.active
    assert create(http).status_code == 200


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({}, ValueError),
        ({"status": 503, "drop": "after"}, ValueError),
        ({"status": 42}, ValueError),
        ({"drop": "sideways"}, ValueError),
        ({"latency": -1}, ValueError),
        ({"status": 500, "times": 0}, ValueError),
        ({"status": 500, "op_id": "no-such-op"}, KeyError),
    ],
)
def test_invalid_faults_are_refused(
    fake: FakeProfiles, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        fake.inject(**kwargs)
    assert len(fake.faults) == 0


# -- dropped connections -----------------------------------------------------------------------


def test_drop_before_in_process_is_a_connect_error(fake: FakeProfiles, http: httpx.Client) -> None:
    fake.inject(drop="before")

    with pytest.raises(httpx.ConnectError):
        create(http)

    assert stored(fake) == []
    call = fake.calls.last
    assert (call.status, call.fault) == (None, "drop-before")


def test_drop_after_in_process_processes_then_fails(fake: FakeProfiles, http: httpx.Client) -> None:
    fake.inject(drop="after")

    with pytest.raises(httpx.RemoteProtocolError):
        create(http)

    assert stored(fake) == [{"name": "vip"}]
    assert fake.calls.last.fault == "drop-after"


async def test_drops_through_the_async_transport(fake: FakeProfiles) -> None:
    fake.inject(drop="before")
    fake.inject(drop="after")
    async with httpx.AsyncClient(transport=fake.async_transport(), base_url="https://x") as http:
        with pytest.raises(httpx.ConnectError):
            await http.post("/people/2/tags", json={"name": "a"}, headers=AUTH)
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post("/people/2/tags", json={"name": "b"}, headers=AUTH)

    assert stored(fake) == [{"name": "b"}]


@pytest.mark.parametrize(("drop", "processed"), [("before", False), ("after", True)])
def test_drops_over_http_close_the_socket(fake: FakeProfiles, drop: str, processed: bool) -> None:
    fake.inject(drop=drop)  # type: ignore[arg-type]
    with fake.serve() as base_url, httpx.Client(base_url=base_url) as http:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            create(http)
        after = create(http, "next")

    assert after.status_code == 200
    assert stored(fake) == ([{"name": "vip"}] if processed else []) + [{"name": "next"}]


def test_drops_under_patch(fake: FakeProfiles) -> None:
    fake.inject(drop="before")
    fake.inject(drop="after")
    with fake.patch():
        with pytest.raises(httpx.ConnectError):
            httpx.post("https://api.infobip.com/people/2/tags", json={"name": "a"}, headers=AUTH)
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.post("https://api.infobip.com/people/2/tags", json={"name": "b"}, headers=AUTH)

    assert stored(fake) == [{"name": "b"}]


# -- latency -----------------------------------------------------------------------------------


def test_latency_delays_the_answer(fake: FakeProfiles, http: httpx.Client) -> None:
    fake.inject(latency=0.3)

    started = time.monotonic()
    response = create(http)

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3
    assert fake.calls.last.fault == "latency"


def test_latency_does_not_hold_other_requests(fake: FakeProfiles) -> None:
    fake.inject(latency=0.6, op_id="create-a-new-tag")
    finished: list[str] = []

    def slow() -> None:
        with httpx.Client(transport=fake.transport(), base_url="https://x") as http:
            create(http)
        finished.append("slow")

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.1)
    with httpx.Client(transport=fake.transport(), base_url="https://x") as http:
        http.get("/people/2/tags/a", headers=AUTH)
    finished.append("fast")
    thread.join()

    assert finished == ["fast", "slow"]


async def test_async_latency_does_not_block_the_event_loop(fake: FakeProfiles) -> None:
    fake.inject(latency=0.5, op_id="create-a-new-tag")
    order: list[str] = []
    async with httpx.AsyncClient(transport=fake.async_transport(), base_url="https://x") as http:

        async def slow() -> None:
            await http.post("/people/2/tags", json={"name": "a"}, headers=AUTH)
            order.append("slow")

        async def fast() -> None:
            await asyncio.sleep(0.05)
            await http.get("/people/2/tags/a", headers=AUTH)
            order.append("fast")

        await asyncio.gather(slow(), fast())

    assert order == ["fast", "slow"]


def test_latency_beyond_the_read_timeout_in_process(fake: FakeProfiles, http: httpx.Client) -> None:
    fake.inject(latency=5.0)

    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        create(http, timeout=httpx.Timeout(5.0, read=0.2))

    assert time.monotonic() - started < 2
    assert stored(fake) == [{"name": "vip"}], "a slow server still acts on the request"
    assert fake.calls.last.fault == "latency+timeout"


def test_latency_beyond_the_read_timeout_over_http(fake: FakeProfiles) -> None:
    fake.inject(latency=0.6)
    with fake.serve() as base_url, httpx.Client(base_url=base_url) as http:
        with pytest.raises(httpx.ReadTimeout):
            create(http, timeout=httpx.Timeout(5.0, read=0.2))
        time.sleep(0.6)

    assert stored(fake) == [{"name": "vip"}]


def test_latency_combined_with_a_status(fake: FakeProfiles, http: httpx.Client) -> None:
    fake.inject(503, latency=0.2)

    started = time.monotonic()
    response = create(http)

    assert response.status_code == 503
    assert time.monotonic() - started >= 0.2
    assert fake.calls.last.fault == "latency+status"


# -- rate limits -------------------------------------------------------------------------------


def test_rate_limit_429_then_window_clears_on_the_fake_clock() -> None:
    fake = FakeProfiles(KEY, rate_limits=True, clock=FakeClock(frozen=True))
    with httpx.Client(transport=fake.transport(), base_url="https://x") as http:
        statuses = [http.get("/people/2/tags/a", headers=AUTH).status_code for _ in range(6)]
        limited = http.get("/people/2/tags/a", headers=AUTH)
        fake.clock.advance(1.0)
        again = http.get("/people/2/tags/a", headers=AUTH)

    assert statuses == [200] * 5 + [429]
    assert message_id(limited) == "TOO_MANY_REQUESTS"
    assert limited.headers["retry-after"] == "1"
    assert limited.headers["x-ratelimit-limit"] == "5"
    assert limited.headers["x-ratelimit-remaining"] == "0"
    assert again.status_code == 200


def test_rate_limits_count_per_tenant_and_operation() -> None:
    fake = FakeProfiles(KEY, rate_limits=True, clock=FakeClock(frozen=True))
    fake.add_tenant("other")
    with httpx.Client(transport=fake.transport(), base_url="https://x") as http:
        for _ in range(5):
            http.get("/people/2/tags/a", headers=AUTH)
        mine = http.get("/people/2/tags/a", headers=AUTH)
        other_op = create(http)
        other_tenant = http.get("/people/2/tags/a", headers={"Authorization": "App other"})

    assert (mine.status_code, other_op.status_code, other_tenant.status_code) == (429, 200, 200)


def test_rate_limits_can_be_switched_on_later(fake: FakeProfiles, http: httpx.Client) -> None:
    assert [create(http).status_code for _ in range(8)] == [200] * 8

    fake.rate_limits = True

    assert [create(http).status_code for _ in range(6)] == [200] * 5 + [429]


def test_token_bucket_and_segment_envelope() -> None:
    fake = FakeProfiles(KEY, rate_limits=True, clock=FakeClock(frozen=True))
    with httpx.Client(transport=fake.transport(), base_url="https://x") as http:
        cancel = [
            http.delete("/peopleevents/1/export/r1", headers=AUTH).status_code for _ in range(2)
        ]
        segments = [http.get("/people/3/segments/1", headers=AUTH) for _ in range(11)]
        fake.clock.advance(1.0)
        cancel_again = http.delete("/peopleevents/1/export/r1", headers=AUTH)

    assert cancel == [200, 429]
    assert cancel_again.status_code == 200
    assert [r.status_code for r in segments] == [200] * 10 + [429]
    assert segments[-1].json()["errorCode"] == "E429"


def test_operations_without_a_published_limit_are_never_limited() -> None:
    fake = FakeProfiles(KEY, rate_limits=True, clock=FakeClock(frozen=True))
    with httpx.Client(transport=fake.transport(), base_url="https://x") as http:
        statuses = {
            http.get("/peopleevents/2/definitions/a", headers=AUTH).status_code for _ in range(50)
        }

    assert statuses == {200}


def test_refused_calls_do_not_use_up_the_window() -> None:
    fake = FakeProfiles(KEY, rate_limits=True, clock=FakeClock(frozen=True))
    with httpx.Client(transport=fake.transport(), base_url="https://x") as http:
        for _ in range(5):
            http.get("/people/2/tags/a", headers=AUTH)
        fake.clock.advance(0.5)
        refused = [http.get("/people/2/tags/a", headers=AUTH).status_code for _ in range(3)]
        fake.clock.advance(0.5)
        admitted = http.get("/people/2/tags/a", headers=AUTH)

    assert refused == [429] * 3
    assert admitted.status_code == 200
