"""The fake's own clock: every timestamp, rate-limit window and export job reads it."""

from __future__ import annotations

import math
import threading
import time
from datetime import datetime, timedelta, timezone

__all__ = ["FakeClock", "MAX_ADVANCE"]

#: The longest single move of the clock (about 100 years): further than that is a mistake, and a
#: moment past year 9999 breaks every timestamp the fake renders.
MAX_ADVANCE = 100 * 366 * 24 * 3600.0

# Latest moment the clock may reach (a year of margin before datetime's last year).
_LATEST = datetime(9998, 1, 1, tzinfo=timezone.utc).timestamp()


def _checked_target(moment: datetime) -> float:
    """``moment`` as a timestamp the clock may stand at: from 1970 (the epoch: earlier moments
    render timestamps the service never sends and break date arithmetic) to the year 9998."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    target = moment.timestamp()
    if target < 0:
        raise ValueError("refusing to set the fake clock before 1970-01-01T00:00:00Z")
    if target > _LATEST:
        raise ValueError("refusing to set the fake clock past the year 9998")
    return target


def _checked_seconds(seconds: float) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"seconds must be a number, not {type(seconds).__name__}")
    value = float(seconds)
    if not math.isfinite(value):
        raise ValueError(f"the fake clock cannot move by {seconds!r} seconds")
    if value < 0:
        raise ValueError("the fake clock only moves forward")
    if value > MAX_ADVANCE:
        raise ValueError(
            f"refusing to move the fake clock by {value:g} s (more than {MAX_ADVANCE:g} s, "
            "about 100 years)"
        )
    return value


class FakeClock:
    """Real time plus an offset you control; or frozen at a moment you choose.

    By default the clock follows the wall clock, so rate limits and latency behave as they would
    against the real service. ``advance(seconds)`` moves it forward (expiring rate-limit windows,
    progressing export jobs); ``freeze()`` stops it so timestamps are reproducible.

    :meth:`sleep` and :meth:`asleep` wait on this clock by advancing it at once: the clients the
    fake makes (``fake.client()``, ``fake.async_client()``, the pytest fixtures) wait with them,
    so a retry after ``Retry-After: 60`` costs no wall time and the fake sees it 60 s later.

    Example::

        clock = FakeClock(datetime(2024, 1, 1, tzinfo=timezone.utc), frozen=True)
        clock.advance(90)
        clock.now()   # 2024-01-01 00:01:30+00:00
        clock         # <FakeClock frozen at 2024-01-01T00:01:30+00:00>
    """

    def __init__(self, start: datetime | None = None, *, frozen: bool = False) -> None:
        # Writers hold the lock; readers take ``_setting`` (frozen moment or None, offset) in one
        # attribute read, which is atomic, so reading the time takes no lock.
        self._lock = threading.Lock()
        self._setting: tuple[float | None, float] = (None, 0.0)
        if frozen:
            self.freeze(start)
        elif start is not None:
            self.set(start)

    def __repr__(self) -> str:
        moment = self.now().isoformat()
        if self.frozen:
            return f"<FakeClock frozen at {moment}>"
        offset = self._setting[1]
        return f"<FakeClock running at {moment} (wall clock {offset:+.3f} s)>"

    def time(self) -> float:
        """Seconds since the epoch on the fake's clock."""
        frozen_at, offset = self._setting
        return frozen_at if frozen_at is not None else time.time() + offset

    def now(self) -> datetime:
        """The current moment, timezone-aware UTC."""
        return datetime.fromtimestamp(self.time(), tz=timezone.utc)

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``.

        Negative, non-finite and absurd amounts (over :data:`MAX_ADVANCE`, or past the year 9998)
        are refused with ``ValueError`` and leave the clock where it was.
        """
        seconds = _checked_seconds(seconds)
        with self._lock:
            frozen_at, offset = self._setting
            if (frozen_at if frozen_at is not None else time.time() + offset) + seconds > _LATEST:
                raise ValueError("refusing to move the fake clock past the year 9998")
            if frozen_at is not None:
                self._setting = (frozen_at + seconds, offset)
            else:
                self._setting = (None, offset + seconds)

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (naive datetimes are taken as UTC); ``ValueError`` before 1970 or
        past the year 9998."""
        target = _checked_target(moment)
        with self._lock:
            frozen_at, offset = self._setting
            if frozen_at is not None:
                self._setting = (target, offset)
            else:
                self._setting = (None, target - time.time())

    def freeze(self, at: datetime | None = None) -> None:
        """Stop the clock (at exactly ``at``, or where it is now)."""
        if at is not None:
            target = _checked_target(at)
            with self._lock:
                self._setting = (target, self._setting[1])
            return
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
        """Wait ``seconds`` on this clock: advance it at once, without waiting for real time.

        Give it to a client of your own as ``ProfilesClient(sleep=fake.clock.sleep,
        clock=fake.clock.time)`` and its retries and pacing cost no wall time.
        """
        if seconds > 0:
            self.advance(seconds)

    async def asleep(self, seconds: float) -> None:
        """The awaitable twin of :meth:`sleep`, for ``AsyncProfilesClient(sleep=...)``."""
        self.sleep(seconds)

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
