"""What a handler gets: the request, its operation, the tenant's state, the clock."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import attrs

from .._operations import ErrorFamily, Operation
from ._errors import (
    MSG,
    FakeError,
    error_for_family,
    lists_error,
    no_body_error,
    problem_details,
    v3_error,
)

if TYPE_CHECKING:
    from ._clock import FakeClock
    from ._state import TenantState
    from ._wire import FakeRequest

__all__ = ["Context"]

#: Operations of another family whose 400 the spec declares without a body: sending one event is
#: a v2 operation (its 404 is the v2 envelope) but answers every 400 with a status alone.
_BODYLESS_400 = frozenset({"send-custom-event"})


@attrs.define
class Context:
    """One request in flight, as a handler sees it."""

    request: FakeRequest
    op: Operation
    path_params: dict[str, str]
    state: TenantState
    clock: FakeClock

    def param(self, name: str) -> str | None:
        """First value of query parameter ``name``."""
        return self.request.param(name)

    def json(self) -> Any:
        """The body parsed as JSON; malformed JSON is a 400 in this operation's envelope."""
        body = self.request.body
        try:
            return json.loads(body) if body else None
        except (ValueError, UnicodeDecodeError):
            raise malformed_json(self.op) from None


def malformed_json(op: Operation) -> FakeError:
    """The error each family answers a body that is not JSON with."""
    if op.op_id in _BODYLESS_400:
        return no_body_error(400)
    if op.errors is ErrorFamily.V3:
        return v3_error(400, 400103, MSG.MALFORMED_JSON)
    if op.errors is ErrorFamily.LISTS:
        return lists_error(400, 400101, MSG.MALFORMED_JSON)
    if op.errors is ErrorFamily.EVENTS_BATCH:
        return problem_details(
            [{"index": -1, "code": 400500, "message": MSG.MALFORMED_JSON, "details": []}]
        )
    return error_for_family(op.errors, 400, MSG.MALFORMED_JSON)
