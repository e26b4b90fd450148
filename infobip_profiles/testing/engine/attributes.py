"""Engine: custom attribute definitions, and the validation of the values persons carry.

The registry is keyed by name ignoring case, as the service does: ``get("contract expiry")``
finds ``"Contract Expiry"``. Persons store values under the definition's own spelling, so a write
that spells a key differently still lands on the one attribute.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..._operations import ATTRIBUTE_NAME_MAX_LENGTH, ATTRIBUTE_VALUE_MAX_LENGTH, spec_enum
from .._messages import MSG
from ._domain import Invalid, NotFound

if TYPE_CHECKING:
    from .._state import TenantState

__all__ = ["AttributesEngine", "DATA_TYPES", "ITEM_ID_KEY"]

DATA_TYPES = spec_enum("attribute_data_types")
"""Every ``dataType`` a custom attribute can have."""

ITEM_ID_KEY = "__id"
"""The key the v3 lists engine stamps on each LIST_OF_OBJECTS item; always allowed in an item."""

_MAX_NAME = ATTRIBUTE_NAME_MAX_LENGTH
_MAX_STRING = ATTRIBUTE_VALUE_MAX_LENGTH
_INT64_MAX = 9223372036854775807
_INT64_MIN = -9223372036854775808
_NAME_FORBIDDEN = re.compile(r"[{}\[\]]")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?$")


class _Definition:
    __slots__ = ("created_at", "data_type", "modified_at", "name", "object_schema")

    def __init__(
        self,
        name: str,
        data_type: str,
        object_schema: dict[str, str] | None,
        created_at: str,
    ) -> None:
        self.name = name
        self.data_type = data_type
        self.object_schema = object_schema
        self.created_at = created_at
        self.modified_at = created_at

    def wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name, "dataType": self.data_type}
        if self.object_schema is not None:
            body["objectSchema"] = dict(self.object_schema)
        body["createdAt"] = self.created_at
        body["modifiedAt"] = self.modified_at
        return body


class AttributesEngine:
    """Custom attribute definitions of one tenant, and validation of the values persons carry.

    ``define``/``get``/``all``/``delete`` manage the registry (the HTTP endpoints sit on top);
    ``validate_values`` is what every person write calls before it changes anything.
    """

    def __init__(self, state: TenantState) -> None:
        self._state = state
        self._defs: dict[str, _Definition] = {}  # key: name.lower()

    # -- registry ------------------------------------------------------------------------------

    def define(
        self, name: Any, data_type: Any, object_schema: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """Create a definition and return its wire dict; invalid or duplicate names are a 400.

        ``name`` and ``data_type`` come straight from a request body, so anything is checked.
        """
        errors: dict[str, list[str]] = {}
        if not isinstance(name, str) or not name.strip():
            errors["name"] = [MSG.FIELD_REQUIRED]
        elif len(name) > _MAX_NAME:
            errors["name"] = [MSG.FIELD_SIZE.format(max=_MAX_NAME)]
        elif _NAME_FORBIDDEN.search(name):
            errors["name"] = [MSG.ATTRIBUTE_NAME_CHARS]
        if data_type not in DATA_TYPES:
            errors["dataType"] = [MSG.FIELD_ONE_OF.format(values=", ".join(DATA_TYPES))]
        schema: dict[str, str] | None = None
        if data_type == "LIST_OF_OBJECTS":
            if not isinstance(object_schema, Mapping) or not object_schema:
                errors["objectSchema"] = [MSG.OBJECT_SCHEMA_REQUIRED]
            else:
                allowed = [t for t in DATA_TYPES if t != "LIST_OF_OBJECTS"]
                bad = [k for k, t in object_schema.items() if t not in allowed or k == ITEM_ID_KEY]
                if bad:
                    errors["objectSchema"] = [MSG.OBJECT_SCHEMA_TYPES.format(fields=", ".join(bad))]
                schema = {str(k): str(t) for k, t in object_schema.items()}
        elif object_schema:
            errors["objectSchema"] = [MSG.OBJECT_SCHEMA_ONLY_FOR_LISTS]
        if errors:
            raise Invalid(fields=errors)
        # A computed attribute's name is taken too: the two share one namespace.
        if name.lower() in self._defs or self._state.events.is_computed(name):
            raise Invalid(MSG.ATTRIBUTE_DUPLICATE.format(name=name))  # a 400, as the service
        definition = _Definition(name, data_type, schema, self._state.clock.v2_timestamp())
        self._defs[name.lower()] = definition
        return definition.wire()

    def get(self, name: str) -> dict[str, Any] | None:
        """The definition named ``name`` (ignoring case) as a wire dict, or ``None``."""
        definition = self._defs.get(name.lower())
        return None if definition is None else definition.wire()

    def all(self) -> list[dict[str, Any]]:
        """Every definition, in creation order, as wire dicts."""
        return [d.wire() for d in self._defs.values()]

    def delete(self, name: str) -> None:
        """Remove a definition (404 when unknown) and its values from every person."""
        definition = self._defs.pop(name.lower(), None)
        if definition is None:
            raise NotFound("custom attribute", MSG.ATTRIBUTE_NOT_FOUND.format(name=name))
        self._state.persons.drop_custom_attribute(definition.name)

    def canonical_name(self, name: str) -> str | None:
        """The defined spelling of ``name`` (matched ignoring case), or ``None``."""
        definition = self._defs.get(name.lower())
        return None if definition is None else definition.name

    def data_type(self, name: str) -> str | None:
        """The ``dataType`` of attribute ``name`` (ignoring case), or ``None``."""
        definition = self._defs.get(name.lower())
        return None if definition is None else definition.data_type

    def attribute_types(self) -> dict[str, str]:
        """``{name: dataType}`` for every definition (what the filter compiler needs)."""
        return {d.name: d.data_type for d in self._defs.values()}

    # -- validation ------------------------------------------------------------------------------

    def validate_values(
        self, custom_attributes: Any, *, partial: bool, field: str = "customAttributes"
    ) -> dict[str, list[str]]:
        """Check a person's ``customAttributes`` object; return validationErrors (empty when fine).

        Every key must be a defined attribute (matched ignoring case) and every value must fit its
        type. A ``null`` value is always accepted: it means "not set" on a full write and "clear" on
        a partial one. ``partial`` also governs LIST_OF_OBJECTS items: a partial write (a PATCH of
        list items) may send ``null`` for an item field to delete it; a full write may not.
        """
        if custom_attributes is None:
            return {}
        if not isinstance(custom_attributes, dict):
            return {field: [MSG.FIELD_OBJECT]}
        errors: dict[str, list[str]] = {}
        for key, value in custom_attributes.items():
            definition = self._defs.get(key.lower())
            where = f"{field}.{key}"
            if definition is None:
                errors[where] = [MSG.ATTRIBUTE_UNDEFINED.format(name=key)]
                continue
            if value is None:
                continue
            problem = self._check_value(definition, value, partial=partial)
            if problem:
                errors[where] = [problem]
        return errors

    def validate_item(self, name: str, item: Any, *, partial: bool) -> list[str]:
        """Check one LIST_OF_OBJECTS item for attribute ``name``; return problems (empty if fine)."""
        definition = self._defs.get(name.lower())
        if definition is None:
            return [MSG.ATTRIBUTE_UNDEFINED.format(name=name)]
        if definition.data_type != "LIST_OF_OBJECTS" or definition.object_schema is None:
            return [MSG.ATTRIBUTE_NOT_A_LIST.format(name=definition.name)]
        problem = _check_item(definition.object_schema, item, partial=partial)
        return [problem] if problem else []

    def _check_value(self, definition: _Definition, value: Any, *, partial: bool) -> str | None:
        if definition.data_type == "LIST_OF_OBJECTS":
            if not isinstance(value, list):
                return MSG.VALUE_TYPE.format(type="LIST_OF_OBJECTS")
            assert definition.object_schema is not None
            for item in value:
                problem = _check_item(definition.object_schema, item, partial=partial)
                if problem:
                    return problem
            return None
        return _check_scalar(definition.data_type, value)


def _check_item(schema: Mapping[str, str], item: Any, *, partial: bool) -> str | None:
    if not isinstance(item, dict):
        return MSG.LIST_ITEM_OBJECT
    for key, value in item.items():
        if key == ITEM_ID_KEY:
            continue
        field_type = schema.get(key)
        if field_type is None:
            return MSG.LIST_ITEM_UNKNOWN_FIELD.format(field=key)
        if value is None:
            if partial:
                continue
            return MSG.LIST_ITEM_NULL_FIELD.format(field=key)
        problem = _check_scalar(field_type, value)
        if problem:
            return f"{key}: {problem}"
    return None


def _check_scalar(data_type: str, value: Any) -> str | None:
    """``None`` when ``value`` fits ``data_type``, else the reason."""
    ok = True
    if data_type == "STRING":
        if not isinstance(value, str):
            ok = False
        elif len(value) > _MAX_STRING:
            return MSG.FIELD_SIZE.format(max=_MAX_STRING)
    elif data_type == "INTEGER":
        ok = _is_int64(value)
    elif data_type == "DECIMAL":
        # Request bodies give a Decimal holding the exact digits; seeded values may be floats.
        ok = isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
        ok = ok and _fits_double(value)
    elif data_type == "BOOLEAN":
        ok = isinstance(value, bool)
    elif data_type == "DATE":
        ok = isinstance(value, str) and _parses(value, _DATE, "%Y-%m-%d")
    elif data_type == "DATE_TIME":
        ok = isinstance(value, str) and _parses(value[:19], _DATE_TIME, "%Y-%m-%dT%H:%M:%S")
        ok = ok and bool(_DATE_TIME.match(value))
    else:
        ok = False
    return None if ok else MSG.VALUE_TYPE.format(type=data_type)


def _is_int64(value: Any) -> bool:
    """A whole number within a signed 64-bit integer (``5.0`` counts, ``5.5`` does not)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (float, Decimal)):
        if not _fits_double(value) or value != int(value):
            return False
        value = int(value)
    return isinstance(value, int) and _INT64_MIN <= value <= _INT64_MAX


def _fits_double(value: float | Decimal) -> bool:
    """Finite and within a double's range (an integer literal of 400 digits is not)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _parses(text: str, pattern: re.Pattern[str], fmt: str) -> bool:
    if not pattern.match(text):
        return False
    try:
        if fmt == "%Y-%m-%d":
            date.fromisoformat(text)
        else:
            datetime.strptime(text, fmt)
    except ValueError:
        return False
    return True
