"""Event timestamps: reading the ISO 8601 forms events and export requests carry, and writing
the one form the fake answers with (UTC, milliseconds, ``Z``)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

__all__ = ["parse_time"]

_ISO_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d{1,7})?(Z|[+-]\d{2}:?\d{2})?$")


def parse_time(text: str) -> datetime:
    """ISO 8601 with optional fraction and zone (``Z``, ``+0000``, ``+00:00``); naive is UTC."""
    match = _ISO_RE.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"not a timestamp: {text!r}")
    day, clock, fraction, zone = match.groups()
    micro = (fraction or ".0")[1:7].ljust(6, "0")
    moment = datetime.fromisoformat(f"{day}T{clock}.{micro}")
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return (moment - sign * offset).replace(tzinfo=timezone.utc)
    return moment.replace(tzinfo=timezone.utc)


def _iso(moment: datetime) -> str:
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
