"""Credentials kept out of the transport libraries' own log records.

At ``DEBUG``, httpcore logs each response's headers as they came off the wire, before the client
sees them: a server (or proxy) that echoes the ``Authorization`` header back would put the key
into the application's logs. A filter on those loggers blanks out every credential a live client
holds from each record's formatted message. Filters run only for records whose level is enabled,
so this costs nothing when those loggers are quiet.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Protocol

__all__ = ["watch"]

#: The loggers of the HTTP stack that may format wire data into a record.
_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


class _Redacts(Protocol):
    def text(self, value: str) -> str: ...


class _RedactingFilter(logging.Filter):
    """Rewrites a record's message with every live client's credentials blanked out."""

    def __init__(self) -> None:
        super().__init__("infobip_profiles.redact")
        self.holders: weakref.WeakSet[_Redacts] = weakref.WeakSet()

    def filter(self, record: logging.LogRecord) -> bool:
        holders = list(self.holders)
        if not holders:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot format itself is left to logging to report
            return True
        redacted = message
        for holder in holders:
            redacted = holder.text(redacted)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


_FILTER = _RedactingFilter()
_installed = False
_lock = threading.Lock()


def watch(holder: _Redacts) -> None:
    """Blank ``holder``'s credentials out of the HTTP stack's log records while it lives."""
    global _installed
    with _lock:
        _FILTER.holders.add(holder)
        if not _installed:
            for name in _LOGGERS:
                logging.getLogger(name).addFilter(_FILTER)
            _installed = True
