"""Engine: tags (docs/fake-semantics.md). Names are unique ignoring case; persons refer to a tag
by its defined spelling, and deleting a tag strips it from every person."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..._operations import TAG_NAME_MAX_LENGTH, page_size
from .._messages import MSG
from ._domain import Invalid, NotFound

if TYPE_CHECKING:
    from .._state import TenantState

__all__ = ["TagsEngine", "TAG_ORDER_FIELDS", "MAX_TAG_NAME"]

MAX_TAG_NAME = TAG_NAME_MAX_LENGTH
"""Longest tag name."""

TAG_ORDER_FIELDS = ("name", "createdAt", "modifiedAt")
"""Fields the tag list can be ordered by."""


class _Tag:
    __slots__ = ("created_at", "id", "modified_at", "name")

    def __init__(self, tag_id: int, name: str, created_at: str) -> None:
        self.id = tag_id
        self.name = sys.intern(name)
        self.created_at = created_at
        self.modified_at = created_at

    def wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "createdAt": self.created_at,
            "modifiedAt": self.modified_at,
        }


class TagsEngine:
    """The tags of one tenant (``IamTagV2``), keyed by name ignoring case."""

    def __init__(self, state: TenantState) -> None:
        self._state = state
        self._tags: dict[str, _Tag] = {}  # key: name.lower()

    def create(self, name: Any) -> dict[str, Any]:
        """Create a tag and return its wire dict; a bad name or a duplicate (ignoring case) is
        a 400."""
        problems = self.validate_names([name])
        if problems:
            raise Invalid(fields={"name": problems})
        if name.lower() in self._tags:
            # the service answers a taken name as invalid input (400), not as a conflict
            raise Invalid(MSG.TAG_DUPLICATE.format(name=name))
        return self._add(name).wire()

    def get(self, name: str) -> dict[str, Any] | None:
        """The tag named ``name`` (ignoring case) as a wire dict, or ``None``."""
        tag = self._tags.get(name.lower())
        return None if tag is None else tag.wire()

    def all(self) -> list[dict[str, Any]]:
        """Every tag, in creation order (``fake.tags()``)."""
        return [t.wire() for t in self._tags.values()]

    def count(self) -> int:
        """How many tags exist."""
        return len(self._tags)

    def page(
        self,
        *,
        page: int = 1,
        limit: int = page_size("get-list-of-tags").default,
        order_by: str | None = None,
    ) -> list[dict[str, Any]]:
        """One page of tags ordered by ``field:asc|desc`` over :data:`TAG_ORDER_FIELDS`
        (default: creation order)."""
        tags = list(self._tags.values())
        if order_by:
            field, _, direction = order_by.partition(":")
            attr = {"createdAt": "created_at", "modifiedAt": "modified_at"}.get(field, field)
            tags.sort(key=lambda t: t.id)
            if attr == "name":
                tags.sort(key=lambda t: t.name.lower(), reverse=direction == "desc")
            else:
                tags.sort(key=lambda t: getattr(t, attr), reverse=direction == "desc")
        start = (page - 1) * limit
        return [t.wire() for t in tags[start : start + limit]]

    def delete(self, name: str) -> str:
        """Delete a tag (404 when unknown) and strip it from every person; returns its name."""
        tag = self._tags.pop(name.lower(), None)
        if tag is None:
            raise NotFound("tag", MSG.TAG_NOT_FOUND.format(name=name))
        self._state.persons.strip_tag(tag.name)
        return tag.name

    def require(self, name: str) -> str:
        """The defined spelling of tag ``name``; 404 when there is none."""
        tag = self._tags.get(name.lower())
        if tag is None:
            raise NotFound("tag", MSG.TAG_NOT_FOUND.format(name=name))
        return tag.name

    def canonical(self, names: Iterable[str]) -> list[str]:
        """Each name in its defined spelling when the tag exists, else as given."""
        out = []
        for name in names:
            tag = self._tags.get(name.lower())
            out.append(tag.name if tag is not None else name)
        return out

    def validate_names(self, names: Iterable[Any]) -> list[str]:
        """Problems with would-be tag names (empty when all are fine)."""
        for name in names:
            if not isinstance(name, str) or not name.strip():
                return [MSG.FIELD_REQUIRED]
            if len(name) > MAX_TAG_NAME:
                return [MSG.FIELD_SIZE.format(max=MAX_TAG_NAME)]
        return []

    def ensure(self, names: Iterable[str]) -> list[str]:
        """Create the tags that do not exist yet (person writes auto-create them); return every
        name in its defined spelling. Names must have passed :meth:`validate_names`."""
        out = []
        for name in names:
            tag = self._tags.get(name.lower())
            if tag is None:
                tag = self._add(name)
            out.append(tag.name)
        return out

    def _add(self, name: str) -> _Tag:
        tag = _Tag(self._state.next_id("tags"), name, self._state.clock.v2_timestamp())
        self._tags[name.lower()] = tag
        return tag
