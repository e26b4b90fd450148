"""The tag model: a static label people carry."""

from __future__ import annotations

from datetime import datetime

import attrs

from .._converter import Model, model
from .._operations import TAG_NAME_MAX_LENGTH

__all__ = ["Tag", "MAX_TAG_NAME"]

#: The longest tag name the API accepts.
MAX_TAG_NAME = TAG_NAME_MAX_LENGTH

_RO = {"read_only": True}


@model
class Tag(Model):
    """A tag: a ``name`` (at most :data:`MAX_TAG_NAME` characters, unique ignoring case) and
    read-only metadata."""

    id: int | None = attrs.field(default=None, metadata=_RO)
    name: str
    created_at: datetime | None = attrs.field(default=None, metadata=_RO)
    modified_at: datetime | None = attrs.field(default=None, metadata=_RO)
