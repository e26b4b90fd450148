"""The column mapping of a person import: which input column feeds which person field.

Part of :mod:`infobip_profiles.bulk`, which re-exports the public names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

import attrs

from ..errors import ProfilesError

__all__ = ["PERSON_FIELDS", "ATTRIBUTE_TYPES", "MappingError", "Target", "ColumnMapping"]

#: Mapping targets for the person's own fields: wire name -> model attribute.
PERSON_FIELDS: dict[str, str] = {
    "externalId": "external_id",
    "type": "type",
    "firstName": "first_name",
    "lastName": "last_name",
    "middleName": "middle_name",
    "nickName": "nick_name",
    "gender": "gender",
    "birthDate": "birth_date",
    "preferredLanguage": "preferred_language",
    "profilePicture": "profile_picture",
    "address": "address",
    "city": "city",
    "country": "country",
}

_FIELD_BY_ANY_NAME = {**PERSON_FIELDS, **{a: a for a in PERSON_FIELDS.values()}}

_WIRE_BY_ATTR = {a: w for w, a in PERSON_FIELDS.items()}

#: Custom attribute value types a mapping may name (``attr:Age:integer``), with their aliases.
ATTRIBUTE_TYPES: dict[str, str] = {
    "string": "string",
    "str": "string",
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "boolean": "boolean",
    "bool": "boolean",
    "date": "date",
    "datetime": "datetime",
    "date_time": "datetime",
}


class MappingError(ProfilesError, ValueError):
    """A column mapping that cannot work: an unknown target, a column the file does not have."""


class _RowError(Exception):
    """One row (or one merged group of rows) cannot be imported; the text goes to the report."""


@attrs.frozen
class Target:
    """Where one column's values go.

    ``kind`` is ``"field"`` (``name`` is the :class:`~infobip_profiles.Person` attribute),
    ``"email"``, ``"phone"``, ``"tags"`` or ``"attribute"`` (``name`` is the custom attribute,
    ``data_type`` how to read the text: string, integer, decimal, boolean, date, datetime).
    """

    kind: Literal["field", "email", "phone", "tags", "attribute"]
    name: str = ""
    data_type: str = "string"

    @classmethod
    def parse(cls, text: str) -> Target:
        """Read a target: ``firstName`` (or ``first_name``), ``email``, ``phone``, ``tags``,
        ``attr:Name`` or ``attr:Name:type``.

        Example::

            Target.parse("attr:Renewal:date")  # Target(kind='attribute', name='Renewal', data_type='date')
        """
        spec = text.strip()
        lowered = spec.lower()
        if lowered in ("email", "emails"):
            return cls("email")
        if lowered in ("phone", "phones"):
            return cls("phone")
        if lowered == "tags":
            return cls("tags")
        if lowered.startswith("attr:"):
            rest = spec[5:]
            name, sep, kind = rest.rpartition(":")
            if sep and kind.lower() in ATTRIBUTE_TYPES:
                data_type = ATTRIBUTE_TYPES[kind.lower()]
            else:
                name, data_type = rest, "string"
            if not name.strip():
                raise MappingError(f"mapping target {text!r} names no custom attribute")
            return cls("attribute", name.strip(), data_type)
        if spec in _FIELD_BY_ANY_NAME:
            return cls("field", _FIELD_BY_ANY_NAME[spec])
        known = ", ".join([*PERSON_FIELDS, "email", "phone", "tags", "attr:NAME[:TYPE]"])
        raise MappingError(f"unknown mapping target {text!r}; use one of: {known}")

    def __str__(self) -> str:
        if self.kind == "field":
            return _WIRE_BY_ATTR[self.name]
        if self.kind == "attribute":
            return f"attr:{self.name}:{self.data_type}"
        return self.kind


def _is_target_name(text: str) -> bool:
    try:
        Target.parse(text)
    except MappingError:
        return False
    return True


@attrs.frozen
class ColumnMapping:
    """Which input column feeds which person field; columns not listed are ignored.

    Several columns may feed ``email``, ``phone`` or ``tags`` (their values add up); a person
    field or a custom attribute takes one column. A cell may hold several emails, phones or tags
    separated by the import's ``list_separator`` (``;`` by default). Empty cells are not sent.

    Example::

        ColumnMapping.parse(["Id=externalId", "Mail=email", "Plan=attr:Plan", "Age=attr:Age:integer"])
        ColumnMapping.of({"Id": "externalId", "Mail": "email"})
    """

    columns: tuple[tuple[str, Target], ...]

    def __attrs_post_init__(self) -> None:
        if not self.columns:
            raise MappingError("the mapping names no columns")
        seen: dict[tuple[str, str], str] = {}
        for column, target in self.columns:
            if target.kind in ("field", "attribute"):
                key = (
                    target.kind,
                    target.name.lower() if target.kind == "attribute" else target.name,
                )
                if key in seen:
                    raise MappingError(
                        f"columns {seen[key]!r} and {column!r} both map to {target}; "
                        "a single-valued target takes one column"
                    )
                seen[key] = column

    @classmethod
    def parse(cls, specs: Iterable[str]) -> ColumnMapping:
        """From ``"column=target"`` strings (the CLI's ``--map``); the last ``=`` splits them."""
        columns = []
        for spec in specs:
            column, sep, target = spec.rpartition("=")
            if not sep or not column.strip():
                raise MappingError(f"mapping {spec!r} is not COLUMN=TARGET")
            columns.append((column.strip(), Target.parse(target)))
        return cls(tuple(columns))

    @classmethod
    def of(cls, mapping: Mapping[str, str | Target]) -> ColumnMapping:
        """From a ``{column: target}`` dict."""
        return cls(
            tuple(
                (column, target if isinstance(target, Target) else Target.parse(target))
                for column, target in mapping.items()
            )
        )

    @classmethod
    def identity(cls, columns: Iterable[str]) -> ColumnMapping:
        """Map every column named like a target (``externalId``, ``email``, ``first_name``...) to it."""
        picked = tuple((c, Target.parse(c)) for c in columns if _is_target_name(c))
        if not picked:
            raise MappingError(
                "no column is named like a person field (externalId, email, phone, firstName...); "
                "give a mapping"
            )
        return cls(picked)

    def check_columns(self, header: Iterable[str]) -> None:
        """Raise :class:`MappingError` if a mapped column is not in ``header``."""
        present = set(header)
        missing = [c for c, _ in self.columns if c not in present]
        if missing:
            raise MappingError(
                f"column(s) {', '.join(map(repr, missing))} not in the file; it has: "
                f"{', '.join(map(repr, sorted(present)))}"
            )

    def specs(self) -> list[str]:
        """The mapping as ``column=target`` strings (what :meth:`parse` reads)."""
        return [f"{column}={target}" for column, target in self.columns]


def _resolve_optional(mapping: ColumnMapping | Mapping[str, str] | None) -> ColumnMapping | None:
    if mapping is None or isinstance(mapping, ColumnMapping):
        return mapping
    return ColumnMapping.of(mapping)


def _resolve(mapping: ColumnMapping | Mapping[str, str] | None) -> ColumnMapping:
    resolved = _resolve_optional(mapping)
    if resolved is None:
        # An empty input: nothing to map, and nothing will be sent.
        return ColumnMapping((("externalId", Target("field", "external_id")),))
    return resolved
