"""The fake's view of HTTP: a request in, a response out, nothing else.

Every adapter (in-process transport, respx hook, threaded server) converts to and from these two
classes, so the engine and the handlers never see httpx or sockets.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import attrs

__all__ = ["FakeRequest", "FakeResponse", "NO_BODY"]


class _NoBody:
    def __repr__(self) -> str:
        return "NO_BODY"


NO_BODY: Any = _NoBody()


@attrs.define
class FakeRequest:
    """One HTTP request as the fake sees it.

    ``headers`` keys are lower-case. ``query`` keeps repeated keys in order.
    """

    method: str
    path: str
    query: list[tuple[str, str]] = attrs.field(factory=list)
    headers: dict[str, str] = attrs.field(factory=dict)
    body: bytes = b""

    @classmethod
    def from_url(
        cls, method: str, url: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> FakeRequest:
        """Build from a full or path-only URL (the query string is decoded)."""
        parts = urlsplit(url)
        return cls(
            method=method.upper(),
            path=parts.path or "/",
            query=parse_qsl(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in (headers or {}).items()},
            body=body,
        )

    def param(self, name: str) -> str | None:
        """The first value of query parameter ``name``, or ``None``."""
        for key, value in self.query:
            if key == name:
                return value
        return None

    def params(self, name: str) -> list[str]:
        """Every value of query parameter ``name`` (repeated keys), in order."""
        return [value for key, value in self.query if key == name]


@attrs.define
class FakeResponse:
    """One HTTP response: a status, a JSON-able body (or ``NO_BODY``), headers."""

    status: int
    body: Any = NO_BODY
    headers: dict[str, str] = attrs.field(factory=dict)

    def content(self) -> bytes:
        """The body as bytes (JSON-encoded unless it is already bytes)."""
        if self.body is NO_BODY:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, separators=(",", ":")).encode()

    def wire_headers(self) -> dict[str, str]:
        """Headers to send, with a JSON content type when there is a JSON body."""
        headers = dict(self.headers)
        if self.body is not NO_BODY and not isinstance(self.body, bytes):
            headers.setdefault("content-type", "application/json")
        return headers

    def json(self) -> Any:
        """The body as a Python value (``None`` when there is none)."""
        if self.body is NO_BODY:
            return None
        if isinstance(self.body, bytes):
            return json.loads(self.body) if self.body else None
        return self.body
