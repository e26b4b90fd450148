"""Batch outcome mapping shared by the people and company batch calls.

A batch response lists per-item results (by index, or named by the query they addressed); every
input item gets exactly one outcome, in input order, and an item the response does not mention
succeeded. The item types differ per family, so callers pass how to build an outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from ..errors import ProfilesError

__all__ = ["results_of", "by_index", "in_order"]

T = TypeVar("T")

#: Builds an item's outcome from its position in the chunk, its status and its result entry.
Outcome = Callable[[int, int, Mapping[str, Any]], T]


def results_of(body: Any) -> list[Any]:
    """The ``results`` entries of a batch response body (none when it is empty)."""
    return list((body or {}).get("results") or [])


def by_index(body: Any, count: int, outcome: Outcome[T], default: Callable[[int], T]) -> list[T]:
    """Outcomes of a chunk of ``count`` items whose results name items by ``index``.

    A result whose index is outside the chunk is ignored; an item without a result gets
    ``default(i)`` (the API may list failures only).
    """
    outcomes: dict[int, T] = {}
    for res in results_of(body):
        index = int(res.get("index", -1))
        if not 0 <= index < count:
            continue
        outcomes[index] = outcome(index, int(res.get("status", 200)), res)
    return in_order(outcomes, [], count, default)


def in_order(
    outcomes: Mapping[int, T], unplaced: list[Any], count: int, default: Callable[[int], T]
) -> list[T]:
    """One outcome per item of the chunk, in order; ``default(i)`` for an item not mentioned.

    ``unplaced`` are results that could not be tied to an input item: they are never dropped
    silently but reported as a :class:`~infobip_profiles.ProfilesError` (not a ValidationError:
    the request was sent and may have been applied in part).
    """
    if unplaced:
        raise ProfilesError(
            f"the API reported {len(unplaced)} batch failure(s) for queries not in the request: "
            f"{unplaced!r}"
        )
    return [outcomes.get(i) or default(i) for i in range(count)]
