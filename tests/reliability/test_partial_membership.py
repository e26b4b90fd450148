"""Many-item calls without per-item outcomes (tagging people, company membership) say how far
they got when a later request fails.

The first request is answered; then the fake applies the second and drops the connection
unanswered. Before, the call raised the bare connection error, leaving the caller to guess
whether the first 1000 people were tagged. Now a ``PartialBatchError`` names the request's
items (``offset``, ``count``), says they may have been applied, and keeps the cause. In-process,
sync and async.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from infobip_profiles import (
    APIConnectionError,
    AsyncProfilesClient,
    Company,
    CompanyRef,
    Person,
    PersonRef,
    ProfilesClient,
)
from infobip_profiles.errors import PartialBatchError
from infobip_profiles.testing import FakeProfiles

BASE = "https://fake.api.infobip.com"
ITEMS = 1500  # two requests: 1000, then 500


class _Arming(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, arm: Callable[[], None]) -> None:
        self.inner, self.arm, self.armed = inner, arm, False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        if not self.armed:  # after the first answered request
            self.armed = True
            self.arm()
        return response


class _AsyncArming(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, arm: Callable[[], None]) -> None:
        self.inner, self.arm, self.armed = inner, arm, False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        if not self.armed:  # after the first answered request
            self.armed = True
            self.arm()
        return response


@pytest.fixture
def fake() -> Iterator[FakeProfiles]:
    fake = FakeProfiles()
    setup = fake.client()
    setup.people.create_many([Person(external_id=f"crm-{i}") for i in range(ITEMS)])
    setup.tags.create("VIP")
    setup.companies.create(Company(name="Acme"))
    yield fake
    fake.stop()


def _client(fake: FakeProfiles, kind: str, arm: Callable[[], None]) -> Any:
    options: dict[str, Any] = {"api_key": fake.api_key, "base_url": BASE, "max_retries": 0}
    options["throttle"] = False
    if kind == "sync":
        http = httpx.Client(transport=_Arming(fake.transport(), arm))
        return ProfilesClient(http_client=http, **options)
    ahttp = httpx.AsyncClient(transport=_AsyncArming(fake.async_transport(), arm))
    return AsyncProfilesClient(http_client=ahttp, **options)


REFS = [PersonRef.external_id(f"crm-{i}") for i in range(ITEMS)]

CALLS: list[tuple[str, Callable[[Any], Any], str]] = [
    ("tags.add_to_people", lambda c: c.tags.add_to_people("VIP", REFS), "add-tag-to-people-batch"),
    ("tags.remove_from_people", lambda c: c.tags.remove_from_people("VIP", REFS), "remove-tag-from-people-batch"),
    ("companies.add_people", lambda c: c.companies.add_people(CompanyRef.name("Acme"), REFS), "batch-add-persons-to-company"),
    ("companies.remove_people", lambda c: c.companies.remove_people(CompanyRef.name("Acme"), REFS), "batch-remove-persons-from-company"),
]  # fmt: skip


async def _run(client: Any, action: Callable[[Any], Any]) -> Any:
    value = action(client)
    return await value if isinstance(client, AsyncProfilesClient) else value


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(("label", "action", "op_id"), CALLS, ids=[c[0] for c in CALLS])
async def test_a_dropped_later_request_says_how_far_the_call_got(
    fake: FakeProfiles, kind: str, label: str, action: Callable[[Any], Any], op_id: str
) -> None:
    client = _client(fake, kind, lambda: fake.inject(drop="after", op_id=op_id))

    with pytest.raises(PartialBatchError) as info:
        await _run(client, action)

    error = info.value
    assert (error.offset, error.count) == (1000, 500)
    assert error.result is None
    assert isinstance(error.error, APIConnectionError)
    assert error.__cause__ is error.error
    assert "items 0 to 999 were applied" in str(error)
    assert "may have been applied" in str(error)
    assert fake.calls.count(op_id=op_id) == 2


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_failed_first_request_raises_its_own_error(fake: FakeProfiles, kind: str) -> None:
    fake.inject(drop="after", op_id="add-tag-to-people-batch")
    client = _client(fake, kind, lambda: None)  # the first request is the one dropped

    with pytest.raises(APIConnectionError):
        await _run(client, lambda c: c.tags.add_to_people("VIP", REFS))
