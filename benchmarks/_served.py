"""The fake served over loopback HTTP from its own process (``infobip-profiles fake-server``).

The benchmarks that measure the client over HTTP run the fake in a separate process, as a user's
test suite would against a shared served fake: in the same process, the server's connection
threads and the client would compete for one interpreter lock, and the figure would measure that
contention instead of the client.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx

__all__ = ["served_fake", "served_fake_process", "count_calls"]


@contextlib.contextmanager
def served_fake(api_key: str, **options: Any) -> Iterator[str]:
    """Start ``infobip-profiles fake-server`` on a free port; yield its base URL; stop it after.

    ``options`` are those of :func:`served_fake_process`.
    """
    with served_fake_process(api_key, **options) as (base_url, _):
        yield base_url


@contextlib.contextmanager
def served_fake_process(
    api_key: str,
    *,
    rate_limits: bool = False,
    seed: dict[str, Any] | None = None,
    max_calls: int = 1000,
) -> Iterator[tuple[str, int]]:
    """Start ``infobip-profiles fake-server`` on a free port (enforcing the published limits if
    ``rate_limits``, seeded with ``seed``, keeping ``max_calls`` calls in its log); yield its base
    URL and its process id; stop it after."""
    cmd = [
        sys.executable,
        "-m",
        "infobip_profiles.cli",
        "fake-server",
        "--port",
        "0",
        "--api-key",
        api_key,
        "--max-calls",
        str(max_calls),
        # The fake has this process to itself: pausing its collector during bulk writes spares
        # the figures the collector's passes over the stored persons (docs/performance.md).
        "--pause-collector",
    ]
    if rate_limits:
        cmd.append("--rate-limits")
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        if not base_url.startswith("http://"):
            raise RuntimeError(f"the fake server did not start (printed {base_url!r})")
        if seed:
            response = httpx.post(f"{base_url}/_fake/seed", json=seed, timeout=600)
            response.raise_for_status()
        yield base_url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def count_calls(base_url: str, **filters: str) -> int:
    """How many requests the served fake recorded matching ``filters`` (``status="429"``...)."""
    response = httpx.get(f"{base_url}/_fake/calls", params=filters, timeout=600)
    response.raise_for_status()
    return len(response.json()["calls"])
