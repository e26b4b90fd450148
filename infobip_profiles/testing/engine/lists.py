"""Engine: v3 lists over LIST_OF_OBJECTS attributes (issue 4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._state import TenantState


class ListsEngine:
    """State and semantics of v3 lists over LIST_OF_OBJECTS attributes (issue 4)."""

    def __init__(self, state: TenantState) -> None:
        self._state = state
