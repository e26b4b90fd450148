"""Sentinels and the per-call options every method accepts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

import httpx

__all__ = ["NOT_GIVEN", "NotGiven", "UNSET", "CallOptions", "TimeoutTypes", "check_options"]


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

#: :data:`NOT_GIVEN` under the name models use: assigning it to a model field (or passing it to
#: the constructor) leaves the field unset, so it reads as its default (``None`` for most fields)
#: and is not sent. Typed ``Any`` so that it can be assigned to any field.
UNSET: Any = NOT_GIVEN

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
