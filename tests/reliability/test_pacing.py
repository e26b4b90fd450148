"""Pacing against a fake that enforces the published limits, on one shared clock.

The client's throttle and the fake's rate limits read the same frozen :class:`FakeClock`, and the
client's waits move that clock instead of sleeping. With several threads or tasks, the clock moves
only when every one of them is waiting, to the earliest wake-up (a small discrete-event
scheduler, :class:`VirtualTime`), so each request reaches the fake exactly at the moment the
throttle chose for it: the runs are deterministic, fast, and a 429 would mean the throttle
really let too much through.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from infobip_profiles import ContactInformation, Person, ProfilesClient, RateLimitError
from infobip_profiles._operations import operation
from infobip_profiles.testing import FakeClock, FakeProfiles

KEY = "rel-pacing-key"
UPSERT = "upsert-persons-partial"
EPSILON = 1e-9


def person(i: int) -> Person:
    return Person(
        external_id=f"paced-{i}",
        first_name=f"P{i}",
        contact_information=ContactInformation.of(emails=[f"paced{i}@example.com"]),
    )


class VirtualTime:
    """Sleeps for worker threads on a frozen fake clock, advanced when all of them wait."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self._cond = threading.Condition()
        self._active = 0
        self._sleepers: list[float] = []

    @classmethod
    def for_one_worker(cls, client: ProfilesClient, clock: FakeClock) -> VirtualTime:
        """``client``'s waits on ``clock``, for one worker (call :meth:`done` when it ends)."""
        time = cls(clock)
        time.add_workers(1)
        client._sleep = time.sleep
        return time

    def add_workers(self, n: int) -> None:
        with self._cond:
            self._active += n

    def done(self) -> None:
        with self._cond:
            self._active -= 1
            self._advance()

    def sleep(self, seconds: float) -> None:
        with self._cond:
            target = self.clock.time() + seconds
            heapq.heappush(self._sleepers, target)
            self._active -= 1
            self._advance()
            while self.clock.time() < target - EPSILON:
                self._cond.wait()

    def _advance(self) -> None:
        if self._active > 0 or not self._sleepers:
            return
        gap = self._sleepers[0] - self.clock.time()
        if gap > 0:
            self.clock.advance(gap)
        now = self.clock.time()
        while self._sleepers and self._sleepers[0] <= now + EPSILON:
            heapq.heappop(self._sleepers)
            self._active += 1
        self._cond.notify_all()


class AsyncVirtualTime:
    """The same scheduler for asyncio tasks sharing one event loop."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self._active = 0
        self._order = itertools.count()
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []

    def add_workers(self, n: int) -> None:
        self._active += n

    def done(self) -> None:
        self._active -= 1
        self._advance()

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.clock.time() + seconds, next(self._order), future))
        self._active -= 1
        self._advance()
        await future

    def _advance(self) -> None:
        if self._active > 0 or not self._sleepers:
            return
        gap = self._sleepers[0][0] - self.clock.time()
        if gap > 0:
            self.clock.advance(gap)
        now = self.clock.time()
        while self._sleepers and self._sleepers[0][0] <= now + EPSILON:
            _, _, future = heapq.heappop(self._sleepers)
            future.set_result(None)
            self._active += 1


@pytest.fixture
def fake() -> FakeProfiles:
    return FakeProfiles(KEY, rate_limits=True, clock=FakeClock(frozen=True))


@pytest.fixture
def client(fake: FakeProfiles) -> Iterator[ProfilesClient]:
    with fake.client(throttle=True) as c:
        c._clock = fake.clock.time
        yield c


def statuses(fake: FakeProfiles, op_id: str) -> Counter[int | None]:
    return Counter(call.status for call in fake.calls.filter(op_id=op_id))


def answered(fake: FakeProfiles, op_id: str) -> tuple[int, int]:
    """(requests the fake admitted, requests it refused with 429) for ``op_id``."""
    seen = statuses(fake, op_id)
    return sum(n for status, n in seen.items() if status != 429), seen[429]


def stored_ids(fake: FakeProfiles) -> Counter[str]:
    # The engine's own snapshot: what fake.people() returns, minus its defensive deep copy,
    # which costs seconds at 20,000 persons.
    return Counter(p.get("externalId", "") for p in fake.tenant().persons.snapshot())


def test_a_20000_person_upsert_paced_by_the_client_never_meets_a_429(
    fake: FakeProfiles, client: ProfilesClient
) -> None:
    time = VirtualTime.for_one_worker(client, fake.clock)
    started = fake.clock.time()

    result = client.people.upsert_many(person(i) for i in range(20_000))
    time.done()

    assert answered(fake, UPSERT) == (20, 0)
    assert all(item.ok for item in result.items)
    assert stored_ids(fake) == Counter(f"paced-{i}" for i in range(20_000))
    # 20 requests at 5 per second: the throttle spread them over at least 19 intervals of 1/5 s.
    assert fake.clock.time() - started >= 19 / 5


def test_threads_sharing_a_paced_client_never_meet_a_429(
    fake: FakeProfiles, client: ProfilesClient
) -> None:
    time = VirtualTime(fake.clock)
    client._sleep = time.sleep
    results: list[Any] = []
    threads = 4

    def work(t: int) -> None:
        try:
            results.append(client.people.upsert_many(person(t * 2500 + i) for i in range(2500)))
        finally:
            time.done()

    time.add_workers(threads)
    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)

    assert answered(fake, UPSERT) == (12, 0)  # 3 requests per thread (1000 + 1000 + 500)
    assert sum(len(r.items) for r in results) == 10_000
    assert stored_ids(fake) == Counter(f"paced-{i}" for i in range(10_000))


async def test_tasks_sharing_a_paced_async_client_never_meet_a_429(fake: FakeProfiles) -> None:
    time = AsyncVirtualTime(fake.clock)
    tasks = 10

    async with fake.async_client(throttle=True) as aclient:
        aclient._clock = fake.clock.time
        aclient._sleep = time.sleep

        async def work(t: int) -> Any:
            try:
                return await aclient.people.upsert_many(person(t * 500 + i) for i in range(500))
            finally:
                time.done()

        time.add_workers(tasks)
        results = await asyncio.gather(*(work(t) for t in range(tasks)))

    assert answered(fake, UPSERT) == (10, 0)
    assert all(item.ok for r in results for item in r.items)
    assert stored_ids(fake) == Counter(f"paced-{i}" for i in range(5000))


def test_without_pacing_the_429s_are_absorbed_by_retries_and_nothing_is_lost(
    fake: FakeProfiles,
) -> None:
    with fake.client(throttle=False) as client:
        time = VirtualTime.for_one_worker(client, fake.clock)

        result = client.people.upsert_many(person(i) for i in range(10_000))
        time.done()

    admitted, refused = answered(fake, UPSERT)
    assert refused > 0, "unpaced, the fake must have refused some batches"
    assert admitted == 10
    assert all(item.ok for item in result.items)
    assert stored_ids(fake) == Counter(f"paced-{i}" for i in range(10_000))


def test_unpaced_creates_meet_429s_and_each_person_is_still_created_once(
    fake: FakeProfiles,
) -> None:
    # create is not replay-safe, but a 429 means "not processed", so it is retried all the same.
    with fake.client(throttle=False) as client:
        time = VirtualTime.for_one_worker(client, fake.clock)

        created = [client.people.create(person(i)) for i in range(25)]
        time.done()

    assert statuses(fake, "create-a-new-person")[429] > 0
    assert len({p.id for p in created}) == 25
    assert stored_ids(fake) == Counter(f"paced-{i}" for i in range(25))


def test_paced_creates_are_spread_to_the_published_ten_per_second(
    fake: FakeProfiles, client: ProfilesClient
) -> None:
    time = VirtualTime.for_one_worker(client, fake.clock)

    for i in range(25):
        client.people.create(person(i))
    time.done()

    calls = fake.calls.filter(op_id="create-a-new-person")
    assert {c.status for c in calls} == {200}
    starts = [c.started_at for c in calls]
    assert max(sum(1 for s in starts if t <= s < t + 1.0) for t in starts) <= 10


def test_the_fake_admits_exactly_the_published_limit_in_one_second(fake: FakeProfiles) -> None:
    limit = operation("create-a-new-person").rate_limit
    assert limit is not None
    with fake.client(throttle=False, max_retries=0) as client:
        for i in range(int(limit.rate)):  # all at the same instant of the frozen clock
            client.people.create(person(i))

        with pytest.raises(RateLimitError):
            client.people.create(person(99))

    assert stored_ids(fake)["paced-99"] == 0
    assert len(stored_ids(fake)) == int(limit.rate)
