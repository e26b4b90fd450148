"""The fake's own clock: every timestamp, rate-limit window and export job reads it."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

__all__ = ["FakeClock"]


class FakeClock:
    """Real time plus an offset you control; or frozen at a moment you choose.

    By default the clock follows the wall clock, so rate limits and latency behave as they would
    against the real service. ``advance(seconds)`` moves it forward (expiring rate-limit windows,
    progressing export jobs); ``freeze()`` stops it so timestamps are reproducible.
    """

    def __init__(self, start: datetime | None = None, *, frozen: bool = False) -> None:
        # Writers hold the lock; readers take ``_setting`` (frozen moment or None, offset) in one
        # attribute read, which is atomic, so reading the time takes no lock.
        self._lock = threading.Lock()
        self._setting: tuple[float | None, float] = (None, 0.0)
        if start is not None:
            self.set(start)
        if frozen:
            self.freeze()

    def time(self) -> float:
        """Seconds since the epoch on the fake's clock."""
        frozen_at, offset = self._setting
        return frozen_at if frozen_at is not None else time.time() + offset

    def now(self) -> datetime:
        """The current moment, timezone-aware UTC."""
        return datetime.fromtimestamp(self.time(), tz=timezone.utc)

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (negative values are refused)."""
        if seconds < 0:
            raise ValueError("the fake clock only moves forward")
        with self._lock:
            frozen_at, offset = self._setting
            if frozen_at is not None:
                self._setting = (frozen_at + seconds, offset)
            else:
                self._setting = (None, offset + seconds)

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (naive datetimes are taken as UTC)."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        target = moment.timestamp()
        with self._lock:
            frozen_at, offset = self._setting
            if frozen_at is not None:
                self._setting = (target, offset)
            else:
                self._setting = (None, target - time.time())

    def freeze(self, at: datetime | None = None) -> None:
        """Stop the clock (at ``at``, or where it is now)."""
        if at is not None:
            self.set(at)
        with self._lock:
            frozen_at, offset = self._setting
            if frozen_at is None:
                self._setting = (time.time() + offset, offset)

    def unfreeze(self) -> None:
        """Let the clock run again from where it stands."""
        with self._lock:
            frozen_at = self._setting[0]
            if frozen_at is not None:
                self._setting = (None, frozen_at - time.time())

    @property
    def frozen(self) -> bool:
        """Whether the clock is stopped."""
        return self._setting[0] is not None

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` on this clock: advances it when frozen, really sleeps otherwise."""
        if self.frozen:
            self.advance(seconds)
        else:
            time.sleep(seconds)

    def v2_timestamp(self) -> str:
        """Now in the v2 format ``yyyy-MM-dd'T'HH:mm:ss`` (no zone)."""
        return self.now().strftime("%Y-%m-%dT%H:%M:%S")

    def iso_millis(self) -> str:
        """Now in ISO 8601 with milliseconds and a ``Z`` (segments and events)."""
        now = self.now()
        return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"

    def after(self, seconds: float) -> datetime:
        """The moment ``seconds`` from now."""
        return self.now() + timedelta(seconds=seconds)
