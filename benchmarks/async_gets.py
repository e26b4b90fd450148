"""Figure 5, async: concurrent gets through the async client against the same gets one by one.

Both run against the fake served on loopback HTTP from its own process, with pacing off (pacing
would make both sides wait for the rate limit and measure the limit instead of the client). Two
variants: the bare fake, which answers from memory in a few milliseconds of CPU under one lock (so
concurrency can only overlap the client's own work), and the fake with 20 ms of added latency per
request (an injected fault, slept outside the lock), which stands for a network round trip.
"""

from __future__ import annotations

import asyncio
import time

import httpx

from infobip_profiles import AsyncProfilesClient, PersonRef, ProfilesClient

from ._harness import Figure, Scale, figure
from ._served import served_fake
from .fake_scale import served_seed

__all__ = ["run"]

KEY = "bench-key"
STORED = 1000
ROUND_TRIP = 0.020


def _refs(n: int) -> list[PersonRef]:
    return [PersonRef.email(f"person{i % STORED}@example.com") for i in range(n)]


async def _concurrent(base_url: str, refs: list[PersonRef]) -> float:
    # The client's own connection pool, as a user gets it by default.
    async with AsyncProfilesClient(KEY, base_url, throttle=False, timeout=120) as client:
        await client.people.get(refs[0])  # open a connection first, as the sync side does
        started = time.perf_counter()
        people = await asyncio.gather(*(client.people.get(ref) for ref in refs))
        elapsed = time.perf_counter() - started
    assert len(people) == len(refs)
    return elapsed


def _sequential(base_url: str, refs: list[PersonRef]) -> float:
    with ProfilesClient(KEY, base_url, throttle=False, timeout=120) as client:
        client.people.get(refs[0])
        started = time.perf_counter()
        for ref in refs:
            client.people.get(ref)
        return time.perf_counter() - started


def _add_latency(base_url: str, seconds: float) -> None:
    fault = {"latency": seconds, "times": None, "opId": "get-a-single-person-or-a-list-of-people"}
    httpx.post(f"{base_url}/_fake/faults", json=fault, timeout=30).raise_for_status()


def run(scale: Scale) -> list[Figure]:
    """Wall time of N concurrent async gets against N sequential sync gets, bare and with latency."""
    refs = _refs(scale.async_gets)
    seed = served_seed(STORED)
    figures = []
    with served_fake(KEY, seed=seed, max_calls=10) as base_url:
        for latency in (0.0, ROUND_TRIP):
            if latency:
                _add_latency(base_url, latency)
            sequential = _sequential(base_url, refs)
            concurrent = asyncio.run(_concurrent(base_url, refs))
            suffix = f", {latency * 1000:.0f} ms added per request" if latency else ""
            figures.append(
                figure(
                    "async_concurrent_vs_sequential" + ("_with_latency" if latency else ""),
                    f"{len(refs):,} concurrent people.get, async client, loopback HTTP{suffix}",
                    "the same gets one after another with the sync client",
                    "seconds for all gets",
                    concurrent,
                    sequential,
                    details={"speedup": round(sequential / concurrent, 3)},
                )
            )
    return figures
