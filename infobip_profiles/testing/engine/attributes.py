"""Engine: custom attribute definitions (issue 4; persons validation reads it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._state import TenantState


class AttributesEngine:
    """State and semantics of custom attribute definitions (issue 4; persons validation reads it)."""

    def __init__(self, state: TenantState) -> None:
        self._state = state
