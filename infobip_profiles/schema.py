"""Typed attribute schemas: richer property kinds than the service stores, checked before sending.

Chat, helpdesk and CRM integrations keep properties such as "single choice" or "location" that
Customer Profiles has no data type for. A :class:`Schema` declares them once; each property maps
onto one custom attribute data type, validates a value before it is sent (a
:class:`SchemaValidationError` naming the property and the rule), converts it to the wire form and
back, and :func:`sync_schema` creates the attribute definitions an account is missing.

================  ==================  ===================================================
Property          Data type           Wire value
================  ==================  ===================================================
:class:`Number`   ``DECIMAL``         the number (``integer=True``: ``INTEGER``)
:class:`Text`     ``STRING``          the text (at most ``max_length``, 4096 by default)
:class:`Word`     ``STRING``          one word: non-empty, no whitespace
:class:`SingleChoice`  ``STRING``     one of the declared choices
:class:`MultipleChoice`  ``STRING``   the chosen values joined by ``";"`` in the order
                                      declared (``"email;sms"``); so a filter can still use
                                      ``#contains``. Choices may not contain the separator.
:class:`Location` ``STRING``          ``"lat,lon"`` in decimal degrees (``"45.815,15.9819"``)
:class:`Date`     ``DATE``            ``YYYY-MM-DD``
:class:`Time`     ``STRING``          ``"HH:MM"``, 24-hour clock (hours and minutes only)
:class:`Boolean`  ``BOOLEAN``         ``true`` / ``false``
:class:`DateTime` ``DATE_TIME``       ``yyyy-MM-ddTHH:mm:ss`` in UTC (aware values converted;
                                      naive ones taken as UTC)
================  ==================  ===================================================

:data:`CHATBOT_TYPES` maps a chatbot attribute type to the profile data type that holds it, and
:data:`PROFILE_TO_CHATBOT` each profile data type back to the chatbot type that reads it; see
:func:`profile_type` and :func:`chatbot_type`.

Multiple choice and location are stored as ``STRING`` rather than ``LIST_OF_OBJECTS`` so that they
stay one value per person: filterable, segmentable, and written in the same call as the other
attributes (a list attribute is edited item by item through the lists API).

Example::

    from infobip_profiles.schema import Schema, Number, SingleChoice, MultipleChoice, Location, sync_schema

    schema = Schema([
        Number("Lifetime value"),
        SingleChoice("Plan", ["free", "pro", "enterprise"]),
        MultipleChoice("Channels", ["email", "sms", "whatsapp"]),
        Location("Store location"),
    ])
    report = sync_schema(client, schema)   # creates what the account lacks
    client.people.update(ref, Person(custom_attributes=schema.encode({"Plan": "pro"})))
    values = schema.decode(client.people.get(ref).custom_attributes)
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from ._converter import format_datetime, parse_datetime
from .errors import ValidationError
from .models import MAX_ATTRIBUTE_NAME, MAX_STRING_VALUE, CustomAttribute, DataType

if TYPE_CHECKING:
    from ._client import AsyncProfilesClient, ProfilesClient

__all__ = [
    "SchemaValidationError",
    "Property",
    "Number",
    "Text",
    "Word",
    "SingleChoice",
    "MultipleChoice",
    "Location",
    "GeoPoint",
    "Date",
    "Time",
    "Boolean",
    "DateTime",
    "CHATBOT_TYPES",
    "PROFILE_TO_CHATBOT",
    "PROPERTY_KINDS",
    "profile_type",
    "chatbot_type",
    "Schema",
    "SchemaConflict",
    "SyncReport",
    "sync_schema",
    "sync_schema_async",
]

_NAME_FORBIDDEN = re.compile(r"[{}\[\]]")
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_LOCATION_RE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


class SchemaValidationError(ValidationError):
    """A value breaks its property's rule. ``property`` names it, ``rule`` says what is required."""

    def __init__(self, property: str, rule: str, value: Any) -> None:
        super().__init__(
            f"property {property!r}: {rule} (got {value!r})", field=f"customAttributes.{property}"
        )
        self.property = property
        self.rule = rule
        self.value = value


class GeoPoint(NamedTuple):
    """A location in decimal degrees: latitude -90 to 90, longitude -180 to 180."""

    lat: float
    lon: float


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("a property needs a non-blank name", field="name")
    if len(name) > MAX_ATTRIBUTE_NAME:
        raise ValidationError(
            f"property name {name[:20]!r}... is longer than {MAX_ATTRIBUTE_NAME} characters",
            field="name",
        )
    if _NAME_FORBIDDEN.search(name):
        raise ValidationError(
            f"property name {name!r} must not contain any of {{ }} [ ]", field="name"
        )


@attrs.frozen
class Property:
    """Base of every property kind: a ``name`` (the custom attribute's) and its conversions."""

    name: str

    def __attrs_post_init__(self) -> None:
        _check_name(self.name)

    @property
    def data_type(self) -> DataType:
        """The custom attribute data type this property is stored as."""
        raise NotImplementedError

    def definition(self) -> CustomAttribute:
        """The custom attribute definition this property needs on the account."""
        return CustomAttribute(name=self.name, data_type=self.data_type)

    def validate(self, value: Any) -> None:
        """Raise :class:`SchemaValidationError` when ``value`` breaks this property's rule.

        ``None`` is always valid: it clears the value.
        """
        if value is not None:
            self._encode(value)

    def encode(self, value: Any) -> Any:
        """``value`` validated and converted to its wire form (``None`` stays ``None``)."""
        return None if value is None else self._encode(value)

    def decode(self, raw: Any) -> Any:
        """A wire value back as the property's Python value (returned as is if malformed)."""
        if raw is None:
            return None
        try:
            return self._decode(raw)
        except (ValueError, TypeError, InvalidOperation):
            return raw

    def _encode(self, value: Any) -> Any:
        raise NotImplementedError

    def _decode(self, raw: Any) -> Any:
        return raw

    def _fail(self, rule: str, value: Any) -> SchemaValidationError:
        return SchemaValidationError(self.name, rule, value)


@attrs.frozen
class Number(Property):
    """A number: ``DECIMAL`` (``Decimal``, ``int`` or ``float``), or ``INTEGER`` with
    ``integer=True``; optionally bounded by ``minimum`` / ``maximum`` (inclusive)."""

    integer: bool = attrs.field(default=False, kw_only=True)
    minimum: int | float | Decimal | None = attrs.field(default=None, kw_only=True)
    maximum: int | float | Decimal | None = attrs.field(default=None, kw_only=True)

    @property
    def data_type(self) -> DataType:
        """``INTEGER`` for whole numbers, ``DECIMAL`` otherwise."""
        return DataType.INTEGER if self.integer else DataType.DECIMAL

    def _encode(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            raise self._fail("must be a number", value)
        finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
        if not finite:
            raise self._fail("must be a finite number", value)
        if self.integer:
            if value != int(value):
                raise self._fail("must be a whole number", value)
            value = int(value)
            if not -(2**63) <= value <= 2**63 - 1:
                raise self._fail("must fit a 64-bit integer", value)
        if self.minimum is not None and value < self.minimum:
            raise self._fail(f"must be at least {self.minimum}", value)
        if self.maximum is not None and value > self.maximum:
            raise self._fail(f"must be at most {self.maximum}", value)
        return value

    def _decode(self, raw: Any) -> Any:
        if isinstance(raw, bool):
            return raw
        return int(raw) if self.integer else Decimal(str(raw))


@attrs.frozen
class Text(Property):
    """Free text (``STRING``), at most ``max_length`` characters (4096, the service's limit)."""

    max_length: int = attrs.field(default=MAX_STRING_VALUE, kw_only=True)

    @property
    def data_type(self) -> DataType:
        """Always ``STRING``."""
        return DataType.STRING

    def _encode(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise self._fail("must be text", value)
        limit = min(self.max_length, MAX_STRING_VALUE)
        if len(value) > limit:
            raise self._fail(f"must be at most {limit} characters", value)
        return value

    def _decode(self, raw: Any) -> Any:
        return str(raw)


@attrs.frozen
class Word(Text):
    """A single word (``STRING``): non-empty text without spaces, tabs or line breaks."""

    def _encode(self, value: Any) -> Any:
        text = super()._encode(value)
        if not text:
            raise self._fail("must be one word, not empty", value)
        if any(ch.isspace() for ch in text):
            raise self._fail("must be one word, without whitespace", value)
        return text


def _choices(values: Iterable[str]) -> tuple[str, ...]:
    out = tuple(values)
    if not out or not all(isinstance(c, str) and c for c in out):
        raise ValidationError("choices must be one or more non-empty strings", field="choices")
    if len(set(out)) != len(out):
        raise ValidationError("choices must be distinct", field="choices")
    return out


@attrs.frozen
class SingleChoice(Property):
    """One value out of ``choices`` (``STRING``; compared exactly, case included)."""

    choices: tuple[str, ...] = attrs.field(converter=_choices)

    @property
    def data_type(self) -> DataType:
        """Always ``STRING``."""
        return DataType.STRING

    def _encode(self, value: Any) -> Any:
        if value not in self.choices:
            raise self._fail(f"must be one of {', '.join(self.choices)}", value)
        return value


@attrs.frozen
class MultipleChoice(Property):
    """Any number of distinct values out of ``choices`` (a list or set), stored as one
    ``STRING`` joined by ``separator`` in the order the choices were declared."""

    choices: tuple[str, ...] = attrs.field(converter=_choices)
    separator: str = attrs.field(default=";", kw_only=True)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if not self.separator:
            raise ValidationError("separator must not be empty", field="separator")
        clashing = [c for c in self.choices if self.separator in c]
        if clashing:
            raise ValidationError(
                f"choices must not contain the separator {self.separator!r}: {clashing}",
                field="choices",
            )

    @property
    def data_type(self) -> DataType:
        """Always ``STRING``."""
        return DataType.STRING

    def _encode(self, value: Any) -> Any:
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise self._fail("must be a list or set of choices", value)
        chosen = list(value)
        unknown = [v for v in chosen if v not in self.choices]
        if unknown:
            raise self._fail(f"may only hold {', '.join(self.choices)}", value)
        if len(set(chosen)) != len(chosen):
            raise self._fail("must not repeat a choice", value)
        text = self.separator.join(c for c in self.choices if c in chosen)
        if len(text) > MAX_STRING_VALUE:
            raise self._fail(f"joined must be at most {MAX_STRING_VALUE} characters", value)
        return text

    def _decode(self, raw: Any) -> Any:
        text = str(raw)
        return [] if not text else text.split(self.separator)


@attrs.frozen
class Location(Property):
    """A point on Earth (``STRING`` ``"lat,lon"``): a :class:`GeoPoint` or a ``(lat, lon)`` pair
    of numbers, latitude -90 to 90 and longitude -180 to 180. Reads back as a :class:`GeoPoint`."""

    @property
    def data_type(self) -> DataType:
        """Always ``STRING``."""
        return DataType.STRING

    def _encode(self, value: Any) -> Any:
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
            raise self._fail("must be a (latitude, longitude) pair", value)
        lat, lon = value
        for part in (lat, lon):
            if isinstance(part, bool) or not isinstance(part, (int, float, Decimal)):
                raise self._fail("latitude and longitude must be numbers", value)
            if isinstance(part, float) and not math.isfinite(part):
                raise self._fail("latitude and longitude must be finite", value)
        if not -90 <= lat <= 90:
            raise self._fail("latitude must be between -90 and 90", value)
        if not -180 <= lon <= 180:
            raise self._fail("longitude must be between -180 and 180", value)
        return f"{lat},{lon}"

    def _decode(self, raw: Any) -> Any:
        match = _LOCATION_RE.match(str(raw))
        if not match:
            raise ValueError(raw)
        return GeoPoint(float(match.group(1)), float(match.group(2)))


@attrs.frozen
class Date(Property):
    """A calendar date (``DATE``): a :class:`datetime.date` (not a datetime)."""

    @property
    def data_type(self) -> DataType:
        """Always ``DATE``."""
        return DataType.DATE

    def _encode(self, value: Any) -> Any:
        if isinstance(value, _dt.datetime) or not isinstance(value, _dt.date):
            raise self._fail("must be a datetime.date", value)
        return value.isoformat()

    def _decode(self, raw: Any) -> Any:
        return _dt.date.fromisoformat(str(raw)[:10])


@attrs.frozen
class Time(Property):
    """A time of day in hours and minutes (``STRING`` ``"HH:MM"``): a :class:`datetime.time`
    with no seconds, or ``"HH:MM"`` text. Reads back as a :class:`datetime.time`."""

    @property
    def data_type(self) -> DataType:
        """Always ``STRING``."""
        return DataType.STRING

    def _encode(self, value: Any) -> Any:
        if isinstance(value, str):
            if not _TIME_RE.match(value):
                raise self._fail("must be HH:MM on the 24-hour clock", value)
            return value
        if not isinstance(value, _dt.time):
            raise self._fail("must be a datetime.time or HH:MM text", value)
        if value.second or value.microsecond:
            raise self._fail("must be hours and minutes only (no seconds)", value)
        if value.tzinfo is not None:
            raise self._fail("must be a local time without a time zone", value)
        return f"{value.hour:02d}:{value.minute:02d}"

    def _decode(self, raw: Any) -> Any:
        match = _TIME_RE.match(str(raw))
        if not match:
            raise ValueError(raw)
        return _dt.time(int(match.group(1)), int(match.group(2)))


@attrs.frozen
class Boolean(Property):
    """Yes or no (``BOOLEAN``): a :class:`bool` only (``1`` or ``"yes"`` are refused)."""

    @property
    def data_type(self) -> DataType:
        """Always ``BOOLEAN``."""
        return DataType.BOOLEAN

    def _encode(self, value: Any) -> Any:
        if not isinstance(value, bool):
            raise self._fail("must be True or False", value)
        return value

    def _decode(self, raw: Any) -> Any:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text not in ("true", "false"):
            raise ValueError(raw)
        return text == "true"


@attrs.frozen
class DateTime(Property):
    """A moment (``DATE_TIME``): a :class:`datetime.datetime`, sent in UTC to the second (aware
    values are converted, naive ones taken as UTC). Reads back as an aware UTC datetime."""

    @property
    def data_type(self) -> DataType:
        """Always ``DATE_TIME``."""
        return DataType.DATE_TIME

    def _encode(self, value: Any) -> Any:
        if not isinstance(value, _dt.datetime):
            raise self._fail("must be a datetime.datetime", value)
        return format_datetime(value)

    def _decode(self, raw: Any) -> Any:
        return parse_datetime(str(raw))


#: Each customer-property kind of this module and the profile data type it is stored as
#: (``Number`` is ``DECIMAL``, or ``INTEGER`` with ``integer=True``).
PROPERTY_KINDS: Mapping[str, DataType] = {
    "Number": DataType.DECIMAL,
    "Text": DataType.STRING,
    "Word": DataType.STRING,
    "Single choice": DataType.STRING,
    "Multiple choice": DataType.STRING,
    "Location": DataType.STRING,
    "Date": DataType.DATE,
    "Time": DataType.STRING,
    "Boolean": DataType.BOOLEAN,
    "DateTime": DataType.DATE_TIME,
}

#: A chatbot attribute type and the profile data type that holds its values. Contact-like
#: types (phone number, email, URL) and locations are text; a chatbot list is a list of objects.
CHATBOT_TYPES: Mapping[str, DataType] = {
    "Text": DataType.STRING,
    "Number": DataType.DECIMAL,
    "Boolean": DataType.BOOLEAN,
    "Date": DataType.DATE,
    "Phone number": DataType.STRING,
    "Email": DataType.STRING,
    "URL": DataType.STRING,
    "Location": DataType.STRING,
    "List": DataType.LIST_OF_OBJECTS,
}

#: A profile data type and the chatbot attribute type that reads it back. ``DATE_TIME`` reads
#: as text (``yyyy-MM-ddTHH:mm:ss``), keeping the time of day a ``Date`` would drop.
PROFILE_TO_CHATBOT: Mapping[DataType, str] = {
    DataType.STRING: "Text",
    DataType.INTEGER: "Number",
    DataType.DECIMAL: "Number",
    DataType.BOOLEAN: "Boolean",
    DataType.DATE: "Date",
    DataType.DATE_TIME: "Text",
    DataType.LIST_OF_OBJECTS: "List",
}


def profile_type(chatbot: str) -> DataType:
    """The profile data type for a chatbot attribute type (ignoring case);
    :class:`~infobip_profiles.ValidationError` for a type the table does not know."""
    folded = {k.casefold(): v for k, v in CHATBOT_TYPES.items()}
    found = folded.get(str(chatbot).strip().casefold())
    if found is None:
        raise ValidationError(
            f"unknown chatbot attribute type {chatbot!r}; known: {', '.join(CHATBOT_TYPES)}",
            field="type",
        )
    return found


def chatbot_type(data_type: DataType | str) -> str:
    """The chatbot attribute type that reads a profile data type back."""
    try:
        return PROFILE_TO_CHATBOT[DataType(data_type)]
    except (ValueError, KeyError):
        raise ValidationError(f"unknown data type {data_type!r}", field="dataType") from None


class Schema:
    """A set of typed properties, by name (unique ignoring case, as attribute names are)."""

    def __init__(self, properties: Iterable[Property]) -> None:
        self._props: dict[str, Property] = {}
        for prop in properties:
            if not isinstance(prop, Property):
                raise TypeError(f"expected a Property, got {type(prop).__name__}")
            key = prop.name.lower()
            if key in self._props:
                raise ValidationError(
                    f"two properties are named {prop.name!r} (names ignore case)", field="name"
                )
            self._props[key] = prop

    def __iter__(self) -> Iterator[Property]:
        return iter(self._props.values())

    def __len__(self) -> int:
        return len(self._props)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._props

    def __getitem__(self, name: str) -> Property:
        try:
            return self._props[name.lower()]
        except KeyError:
            raise KeyError(name) from None

    def definitions(self) -> list[CustomAttribute]:
        """The custom attribute definitions the schema needs."""
        return [p.definition() for p in self]

    def validate(self, values: Mapping[str, Any]) -> None:
        """Check every value; the first one breaking its rule raises :class:`SchemaValidationError`.

        A name the schema does not declare is an error too (rule ``"is not in the schema"``).
        """
        self.encode(values)

    def encode(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Validate ``values`` and return them as a ``customAttributes`` wire mapping."""
        out: dict[str, Any] = {}
        for name, value in values.items():
            if name not in self:
                raise SchemaValidationError(name, "is not in the schema", value)
            prop = self[name]
            out[prop.name] = prop.encode(value)
        return out

    def decode(self, raw: Mapping[str, Any] | None) -> dict[str, Any]:
        """Read a ``customAttributes`` mapping: the schema's properties decoded, others as is."""
        out: dict[str, Any] = {}
        for name, value in (raw or {}).items():
            out[name] = self[name].decode(value) if name in self else value
        return out


@attrs.frozen
class SchemaConflict:
    """An attribute exists on the account with another data type than the schema needs."""

    name: str
    expected: DataType
    actual: DataType | str | None


@attrs.frozen
class SyncReport:
    """What :func:`sync_schema` did: the attribute names it ``created``, those ``found`` with the
    right type, and the ``conflicts`` (found with another type: types cannot change, so these
    need a decision from you)."""

    created: tuple[str, ...] = ()
    found: tuple[str, ...] = ()
    conflicts: tuple[SchemaConflict, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the account now has every attribute with the right type."""
        return not self.conflicts


def _classify(
    schema: Schema, existing: Iterable[CustomAttribute]
) -> tuple[list[Property], list[str], list[SchemaConflict]]:
    by_name = {a.name.lower(): a for a in existing if a.name}
    missing: list[Property] = []
    found: list[str] = []
    conflicts: list[SchemaConflict] = []
    for prop in schema:
        current = by_name.get(prop.name.lower())
        if current is None:
            missing.append(prop)
        elif current.data_type == prop.data_type:
            found.append(prop.name)
        else:
            conflicts.append(SchemaConflict(prop.name, prop.data_type, current.data_type))
    return missing, found, conflicts


def sync_schema(client: ProfilesClient, schema: Schema) -> SyncReport:
    """Create the custom attribute definitions ``schema`` needs that the account lacks.

    Reads the account's definitions once, creates each missing one, and reports what it created,
    what it found, and what it found with a conflicting type (left untouched).
    """
    missing, found, conflicts = _classify(schema, client.custom_attributes.list())
    created = []
    for prop in missing:
        client.custom_attributes.create(prop.name, prop.data_type)
        created.append(prop.name)
    return SyncReport(tuple(created), tuple(found), tuple(conflicts))


async def sync_schema_async(client: AsyncProfilesClient, schema: Schema) -> SyncReport:
    """The async twin of :func:`sync_schema`, for an :class:`~infobip_profiles.AsyncProfilesClient`."""
    existing = [a async for a in client.custom_attributes.list()]
    missing, found, conflicts = _classify(schema, existing)
    created = []
    for prop in missing:
        await client.custom_attributes.create(prop.name, prop.data_type)
        created.append(prop.name)
    return SyncReport(tuple(created), tuple(found), tuple(conflicts))
