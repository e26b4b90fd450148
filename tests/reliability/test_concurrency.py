"""Concurrency: the served fake under many threads, and the async client under many tasks.

Sixteen threads share one served fake and make mixed writes (creates, batches, upserts, updates,
replaces, deletes, and races for the same identities). Afterwards every write that succeeded is in
the state exactly once, every refused one left no trace, and the persons engine's indexes agree
with a full scan. The async client then runs 200 concurrent calls and closes with no connection
left open.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infobip_profiles import (
    AsyncProfilesClient,
    ConflictError,
    ContactInformation,
    NotFoundError,
    Person,
    PersonRef,
    ProfilesClient,
)
from infobip_profiles.testing import FakeProfiles
from tests._support.wire import KEY

THREADS = 16

pytestmark = pytest.mark.http


def person(ext: str, **fields: Any) -> Person:
    return Person(
        external_id=ext,
        contact_information=ContactInformation.of(emails=[f"{ext}@example.com"]),
        **fields,
    )


@pytest.fixture
def base_url(fake: FakeProfiles) -> Iterator[str]:
    """The suite's fake, always served over loopback."""
    with fake.serve() as url:
        yield url


def run_threads(n: int, work: Any) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def wrapped(t: int) -> None:
        try:
            start.wait()
            work(t)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=wrapped, args=(t,)) for t in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_sixteen_threads_of_mixed_writes_lose_nothing_and_keep_the_indexes_true(
    fake: FakeProfiles, base_url: str
) -> None:
    expected: dict[str, dict[str, Any]] = {}
    lock = threading.Lock()

    def work(t: int) -> None:
        with ProfilesClient(KEY, base_url, throttle=False) as client:
            people = client.people
            mine = [f"t{t}-{i}" for i in range(6)]
            for ext in mine[:3]:
                people.create(person(ext, first_name="created"))
            batch = people.create_many([person(mine[3]), person(mine[4])])
            assert all(item.ok for item in batch.items)
            people.upsert_many([person(mine[5], first_name="upserted"), person(mine[0])])
            people.update(PersonRef.external_id(mine[1]), Person(last_name=f"updated-{t}"))
            people.replace(PersonRef.external_id(mine[2]), person(mine[2], first_name="replaced"))
            people.delete(PersonRef.external_id(mine[4]))
            with lock:
                expected[mine[0]] = {"firstName": "created"}
                expected[mine[1]] = {"firstName": "created", "lastName": f"updated-{t}"}
                expected[mine[2]] = {"firstName": "replaced"}
                expected[mine[3]] = {}
                expected[mine[5]] = {"firstName": "upserted"}

    errors = run_threads(THREADS, work)

    assert errors == []
    stored = {p["externalId"]: p for p in fake.people()}
    assert set(stored) == set(expected)
    for ext, fields in expected.items():
        assert {k: stored[ext].get(k) for k in fields} == fields, ext
    fake.tenant().persons.check_indexes()


def test_threads_racing_to_create_the_same_identity_create_it_once(
    fake: FakeProfiles, base_url: str
) -> None:
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def work(t: int) -> None:
        with ProfilesClient(KEY, base_url, throttle=False) as client:
            for round_ in range(5):
                try:
                    client.people.create(person(f"contested-{round_}", first_name=f"t{t}"))
                    result = "created"
                except ConflictError:
                    result = "conflict"
                with lock:
                    outcomes[result] += 1

    errors = run_threads(THREADS, work)

    assert errors == []
    assert outcomes == Counter(created=5, conflict=5 * (THREADS - 1))
    ids = Counter(p["externalId"] for p in fake.people())
    assert ids == Counter(f"contested-{r}" for r in range(5))
    fake.tenant().persons.check_indexes()


def test_threads_upserting_the_same_persons_leave_one_profile_each(
    fake: FakeProfiles, base_url: str
) -> None:
    def work(t: int) -> None:
        with ProfilesClient(KEY, base_url, throttle=False) as client:
            result = client.people.upsert_many(
                [person(f"shared-{i}", last_name=f"t{t}") for i in range(50)]
            )
            assert all(item.ok for item in result.items)

    errors = run_threads(THREADS, work)

    assert errors == []
    ids = Counter(p["externalId"] for p in fake.people())
    assert ids == Counter(f"shared-{i}" for i in range(50))
    fake.tenant().persons.check_indexes()


def test_writes_and_deletes_racing_on_one_person_leave_a_consistent_index(
    fake: FakeProfiles, base_url: str
) -> None:
    def work(t: int) -> None:
        with ProfilesClient(KEY, base_url, throttle=False) as client:
            for _ in range(5):
                client.people.upsert_many([person("flapping", last_name=f"t{t}")])
                with contextlib.suppress(NotFoundError):  # someone else deleted it first
                    client.people.delete(PersonRef.external_id("flapping"))

    errors = run_threads(THREADS, work)

    assert errors == []
    assert len(fake.people()) <= 1
    fake.tenant().persons.check_indexes()


# -- the async client --------------------------------------------------------------------------------


def open_sockets() -> int:
    return sum(
        1 for fd in Path("/proc/self/fd").iterdir() if os.path.realpath(fd).startswith("socket:")
    )


def sockets_settle_to(before: int) -> int:
    """Open sockets once the server's side has seen the client hang up (polled, at most 10 s)."""
    deadline = time.monotonic() + 10
    while open_sockets() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    return open_sockets()


needs_proc = pytest.mark.skipif(
    not Path("/proc/self/fd").exists(), reason="counts open sockets through /proc"
)


@needs_proc
async def test_two_hundred_concurrent_async_calls_succeed_and_leave_no_connection_open(
    fake: FakeProfiles, base_url: str
) -> None:
    fake.seed(people=[{"externalId": f"seeded-{i}"} for i in range(100)])
    before = open_sockets()

    async with AsyncProfilesClient(KEY, base_url, throttle=False) as client:
        gets = [client.people.get(PersonRef.external_id(f"seeded-{i}")) for i in range(100)]
        creates = [client.people.create(person(f"async-{i}")) for i in range(80)]
        counts = [client.people.count() for _ in range(20)]
        got, created, counted = await asyncio.gather(
            asyncio.gather(*gets), asyncio.gather(*creates), asyncio.gather(*counts)
        )

    assert [p.external_id for p in got] == [f"seeded-{i}" for i in range(100)]
    assert len({p.id for p in created}) == 80
    assert all(100 <= n <= 180 for n in counted)
    assert len(fake.people()) == 180
    assert sockets_settle_to(before) <= before


@needs_proc
async def test_an_async_client_closed_mid_flight_leaves_no_connection_open(
    fake: FakeProfiles, base_url: str
) -> None:
    fake.inject(latency=0.5, op_id="create-a-new-person", times=None)
    before = open_sockets()

    async with AsyncProfilesClient(KEY, base_url, throttle=False, max_retries=0) as client:
        tasks = [
            asyncio.ensure_future(client.people.create(person(f"slow-{i}"))) for i in range(20)
        ]
        await asyncio.sleep(0.1)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    assert sockets_settle_to(before) <= before
