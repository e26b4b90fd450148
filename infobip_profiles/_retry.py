"""The retry policy: what may be replayed, and how long to wait.

The rule (API.md): nothing the server may have acted on is replayed unless the operation is safe to
replay. A 429, and a connection failure before the request was sent, are always retryable; a 5xx, a
timeout, or a connection dropped after sending only for operations the table marks replay-safe
(GET, PUT, DELETE, the idempotent PATCHes, and match).
"""

from __future__ import annotations

import logging
import random

import attrs
from tenacity import RetryCallState

from ._operations import Operation
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    RateLimitError,
    parse_retry_after,
)

__all__ = ["RetryPolicy", "log"]

log = logging.getLogger("infobip_profiles")

_RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})


@attrs.frozen
class RetryPolicy:
    """Backoff settings. ``max_retries`` is the number of replays after the first attempt."""

    max_retries: int = 3
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    jitter: float = 0.25

    def reason(self, op: Operation, error: BaseException) -> str | None:
        """Why ``error`` may be retried for ``op``, or ``None`` when it must not be."""
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
        """Seconds to wait before attempt ``attempt + 1``: ``Retry-After`` if given, else backoff."""
        if isinstance(error, APIError):
            advised = parse_retry_after(error.headers)
            if advised is not None:
                return min(advised, self.max_retry_after)
        base = min(self.max_delay, self.initial_delay * 2.0 ** max(0, attempt - 1))
        return float(base * (1.0 - self.jitter * random.random()))

    def wait(self, state: RetryCallState) -> float:
        """tenacity ``wait`` hook."""
        error = state.outcome.exception() if state.outcome else None
        return self.delay(state.attempt_number, error)
