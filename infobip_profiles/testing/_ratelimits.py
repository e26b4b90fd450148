"""The fake's enforcement of the published rate limits (docs/fake-semantics.md).

Counting is per tenant (API key) and operation, on the fake's clock, with the same algorithms the
client's throttle is built on (``_ratelimit.limiter_for``): advancing ``fake.clock`` empties the
windows, so tests never have to sleep.
"""

from __future__ import annotations

import math
import threading

from .._operations import Operation
from .._ratelimit import SlidingWindow, TokenBucket, limiter_for
from ._errors import MSG, FakeError, error_for_family

__all__ = ["RateLimits", "too_many_requests"]


class RateLimits:
    """One limiter per (tenant, operation), created on first use. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._limiters: dict[tuple[str, str], SlidingWindow | TokenBucket] = {}

    def acquire(self, tenant: str, op: Operation, now: float) -> float:
        """Count a call of ``op`` by ``tenant`` at ``now``: 0 when admitted, else seconds to wait.

        Operations without a published limit are always admitted. A refused call is not counted.
        """
        if op.rate_limit is None:
            return 0.0
        key = (tenant, op.op_id)
        with self._lock:
            limiter = self._limiters.get(key)
            if limiter is None:
                limiter = self._limiters[key] = limiter_for(op.rate_limit)
            return limiter.try_acquire(now)

    def reset(self, tenant: str | None = None) -> None:
        """Forget every window (only ``tenant``'s when given)."""
        with self._lock:
            if tenant is None:
                self._limiters.clear()
            else:
                for key in [k for k in self._limiters if k[0] == tenant]:
                    del self._limiters[key]


def too_many_requests(op: Operation, wait: float, now: float) -> FakeError:
    """The 429 answer: the op's envelope, ``Retry-After`` in whole seconds and x-ratelimit-*."""
    limit = op.rate_limit
    assert limit is not None
    headers = {
        "Retry-After": str(max(1, math.ceil(wait))),
        "X-RateLimit-Limit": str(int(limit.rate) if limit.kind == "window" else limit.burst),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(math.ceil(now + wait)),
    }
    return error_for_family(op.errors, 429, MSG.TOO_MANY_REQUESTS, headers=headers)
