"""Where the time of one ``upsert_many`` goes, over loopback HTTP: the profile behind figure 3.

Usage::

    python -m benchmarks.bulk_breakdown                  # 100,000 persons, three runs
    python -m benchmarks.bulk_breakdown --persons 20000 --runs 1

Prints JSON, one object per run: the whole call, the checks and encoding done before the first
request, the round trips (first byte of a request to its response's headers, from the client's
side), the fake's own time per request (from its call log), the client's time between a response
and the next request, the tail after the last response, and the CPU time of each process. The
served fake runs in its own process, as in ``python -m benchmarks --only bulk``. No figure here is a
ratio: it explains the figure, it is not one (see ``docs/performance.md``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import time
from typing import Any

import httpx

from infobip_profiles import ProfilesClient

from ._data import new_person
from ._harness import CollectorCount
from ._served import served_fake_process

KEY = "bench-key"
BATCH = 1000


def _process_cpu(pid: int) -> float:
    """User plus system CPU seconds of process ``pid`` (Linux ``/proc``; 0 where unreadable)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def breakdown(persons: int) -> dict[str, Any]:
    """One ``upsert_many`` of ``persons`` new persons against a fresh served fake, taken apart."""
    people = [new_person(i) for i in range(persons)]
    marks: list[tuple[str, float]] = []
    hooks = {
        "request": [lambda request: marks.append(("request", time.perf_counter()))],
        "response": [lambda response: marks.append(("response", time.perf_counter()))],
    }
    requests = -(-persons // BATCH)
    with (
        served_fake_process(KEY, max_calls=requests + 10) as (base_url, pid),
        httpx.Client(timeout=120, event_hooks=hooks) as http,
        ProfilesClient(KEY, base_url, throttle=False, http_client=http) as client,
    ):
        gc.collect()
        fake_cpu, own_cpu = _process_cpu(pid), _own_cpu()
        with CollectorCount() as collector:
            started = time.perf_counter()
            client.people.upsert_many(people)
            elapsed = time.perf_counter() - started
        fake_cpu, own_cpu = _process_cpu(pid) - fake_cpu, _own_cpu() - own_cpu
        calls = httpx.get(f"{base_url}/_fake/calls", timeout=120).json()["calls"]
    sent = [t for kind, t in marks if kind == "request"]
    answered = [t for kind, t in marks if kind == "response"]
    handled = [c["finishedAt"] - c["startedAt"] for c in calls if c["opId"].startswith("upsert")]
    trips = [b - a for a, b in zip(sent, answered, strict=True)]
    between = [b - a for a, b in zip(answered, sent[1:], strict=False)]
    return {
        "persons": persons,
        "requests": len(sent),
        "seconds": round(elapsed, 3),
        "persons_per_second": round(persons / elapsed),
        "before_first_request_s": round(sent[0] - started, 3),
        "round_trips_s": round(sum(trips), 3),
        "round_trip_median_ms": round(statistics.median(trips) * 1000, 2),
        "fake_handling_s": round(sum(handled), 3),
        "fake_handling_median_ms": round(statistics.median(handled) * 1000, 2),
        "between_requests_s": round(sum(between), 3),
        "after_last_response_s": round(started + elapsed - answered[-1], 3),
        "client_cpu_s": round(own_cpu, 3),
        "fake_cpu_s": round(fake_cpu, 3),
        "client_collections_per_generation": collector.runs,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bulk_breakdown")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    for _ in range(args.runs):
        print(json.dumps(breakdown(args.persons)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
