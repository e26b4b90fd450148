"""What a handler gets: the request, its operation, the tenant's state, the clock."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

import attrs

from .._operations import Operation
from ._errors import MSG, malformed_json
from ._wire import JSONDecimal
from .engine.query import nesting_depth

if TYPE_CHECKING:
    from ._clock import FakeClock
    from ._state import TenantState
    from ._wire import FakeRequest

__all__ = ["MAX_BODY_DEPTH", "Context"]

MAX_BODY_DEPTH = 100
"""Deepest nesting of objects and arrays a request body may have."""


@attrs.define
class Context:
    """One request in flight, as a handler sees it."""

    request: FakeRequest
    op: Operation
    path_params: dict[str, str]
    state: TenantState
    clock: FakeClock
    #: Pause the process's cyclic garbage collector during a bulk write
    #: (``FakeProfiles(pause_collector=True)``).
    pause_collector: bool = False

    def param(self, name: str) -> str | None:
        """First value of query parameter ``name``."""
        return self.request.param(name)

    def json(self) -> Any:
        """The body parsed as JSON; malformed JSON is a 400 in this operation's envelope.

        Malformed, as a Jackson-based service reads it: not JSON, ``NaN``/``Infinity`` tokens, or
        a number too large for a double (``1e400``). A number with a fraction or an exponent is
        a :class:`~._wire.JSONDecimal` holding its exact digits (integers stay ``int``). Objects
        and arrays nested more than :data:`MAX_BODY_DEPTH` levels deep are refused the same way
        ([I]: Jackson stops at 1000; the fake's lower bound keeps every engine's recursion far
        from Python's limit).
        """
        body = self.request.body
        if not body:
            return None
        try:
            value = json.loads(body, parse_constant=_refuse_constant, parse_float=_exact_decimal)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise malformed_json(self.op) from None
        if nesting_depth(value, MAX_BODY_DEPTH) > MAX_BODY_DEPTH:
            raise malformed_json(self.op, MSG.BODY_TOO_DEEP.format(max=MAX_BODY_DEPTH))
        return value


def _refuse_constant(token: str) -> Any:
    raise ValueError(f"{token} is not a JSON number")


def _exact_decimal(text: str) -> JSONDecimal:
    if not math.isfinite(float(text)):
        raise ValueError(f"{text} does not fit a double")
    return JSONDecimal(text)
