"""The retry policy: what may be replayed, and how long to wait.

The rule: nothing the server may have acted on is replayed unless the operation is safe to
replay. A 429, and a connection failure before the request was sent, are always retryable; a 5xx, a
timeout, or a connection dropped after sending only for operations the table marks replay-safe
(GET, PUT, DELETE, the idempotent PATCHes, and match).
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tenacity import RetryCallState  # imported by the client on a first retry only

    from ._operations import Operation

from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    RateLimitError,
    UnexpectedResponseError,
    parse_retry_after,
)

__all__ = ["RetryPolicy", "log"]

log = logging.getLogger("infobip_profiles")

_RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})


class RetryPolicy:
    """Backoff settings. ``max_retries`` is the number of replays after the first attempt.

    ``max_retry_after`` caps one wait the server asks for (``Retry-After``); ``max_total_wait``
    caps the sum of every wait before the replays of one request: a replay whose wait would take
    the sum past it is not made, and the last error is raised instead.

    A plain class, not an attrs one: attrs generates its methods when the module is imported,
    which every program pays at start.
    """

    __slots__ = (
        "initial_delay",
        "jitter",
        "max_delay",
        "max_retries",
        "max_retry_after",
        "max_total_wait",
    )

    def __init__(
        self,
        *,
        max_retries: int = 3,
        initial_delay: float = 0.5,
        max_delay: float = 8.0,
        max_retry_after: float = 60.0,
        max_total_wait: float = 120.0,
        jitter: float = 0.25,
    ) -> None:
        self.max_retries = max_retries
        self.initial_delay = initial_delay
        self.max_delay = max_delay
        self.max_retry_after = max_retry_after
        self.max_total_wait = max_total_wait
        self.jitter = jitter

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"RetryPolicy({fields})"

    def reason(self, op: Operation, error: BaseException) -> str | None:
        """Why ``error`` may be retried for ``op``, or ``None`` when it must not be."""
        if isinstance(error, UnexpectedResponseError):
            return None
        if isinstance(error, RateLimitError):
            return "429 rate limited"
        if isinstance(error, APIConnectionError):
            kind = "timeout" if isinstance(error, APITimeoutError) else "connection error"
            if not error.request_sent:
                return f"{kind} before the request was sent"
            return f"{kind} after the request was sent" if op.replay_safe else None
        if isinstance(error, APIError) and error.status_code in _RETRYABLE_STATUSES:
            return f"{error.status_code} server error" if op.replay_safe else None
        return None

    def delay(self, attempt: int, error: BaseException | None) -> float:
        """Seconds to wait before attempt ``attempt + 1``.

        A positive ``Retry-After`` is followed, clamped to ``max_retry_after``; one that is zero,
        negative or unreadable falls back to the exponential backoff.
        """
        if isinstance(error, APIError):
            advised = parse_retry_after(error.headers)
            if advised is not None and advised > 0:
                return min(advised, self.max_retry_after)
        base = min(self.max_delay, self.initial_delay * 2.0 ** max(0, attempt - 1))
        return float(base * (1.0 - self.jitter * random.random()))

    def _planned(self, state: RetryCallState) -> float:
        # The wait before the next attempt, computed once per attempt (tenacity asks the stop
        # and the wait hooks, in an order that differs between its versions).
        cached = getattr(state, "_profiles_delay", None)
        if cached is not None and cached[0] == state.attempt_number:
            return float(cached[1])
        error = state.outcome.exception() if state.outcome else None
        planned = self.delay(state.attempt_number, error)
        state._profiles_delay = (state.attempt_number, planned)  # type: ignore[attr-defined]
        return planned

    def wait(self, state: RetryCallState) -> float:
        """tenacity ``wait`` hook."""
        return self._planned(state)

    def stop(self, state: RetryCallState) -> bool:
        """tenacity ``stop`` hook: out of replays, or the next wait would overrun the budget."""
        if state.attempt_number >= self.max_retries + 1:
            return True
        return state.idle_for + self._planned(state) > self.max_total_wait
