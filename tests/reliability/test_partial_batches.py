"""Many-item calls keep what was applied when a later request fails.

The transport here forwards every request to the in-process fake, and once the first request of
a call has been answered it arms a fault on the second: the fake applies it, then the connection
drops unanswered (or the fake answers an error status). The call must return every outcome it
learnt, mark the second request's items as possibly applied, and still send the third; with
``on_error="raise"`` it stops with a ``PartialBatchError`` carrying every outcome so far.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from infobip_profiles import (
    APIConnectionError,
    AsyncProfilesClient,
    BadRequestError,
    Company,
    ContactInformation,
    Event,
    Person,
    PersonRef,
    ProfilesClient,
    ServerError,
    UpsertStatus,
)
from infobip_profiles.errors import PartialBatchError
from infobip_profiles.testing import FakeProfiles

BASE = "https://fake.api.infobip.com"
CHUNK = 1000
ITEMS = 2 * CHUNK + 500  # three requests: 1000, 1000, 500


class _Arming(httpx.BaseTransport):
    """Forwards to the fake; after the first answered request, runs ``arm`` once."""

    def __init__(self, inner: httpx.BaseTransport, arm: Callable[[], None]) -> None:
        self.inner, self.arm, self.answered = inner, arm, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        self.answered += 1
        if self.answered == 1:
            self.arm()
        return response


class _AsyncArming(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, arm: Callable[[], None]) -> None:
        self.inner, self.arm, self.answered = inner, arm, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        self.answered += 1
        if self.answered == 1:
            self.arm()
        return response


@pytest.fixture
def fake() -> Iterator[FakeProfiles]:
    fake = FakeProfiles()
    yield fake
    fake.stop()


def _client(fake: FakeProfiles, kind: str, arm: Callable[[], None]) -> Any:
    options: dict[str, Any] = {
        "api_key": fake.api_key,
        "base_url": BASE,
        "max_retries": 0,
        "throttle": False,
    }
    if kind == "sync":
        http = httpx.Client(transport=_Arming(fake.transport(), arm))
        return ProfilesClient(http_client=http, **options)
    ahttp = httpx.AsyncClient(transport=_AsyncArming(fake.async_transport(), arm))
    return AsyncProfilesClient(http_client=ahttp, **options)


async def _call(client: Any, resource: str, method: str, *args: Any, **kwargs: Any) -> Any:
    result = getattr(getattr(client, resource), method)(*args, **kwargs)
    return await result if isinstance(client, AsyncProfilesClient) else result


def _persons(count: int = ITEMS) -> list[Person]:
    return [
        Person(
            external_id=f"crm-{i}",
            contact_information=ContactInformation.of(emails=[f"p{i}@example.com"]),
        )
        for i in range(count)
    ]


def _decode_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("infobip-profiles-decode")]


PERSON_CALLS = [
    ("create_many", "batch-people-create"),
    ("upsert_many", "upsert-persons-partial"),
    ("merge", "merge-persons"),
]


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(("method", "op_id"), PERSON_CALLS)
async def test_a_dropped_second_request_keeps_every_outcome_and_sends_the_third(
    fake: FakeProfiles, kind: str, method: str, op_id: str
) -> None:
    client = _client(fake, kind, lambda: fake.inject(drop="after", op_id=op_id))

    result = await _call(client, "people", method, _persons())

    assert len(result) == ITEMS
    assert [item.index for item in result] == list(range(ITEMS))
    first, second, third = result[:CHUNK], result[CHUNK : 2 * CHUNK], result[2 * CHUNK :]
    assert all(item.ok for item in first)
    assert all(item.ok for item in third)
    assert all(not item.ok and item.unknown for item in second)
    assert all(isinstance(item.error, APIConnectionError) for item in second)
    assert all(item.errors[0].startswith("may have been applied") for item in second)
    assert [item.index for item in result.unknown] == list(range(CHUNK, 2 * CHUNK))
    assert len(result.failed) == CHUNK
    assert not result.ok
    assert str(second[0]).startswith(f"item {CHUNK}: may have been applied")
    assert str(second[0]).count("may have been applied") == 1
    # The second request was applied all the same: every person exists, none twice.
    assert len(fake.people()) == ITEMS
    assert fake.calls.count(op_id=op_id) == 3


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(("method", "op_id"), PERSON_CALLS)
async def test_on_error_raise_stops_with_every_outcome_so_far(
    fake: FakeProfiles, kind: str, method: str, op_id: str
) -> None:
    client = _client(fake, kind, lambda: fake.inject(drop="after", op_id=op_id))

    with pytest.raises(PartialBatchError) as info:
        await _call(client, "people", method, _persons(), on_error="raise")

    error = info.value
    assert (error.offset, error.count) == (CHUNK, CHUNK)
    assert isinstance(error.error, APIConnectionError)
    assert error.__cause__ is error.error
    assert len(error.result) == 2 * CHUNK
    assert all(item.ok for item in error.result[:CHUNK])
    assert all(item.unknown for item in error.result[CHUNK:])
    assert fake.calls.count(op_id=op_id) == 2  # the third request was not sent
    assert not _decode_threads()


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_upserting_the_unknown_items_again_settles_them(
    fake: FakeProfiles, kind: str
) -> None:
    op_id = "upsert-persons-partial"
    client = _client(fake, kind, lambda: fake.inject(drop="after", op_id=op_id))
    persons = _persons()
    result = await _call(client, "people", "upsert_many", persons)

    again = await _call(client, "people", "upsert_many", [persons[i.index] for i in result.unknown])

    assert again.ok
    assert again.not_modified == CHUNK  # they had been applied before the connection dropped


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_5xx_on_a_later_request_is_unknown_and_a_4xx_is_a_definite_failure(
    fake: FakeProfiles, kind: str
) -> None:
    op_id = "batch-people-create"
    client = _client(fake, kind, lambda: fake.inject(503, op_id=op_id))
    result = await _call(client, "people", "create_many", _persons())
    second = result[CHUNK : 2 * CHUNK]
    assert all(i.unknown and i.status == 503 for i in second)
    assert all(isinstance(i.error, ServerError) for i in second)

    other = FakeProfiles()
    try:
        client = _client(other, kind, lambda: other.inject(400, op_id=op_id))
        result = await _call(client, "people", "create_many", _persons())
        second = result[CHUNK : 2 * CHUNK]
        assert all(not i.ok and not i.unknown and i.status == 400 for i in second)
        assert all(isinstance(i.error, BadRequestError) for i in second)
        assert result.unknown == []
        assert len(other.people()) == ITEMS - CHUNK
    finally:
        other.stop()


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_failed_first_request_raises_its_error_unchanged(
    fake: FakeProfiles, kind: str
) -> None:
    fake.inject(drop="after", op_id="batch-people-create")
    client = _client(fake, kind, lambda: None)

    with pytest.raises(APIConnectionError) as info:
        await _call(client, "people", "create_many", _persons())

    assert info.value.request_sent
    assert fake.calls.count(op_id="batch-people-create") == 1


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_update_and_delete_many_keep_their_outcomes(fake: FakeProfiles, kind: str) -> None:
    seeded = fake.client(max_retries=0, throttle=False)
    seeded.people.create_many(_persons())
    refs = [PersonRef.external_id(f"crm-{i}") for i in range(ITEMS)]

    client = _client(fake, kind, lambda: fake.inject(drop="after", op_id="batch-people-update"))
    updated = await _call(
        client, "people", "update_many", [(r, Person(city="Paris")) for r in refs]
    )
    assert [i.index for i in updated.unknown] == list(range(CHUNK, 2 * CHUNK))
    assert updated.unknown[0].query == refs[CHUNK]
    assert all(i.ok for i in updated[2 * CHUNK :])

    client = _client(fake, kind, lambda: fake.inject(drop="after", op_id="batch-people-delete"))
    deleted = await _call(client, "people", "delete_many", refs)
    assert [i.index for i in deleted.unknown] == list(range(CHUNK, 2 * CHUNK))
    assert fake.people() == ()  # the dropped request had been applied too


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_companies_create_many_keeps_its_outcomes(fake: FakeProfiles, kind: str) -> None:
    op_id = "create-companies"
    client = _client(fake, kind, lambda: fake.inject(drop="after", op_id=op_id))
    companies = [Company(name=f"Company {i}") for i in range(ITEMS)]

    result = await _call(client, "companies", "create_many", companies)

    assert [i.index for i in result.unknown] == list(range(CHUNK, 2 * CHUNK))
    assert all(i.ok and i.id is not None for i in result[2 * CHUNK :])
    assert len(fake.companies()) == ITEMS

    other = _client(fake, kind, lambda: fake.inject(drop="after", op_id=op_id))
    more = [Company(name=f"More {i}") for i in range(ITEMS)]
    with pytest.raises(PartialBatchError) as info:
        await _call(other, "companies", "create_many", more, on_error="raise")
    assert len(info.value.result) == 2 * CHUNK


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_send_many_keeps_the_batches_accepted(fake: FakeProfiles, kind: str) -> None:
    op_id = "send-custom-events"
    setup = fake.client(max_retries=0, throttle=False)
    setup.events.create_definition("purchase", title="Purchase")
    client = _client(fake, kind, lambda: fake.inject(drop="after", op_id=op_id))
    ref = PersonRef.external_id("crm-1")
    events = [Event(ref, "purchase") for _ in range(10_001)]

    result = await _call(client, "events", "send_many", events)

    assert [(b.offset, b.count, b.ok, b.unknown) for b in result] == [
        (0, 5000, True, False),
        (5000, 5000, False, True),
        (10_000, 1, True, False),
    ]
    assert result.accepted == 5001
    assert isinstance(result.unknown[0].error, APIConnectionError)


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_the_plan_is_closed_when_the_driver_stops_on_an_unexpected_error(
    fake: FakeProfiles, kind: str
) -> None:
    def boom() -> None:
        raise RuntimeError("the transport broke")

    class _Breaking(httpx.BaseTransport):
        def __init__(self) -> None:
            self.inner, self.count = fake.transport(), 0

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            self.count += 1
            if self.count == 2:
                boom()
            return self.inner.handle_request(request)

    class _AsyncBreaking(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.inner, self.count = fake.async_transport(), 0

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            self.count += 1
            if self.count == 2:
                boom()
            return await self.inner.handle_async_request(request)

    options: dict[str, Any] = {"api_key": fake.api_key, "base_url": BASE, "throttle": False}
    if kind == "sync":
        client: Any = ProfilesClient(http_client=httpx.Client(transport=_Breaking()), **options)
    else:
        client = AsyncProfilesClient(
            http_client=httpx.AsyncClient(transport=_AsyncBreaking()), **options
        )

    with pytest.raises(RuntimeError, match="the transport broke") as info:
        await _call(client, "people", "upsert_many", iter(_persons()))

    # The error's traceback still holds the driver's frames (and so the plan), yet the plan's
    # cleanup has run: its decoding thread is gone.
    assert info.tb is not None
    assert not _decode_threads()


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_created_statuses_survive_a_partial_upsert(fake: FakeProfiles, kind: str) -> None:
    op_id = "upsert-persons-partial"
    client = _client(fake, kind, lambda: fake.inject(drop="after", op_id=op_id))

    result = await _call(client, "people", "upsert_many", _persons())

    assert result.created == ITEMS - CHUNK
    assert {i.status for i in result[:CHUNK]} == {UpsertStatus.CREATED}


@pytest.mark.http
@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_over_http_a_socket_closed_after_the_second_request_keeps_every_outcome(
    fake: FakeProfiles, kind: str
) -> None:
    op_id = "upsert-persons-partial"
    answered: list[int] = []

    def arm(response: httpx.Response) -> None:
        answered.append(response.status_code)
        if len(answered) == 1:
            fake.inject(drop="after", op_id=op_id)

    async def aarm(response: httpx.Response) -> None:
        arm(response)

    with fake.serve() as url:
        options: dict[str, Any] = {"api_key": fake.api_key, "base_url": url, "max_retries": 0}
        options["throttle"] = False
        if kind == "sync":
            result = _upsert_over(httpx.Client(event_hooks={"response": [arm]}), options)
        else:
            ahttp = httpx.AsyncClient(event_hooks={"response": [aarm]})
            async with AsyncProfilesClient(http_client=ahttp, **options) as aclient:
                result = await aclient.people.upsert_many(iter(_persons()))
            await ahttp.aclose()

    assert len(result) == ITEMS
    assert [i.index for i in result.unknown] == list(range(CHUNK, 2 * CHUNK))
    assert all(isinstance(i.error, APIConnectionError) for i in result.unknown)
    assert result.created == ITEMS - CHUNK
    assert len(fake.people()) == ITEMS


def _upsert_over(http: httpx.Client, options: dict[str, Any]) -> Any:
    with http, ProfilesClient(http_client=http, **options) as client:
        return client.people.upsert_many(iter(_persons()))
