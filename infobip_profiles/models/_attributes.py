"""Custom attribute definitions, and the mapping between Python values and their data types.

Every custom attribute has one of seven data types. The client converts in both directions:

=================  ===============================  ======================================
Data type          Python value you write            What reads back (``decode_attributes``)
=================  ===============================  ======================================
``STRING``         ``str`` (a ``str`` enum such as   ``str``
                   :class:`Gender` sends its value)
``INTEGER``        ``int`` (64-bit range)           ``int``
``DECIMAL``        ``Decimal``, ``int`` or ``float``  ``Decimal`` (exact: no binary rounding)
``BOOLEAN``        ``bool``                         ``bool``
``DATE``           ``datetime.date``                ``datetime.date``
``DATE_TIME``      ``datetime.datetime``            aware ``datetime`` in UTC, whole seconds
``LIST_OF_OBJECTS``  ``list`` of ``dict`` (field     ``list`` of ``dict``, fields decoded by
                   values of the scalar types)      the attribute's ``objectSchema``
=================  ===============================  ======================================

Naive datetimes are taken as UTC; the wire keeps whole seconds (``yyyy-MM-ddTHH:mm:ss``), so
microseconds are dropped. ``None`` always means "no value" (sent as ``null``, which clears it).

**Chat and CRM integrations** usually hold these kinds of fields; map them so:

* free text, names, e-mail-like text and **gender** (``"MALE"``/``"FEMALE"``) → ``STRING``;
* whole numbers (counts, ages, loyalty points) → ``INTEGER``; money and other decimal numbers →
  ``DECIMAL`` (pass ``Decimal`` to keep every digit);
* yes/no, opt-in and checkbox fields → ``BOOLEAN``;
* birthdays, renewal dates → ``DATE``; last-seen, signed-up-at timestamps → ``DATE_TIME``;
* repeated records (orders, subscriptions, devices) → ``LIST_OF_OBJECTS`` with an
  ``objectSchema`` naming each field's scalar type.

Decoding uses the attribute definitions when you pass them (``client.custom_attributes.list()``),
which is exact. Without them the type is inferred from the JSON value: booleans, whole numbers,
decimals and lists map as above, and text that is exactly ``YYYY-MM-DD`` or
``yyyy-MM-ddTHH:mm:ss`` becomes a date or datetime (a ``STRING`` attribute holding such text is the
one case where passing definitions matters). For richer property kinds (choices, locations, times
of day) see :mod:`infobip_profiles.schema`.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from .._converter import Model, format_date, format_datetime, lenient_enum, model, parse_datetime
from .._operations import ATTRIBUTE_NAME_MAX_LENGTH, ATTRIBUTE_VALUE_MAX_LENGTH
from ..errors import ProfilesError, ValidationError

__all__ = [
    "DataType",
    "CustomAttribute",
    "Definitions",
    "infer_data_type",
    "encode_value",
    "decode_value",
    "encode_attributes",
    "decode_attributes",
    "MAX_ATTRIBUTE_NAME",
    "MAX_STRING_VALUE",
    "AttributeTypeMismatchError",
]

#: The longest custom attribute name the API accepts.
MAX_ATTRIBUTE_NAME = ATTRIBUTE_NAME_MAX_LENGTH
#: The longest ``STRING`` value the API accepts.
MAX_STRING_VALUE = ATTRIBUTE_VALUE_MAX_LENGTH
_INT64 = (-(2**63), 2**63 - 1)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$"
)

_RO = {"read_only": True}


class AttributeTypeMismatchError(ProfilesError, ValueError):
    """``custom_attributes.ensure`` found the attribute defined with another type (or another
    object schema). A definition's type cannot change: ``existing`` is what the service holds."""

    def __init__(self, message: str, *, existing: CustomAttribute) -> None:
        super().__init__(message)
        self.existing = existing


@lenient_enum
class DataType(str, enum.Enum):
    """The data type of a custom attribute."""

    STRING = "STRING"
    INTEGER = "INTEGER"
    DECIMAL = "DECIMAL"
    BOOLEAN = "BOOLEAN"
    DATE = "DATE"
    DATE_TIME = "DATE_TIME"
    LIST_OF_OBJECTS = "LIST_OF_OBJECTS"

    @classmethod
    def of(cls, value: Any) -> DataType:
        """The data type a Python value maps to (see :func:`infer_data_type`)."""
        return infer_data_type(value)


@model
class CustomAttribute(Model):
    """A custom attribute definition: a ``name``, a ``data_type`` and, for ``LIST_OF_OBJECTS``,
    an ``object_schema`` naming the type of each item field.

    Example::

        CustomAttribute(name="Orders", data_type=DataType.LIST_OF_OBJECTS,
                        object_schema={"sku": DataType.STRING, "total": DataType.DECIMAL})
    """

    name: str
    data_type: DataType | str | None = None
    object_schema: dict[str, DataType | str] | None = None
    created_at: datetime | None = attrs.field(default=None, metadata=_RO)
    modified_at: datetime | None = attrs.field(default=None, metadata=_RO)

    def encode(self, value: Any) -> Any:
        """``value`` in this attribute's wire form (:class:`ValidationError` if it does not fit)."""
        return encode_value(value, self.data_type, self.object_schema, name=self.name)

    def decode(self, raw: Any) -> Any:
        """A wire value of this attribute as a Python value."""
        return decode_value(raw, self.data_type, self.object_schema)


#: Attribute definitions, as ``client.custom_attributes.list()`` yields them or a ``{name: type}``
#: mapping. Names match ignoring case, as the API matches them.
Definitions = Iterable[CustomAttribute] | Mapping[str, DataType | str | CustomAttribute]


#: Python types and the data type they map to, first match wins (``bool`` is an ``int``, and a
#: ``datetime`` a ``date``, so those come first).
_INFERRED: tuple[tuple[type | tuple[type, ...], DataType], ...] = (
    (bool, DataType.BOOLEAN),
    (int, DataType.INTEGER),
    ((Decimal, float), DataType.DECIMAL),
    (datetime, DataType.DATE_TIME),
    (date, DataType.DATE),
    (str, DataType.STRING),
    ((list, tuple), DataType.LIST_OF_OBJECTS),
)


def infer_data_type(value: Any) -> DataType:
    """The data type a Python value maps to: ``bool`` → BOOLEAN, ``int`` → INTEGER, ``Decimal`` and
    ``float`` → DECIMAL, ``datetime`` → DATE_TIME, ``date`` → DATE, ``str`` → STRING, ``list`` →
    LIST_OF_OBJECTS. Anything else is a :class:`ValidationError`."""
    for types, data_type in _INFERRED:
        if isinstance(value, types):
            return data_type
    raise ValidationError(
        f"{type(value).__name__} has no custom attribute data type: use str, int, Decimal, "
        "bool, date, datetime or a list of dicts"
    )


def _data_type(value: DataType | str | None) -> DataType | None:
    if value is None or isinstance(value, DataType):
        return value
    try:
        return DataType(str(value).upper())
    except ValueError:
        raise ValidationError(
            f"unknown data type {value!r}: use one of {', '.join(t.value for t in DataType)}",
            field="dataType",
        ) from None


def _wrong(name: str | None, data_type: DataType, value: Any, hint: str) -> ValidationError:
    where = f"custom attribute {name!r}" if name else "value"
    field = f"customAttributes.{name}" if name else None
    return ValidationError(
        f"{where} is {data_type.value}: {hint}, got {type(value).__name__} {value!r}", field=field
    )


def encode_value(
    value: Any,
    data_type: DataType | str | None = None,
    object_schema: Mapping[str, DataType | str] | None = None,
    *,
    name: str | None = None,
) -> Any:
    """A Python value in the wire form of ``data_type`` (inferred from the value when omitted).

    Raises :class:`ValidationError` when the value does not fit the type (a ``bool`` for an
    INTEGER, a ``datetime`` for a DATE, text longer than 4096 characters...).
    """
    if value is None:
        return None
    kind = _data_type(data_type) or infer_data_type(value)
    if isinstance(value, enum.Enum) and kind is DataType.STRING:
        value = value.value
    if kind is DataType.STRING:
        if not isinstance(value, str):
            raise _wrong(name, kind, value, "expected text")
        if len(value) > MAX_STRING_VALUE:
            raise _wrong(name, kind, f"{value[:20]}...", f"at most {MAX_STRING_VALUE} characters")
        return value
    if kind is DataType.INTEGER:
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _wrong(name, kind, value, "expected a whole number (int)")
        if not _INT64[0] <= value <= _INT64[1]:
            raise _wrong(name, kind, value, "outside the 64-bit integer range")
        return value
    if kind is DataType.DECIMAL:
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            raise _wrong(name, kind, value, "expected a number (Decimal, int or float)")
        if isinstance(value, (float, Decimal)) and not (
            value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
        ):
            raise _wrong(name, kind, value, "expected a finite number")
        return value
    if kind is DataType.BOOLEAN:
        if not isinstance(value, bool):
            raise _wrong(name, kind, value, "expected True or False")
        return value
    if kind is DataType.DATE:
        if isinstance(value, str) and _DATE_RE.match(value):
            return value
        if isinstance(value, datetime) or not isinstance(value, date):
            raise _wrong(name, kind, value, "expected a datetime.date")
        return format_date(value)
    if kind is DataType.DATE_TIME:
        if isinstance(value, str) and _DATE_TIME_RE.match(value):
            return format_datetime(parse_datetime(value))
        if not isinstance(value, datetime):
            raise _wrong(name, kind, value, "expected a datetime.datetime")
        return format_datetime(value)
    return _encode_list(value, object_schema, name)


def _encode_list(value: Any, schema: Mapping[str, Any] | None, name: str | None) -> Any:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise _wrong(name, DataType.LIST_OF_OBJECTS, value, "expected a list of dicts")
    items = []
    for item in value:
        if not isinstance(item, Mapping):
            raise _wrong(name, DataType.LIST_OF_OBJECTS, item, "every item must be a dict")
        encoded = {}
        for key, field_value in item.items():
            field_type = _lookup(schema, key) if schema else None
            if key != "__id" and field_type is DataType.LIST_OF_OBJECTS:
                raise _wrong(name, DataType.LIST_OF_OBJECTS, field_value, "fields are scalars")
            field_name = f"{name}.{key}" if name else str(key)
            encoded[str(key)] = (
                field_value
                if key == "__id"
                else encode_value(field_value, field_type, name=field_name)
            )
        items.append(encoded)
    return items


def _lookup(schema: Mapping[str, Any], key: str) -> DataType | None:
    raw = schema.get(key)
    if raw is None:
        lowered = key.lower()
        raw = next((t for k, t in schema.items() if k.lower() == lowered), None)
    if isinstance(raw, CustomAttribute):
        return raw.data_type if isinstance(raw.data_type, DataType) else _data_type(raw.data_type)
    return _data_type(raw)


def decode_value(
    raw: Any,
    data_type: DataType | str | None = None,
    object_schema: Mapping[str, DataType | str] | None = None,
) -> Any:
    """A wire value as a Python value, by ``data_type`` when given and inferred otherwise.

    Decoding never fails: a value that does not fit its declared type is returned as received.
    """
    if raw is None:
        return None
    try:
        kind = _data_type(data_type)
    except ValidationError:
        kind = None
    if kind is None:
        return _infer_decode(raw)
    try:
        if kind is DataType.STRING:
            return raw if isinstance(raw, str) else str(raw)
        if kind is DataType.INTEGER:
            if isinstance(raw, bool):
                return raw
            return int(raw) if isinstance(raw, (int, Decimal, float)) else int(str(raw))
        if kind is DataType.DECIMAL:
            if isinstance(raw, bool):
                return raw
            return raw if isinstance(raw, Decimal) else Decimal(str(raw))
        if kind is DataType.BOOLEAN:
            return raw
        if kind is DataType.DATE:
            return date.fromisoformat(str(raw)[:10])
        if kind is DataType.DATE_TIME:
            return parse_datetime(str(raw))
    except (ValueError, TypeError, InvalidOperation):
        return raw
    if not isinstance(raw, list):
        return raw
    return [_decode_item(item, object_schema) for item in raw]


def _decode_item(item: Any, schema: Mapping[str, Any] | None) -> Any:
    if not isinstance(item, Mapping):
        return item
    out = {}
    for key, value in item.items():
        if key == "__id":
            out[key] = value
            continue
        field_type = _lookup(schema, key) if schema else None
        out[key] = decode_value(value, field_type) if field_type else _infer_decode(value)
    return out


def _infer_decode(raw: Any) -> Any:
    if isinstance(raw, str):
        if _DATE_RE.match(raw):
            try:
                return date.fromisoformat(raw)
            except ValueError:
                return raw
        if _DATE_TIME_RE.match(raw):
            try:
                return parse_datetime(raw)
            except ValueError:
                return raw
        return raw
    if isinstance(raw, float):
        return Decimal(str(raw))
    if isinstance(raw, list):
        return [_decode_item(item, None) for item in raw]
    return raw


def _definition_map(definitions: Definitions | None) -> dict[str, tuple[Any, Any]]:
    """``{lower name: (data type, object schema)}``."""
    out: dict[str, tuple[Any, Any]] = {}
    if definitions is None:
        return out
    if isinstance(definitions, Mapping):
        for key, value in definitions.items():
            if isinstance(value, CustomAttribute):
                out[str(key).lower()] = (value.data_type, value.object_schema)
            else:
                out[str(key).lower()] = (value, None)
        return out
    for definition in definitions:
        if definition.name:
            out[definition.name.lower()] = (definition.data_type, definition.object_schema)
    return out


def encode_attributes(
    values: Mapping[str, Any], definitions: Definitions | None = None
) -> dict[str, Any]:
    """Encode a ``customAttributes`` mapping, checking each value against its definition.

    With ``definitions`` a name that is not defined is a :class:`ValidationError` (the API would
    refuse it); without them each type is inferred from its value.
    """
    known = _definition_map(definitions)
    out: dict[str, Any] = {}
    for name, value in values.items():
        if definitions is not None and name.lower() not in known:
            raise ValidationError(
                f"custom attribute {name!r} is not defined: create it first "
                "(client.custom_attributes.create)",
                field=f"customAttributes.{name}",
            )
        data_type, schema = known.get(name.lower(), (None, None))
        out[name] = encode_value(value, data_type, schema, name=name)
    return out


def decode_attributes(
    raw: Mapping[str, Any] | None, definitions: Definitions | None = None
) -> dict[str, Any]:
    """Decode a person's (or company's) ``customAttributes`` into Python values.

    Example::

        definitions = list(client.custom_attributes.list())
        person = client.people.get(PersonRef.external_id("crm-1"))
        values = decode_attributes(person.custom_attributes, definitions)
        values["Renewal"]  # datetime.date(2026, 1, 31)
    """
    known = _definition_map(definitions)
    out: dict[str, Any] = {}
    for name, value in (raw or {}).items():
        data_type, schema = known.get(name.lower(), (None, None))
        out[name] = decode_value(value, data_type, schema)
    return out
