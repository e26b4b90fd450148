"""Engine: persons (issue 3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._state import TenantState


class PersonsEngine:
    """State and semantics of persons (issue 3)."""

    def __init__(self, state: TenantState) -> None:
        self._state = state
