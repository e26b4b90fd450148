"""Figure 3, bulk: ``people.upsert_many`` against a loop of ``people.create``, over loopback HTTP.

Both run against the fake served on 127.0.0.1 from its own process. The ``create`` loop is measured on a sample and
its rate extrapolated (a loop over 100,000 persons would take minutes and measure nothing more).
The two are measured in alternating rounds (each on a fresh served fake) and the medians compared:
a shared machine's speed drifts over seconds, and one measurement of each, taken a few seconds
apart, moved the ratio by a third between runs.
Both sides run with the garbage collector on, after a ``gc.collect()``: the 100,000 input persons
are about 700,000 objects, and a full collection walks all of them (about 0.4 s here); whether
one falls inside an ``upsert_many`` then depends on what the process allocated before, not on
the call. Each round's full collections are reported in the figure's details.
The paced figure runs a second fake that enforces the published limits on the real clock, with
the client's pacing on: the elapsed time is set against the theoretical minimum of
``items / 1000 per batch / 5 batches per second``, and the fake counts the 429s it answered.
"""

from __future__ import annotations

import gc
import statistics
import time

from infobip_profiles import ProfilesClient

from ._data import new_person
from ._harness import CollectorCount, Figure, Scale, figure
from ._served import count_calls, served_fake

__all__ = ["run"]

KEY = "bench-key"
BATCH = 1000
BATCHES_PER_SECOND = 5


def _upsert_rate(n: int, full_collections: list[int]) -> float:
    persons = [new_person(i) for i in range(n)]
    with (
        served_fake(KEY, max_calls=10) as base_url,
        ProfilesClient(KEY, base_url, throttle=False, timeout=120) as client,
    ):
        gc.collect()  # both sides start from the same collector state (see the module's doc)
        with CollectorCount() as collector:
            started = time.perf_counter()
            result = client.people.upsert_many(persons)
            elapsed = time.perf_counter() - started
        full_collections.append(collector.runs[2])
        stored = client.people.count()
    failed = sum(1 for item in result.items if not item.ok)
    if failed or stored != n:
        raise RuntimeError(f"upsert_many lost persons: {failed} failed, {stored} stored")
    return n / elapsed


def _create_rate(sample: int) -> float:
    persons = [new_person(i) for i in range(sample)]
    with (
        served_fake(KEY, max_calls=10) as base_url,
        ProfilesClient(KEY, base_url, throttle=False) as client,
    ):
        client.people.create(new_person(-1))  # warm the connection
        gc.collect()
        started = time.perf_counter()
        for person in persons:
            client.people.create(person)
        elapsed = time.perf_counter() - started
    return sample / elapsed


def _paced(n: int) -> tuple[float, float, int]:
    persons = [new_person(i) for i in range(n)]
    with (
        served_fake(KEY, rate_limits=True, max_calls=10_000) as base_url,
        ProfilesClient(KEY, base_url, throttle=True, timeout=120) as client,
    ):
        started = time.perf_counter()
        result = client.people.upsert_many(persons)
        elapsed = time.perf_counter() - started
        too_many = count_calls(base_url, status="429")
    if any(not item.ok for item in result.items):
        raise RuntimeError("paced upsert_many reported failed persons")
    theoretical = n / BATCH / BATCHES_PER_SECOND
    return elapsed, theoretical, too_many


def _rates(scale: Scale) -> tuple[list[float], list[float], list[int]]:
    """The rates of upsert_many and of the create loop in each of the alternating rounds, and
    the full collections made during each upsert_many."""
    upserts: list[float] = []
    creates: list[float] = []
    full: list[int] = []
    for i in range(scale.bulk_rounds):
        if i % 2:
            creates.append(_create_rate(scale.bulk_create_sample))
            upserts.append(_upsert_rate(scale.bulk_persons, full))
        else:
            upserts.append(_upsert_rate(scale.bulk_persons, full))
            creates.append(_create_rate(scale.bulk_create_sample))
    return upserts, creates, full


def run(scale: Scale) -> list[Figure]:
    """Throughput of upsert_many against the create loop, and the paced run against its minimum."""
    upserts, creates, full_collections = _rates(scale)
    elapsed, theoretical, too_many = _paced(scale.paced_persons)
    return [
        figure(
            "bulk_upsert_vs_create",
            f"upsert_many of {scale.bulk_persons:,} persons, loopback HTTP "
            f"(median of {scale.bulk_rounds})",
            f"a people.create loop (sample of {scale.bulk_create_sample:,}, extrapolated; "
            f"median of {scale.bulk_rounds})",
            "persons per second",
            statistics.median(upserts),
            statistics.median(creates),
            target=">= 50",
            details={
                "upsert_requests": -(-scale.bulk_persons // BATCH),
                "pacing": "off",
                "ratio_per_round": [round(u / c, 1) for u, c in zip(upserts, creates, strict=True)],
                "upserts_per_second_per_round": [round(u) for u in upserts],
                "creates_per_second_per_round": [round(c) for c in creates],
                "full_collections_per_upsert_round": full_collections,
            },
        ),
        figure(
            "bulk_paced_vs_minimum",
            f"upsert_many of {scale.paced_persons:,} persons, fake enforcing limits, pacing on",
            "theoretical minimum: items / 1000 per batch / 5 batches per second",
            "seconds",
            elapsed,
            theoretical,
            target="<= 1.1",
            details={"responses_429": too_many, "batches": -(-scale.paced_persons // BATCH)},
        ),
    ]
