"""Retries: what is replayed, how long the client waits, what it logs, and raw access.

The rule: a 429, and a connection failure before the request was sent, are always
retried; a 5xx, a timeout or a connection lost after sending only for replay-safe operations, so a
write the server may have applied is never duplicated. Waits are recorded, never slept.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from infobip_profiles import (
    APIConnectionError,
    APITimeoutError,
    AsyncProfilesClient,
    ContactInformation,
    NotFoundError,
    Person,
    PersonRef,
    ProfilesClient,
    RateLimitError,
    ServerError,
)
from infobip_profiles._operations import OPERATIONS
from tests._support.client import Sleeps, resolve, router_fixture

KEY = "sk-retry-secret-42"
BASE = "https://acme.api.infobip.com"
PERSONS = f"{BASE}/people/2/persons"
REF = PersonRef.external_id("crm-1")
STORED = {"id": 42, "externalId": "crm-1"}


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(kind: str, sleeps: Sleeps) -> Any:
    return make(kind, sleeps)


def make(kind: str, sleeps: Sleeps, **kwargs: Any) -> Any:
    kwargs.setdefault("max_retries", 3)
    if kind == "sync":
        c: Any = ProfilesClient(api_key=KEY, base_url=BASE, throttle=False, **kwargs)
        c._sleep = sleeps.sync
    else:
        c = AsyncProfilesClient(api_key=KEY, base_url=BASE, throttle=False, **kwargs)
        c._sleep = sleeps.asynchronous
    return c


api = router_fixture()


def responses(*items: Any) -> list[Any]:
    return [httpx.Response(i) if isinstance(i, int) else i for i in items]


def ok(payload: Any = None) -> httpx.Response:
    return httpx.Response(200, json=STORED if payload is None else payload)


# -- 429 and Retry-After -----------------------------------------------------------------------


async def test_429_waits_retry_after_seconds_then_succeeds(
    client: Any, api: Any, sleeps: Sleeps
) -> None:
    route = api.get(PERSONS).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "7"}), ok()]
    )

    person = await resolve(client.people.get(REF))

    assert person.id == 42
    assert route.call_count == 2
    assert sleeps == [7.0]


async def test_429_waits_until_an_http_date(client: Any, api: Any, sleeps: Sleeps) -> None:
    when = datetime.now(timezone.utc) + timedelta(seconds=30)
    api.get(PERSONS).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": format_datetime(when, usegmt=True)}),
            ok(),
        ]
    )

    await resolve(client.people.get(REF))

    assert len(sleeps) == 1
    assert 25 <= sleeps[0] <= 31


async def test_retry_after_is_capped(client: Any, api: Any, sleeps: Sleeps) -> None:
    api.get(PERSONS).mock(side_effect=[httpx.Response(429, headers={"Retry-After": "3600"}), ok()])

    await resolve(client.people.get(REF))

    assert sleeps == [60.0]


async def test_429_is_retried_even_for_a_create(client: Any, api: Any, sleeps: Sleeps) -> None:
    route = api.post(PERSONS).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "1"}), ok()]
    )

    created = await resolve(client.people.create(Person(external_id="crm-1")))

    assert created.id == 42
    assert route.call_count == 2


async def test_retry_after_on_a_503_is_honoured(client: Any, api: Any, sleeps: Sleeps) -> None:
    api.get(PERSONS).mock(side_effect=[httpx.Response(503, headers={"Retry-After": "2"}), ok()])

    await resolve(client.people.get(REF))

    assert sleeps == [2.0]


async def test_429_after_every_attempt_raises_rate_limit_error(
    client: Any, api: Any, sleeps: Sleeps
) -> None:
    route = api.get(PERSONS).respond(429, headers={"Retry-After": "1"})

    with pytest.raises(RateLimitError) as info:
        await resolve(client.people.get(REF))

    assert route.call_count == 4
    assert info.value.retries_taken == 3
    assert sleeps == [1.0, 1.0, 1.0]


# -- 5xx: replayed only when safe ----------------------------------------------------------------


async def test_503_on_get_is_replayed(client: Any, api: Any) -> None:
    route = api.get(PERSONS).mock(side_effect=responses(503, 502, ok()))

    person = await resolve(client.people.get(REF))

    assert person.id == 42
    assert route.call_count == 3


async def test_500_on_create_is_not_replayed(client: Any, api: Any, sleeps: Sleeps) -> None:
    route = api.post(PERSONS).mock(side_effect=responses(500, ok()))

    with pytest.raises(ServerError):
        await resolve(client.people.create(Person(external_id="crm-1")))

    assert route.call_count == 1
    assert sleeps == []


SAFE_CALLS = [
    ("GET", PERSONS, lambda c: c.people.get(REF)),
    ("PUT", PERSONS, lambda c: c.people.replace(REF, Person(first_name="A"))),
    ("PATCH", PERSONS, lambda c: c.people.update(REF, Person(first_name="A"))),
    ("DELETE", PERSONS, lambda c: c.people.delete(REF)),
    (
        "PATCH",
        f"{PERSONS}/contactInformation",
        lambda c: c.people.add_contacts(REF, ContactInformation.of(emails=["a@b.co"])),
    ),
    ("POST", f"{PERSONS}/match", lambda c: c.people.match([REF])),
    (
        "PATCH",
        f"{BASE}/people/3/persons/upsert",
        lambda c: c.people.upsert_many([Person(external_id="a")]),
    ),
]

UNSAFE_CALLS = [
    ("POST", PERSONS, lambda c: c.people.create(Person(external_id="a"))),
    ("POST", f"{PERSONS}/batch", lambda c: c.people.create_many([Person(external_id="a")])),
    ("POST", f"{BASE}/people/3/persons/merge", lambda c: c.people.merge([Person(external_id="a")])),
    (
        "POST",
        f"{BASE}/people/2/customAttributes/Orders/append",
        lambda c: c.people.append_to_attribute(REF, "Orders", {"sku": "A1"}),
    ),
]


@pytest.mark.parametrize(("verb", "url", "action"), SAFE_CALLS)
async def test_503_is_replayed_for_replay_safe_operations(
    client: Any, api: Any, verb: str, url: str, action: Any
) -> None:
    route = api.route(method=verb, url=url).mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"id": 1})]
    )

    await resolve(action(client))

    assert route.call_count == 2


@pytest.mark.parametrize(("verb", "url", "action"), UNSAFE_CALLS)
async def test_503_is_not_replayed_for_writes_that_may_have_been_applied(
    client: Any, api: Any, verb: str, url: str, action: Any
) -> None:
    route = api.route(method=verb, url=url).mock(side_effect=responses(503, 200))

    with pytest.raises(ServerError):
        await resolve(action(client))

    assert route.call_count == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409])
async def test_client_errors_are_never_retried(client: Any, api: Any, status: int) -> None:
    route = api.get(PERSONS).respond(status)

    with pytest.raises(Exception, match=str(status)):
        await resolve(client.people.get(REF))

    assert route.call_count == 1


def test_every_post_but_match_and_definition_update_is_unsafe_to_replay() -> None:
    safe_posts = {op.op_id for op in OPERATIONS.values() if op.method == "POST" and op.replay_safe}

    assert safe_posts == {"match-people-ids", "update-event-definition"}


# -- transport failures -------------------------------------------------------------------------


async def test_connection_refused_is_replayed_even_for_a_create(
    client: Any, api: Any, sleeps: Sleeps
) -> None:
    route = api.post(PERSONS).mock(side_effect=[httpx.ConnectError("refused"), ok()])

    created = await resolve(client.people.create(Person(external_id="crm-1")))

    assert created.id == 42
    assert route.call_count == 2
    assert len(sleeps) == 1


async def test_connect_timeout_is_replayed_even_for_a_create(client: Any, api: Any) -> None:
    route = api.post(PERSONS).mock(side_effect=[httpx.ConnectTimeout("slow"), ok()])

    await resolve(client.people.create(Person(external_id="crm-1")))

    assert route.call_count == 2


async def test_read_timeout_on_a_create_is_not_replayed(client: Any, api: Any) -> None:
    route = api.post(PERSONS).mock(side_effect=[httpx.ReadTimeout("slow"), ok()])

    with pytest.raises(APITimeoutError):
        await resolve(client.people.create(Person(external_id="crm-1")))

    assert route.call_count == 1


async def test_read_timeout_on_a_get_is_replayed(client: Any, api: Any) -> None:
    route = api.get(PERSONS).mock(side_effect=[httpx.ReadTimeout("slow"), ok()])

    await resolve(client.people.get(REF))

    assert route.call_count == 2


async def test_connection_lost_after_sending_a_batch_is_not_replayed(client: Any, api: Any) -> None:
    route = api.post(f"{PERSONS}/batch").mock(
        side_effect=[httpx.RemoteProtocolError("hung up"), ok({"results": []})]
    )

    with pytest.raises(APIConnectionError) as info:
        await resolve(client.people.create_many([Person(external_id="a")]))

    assert info.value.request_sent
    assert route.call_count == 1


async def test_connection_lost_after_sending_a_delete_is_replayed(client: Any, api: Any) -> None:
    route = api.delete(PERSONS).mock(side_effect=[httpx.ReadError("reset"), httpx.Response(200)])

    await resolve(client.people.delete(REF))

    assert route.call_count == 2


# -- max_retries and backoff -----------------------------------------------------------------------


@pytest.mark.parametrize("max_retries", [0, 1, 5])
async def test_max_retries_bounds_the_attempts(
    kind: str, sleeps: Sleeps, api: Any, max_retries: int
) -> None:
    route = api.get(PERSONS).respond(503)
    client = make(kind, sleeps, max_retries=max_retries)

    with pytest.raises(ServerError) as info:
        await resolve(client.people.get(REF))

    assert route.call_count == max_retries + 1
    assert info.value.retries_taken == max_retries


async def test_with_options_changes_max_retries(client: Any, api: Any) -> None:
    route = api.get(PERSONS).respond(503)

    with pytest.raises(ServerError):
        await resolve(client.with_options(max_retries=1).people.get(REF))

    assert route.call_count == 2


async def test_backoff_grows_exponentially_with_jitter_and_a_cap(
    kind: str, sleeps: Sleeps, api: Any
) -> None:
    api.get(PERSONS).respond(503)
    client = make(kind, sleeps, max_retries=6)

    with pytest.raises(ServerError):
        await resolve(client.people.get(REF))

    ceilings = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert len(sleeps) == 6
    for waited, ceiling in zip(sleeps, ceilings, strict=True):
        assert ceiling * 0.75 <= waited <= ceiling


# -- logging ------------------------------------------------------------------------------------


async def test_each_retry_is_logged_with_reason_and_delay(
    client: Any, api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    api.get(PERSONS).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "3"}),
            httpx.Response(503, headers={"Retry-After": "1"}),
            ok(),
        ]
    )
    caplog.set_level(logging.INFO, logger="infobip_profiles")

    await resolve(client.people.get(REF))

    retries = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retrying")]
    assert retries == [
        "retrying GET /people/2/persons in 3.00s: 429 rate limited (attempt 2 of 4)",
        "retrying GET /people/2/persons in 1.00s: 503 server error (attempt 3 of 4)",
    ]
    assert all(r.name == "infobip_profiles" for r in caplog.records if "retrying" in r.msg)


async def test_a_connection_retry_log_names_the_reason(
    client: Any, api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    api.post(PERSONS).mock(side_effect=[httpx.ConnectError("refused"), ok()])
    caplog.set_level(logging.INFO, logger="infobip_profiles")

    await resolve(client.people.create(Person(external_id="a")))

    messages = [r.getMessage() for r in caplog.records]
    assert any("connection error before the request was sent" in m for m in messages)


async def test_logs_never_show_the_key(
    client: Any, api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    api.get(PERSONS).mock(side_effect=[httpx.ConnectError(f"refused {KEY}"), ok()])
    caplog.set_level(logging.DEBUG)

    await resolve(client.people.get(REF))

    assert caplog.records
    assert not any(KEY in r.getMessage() for r in caplog.records)


# -- raw access ---------------------------------------------------------------------------------


async def test_raw_response_shows_status_headers_and_retries(client: Any, api: Any) -> None:
    api.get(PERSONS).mock(
        side_effect=[
            httpx.Response(503),
            httpx.Response(
                200,
                json=STORED,
                headers={"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "4"},
            ),
        ]
    )

    raw = await resolve(client.people.with_raw_response.get(REF))

    assert raw.status_code == 200
    assert raw.headers["x-ratelimit-remaining"] == "4"
    assert raw.retries_taken == 1
    assert raw.parse().id == 42


async def test_raw_response_without_retries(client: Any, api: Any) -> None:
    api.delete(PERSONS).respond(200)

    raw = await resolve(client.people.with_raw_response.delete(REF))

    assert (raw.status_code, raw.retries_taken, raw.parse()) == (200, 0, None)


async def test_raw_response_of_a_handled_404(client: Any, api: Any) -> None:
    api.post(f"{PERSONS}/match").respond(404)

    raw = await resolve(client.people.with_raw_response.match([REF]))

    assert raw.status_code == 404
    assert raw.parse() == []


async def test_raw_response_of_a_split_batch_keeps_every_response(client: Any, api: Any) -> None:
    api.delete(f"{PERSONS}/batch").mock(
        side_effect=[
            httpx.Response(200, json={"results": []}),
            httpx.Response(503),
            httpx.Response(200, json={"results": []}),
        ]
    )

    raw = await resolve(
        client.people.with_raw_response.delete_many([PersonRef.id(i) for i in range(1500)])
    )

    assert [r.status_code for r in raw.responses] == [200, 200]
    assert raw.retries_taken == 1
    assert len(raw.parse()) == 1500


async def test_raw_response_still_raises_errors(client: Any, api: Any) -> None:
    api.get(PERSONS).respond(404)

    with pytest.raises(NotFoundError):
        await resolve(client.people.with_raw_response.get(REF))


def test_raw_view_refuses_a_pager_method(client: Any) -> None:
    with pytest.raises(AttributeError, match="list"):
        _ = client.people.with_raw_response.list


async def test_each_request_is_logged_at_debug_without_its_query(
    client: Any, api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    api.get(PERSONS).respond(200, json=STORED)
    caplog.set_level(logging.DEBUG, logger="infobip_profiles")

    await resolve(client.people.get(PersonRef.email("ada@example.com")))

    lines = [r.getMessage() for r in caplog.records if r.name == "infobip_profiles"]
    assert len(lines) == 1
    assert lines[0].startswith("GET /people/2/persons -> 200 (")
    assert "ada@example.com" not in lines[0]


async def test_raw_response_of_a_call_that_sent_nothing(client: Any, api: Any) -> None:
    raw = await resolve(client.people.with_raw_response.create_many([]))

    assert (raw.responses, raw.retries_taken, len(raw.parse())) == ([], 0, 0)
    assert "no request" in repr(raw)
    with pytest.raises(LookupError):
        _ = raw.status_code
