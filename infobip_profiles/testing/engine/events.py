"""Engine: event definitions, events, exports, computed attributes (issue 5)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._state import TenantState


class EventsEngine:
    """State and semantics of event definitions, events, exports, computed attributes (issue 5)."""

    def __init__(self, state: TenantState) -> None:
        self._state = state
