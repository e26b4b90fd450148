"""Credential holders, the redaction of their echoes, and what the client tells the server.

Both the clients (:mod:`infobip_profiles._client`) and the other auth schemes
(:mod:`infobip_profiles.auth`) build on these, so they live apart from both.
"""

from __future__ import annotations

import ipaddress
import platform
import re
from typing import Any

import httpx

from ._version import __version__

__all__ = ["USER_AGENT"]

USER_AGENT = (
    f"infobip-profiles/{__version__} python/{platform.python_version()} httpx/{httpx.__version__}"
)


def _is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


_REDACTED = "<redacted>"


class _Credential:
    """A secret (an API key, a password, a token): no repr, str or pickle of it shows the value.

    Only :meth:`reveal` returns it, and only the auth flow calls that, so no frame on the path of
    an exception holds the secret in a local variable.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself (for the one place that writes it into a header)."""
        return self._value

    def __repr__(self) -> str:
        return _REDACTED

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a credential cannot be pickled")


def _echo_pattern(secret: str) -> str:
    # Each character literally, as a JSON \\u escape or percent-encoded: a server that echoes
    # the key inside JSON text may escape any of its characters.
    parts = []
    for ch in secret:
        code = ord(ch)
        alternatives = [re.escape(ch), rf"\\u{code:04x}", rf"%{code:02x}"]
        if ch in '/"\\':
            alternatives.append(re.escape("\\" + ch))
        parts.append("(?:" + "|".join(alternatives) + ")")
    return "".join(parts)


class _Secrets:
    """Every credential a client holds, and the redaction of their echoes from text and bytes."""

    __slots__ = ("__weakref__", "_bytes", "_credentials", "_ready", "_text")

    def __init__(self, *credentials: _Credential) -> None:
        self._credentials: tuple[_Credential, ...] = ()
        self._text: re.Pattern[str] | None = None
        self._bytes: re.Pattern[bytes] | None = None
        self._ready = True
        for credential in credentials:
            self.add(credential)
        # httpx/httpcore log wire headers at DEBUG: an echoed credential is blanked there too.
        from ._log_redaction import watch

        watch(self)

    def add(self, credential: _Credential) -> None:
        """Redact ``credential`` too (an auth scheme registers each secret it sends)."""
        self._credentials = (*self._credentials, credential)
        # Compiled when first needed: an expression per character of each secret takes a few
        # milliseconds to compile, which a program that never meets an error need not pay.
        self._ready = False

    def _compile(self) -> None:
        credentials = self._credentials
        pattern = "|".join(_echo_pattern(c.reveal()) for c in credentials if c.reveal())
        self._text = re.compile(pattern, re.IGNORECASE) if pattern else None
        self._bytes = re.compile(pattern.encode(), re.IGNORECASE) if pattern else None
        # Not ready if a credential was added meanwhile (another thread): compiled again then.
        self._ready = self._credentials is credentials

    def text(self, value: str) -> str:
        """``value`` with every credential (or an escaped echo of one) blanked out."""
        if not self._ready:
            self._compile()
        return self._text.sub(_REDACTED, value) if self._text is not None else value

    def bytes(self, value: bytes) -> bytes:
        """The same for bytes."""
        if not self._ready:
            self._compile()
        return self._bytes.sub(_REDACTED.encode(), value) if self._bytes is not None else value

    def deep(self, value: Any) -> Any:
        """A decoded JSON value with every string (keys included) redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.deep(k): self.deep(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.deep(v) for v in value]
        return value

    def __repr__(self) -> str:
        return f"<{len(self._credentials)} credential(s), redacted>"

    def __reduce__(self) -> Any:
        raise TypeError("credentials cannot be pickled")
