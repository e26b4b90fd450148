"""Figure 5, async: concurrent gets through the async client against the same gets one by one.

Both run against the fake served on loopback HTTP, with pacing off (pacing would make both sides
wait for the rate limit and measure the limit instead of the client).
"""

from __future__ import annotations

import asyncio
import time

import httpx

from infobip_profiles import AsyncProfilesClient, PersonRef, ProfilesClient

from ._harness import Figure, Scale, figure
from .fake_scale import build_fake

__all__ = ["run"]

KEY = "bench-key"
STORED = 1000


def _refs(n: int) -> list[PersonRef]:
    return [PersonRef.email(f"person{i % STORED}@example.com") for i in range(n)]


async def _concurrent(base_url: str, refs: list[PersonRef]) -> float:
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with (
        httpx.AsyncClient(limits=limits, timeout=60) as http,
        AsyncProfilesClient(KEY, base_url, throttle=False, http_client=http) as client,
    ):
        await client.people.get(refs[0])  # open a connection first, as the sync side does
        started = time.perf_counter()
        people = await asyncio.gather(*(client.people.get(ref) for ref in refs))
        elapsed = time.perf_counter() - started
    assert len(people) == len(refs)
    return elapsed


def _sequential(base_url: str, refs: list[PersonRef]) -> float:
    with ProfilesClient(KEY, base_url, throttle=False, timeout=60) as client:
        client.people.get(refs[0])
        started = time.perf_counter()
        for ref in refs:
            client.people.get(ref)
        return time.perf_counter() - started


def run(scale: Scale) -> list[Figure]:
    """Wall time of N concurrent async gets against N sequential sync gets."""
    refs = _refs(scale.async_gets)
    fake = build_fake(STORED)
    with fake.serve() as base_url:
        sequential = _sequential(base_url, refs)
        concurrent = asyncio.run(_concurrent(base_url, refs))
    return [
        figure(
            "async_concurrent_vs_sequential",
            f"{len(refs):,} concurrent people.get, async client, loopback HTTP",
            "the same gets one after another with the sync client",
            "seconds for all gets",
            concurrent,
            sequential,
            details={"speedup": round(sequential / concurrent, 3)},
        )
    ]
