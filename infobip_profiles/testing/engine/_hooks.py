"""What one engine tells the others: typed hooks instead of probing for methods.

The persons engine owns persons; engines that keep something per person (company membership,
the events a person performed) implement :class:`PersonHooks`, and
:class:`~infobip_profiles.testing._state.TenantState` calls them on every engine that does.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["PersonHooks"]


class PersonHooks(Protocol):
    """What an engine that keeps something per person hears from the persons engine."""

    def person_deleted(self, person_id: int) -> None:
        """``person_id`` is gone: drop or detach what belongs to it."""

    def persons_merged(self, primary_id: int, secondary_ids: list[int]) -> None:
        """``secondary_ids`` were merged into ``primary_id``: move what they held."""
