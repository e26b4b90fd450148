"""Figure 4, the fake at scale: lookups, a filtered list, and memory per stored person.

Persons are stored straight through the engine (as ``fake.seed`` does, without building one huge
seed list), then requests go through :meth:`FakeProfiles.handle`, the entry point every adapter
calls, so what is measured is the fake itself: routing, the engine, rendering the answer.
"""

from __future__ import annotations

import gc
import json
import os
import tracemalloc
from collections.abc import Callable
from typing import Any

from infobip_profiles.filters import F, tags, to_query_param
from infobip_profiles.testing import FakeProfiles
from infobip_profiles.testing._wire import FakeRequest

from ._data import TAGS, TIERS
from ._harness import Figure, Scale, compare, figure

__all__ = ["run", "person_body", "build_fake"]

KEY = "bench-key"
HEADERS = {"authorization": f"App {KEY}"}
MEMORY_TARGET_BYTES = 2048


def person_body(i: int) -> dict[str, Any]:
    """A person to store: names, a city, one email, one phone, a tag and a custom attribute."""
    return {
        "externalId": f"scale-{i}",
        "firstName": f"First{i}",
        "lastName": f"Last{i}",
        "city": "Zagreb",
        "tags": [TAGS[i % len(TAGS)]],
        "customAttributes": {"Tier": TIERS[i % len(TIERS)]},
        "contactInformation": {
            "email": [{"address": f"person{i}@example.com"}],
            "phone": [{"number": f"3859{i:08d}"}],
        },
    }


def served_seed(n: int) -> dict[str, Any]:
    """A seed for a served fake: the ``Tier`` attribute and ``n`` persons of :func:`person_body`."""
    return {
        "customAttributes": [{"name": "Tier", "dataType": "STRING"}],
        "people": [person_body(i) for i in range(n)],
    }


def build_fake(n: int) -> FakeProfiles:
    """A fake holding ``n`` persons (calls history capped, so requests do not pile up)."""
    fake = FakeProfiles(KEY, max_calls=16)
    state = fake.tenant()
    state.attributes.define("Tier", "STRING", None)
    for tag in TAGS:
        state.tags.create(tag)
    create = state.persons.create
    for i in range(n):
        create(person_body(i))
    return fake


def _rss() -> int | None:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def _measure_memory(n: int) -> tuple[FakeProfiles, float, str]:
    """Build a fake of ``n`` persons; return it with the bytes it takes per person.

    The process's resident size is read where it can be and ``n`` is large enough for it to mean
    something; a small fake (the quick run) can fit in memory the process already holds, so
    its RSS delta says nothing (it read 0 bytes per person): tracemalloc counts it instead.
    """
    gc.collect()
    before = _rss() if n >= 100_000 else None
    if before is not None:
        fake = build_fake(n)
        gc.collect()
        after = _rss()
        assert after is not None
        return fake, (after - before) / n, "RSS delta"
    tracemalloc.start()
    start, _ = tracemalloc.get_traced_memory()
    fake = build_fake(n)
    gc.collect()
    end, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return fake, (end - start) / n, "tracemalloc"


def _getter(fake: FakeProfiles, n: int) -> Callable[[], object]:
    """A callable fetching a different stored person by email each time."""
    requests = [
        FakeRequest(
            method="GET",
            path="/people/2/persons",
            query=[("identifier", f"person{(i * 7919) % n}@example.com"), ("type", "EMAIL")],
            headers=HEADERS,
            body=b"",
        )
        for i in range(1000)
    ]
    state = {"i": 0}

    def get() -> object:
        state["i"] = (state["i"] + 1) % len(requests)
        response = fake.handle(requests[state["i"]])
        assert response.status == 200
        return response

    return get


def run(scale: Scale) -> list[Figure]:
    """Lookups at a small and a large size, a filtered list, memory per person."""
    calls = 2000 if not scale.quick else 50
    small = build_fake(scale.scale_small)
    large, per_person, method = _measure_memory(scale.scale_large)
    # Both fakes live side by side and are measured in alternating rounds, so that the machine's
    # load moves both sides alike.
    large_get, small_get = compare(
        _getter(large, scale.scale_large),
        _getter(small, scale.scale_small),
        number=calls,
        rounds=max(3, scale.rounds),
    )
    wire_bytes = sum(
        len(json.dumps(large.tenant().persons.get(pid), separators=(",", ":")))
        for pid in range(1, 1001)
    ) / min(1000, scale.scale_large)
    del large, small
    gc.collect()

    figures = [
        figure(
            "fake_get_large_vs_small",
            f"get by email with {scale.scale_large:,} persons stored",
            f"the same get with {scale.scale_small:,} persons stored",
            "seconds per get",
            large_get,
            small_get,
            target="<= 1.5",
        ),
        figure(
            "fake_memory_per_person",
            f"memory per stored person at {scale.scale_large:,} persons ({method})",
            "the person's compact JSON as the API returns it",
            "bytes per person",
            per_person,
            wire_bytes,
            target=f"value <= {MEMORY_TARGET_BYTES} bytes",
            met=per_person <= MEMORY_TARGET_BYTES,
        ),
    ]

    n = scale.scale_filter
    fake = build_fake(n)
    expression = (F.custom("Tier") == "gold") & tags.contains("VIP")
    query = [("filter", to_query_param(expression)), ("limit", "1000")]
    query.append(("includeTotalCount", "true"))
    request = FakeRequest(
        method="GET", path="/people/2/persons", query=query, headers=HEADERS, body=b""
    )
    stored = fake.people()  # plain dicts: the baseline scans these with a Python loop

    def listed() -> object:
        response = fake.handle(request)
        assert response.status == 200
        return response

    def scan() -> list[dict[str, Any]]:
        return [
            p
            for p in stored
            if p.get("customAttributes", {}).get("Tier") == "gold" and "VIP" in p.get("tags", ())
        ]

    expected = len(scan())
    got = fake.handle(request).json()["totalCount"]
    if got != expected:
        raise RuntimeError(f"the filtered list matched {got}, a plain scan {expected}")
    list_time, scan_time = compare(listed, scan, number=1 if not scale.quick else 3, rounds=3)
    figures.append(
        figure(
            "fake_filtered_list",
            f"filtered list (custom attribute == and tag contains) over {n:,} persons",
            "a plain Python scan of the same persons as dicts, same condition",
            "seconds per list",
            list_time,
            scan_time,
            details={"matched": expected},
        )
    )
    return figures
