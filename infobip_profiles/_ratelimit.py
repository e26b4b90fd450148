"""Published rate limits and the pacing arithmetic shared by the client's throttle and the fake."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

import attrs

__all__ = ["RateLimit", "SlidingWindow", "TokenBucket", "Pacer"]


@attrs.frozen
class RateLimit:
    """A published limit: ``rate`` requests per second, with ``burst`` allowed at once.

    ``kind`` is ``"window"`` for the spec's time-based limits (at most ``rate`` calls in any one
    second) and ``"token"`` for its token buckets (refilled at ``rate`` per second, ``burst`` deep).
    """

    kind: str
    rate: float
    burst: int

    @classmethod
    def per_second(cls, n: int) -> RateLimit:
        """At most ``n`` requests in any one second."""
        return cls("window", float(n), n)

    @classmethod
    def token_bucket(cls, *, rate: float, burst: int) -> RateLimit:
        """A bucket of ``burst`` tokens refilled at ``rate`` tokens per second."""
        return cls("token", float(rate), burst)

    def describe(self) -> str:
        """Human-readable form, as the docs' coverage page shows it."""
        if self.kind == "window":
            return f"{self.rate:g}/s"
        return f"token bucket {self.rate:g}/s, burst {self.burst}"


class SlidingWindow:
    """Admits at most ``limit.rate`` events in any window of one second (the fake's enforcement)."""

    def __init__(self, limit: RateLimit) -> None:
        self._n = int(limit.rate)
        self._times: deque[float] = deque()

    def try_acquire(self, now: float) -> float:
        """Record an event at ``now`` and return 0, or return the seconds until one is admitted."""
        while self._times and self._times[0] <= now - 1.0:
            self._times.popleft()
        if len(self._times) < self._n:
            self._times.append(now)
            return 0.0
        return self._times[0] + 1.0 - now


class TokenBucket:
    """A token bucket: ``burst`` deep, refilled at ``rate`` per second."""

    def __init__(self, limit: RateLimit) -> None:
        self._rate = limit.rate
        self._burst = float(limit.burst)
        self._tokens = float(limit.burst)
        self._stamp: float | None = None

    def try_acquire(self, now: float) -> float:
        """Take a token at ``now`` and return 0, or return the seconds until one is available."""
        if self._stamp is not None:
            self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self._rate


def limiter_for(limit: RateLimit) -> SlidingWindow | TokenBucket:
    """The enforcement algorithm that matches a published limit."""
    return SlidingWindow(limit) if limit.kind == "window" else TokenBucket(limit)


class Pacer:
    """Client-side pacing: hands out send slots so that a limit is never exceeded.

    Slots are spaced evenly, ``1 / rate`` apart, with a small safety ``margin`` so that jitter
    between our clock and the server's does not push two requests into one window. Thread-safe;
    :meth:`reserve` returns how long the caller must wait, so the sync client sleeps and the async
    client awaits, over the same arithmetic.

    The caller reports each request's real start with :meth:`started`. A request that went out
    later than its slot (the process was busy: a long garbage collection, another thread holding
    the interpreter) then moves the schedule: the next slot is at least one interval after it,
    and for a per-second window no ``rate + 1`` reported starts fall within one second (plus
    the margin). Without that, the late request and the next one would go out back to back, and
    the four after them on time would make six calls in one second of a five-per-second window.
    """

    def __init__(
        self,
        limit: RateLimit,
        *,
        margin: float = 0.03,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = (1.0 / limit.rate) * (1.0 + margin)
        # A token bucket lets a burst through at once; a per-second window is paced evenly.
        self._burst = limit.burst if limit.kind == "token" else 1
        self._clock = clock
        self._lock = threading.Lock()
        self._next = -float("inf")
        # A per-second window of n calls: the real starts of the last n requests.
        self._window = int(limit.rate) if limit.kind == "window" else 0
        self._starts: deque[float] = deque(maxlen=max(1, self._window))
        self._span = 1.0 + margin

    def reserve(self) -> float:
        """Claim the next slot; return the seconds to wait before sending (0 when free now)."""
        with self._lock:
            now = self._clock()
            earliest = max(self._next, now - (self._burst - 1) * self._interval)
            if self._window and len(self._starts) == self._window:
                earliest = max(earliest, self._starts[0] + self._span)
            self._next = earliest + self._interval
            return max(0.0, earliest - now)

    def started(self) -> None:
        """Record that a request is going out now (after its wait): see the class's doc."""
        if not self._window:
            return  # a token bucket's burst is allowed to go out back to back
        with self._lock:
            now = self._clock()
            self._starts.append(now)
            self._next = max(self._next, now + self._interval)
