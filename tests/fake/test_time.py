"""Tests never sleep: the clients the fake makes wait on the fake's clock, not on the wall clock.

Each test replaces the real sleep functions with ones that fail, then checks that the fake clock
moved by exactly the waits the client was told to make (``Retry-After``, pacing intervals).
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from infobip_profiles import AsyncProfilesClient, ProfilesClient
from infobip_profiles.errors import RateLimitError
from infobip_profiles.testing import FakeClock, FakeProfiles

KEY = "test-key"
START = datetime(2024, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def no_real_sleep(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Every real sleep is recorded and fails the test."""
    slept: list[float] = []

    def refuse(seconds: float) -> None:
        slept.append(seconds)
        raise AssertionError(f"slept {seconds} s of real time")

    async def refuse_async(seconds: float, *args: Any) -> None:
        slept.append(seconds)
        raise AssertionError(f"awaited {seconds} s of real time")

    monkeypatch.setattr(time, "sleep", refuse)
    monkeypatch.setattr(asyncio, "sleep", refuse_async)
    yield slept
    assert slept == []


@pytest.fixture
def fake() -> FakeProfiles:
    return FakeProfiles(KEY, clock=FakeClock(START, frozen=True))


def attempt_times(fake: FakeProfiles, op_id: str) -> list[float]:
    return [call.started_at - START.timestamp() for call in fake.calls.filter(op_id=op_id)]


def test_five_retries_after_retry_after_cost_no_wall_time(
    fake: FakeProfiles, no_real_sleep: list[float]
) -> None:
    fake.inject(429, op_id="create-a-new-tag", retry_after=20, times=5)
    with fake.client(max_retries=5) as client:
        created = client.tags.create("vip")
    assert created.id is not None
    assert fake.clock.time() - START.timestamp() == 100
    assert attempt_times(fake, "create-a-new-tag") == [0, 20, 40, 60, 80, 100]
    assert [c.status for c in fake.calls] == [429] * 5 + [200]


def test_five_retries_after_a_minute_each_take_no_wall_time(
    fake: FakeProfiles, no_real_sleep: list[float]
) -> None:
    # Five Retry-After: 60 waits are 300 s: past the default cap on retry waiting (120 s), so the
    # test raises the cap; on the fake clock the five minutes pass at once.
    fake.inject(429, op_id="create-a-new-tag", retry_after=60, times=5)
    with fake.client(max_retries=5, max_retry_wait=300) as client:
        client.tags.create("vip")
    assert attempt_times(fake, "create-a-new-tag") == [0, 60, 120, 180, 240, 300]


def test_retry_waits_past_the_cap_end_the_call_without_sleeping(
    fake: FakeProfiles, no_real_sleep: list[float]
) -> None:
    fake.inject(429, op_id="create-a-new-tag", retry_after=60, times=5)
    with fake.client(max_retries=5) as client, pytest.raises(RateLimitError):
        client.tags.create("vip")
    assert fake.clock.time() - START.timestamp() <= 120  # the default max_retry_wait


async def test_async_client_waits_on_the_fake_clock(
    fake: FakeProfiles, no_real_sleep: list[float]
) -> None:
    fake.inject(429, op_id="create-a-new-tag", retry_after=30, times=2)
    client = fake.async_client()
    await client.tags.create("vip")
    assert attempt_times(fake, "create-a-new-tag") == [0, 30, 60]


def test_retries_exhausted_still_never_sleep(
    fake: FakeProfiles, no_real_sleep: list[float]
) -> None:
    fake.inject(429, op_id="create-a-new-tag", retry_after=10, times=None)
    with fake.client(max_retries=2) as client, pytest.raises(RateLimitError):
        client.tags.create("vip")
    assert attempt_times(fake, "create-a-new-tag") == [0, 10, 20]


def test_backoff_without_retry_after_advances_the_fake_clock(
    fake: FakeProfiles, no_real_sleep: list[float]
) -> None:
    fake.inject(503, op_id="get-list-of-tags", times=3)
    with fake.client() as client:
        assert list(client.tags.list()) == []
    times = attempt_times(fake, "get-list-of-tags")
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Exponential backoff from 0.5 s, each wait shortened by up to 25% jitter.
    assert len(gaps) == 3
    for gap, base in zip(gaps, (0.5, 1.0, 2.0), strict=True):
        assert base * 0.75 <= gap <= base
    assert math.isclose(fake.clock.time() - START.timestamp(), sum(gaps))


def test_pacing_reads_and_advances_the_fake_clock(no_real_sleep: list[float]) -> None:
    fake = FakeProfiles(KEY, rate_limits=True, clock=FakeClock(START, frozen=True))
    with fake.client() as client:
        assert client.throttle
        for i in range(12):
            client.tags.create(f"tag-{i}")
    creates = fake.calls.filter(op_id="create-a-new-tag")
    assert [c.status for c in creates] == [200] * 12
    # 5/s: the paced client spreads 12 creates over at least 2.2 s of fake time.
    assert fake.clock.time() - START.timestamp() >= 2.2


def test_with_options_keeps_waiting_on_the_fake_clock(
    fake: FakeProfiles, no_real_sleep: list[float]
) -> None:
    fake.inject(429, op_id="create-a-new-tag", retry_after=7, times=1)
    with fake.client() as client:
        client.with_options(max_retries=1).tags.create("vip")
    assert attempt_times(fake, "create-a-new-tag") == [0, 7]


def test_own_client_opts_in_with_the_sleep_and_clock_hooks(
    fake: FakeProfiles, no_real_sleep: list[float]
) -> None:
    fake.inject(429, op_id="create-a-new-tag", retry_after=5, times=1)
    http = httpx.Client(transport=fake.transport())
    client = ProfilesClient(
        KEY,
        "https://api.infobip.com",
        http_client=http,
        sleep=fake.clock.sleep,
        clock=fake.clock.time,
    )
    client.tags.create("vip")
    http.close()
    assert attempt_times(fake, "create-a-new-tag") == [0, 5]


async def test_own_async_client_opts_in(fake: FakeProfiles, no_real_sleep: list[float]) -> None:
    fake.inject(429, op_id="create-a-new-tag", retry_after=5, times=1)
    async with httpx.AsyncClient(transport=fake.async_transport()) as http:
        client = AsyncProfilesClient(
            KEY,
            "https://api.infobip.com",
            http_client=http,
            sleep=fake.clock.asleep,
            clock=fake.clock.time,
        )
        await client.tags.create("vip")
    assert attempt_times(fake, "create-a-new-tag") == [0, 5]


def test_a_running_clock_moves_by_the_wait_too(no_real_sleep: list[float]) -> None:
    fake = FakeProfiles(KEY)
    fake.inject(429, op_id="create-a-new-tag", retry_after=60, times=1)
    before = fake.clock.time()
    with fake.client() as client:
        client.tags.create("vip")
    assert fake.clock.time() - before >= 60
    first, second = fake.calls.filter(op_id="create-a-new-tag")
    assert second.started_at - first.started_at >= 60


# -- the clock itself --------------------------------------------------------------------------


def test_clock_sleep_advances_at_once_even_when_running(no_real_sleep: list[float]) -> None:
    clock = FakeClock(START, frozen=True)
    clock.sleep(2.5)
    asyncio.run(clock.asleep(0.5))
    clock.sleep(0)
    assert clock.time() == START.timestamp() + 3


@pytest.mark.parametrize(
    "seconds", [-1, math.nan, math.inf, -math.inf, 1e300, 10**400, 200 * 365 * 86400]
)
def test_clock_refuses_bad_advances_and_stays_usable(seconds: Any) -> None:
    clock = FakeClock(START, frozen=True)
    with pytest.raises((ValueError, OverflowError)):
        clock.advance(seconds)
    assert clock.now() == START
    clock.advance(1)
    assert clock.v2_timestamp() == "2024-01-01T00:00:01"


@pytest.mark.parametrize("seconds", [True, "5", None])
def test_clock_refuses_non_numbers(seconds: Any) -> None:
    with pytest.raises(TypeError):
        FakeClock(START, frozen=True).advance(seconds)


def test_clock_refuses_to_pass_the_last_representable_year() -> None:
    clock = FakeClock(datetime(9997, 6, 1, tzinfo=timezone.utc), frozen=True)
    with pytest.raises(ValueError, match="9998"):
        clock.advance(365 * 86400)
    with pytest.raises(ValueError, match="9998"):
        clock.set(datetime(9999, 1, 1))
    assert clock.now().year == 9997


def test_clock_repr_is_readable() -> None:
    clock = FakeClock(START, frozen=True)
    assert repr(clock) == "<FakeClock frozen at 2024-01-01T00:00:00+00:00>"
    clock.unfreeze()
    assert repr(clock).startswith("<FakeClock running at 2024-01-01T00:00:0")
    assert "wall clock" in repr(clock)


def test_clients_created_under_patch_wait_on_the_fake_clock(
    fake: FakeProfiles, no_real_sleep: list[float]
) -> None:
    pytest.importorskip("respx")
    fake.inject(429, op_id="create-a-new-tag", retry_after=9, times=1)
    with fake.patch(), ProfilesClient(KEY) as client:
        client.tags.create("vip")
    assert attempt_times(fake, "create-a-new-tag") == [0, 9]
    with ProfilesClient(KEY) as after:
        assert after._sleep is time.sleep  # the default again once the patch ends


async def test_async_clients_created_under_patch_wait_on_the_fake_clock(
    fake: FakeProfiles, no_real_sleep: list[float]
) -> None:
    pytest.importorskip("respx")
    fake.inject(429, op_id="create-a-new-tag", retry_after=4, times=2)
    with fake.patch():
        async with AsyncProfilesClient(KEY) as client:
            await client.tags.create("vip")
    assert attempt_times(fake, "create-a-new-tag") == [0, 4, 8]
