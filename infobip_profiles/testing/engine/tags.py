"""Engine: tags (issue 4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._state import TenantState


class TagsEngine:
    """State and semantics of tags (issue 4)."""

    def __init__(self, state: TenantState) -> None:
        self._state = state
