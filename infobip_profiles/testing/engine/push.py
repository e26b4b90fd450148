"""Engine: push registrations (issue 5)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._state import TenantState


class PushEngine:
    """State and semantics of push registrations (issue 5)."""

    def __init__(self, state: TenantState) -> None:
        self._state = state
