"""Input rows to persons: each row read through the mapping, rows naming the same person
merged, each merged group checked and made a :class:`~infobip_profiles.Person`.

Part of :mod:`infobip_profiles.bulk`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from .._converter import parse_datetime
from .._validation import check_person
from ..errors import ValidationError
from ..models import ContactInformation, Gender, Person, PersonType
from .mapping import (
    _WIRE_BY_ATTR,
    ColumnMapping,
    MappingError,
    Target,
    _is_target_name,
    _RowError,
)

__all__: list[str] = []

_TRUE = {"true", "yes", "y", "1"}

_FALSE = {"false", "no", "n", "0"}

_PHONE_PUNCTUATION = str.maketrans("", "", " -.()/")


@attrs.define
class _Fields:
    """One row's (or one merged group's) values, before they become a :class:`Person`."""

    fields: dict[str, Any] = attrs.field(factory=dict)
    emails: list[str] = attrs.field(factory=list)
    phones: list[str] = attrs.field(factory=list)
    tags: list[str] = attrs.field(factory=list)
    attributes: dict[str, Any] = attrs.field(factory=dict)

    def identities(self) -> list[tuple[str, str]]:
        out = []
        if self.fields.get("external_id"):
            out.append(("externalId", self.fields["external_id"]))
        out += [("email", e.casefold()) for e in self.emails]
        out += [("phone", p) for p in self.phones]
        return out


def _items(value: Any, separator: str) -> list[str]:
    if isinstance(value, str):
        parts = value.split(separator) if separator else [value]
    elif isinstance(value, Iterable):
        parts = [str(v) for v in value if v is not None]
    else:
        parts = [str(value)]
    return [p.strip() for p in parts if p.strip()]


def _read_field(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        if name == "gender":
            return Gender(text.upper())
        if name == "type":
            return PersonType(text.upper())
        if name == "birth_date":
            return date.fromisoformat(text)
    except ValueError:
        wire = _WIRE_BY_ATTR[name]
        expected = {"gender": "MALE or FEMALE", "type": "CUSTOMER or LEAD"}.get(name, "YYYY-MM-DD")
        raise _RowError(f"{wire}: {text!r} is not {expected}") from None
    return text


def _read_attribute(name: str, data_type: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        if data_type == "integer":
            return int(text)
        if data_type == "decimal":
            return Decimal(text)
        if data_type == "boolean":
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise ValueError(text)
        if data_type == "date":
            return date.fromisoformat(text)
        if data_type == "datetime":
            return parse_datetime(text)
    except (ValueError, InvalidOperation):
        raise _RowError(f"custom attribute {name!r}: {text!r} is not a valid {data_type}") from None
    return value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _convert(row: Mapping[str, Any], mapping: ColumnMapping, separator: str) -> _Fields:
    out = _Fields()
    for column, target in mapping.columns:
        value = row.get(column)
        if _empty(value):
            continue
        if target.kind == "field":
            out.fields[target.name] = _read_field(target.name, value)
        elif target.kind == "email":
            out.emails += _items(value, separator)
        elif target.kind == "phone":
            out.phones += [
                p.translate(_PHONE_PUNCTUATION).lstrip("+") for p in _items(value, separator)
            ]
        elif target.kind == "tags":
            out.tags += _items(value, separator)
        else:
            out.attributes[target.name] = _read_attribute(target.name, target.data_type, value)
    if not out.identities():
        raise _RowError("no externalId, email or phone to match the person on")
    return out


def _union(values: Iterable[str], *, fold: bool) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        key = value.casefold() if fold else value
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def _merge(parts: list[_Fields]) -> _Fields:
    """Fold rows that name the same person into one: later values win, lists are unioned."""
    external_ids = _union(
        (p.fields["external_id"] for p in parts if p.fields.get("external_id")), fold=False
    )
    if len(external_ids) > 1:
        raise _RowError(
            "rows share an email or phone but have different externalIds "
            f"({', '.join(map(repr, external_ids))}); fix the file"
        )
    merged = _Fields()
    for part in parts:
        merged.fields.update(part.fields)
        merged.attributes.update(part.attributes)
    merged.emails = _union((e for p in parts for e in p.emails), fold=True)
    merged.phones = _union((x for p in parts for x in p.phones), fold=False)
    merged.tags = _union((t for p in parts for t in p.tags), fold=True)
    return merged


def _person(values: _Fields) -> Person:
    kwargs: dict[str, Any] = dict(values.fields)
    if values.emails or values.phones:
        kwargs["contact_information"] = ContactInformation.of(
            emails=values.emails or None, phones=values.phones or None
        )
    if values.tags:
        kwargs["tags"] = values.tags
    if values.attributes:
        kwargs["custom_attributes"] = values.attributes
    # The same checks upsert_many makes, on a plain dict (cheaper than converting the model):
    # a person failing them is this row's failure, not an exception for the whole window.
    wire: dict[str, Any] = {_WIRE_BY_ATTR[name]: value for name, value in values.fields.items()}
    wire["contactInformation"] = {
        "email": [{"address": e} for e in values.emails],
        "phone": [{"number": p} for p in values.phones],
    }
    wire["customAttributes"] = values.attributes
    try:
        check_person(wire, v3=True)
    except ValidationError as exc:
        raise _RowError(str(exc)) from None
    return Person(**kwargs)


def _group(rows: list[tuple[int, _Fields]]) -> list[list[int]]:
    """Positions in ``rows`` that share a key, as groups in order of first appearance."""
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[str, str], int] = {}
    for i, (_, values) in enumerate(rows):
        for key in values.identities():
            if key in owner:
                a, b = find(owner[key]), find(i)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[key] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(rows)):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def _row_mapping(
    row: Mapping[str, Any], base: ColumnMapping, cache: dict[tuple[Any, ...], ColumnMapping]
) -> ColumnMapping:
    """The mapping of one row given without a mapping: ``base`` (the first row's keys) plus the
    row's own keys, each read as a target. A key that names no target fails the row (it is not
    dropped silently), as do two keys naming the same single-valued target."""
    keys = tuple(row)
    mapping = cache.get(keys)
    if mapping is not None:
        return mapping
    known = {column for column, _ in base.columns}
    unknown = [k for k in keys if not (isinstance(k, str) and _is_target_name(k))]
    if unknown:
        raise _RowError(
            f"key(s) {', '.join(map(repr, unknown))} name no person field, email, phone, tags "
            "or attr:NAME; pass a mapping to rename or leave them out"
        )
    extra = tuple((k, Target.parse(k)) for k in keys if k not in known)
    try:
        mapping = ColumnMapping(base.columns + extra) if extra else base
    except MappingError as exc:
        raise _RowError(str(exc)) from None
    if len(cache) < 256:
        cache[keys] = mapping
    return mapping
