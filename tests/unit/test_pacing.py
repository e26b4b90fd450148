"""The throttle: client-side pacing to each operation's published rate limit.

The pacer is tested on its own with an injected clock, then through the clients (sync, async, and
threads sharing one client) with a fake clock that only moves when the client "sleeps".
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from typing import Any

import pytest
import respx

from infobip_profiles import AsyncProfilesClient, Person, PersonRef, ProfilesClient
from infobip_profiles._operations import OPERATIONS, operation
from infobip_profiles._ratelimit import Pacer, RateLimit

KEY = "test-key"
BASE = "https://acme.api.infobip.com"
PERSONS = f"{BASE}/people/2/persons"
REF = PersonRef.id(1)
MARGIN = 1.03  # the pacer's safety margin over 1/rate


class FakeTime:
    """A clock that moves only when someone sleeps (or the test advances it)."""

    def __init__(self, *, frozen: bool = False) -> None:
        self.frozen = frozen
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            if not self.frozen:
                self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.fixture
def clock() -> FakeTime:
    return FakeTime()


# -- the pacer on its own -----------------------------------------------------------------------


def test_a_window_limit_lets_the_first_request_through(clock: FakeTime) -> None:
    pacer = Pacer(RateLimit.per_second(5), clock=clock.monotonic)

    assert pacer.reserve() == 0.0


def test_a_window_limit_spaces_requests_evenly(clock: FakeTime) -> None:
    pacer = Pacer(RateLimit.per_second(5), clock=clock.monotonic)

    waits = [pacer.reserve() for _ in range(4)]

    step = 0.2 * MARGIN
    assert waits == pytest.approx([0.0, step, 2 * step, 3 * step])


def test_a_window_limit_never_admits_more_than_rate_in_one_second(clock: FakeTime) -> None:
    pacer = Pacer(RateLimit.per_second(5), clock=clock.monotonic)

    send_times = []
    for _ in range(20):
        clock.advance(pacer.reserve())
        send_times.append(clock.now)

    for i, t in enumerate(send_times):
        in_window = [s for s in send_times[i:] if s < t + 1.0]
        assert len(in_window) <= 5


def test_after_a_pause_the_next_request_is_free(clock: FakeTime) -> None:
    pacer = Pacer(RateLimit.per_second(5), clock=clock.monotonic)
    pacer.reserve()
    pacer.reserve()

    clock.advance(5.0)

    assert pacer.reserve() == 0.0


def test_a_request_after_part_of_the_interval_waits_the_rest(clock: FakeTime) -> None:
    pacer = Pacer(RateLimit.per_second(10), clock=clock.monotonic)
    pacer.reserve()

    clock.advance(0.05)

    assert pacer.reserve() == pytest.approx(0.1 * MARGIN - 0.05)


def _paced_starts(pacer: Pacer, clock: FakeTime, count: int, late: dict[int, float]) -> list[float]:
    """Send ``count`` requests one after another; request ``i`` starts ``late[i]`` seconds after
    its slot (the process was busy) and reports its real start, as the clients do."""
    starts = []
    for i in range(count):
        clock.advance(pacer.reserve())
        clock.advance(late.get(i, 0.0))
        pacer.started()
        starts.append(clock.now)
        clock.advance(0.007)  # the round trip before the next request is built
    return starts


def _most_in_one_second(starts: list[float]) -> int:
    return max(sum(1 for s in starts[i:] if s < t + 1.0) for i, t in enumerate(starts))


@pytest.mark.parametrize("late", [0.05, 0.15, 0.28, 0.5, 2.0])
def test_a_late_request_moves_the_schedule_instead_of_crowding_a_window(
    clock: FakeTime, late: float
) -> None:
    """A request that starts late (a long collection, say) never lets six requests into one
    second: without its reported start, the four after it went out on the old schedule (late
    by less than a slot) or the next went straight after it (late by more)."""
    pacer = Pacer(RateLimit.per_second(5), clock=clock.monotonic)

    starts = _paced_starts(pacer, clock, 30, {7: late})

    assert _most_in_one_second(starts) <= 5
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.2 * MARGIN - 1e-9


def test_starts_on_time_keep_the_even_schedule(clock: FakeTime) -> None:
    pacer = Pacer(RateLimit.per_second(5), clock=clock.monotonic)

    starts = _paced_starts(pacer, clock, 11, {})

    assert starts[10] - starts[0] == pytest.approx(10 * 0.2 * MARGIN)


def test_a_token_bucket_burst_is_not_spread_by_reported_starts(clock: FakeTime) -> None:
    pacer = Pacer(RateLimit.token_bucket(rate=1, burst=5), clock=clock.monotonic)
    waits = []
    for _ in range(5):
        waits.append(pacer.reserve())
        pacer.started()

    assert waits == [0.0] * 5


def test_a_token_bucket_admits_its_burst_at_once(clock: FakeTime) -> None:
    pacer = Pacer(RateLimit.token_bucket(rate=1, burst=5), clock=clock.monotonic)

    waits = [pacer.reserve() for _ in range(6)]

    assert waits[:5] == [0.0] * 5
    assert waits[5] == pytest.approx(1.0 * MARGIN)


def test_a_token_bucket_of_one_paces_every_request(clock: FakeTime) -> None:
    pacer = Pacer(RateLimit.token_bucket(rate=1, burst=1), clock=clock.monotonic)

    assert [pacer.reserve() for _ in range(3)] == pytest.approx([0.0, MARGIN, 2 * MARGIN])


def test_threads_sharing_a_pacer_each_get_their_own_slot(clock: FakeTime) -> None:
    pacer = Pacer(RateLimit.per_second(5), clock=clock.monotonic)
    waits: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        wait = pacer.reserve()
        with lock:
            waits.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(waits) == pytest.approx([i * 0.2 * MARGIN for i in range(8)])


# -- the clients ---------------------------------------------------------------------------------


@pytest.fixture
def api() -> Any:
    with respx.mock(assert_all_called=False) as router:
        router.get(PERSONS).respond(200, json={"id": 1})
        router.post(PERSONS).respond(200, json={"id": 1})
        router.get(url__regex=r".*/peopleevents/2/definitions/.+").respond(
            200, json={"definitionId": "d"}
        )
        yield router


def make(kind: str, clock: FakeTime, **kwargs: Any) -> Any:
    cls = ProfilesClient if kind == "sync" else AsyncProfilesClient
    client: Any = cls(api_key=KEY, base_url=BASE, **kwargs)
    client._clock = clock.monotonic
    client._sleep = clock.sleep if kind == "sync" else clock.asleep
    return client


async def run(client: Any, action: Any, times: int) -> None:
    for _ in range(times):
        result = action(client)
        if isinstance(client, AsyncProfilesClient):
            await result


async def test_throttle_is_on_by_default_and_paces_one_operation(
    kind: str, clock: FakeTime, api: Any
) -> None:
    client = make(kind, clock)

    await run(client, lambda c: c.people.get(REF), 4)

    assert client.throttle is True
    assert clock.sleeps == pytest.approx([0.2 * MARGIN] * 3)


async def test_each_operation_is_paced_to_its_own_limit(
    kind: str, clock: FakeTime, api: Any
) -> None:
    client = make(kind, clock)

    await run(client, lambda c: c.people.create(Person(external_id="a")), 3)

    # create-a-new-person is published at 10/s, not the 5/s of the other persons calls
    assert clock.sleeps == pytest.approx([0.1 * MARGIN] * 2)


async def test_different_operations_do_not_wait_for_each_other(
    kind: str, clock: FakeTime, api: Any
) -> None:
    client = make(kind, clock)

    await run(client, lambda c: c.people.get(REF), 1)
    await run(client, lambda c: c.people.create(Person(external_id="a")), 1)

    assert clock.sleeps == []


async def test_operations_without_a_published_limit_never_wait(
    kind: str, clock: FakeTime, api: Any
) -> None:
    from infobip_profiles._plan import Call

    client = make(kind, clock)

    def one(c: Any) -> Any:
        def plan() -> Any:
            response = yield Call("get-event-definition", path_params={"definitionId": "d"})
            return response

        return c._run(plan())

    await run(client, one, 5)

    assert operation("get-event-definition").rate_limit is None
    assert clock.sleeps == []


async def test_throttle_off_never_waits(kind: str, clock: FakeTime, api: Any) -> None:
    client = make(kind, clock, throttle=False)

    await run(client, lambda c: c.people.get(REF), 5)

    assert clock.sleeps == []


async def test_a_request_sent_late_pushes_the_next_ones_back(
    kind: str, clock: FakeTime, api: Any
) -> None:
    """The clients report each request's real start: the one after a request that woke 0.3 s
    late (the process was busy) still waits a full interval. Without the report it went out at
    once, back to back with the late one (three waits for five requests instead of four)."""
    client = make(kind, clock)
    oversleep = iter([0.0, 0.3])  # the second wait ends 0.3 s late

    def late_sleep(seconds: float) -> None:
        clock.sleep(seconds)
        clock.advance(next(oversleep, 0.0))

    async def late_asleep(seconds: float) -> None:
        late_sleep(seconds)

    client._sleep = late_sleep if kind == "sync" else late_asleep

    await run(client, lambda c: c.people.get(REF), 5)

    assert clock.sleeps == pytest.approx([0.2 * MARGIN] * 4)


async def test_with_options_copies_share_the_pacing(kind: str, clock: FakeTime, api: Any) -> None:
    client = make(kind, clock)
    copy = client.with_options(timeout=5.0)

    await run(client, lambda c: c.people.get(REF), 1)
    await run(copy, lambda c: c.people.get(REF), 1)

    assert clock.sleeps == pytest.approx([0.2 * MARGIN])


async def test_with_options_can_turn_the_throttle_off(kind: str, clock: FakeTime, api: Any) -> None:
    client = make(kind, clock).with_options(throttle=False)

    await run(client, lambda c: c.people.get(REF), 3)

    assert clock.sleeps == []


def test_threads_sharing_a_client_are_paced_together(api: Any) -> None:
    # A frozen clock: every thread asks at the same instant, so each must get its own slot.
    clock = FakeTime(frozen=True)
    client = make("sync", clock)
    start = threading.Barrier(6)
    errors: list[BaseException] = []

    def worker() -> None:
        start.wait()
        try:
            client.people.get(REF)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sorted(clock.sleeps) == pytest.approx([i * 0.2 * MARGIN for i in range(1, 6)])
    assert len(api.calls) == 6


def test_every_rate_limited_operation_has_a_positive_rate() -> None:
    limited = [op for op in OPERATIONS.values() if op.rate_limit is not None]

    assert limited
    assert all(op.rate_limit is not None and op.rate_limit.rate > 0 for op in limited)


async def test_concurrent_tasks_sharing_an_async_client_are_paced_together(api: Any) -> None:
    clock = FakeTime(frozen=True)
    client = make("async", clock)

    await asyncio.gather(*(client.people.get(REF) for _ in range(5)))

    assert sorted(clock.sleeps) == pytest.approx([i * 0.2 * MARGIN for i in range(1, 5)])
    assert len(api.calls) == 5
