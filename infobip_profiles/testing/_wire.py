"""The fake's view of HTTP: a request in, a response out, nothing else.

Every adapter (in-process transport, respx hook, threaded server) converts to and from these two
classes, so the engine and the handlers never see httpx or sockets.

Request bodies are parsed with every non-integer number as a :class:`JSONDecimal` (so a DECIMAL
attribute keeps ``12345678901234567.89`` and ``24.90`` digit for digit), and :func:`dumps`
writes any ``Decimal`` back as a JSON number with exactly those digits.
"""

from __future__ import annotations

import json
import re
import secrets
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import attrs

from .._types import NO_BODY

__all__ = ["FakeRequest", "FakeResponse", "NO_BODY", "JSONDecimal", "dumps"]


class JSONDecimal(Decimal):
    """A JSON number with a fraction or an exponent, as a request body gave it (every digit).

    It is a :class:`~decimal.Decimal` in every way but one: beside a ``float`` it compares as
    the float a JSON reader makes of it, so ``JSONDecimal("24.90") == 24.9`` holds (a plain
    ``Decimal`` compares exactly, and ``Decimal("24.9") != 24.9``). Tests that inspect the
    fake's state keep comparing with float literals; the wire still carries the exact digits.
    """

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, float):
            return float(self) == other
        return Decimal.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __lt__(self, other: Any) -> bool:
        return float(self) < other if isinstance(other, float) else Decimal.__lt__(self, other)

    def __le__(self, other: Any) -> bool:
        return float(self) <= other if isinstance(other, float) else Decimal.__le__(self, other)

    def __gt__(self, other: Any) -> bool:
        return float(self) > other if isinstance(other, float) else Decimal.__gt__(self, other)

    def __ge__(self, other: Any) -> bool:
        return float(self) >= other if isinstance(other, float) else Decimal.__ge__(self, other)

    def __hash__(self) -> int:
        # Decimal's: equal to an int's or another Decimal's of the same value (sets of numbers
        # mixing them work); a float equal only by the rule above hashes apart.
        return Decimal.__hash__(self)


# A Decimal is first written as a string holding this per-process random marker, then the quotes
# and the marker are cut away: the stdlib encoder cannot write a number it did not format itself.
_MARK = "dec-" + secrets.token_hex(16) + ":"
_MARKED = re.compile('"' + re.escape(_MARK) + r'([-+.0-9Ee]+)"')


def dumps(
    value: Any, *, separators: tuple[str, str] = (",", ":"), ensure_ascii: bool = True
) -> str:
    """``json.dumps`` that writes a :class:`~decimal.Decimal` as a JSON number with its exact
    digits (``Decimal("24.90")`` as ``24.90``); a value without one costs nothing extra."""
    found = False

    def default(obj: Any) -> Any:
        nonlocal found
        if isinstance(obj, Decimal) and obj.is_finite():
            found = True
            return _MARK + str(obj)
        raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")

    text = json.dumps(value, separators=separators, ensure_ascii=ensure_ascii, default=default)
    return _MARKED.sub(r"\1", text) if found else text


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
        return dumps(self.body).encode()

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
