"""Sentinels and the per-call options every method accepts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

import httpx

__all__ = ["NOT_GIVEN", "NO_BODY", "NotGiven", "CallOptions", "TimeoutTypes", "check_options"]


class NotGiven:
    """The type of :data:`NOT_GIVEN`: "the caller passed nothing", as opposed to ``None``.

    ``timeout=None`` means "no timeout"; ``timeout=NOT_GIVEN`` means "use the client's".
    """

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


class _NoBody:
    """The type of :data:`NO_BODY`."""

    def __repr__(self) -> str:
        return "NO_BODY"

    def __reduce__(self) -> str:
        return "NO_BODY"


#: "No body at all", as opposed to a JSON ``null``: a request the client sends without a body,
#: and a response the fake sends without one. Typed ``Any`` so that it fits any body field.
NO_BODY: Any = _NoBody()

TimeoutTypes = float | httpx.Timeout | None


class CallOptions(TypedDict, total=False):
    """Keyword-only options every resource method takes."""

    timeout: TimeoutTypes | NotGiven
    extra_headers: Mapping[str, str] | None
    extra_query: Mapping[str, str] | None


_OPTION_NAMES = frozenset(CallOptions.__annotations__)


def check_options(instance: Any, attribute: Any, options: Mapping[str, Any]) -> None:
    """attrs validator: a misspelt per-call option is a ``TypeError``, not silently ignored."""
    unknown = sorted(set(options) - _OPTION_NAMES)
    if unknown:
        raise TypeError(
            f"unexpected keyword argument(s) {', '.join(map(repr, unknown))}; "
            f"the per-call options are {', '.join(sorted(_OPTION_NAMES))}"
        )
