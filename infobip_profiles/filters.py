"""A typed builder for the ``filter`` query language of persons and companies (and segment queries).

The API takes a filter as JSON in a query parameter, for example
``{"#and":[{"firstName":"Alex"},{"#contains":{"tags":"VIP Client"}}]}``. This module builds those
objects from Python values, checks what can be checked before any request is sent, and renders
dates, timestamps and decimals the way the API wants them::

    from datetime import date
    from decimal import Decimal
    from infobip_profiles.filters import F, and_, or_, tags, rel_now

    vip_londoners = (F("city") == "London") & tags.contains("VIP")
    recent = F("created_at") >= rel_now("P-7D")             # snake_case names map to the wire names
    big_spenders = F.custom("Lifetime Value") > Decimal("1000.50")   # custom attributes by name
    born_in_80s = and_(F("birthDate") >= date(1980, 1, 1), F("birthDate") < date(1990, 1, 1))
    client.people.list(filter=or_(vip_londoners, big_spenders))

Every operator of the language has a method on :class:`Field`:

=========================  ======================================  ==========================
method                     wire                                    valid for
=========================  ======================================  ==========================
``eq`` / ``==``            ``{"f": v}``                            every scalar type
``ne`` / ``!=``            ``{"#ne": {"f": v}}``                   every scalar type
``contains``               ``{"#contains": {"f": s}}``             strings, ``tags``
``not_contains``           ``{"#notContain": {"f": s}}``           strings, ``tags``
``starts_with``            ``{"#startsWith": {"f": s}}``           strings
``ends_with``              ``{"#endsWith": {"f": s}}``             strings
``gt`` ``gte`` ``lt``      ``{"#gt": {"f": v}}`` ...               numbers, dates, timestamps
``lte`` / ``> >= < <=``
``is_in`` / ``not_in``     ``{"#in": {"f": [v, ...]}}``            strings, numbers, dates
``exists`` /               ``{"#exists": "f"}`` /
``not_exists``             ``{"#notExist": "f"}``                  any attribute
``all`` / ``any``          ``{"#all": {"f": <filter>}}``           list-of-objects attributes
=========================  ======================================  ==========================

Values: ``str``, ``int``, ``bool``, ``float``, :class:`~decimal.Decimal` (rendered with its exact
digits, never through ``float``), :class:`datetime.date` (``YYYY-MM-DD``),
:class:`datetime.datetime` (``yyyy-MM-ddTHH:mm:ss``; aware values are converted to UTC and
microseconds are dropped, as the API's timestamps have none), any :class:`enum.Enum` (its
``.value``, so ``Gender.MALE`` works) and :func:`rel_now` for dates relative to the moment the
query runs. Anything the builder can prove invalid (``gt`` on a boolean, ``contains`` with a number,
a ``datetime`` for ``birthDate``...) raises :class:`ValueError` at once.

Raw JSON-like mappings are accepted wherever a filter is:
``and_({"firstName": "John"}, tags.contains("VIP"))``.
"""

from __future__ import annotations

import enum
import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Final, NoReturn, TypeAlias

__all__ = [
    "F",
    "Field",
    "Filter",
    "FilterLike",
    "RelNow",
    "STANDARD_FIELDS",
    "and_",
    "or_",
    "rel_now",
    "relative_days",
    "tags",
    "to_query_param",
    "ARCHIVED_ATTRIBUTE",
    "archived",
    "active",
]

# Kinds of the standard fields, for the checks the builder can make with certainty.
_STRING, _INTEGER, _DATE, _DATE_TIME = "string", "integer", "date", "date-time"
_GENDER, _PERSON_TYPE, _TAGS, _STRING_LIST = "gender", "person type", "tags", "string list"

STANDARD_FIELDS: Final[Mapping[str, str]] = {
    "id": _INTEGER,
    "externalId": _STRING,
    "firstName": _STRING,
    "lastName": _STRING,
    "middleName": _STRING,
    "nickName": _STRING,
    "address": _STRING,
    "city": _STRING,
    "country": _STRING,
    "preferredLanguage": _STRING,
    "profilePicture": _STRING,
    "origin": _STRING,
    "type": _PERSON_TYPE,
    "gender": _GENDER,
    "birthDate": _DATE,
    "createdAt": _DATE_TIME,
    "modifiedAt": _DATE_TIME,
    "tags": _TAGS,
    "email": _STRING_LIST,
    "phone": _STRING_LIST,
}
"""Standard person fields (wire names) and the kind of value each holds."""


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


# Field("first_name") means Field("firstName"); only the standard names are translated.
_SNAKE_TO_WIRE: Final[Mapping[str, str]] = {_snake(n): n for n in STANDARD_FIELDS if _snake(n) != n}

_ENUM_VALUES: Final[Mapping[str, tuple[str, ...]]] = {
    _GENDER: ("MALE", "FEMALE"),
    _PERSON_TYPE: ("CUSTOMER", "LEAD"),
}

_DATE_RE: Final = re.compile(r"\d{4}-\d\d-\d\d")
_DATETIME_RE: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
_PERIOD_RE: Final = re.compile(
    r"[+-]?P(?!$)(?:[+-]?\d+Y)?(?:[+-]?\d+M)?(?:[+-]?\d+W)?(?:[+-]?\d+D)?"
    r"(?:T(?=[+\-\d])(?:[+-]?\d+H)?(?:[+-]?\d+M)?(?:[+-]?\d+(?:\.\d{1,9})?S)?)?"
)


def _fail(message: str) -> NoReturn:
    raise ValueError(message)


# --- relative dates ----------------------------------------------------------------------------


class RelNow:
    """A date relative to the moment the query runs: ``{"#relNow": "P-1D"}``.

    Build one with :func:`rel_now` or :func:`relative_days`. Negative periods are in the past.
    """

    __slots__ = ("_period",)

    _period: str

    def __init__(self, period: str) -> None:
        if not isinstance(period, str) or _PERIOD_RE.fullmatch(period) is None:
            _fail(
                f"invalid #relNow period {period!r}: expected an ISO-8601 period such as "
                "'P-1D', 'P1M', 'P-2W' or 'PT-2H'"
            )
        object.__setattr__(self, "_period", period)

    @property
    def period(self) -> str:
        """The ISO-8601 period, e.g. ``"P-1D"``."""
        return self._period

    def to_dict(self) -> dict[str, str]:
        """The wire form, ``{"#relNow": period}``."""
        return {"#relNow": self._period}

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError("RelNow is immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RelNow) and other._period == self._period

    def __hash__(self) -> int:
        return hash(("RelNow", self._period))

    def __repr__(self) -> str:
        return f"rel_now({self._period!r})"


def rel_now(
    period: str | None = None,
    *,
    years: int = 0,
    months: int = 0,
    weeks: int = 0,
    days: int = 0,
    hours: int = 0,
    minutes: int = 0,
    seconds: int = 0,
) -> RelNow:
    """A moment relative to now, for comparisons with dates and timestamps.

    Pass an ISO-8601 period (``rel_now("P-1D")``, ``rel_now("PT-2H")``) or its parts
    (``rel_now(days=-1)``, ``rel_now(months=1, days=-3)``); negative is the past.

    >>> rel_now(days=-1)
    rel_now('P-1D')
    >>> rel_now(hours=-2, minutes=30)
    rel_now('PT-2H30M')
    """
    parts = {"Y": years, "M": months, "W": weeks, "D": days}
    times = {"H": hours, "M": minutes, "S": seconds}
    for label, amount in (*parts.items(), *times.items()):
        if isinstance(amount, bool) or not isinstance(amount, int):
            _fail(f"rel_now() parts must be whole numbers, got {amount!r} ({label})")
    given = any(parts.values()) or any(times.values())
    if period is not None:
        if given:
            _fail("pass rel_now() either an ISO-8601 period or its parts, not both")
        return RelNow(period)
    if not given:
        return RelNow("P0D")
    text = "P" + "".join(f"{n}{u}" for u, n in parts.items() if n)
    clock = "".join(f"{n}{u}" for u, n in times.items() if n)
    return RelNow(text + ("T" + clock if clock else ""))


def relative_days(days: int) -> RelNow:
    """``days`` from today (negative: in the past): ``relative_days(-1)`` is ``P-1D``."""
    return rel_now(days=days)


# --- rendering ---------------------------------------------------------------------------------


def _render_datetime(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )


def _dump(value: Any) -> str:
    """Compact JSON for filter trees: Decimals keep their digits, dates and enums are rendered."""
    if isinstance(value, Filter):
        return value._json
    if isinstance(value, enum.Enum):
        return _dump(value.value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            _fail(f"{value!r} cannot be sent in a filter")
        return repr(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            _fail(f"{value!r} cannot be sent in a filter")
        return str(value)  # e.g. "1.10", "1E+3": valid JSON numbers, exactly as given
    if isinstance(value, datetime):
        return json.dumps(_render_datetime(value))
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    if isinstance(value, RelNow):
        return _dump(value.to_dict())
    if isinstance(value, Mapping):
        items = []
        for key, item in value.items():
            if not isinstance(key, str):
                _fail(f"filter object keys must be strings, got {key!r}")
            items.append(json.dumps(key, ensure_ascii=False) + ":" + _dump(item))
        return "{" + ",".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_dump(item) for item in value) + "]"
    _fail(f"cannot use {type(value).__name__} {value!r} in a filter")


def _load(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


# --- filters -----------------------------------------------------------------------------------


class Filter:
    """An immutable filter: one clause of the query language (possibly a whole tree).

    Combine with ``&`` / ``|`` (or :func:`and_` / :func:`or_`); render with :meth:`to_dict` or
    :func:`to_query_param`. ``Filter(mapping)`` wraps a raw JSON-like mapping. Two filters are equal
    when they render to the same JSON. A filter has no truth value: ``a and b`` is a mistake
    (it would silently drop ``a``), so it raises ``TypeError``; use ``a & b``.
    """

    __slots__ = ("_json",)

    _json: str

    def __init__(self, clause: FilterLike) -> None:
        if isinstance(clause, Filter):
            text = clause._json
        elif isinstance(clause, Mapping):
            text = _dump(clause)
        else:
            _fail(f"a filter is a Filter or a mapping, not {type(clause).__name__}")
        object.__setattr__(self, "_json", text)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object as plain Python data (a fresh copy; decimals stay :class:`Decimal`)."""
        result: dict[str, Any] = _load(self._json)
        return result

    def to_json(self) -> str:
        """The compact JSON text, as sent in the ``filter`` query parameter."""
        return self._json

    def __and__(self, other: FilterLike) -> Filter:
        if not isinstance(other, (Filter, Mapping)):
            return NotImplemented
        return and_(self, other)

    def __rand__(self, other: FilterLike) -> Filter:
        if not isinstance(other, (Filter, Mapping)):
            return NotImplemented
        return and_(other, self)

    def __or__(self, other: FilterLike) -> Filter:
        if not isinstance(other, (Filter, Mapping)):
            return NotImplemented
        return or_(self, other)

    def __ror__(self, other: FilterLike) -> Filter:
        if not isinstance(other, (Filter, Mapping)):
            return NotImplemented
        return or_(other, self)

    def __bool__(self) -> NoReturn:
        raise TypeError(
            "a Filter has no truth value; combine filters with & / | (or and_() / or_()), "
            "not with 'and' / 'or'"
        )

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError("Filter is immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filter) and other._json == self._json

    def __hash__(self) -> int:
        return hash(("Filter", self._json))

    def __repr__(self) -> str:
        return f"Filter({self._json})"


FilterLike: TypeAlias = Filter | Mapping[str, Any]
"""A :class:`Filter` or a raw JSON-like mapping such as ``{"firstName": "John"}``."""


def to_query_param(filter: FilterLike) -> str:
    """The compact JSON text the ``filter`` query parameter carries (the HTTP layer URL-encodes it).

    >>> to_query_param(F("firstName") == "John")
    '{"firstName":"John"}'
    >>> to_query_param({"#gt": {"score": Decimal("1.10")}})
    '{"#gt":{"score":1.10}}'
    """
    return Filter(filter)._json


def _combine(op: str, filters: tuple[FilterLike | Iterable[FilterLike], ...]) -> Filter:
    items: list[FilterLike]
    if len(filters) == 1 and not isinstance(filters[0], (Filter, Mapping)):
        items = list(filters[0])  # and_([a, b, c])
    else:
        items = list(filters)  # type: ignore[arg-type]
    if not items:
        _fail(f"{'and_' if op == '#and' else 'or_'}() needs at least one filter")
    clauses: list[Any] = []
    for item in items:
        tree = Filter(item).to_dict()
        # and_(and_(a, b), c) is and_(a, b, c): same meaning, flatter JSON.
        if len(tree) == 1 and isinstance(tree.get(op), list):
            clauses.extend(tree[op])
        else:
            clauses.append(tree)
    if len(clauses) == 1:
        return Filter(clauses[0])
    return Filter({op: clauses})


def and_(*filters: FilterLike | Iterable[FilterLike]) -> Filter:
    """Records matching every filter: ``{"#and": [...]}``. Also takes one iterable of filters.

    >>> and_(F("firstName") == "John", F("lastName") == "Smith")
    Filter({"#and":[{"firstName":"John"},{"lastName":"Smith"}]})
    """
    return _combine("#and", filters)


def or_(*filters: FilterLike | Iterable[FilterLike]) -> Filter:
    """Records matching at least one filter: ``{"#or": [...]}``. Also takes one iterable.

    >>> or_(F("city") == "Zagreb", F("city") == "Split")
    Filter({"#or":[{"city":"Zagreb"},{"city":"Split"}]})
    """
    return _combine("#or", filters)


# --- fields ------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Unwrap enums (Gender.MALE -> "MALE")."""
    while isinstance(value, enum.Enum):
        value = value.value
    return value


def _type_name(value: Any) -> str:
    return type(value).__name__


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _valid_date_text(text: str) -> bool:
    if _DATE_RE.fullmatch(text) is None:
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _valid_datetime_text(text: str) -> bool:
    if _DATETIME_RE.fullmatch(text) is None:
        return False
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


class Field:
    """A person (or company) attribute to compare: ``Field("firstName") == "John"``.

    ``Field(name)`` takes a standard wire name (``firstName``), its snake_case spelling
    (``first_name``) or any other name, which is sent unchanged (custom attributes, company
    fields). For the standard person fields the builder knows the value type and checks operators
    and values against it. ``Field.custom(name)`` names a custom attribute (or a property of a
    list-of-objects item) exactly as given, never translated, checked only by the value's own type.
    ``F`` is a short alias of this class.
    """

    __slots__ = ("_custom", "_kind", "_name")

    _name: str
    _kind: str | None
    _custom: bool

    def __init__(self, name: str) -> None:
        self._init(name, custom=False)

    def _init(self, name: str, *, custom: bool) -> None:
        if not isinstance(name, str) or not name:
            _fail(f"a field name must be a non-empty string, got {name!r}")
        wire = name if custom else _SNAKE_TO_WIRE.get(name, name)
        object.__setattr__(self, "_name", wire)
        object.__setattr__(self, "_kind", None if custom else STANDARD_FIELDS.get(wire))
        object.__setattr__(self, "_custom", custom)

    @classmethod
    def custom(cls, name: str) -> Field:
        """A custom attribute (or list-item property) named exactly ``name``.

        >>> Field.custom("Contract Expiry") < date(2025, 1, 1)
        Filter({"#lt":{"Contract Expiry":"2025-01-01"}})
        """
        field = cls.__new__(cls)
        field._init(name, custom=True)
        return field

    @property
    def name(self) -> str:
        """The name as sent on the wire."""
        return self._name

    def __repr__(self) -> str:
        return f"Field.custom({self._name!r})" if self._custom else f"Field({self._name!r})"

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError("Field is immutable")

    # -- checks --

    def _what(self) -> str:
        return f"{self._kind} field {self._name!r}" if self._kind else f"field {self._name!r}"

    def _require_kind(self, op: str, allowed: tuple[str, ...]) -> None:
        if self._kind is not None and self._kind not in allowed:
            _fail(f"{op} is not valid for the {self._what()}{self._hint()}")

    def _hint(self) -> str:
        hints = {
            _TAGS: "; tags support contains() and not_contains()",
            _GENDER: "; gender supports eq() and ne()",
            _PERSON_TYPE: "; type supports eq() and ne()",
        }
        return hints.get(self._kind or "", "")

    def _scalar(self, op: str, value: Any, *, rel: bool = True) -> Any:
        """Check ``value`` for an equality-style comparison and return what to render."""
        value = _plain(value)
        kind = self._kind
        if isinstance(value, RelNow):
            if not rel:
                _fail(f"{op} cannot take rel_now() values")
            if kind not in (None, _DATE, _DATE_TIME):
                _fail(f"rel_now() compares dates; {self._what()} is not a date")
            return value
        if value is None:
            _fail(f"{op} cannot compare with None; use exists() / not_exists()")
        if not isinstance(value, (str, int, float, Decimal, date)):
            _fail(f"{op} cannot compare {self._what()} with {_type_name(value)} {value!r}")
        if isinstance(value, (float, Decimal)):
            _dump(value)  # rejects NaN and infinities
        if kind is None:
            return value
        if kind in (_STRING, _STRING_LIST):
            if not isinstance(value, str):
                _fail(f"{self._what()} takes strings, got {_type_name(value)} {value!r}")
            return value
        if kind in _ENUM_VALUES:
            options = _ENUM_VALUES[kind]
            if value not in options:
                _fail(f"{self._what()} is one of {', '.join(options)}, got {value!r}")
            return value
        if kind == _INTEGER:
            if not isinstance(value, int) or isinstance(value, bool):
                _fail(f"{self._what()} takes whole numbers, got {_type_name(value)} {value!r}")
            return value
        if kind == _DATE:
            if isinstance(value, datetime):
                _fail(f"{self._what()} holds dates: pass a datetime.date, not a datetime")
            if isinstance(value, date) or (isinstance(value, str) and _valid_date_text(value)):
                return value
            _fail(f"{self._what()} takes a datetime.date or 'YYYY-MM-DD', got {value!r}")
        if kind == _DATE_TIME:
            if isinstance(value, datetime):
                return value
            if isinstance(value, date):
                return datetime(value.year, value.month, value.day)
            if isinstance(value, str) and _valid_datetime_text(value):
                return value
            if isinstance(value, str) and _valid_date_text(value):
                return value + "T00:00:00"
            _fail(
                f"{self._what()} takes a datetime, a date or 'yyyy-MM-ddTHH:mm:ss', got {value!r}"
            )
        _fail(f"{op} is not valid for the {self._what()}{self._hint()}")

    def _ordered(self, op: str, value: Any) -> Any:
        self._require_kind(op, (_INTEGER, _DATE, _DATE_TIME))
        value = _plain(value)
        if isinstance(value, bool):
            _fail(f"{op} cannot compare booleans; booleans support eq() and ne() only")
        if self._kind is None and isinstance(value, str):
            if not (_valid_date_text(value) or _valid_datetime_text(value)):
                _fail(
                    f"{op} compares numbers and dates; {value!r} is neither (dates are "
                    "'YYYY-MM-DD', timestamps 'yyyy-MM-ddTHH:mm:ss')"
                )
            return value
        if self._kind is None and not (_is_number(value) or isinstance(value, (date, RelNow))):
            _fail(f"{op} compares numbers and dates, not {_type_name(value)} {value!r}")
        return self._scalar(op, value)

    def _text(self, op: str, value: Any) -> str:
        value = _plain(value)
        if not isinstance(value, str):
            _fail(f"{op} takes a string, got {_type_name(value)} {value!r}")
        return value

    def _clause(self, op: str, value: Any) -> Filter:
        return Filter({op: {self._name: value}})

    # -- operators --

    def eq(self, value: Any) -> Filter:
        """Equal to ``value``: ``{"firstName": "John"}``."""
        self._require_kind(
            "eq()", (_STRING, _STRING_LIST, _INTEGER, _DATE, _DATE_TIME, _GENDER, _PERSON_TYPE)
        )
        rendered = self._scalar("eq()", value)
        if isinstance(rendered, RelNow) or self._name.startswith("#"):
            # The short form {"f": v} cannot carry these unambiguously.
            return self._clause("#eq", rendered)
        return Filter({self._name: rendered})

    def ne(self, value: Any) -> Filter:
        """Not equal to ``value`` (also matches records without the attribute)."""
        self._require_kind(
            "ne()", (_STRING, _STRING_LIST, _INTEGER, _DATE, _DATE_TIME, _GENDER, _PERSON_TYPE)
        )
        return self._clause("#ne", self._scalar("ne()", value))

    def contains(self, value: str) -> Filter:
        """Contains the substring ``value``; on ``tags``, has the tag ``value``."""
        self._require_kind("contains()", (_STRING, _STRING_LIST, _TAGS))
        return self._clause("#contains", self._text("contains()", value))

    def not_contains(self, value: str) -> Filter:
        """Does not contain ``value`` (``#notContain``); on ``tags``, lacks the tag."""
        self._require_kind("not_contains()", (_STRING, _STRING_LIST, _TAGS))
        return self._clause("#notContain", self._text("not_contains()", value))

    def starts_with(self, value: str) -> Filter:
        """Starts with ``value``."""
        self._require_kind("starts_with()", (_STRING, _STRING_LIST))
        return self._clause("#startsWith", self._text("starts_with()", value))

    def ends_with(self, value: str) -> Filter:
        """Ends with ``value``."""
        self._require_kind("ends_with()", (_STRING, _STRING_LIST))
        return self._clause("#endsWith", self._text("ends_with()", value))

    def gt(self, value: Any) -> Filter:
        """Greater (later) than ``value``: a number, a date, a timestamp or :func:`rel_now`."""
        return self._clause("#gt", self._ordered("gt()", value))

    def gte(self, value: Any) -> Filter:
        """Greater than or equal to ``value``."""
        return self._clause("#gte", self._ordered("gte()", value))

    def lt(self, value: Any) -> Filter:
        """Less (earlier) than ``value``."""
        return self._clause("#lt", self._ordered("lt()", value))

    def lte(self, value: Any) -> Filter:
        """Less than or equal to ``value``."""
        return self._clause("#lte", self._ordered("lte()", value))

    def _values(self, op: str, values: Iterable[Any]) -> list[Any]:
        self._require_kind(op, (_STRING, _STRING_LIST, _INTEGER, _DATE, _DATE_TIME))
        if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
            _fail(f"{op} takes a list of values, got {_type_name(values)} {values!r}")
        result = [self._scalar(op, self._no_bool(op, _plain(v)), rel=False) for v in values]
        if self._kind is None:
            self._check_one_type(op, result)
        return result

    @staticmethod
    def _no_bool(op: str, value: Any) -> Any:
        if isinstance(value, bool):
            _fail(f"{op} cannot take booleans; booleans support eq() and ne() only")
        return value

    @staticmethod
    def _check_one_type(op: str, values: list[Any]) -> None:
        """An attribute has one type: its list of values must agree on it.

        Strings may mix with date (or datetime) objects when they are dates (or timestamps) too;
        on their own they may look like anything, since a string attribute can hold "2020-01-01".
        """
        kinds = {
            "number" if _is_number(v) else "datetime" if isinstance(v, datetime) else "date"
            for v in values
            if not isinstance(v, str)
        }
        texts = [v for v in values if isinstance(v, str)]
        if len(kinds) > 1 or (kinds == {"number"} and texts):
            found = sorted(kinds | ({"string"} if texts else set()))
            _fail(f"{op} values must all be of one type, got {', '.join(found)}")
        valid = _valid_date_text if kinds == {"date"} else _valid_datetime_text
        if kinds & {"date", "datetime"} and not all(valid(t) for t in texts):
            _fail(f"{op} values must all be of one type, got {kinds.pop()}s and other strings")

    def is_in(self, values: Iterable[Any]) -> Filter:
        """Equal to one of ``values`` (``#in``)."""
        return self._clause("#in", self._values("is_in()", values))

    def not_in(self, values: Iterable[Any]) -> Filter:
        """Equal to none of ``values`` (``#notIn``; also matches records without the attribute)."""
        return self._clause("#notIn", self._values("not_in()", values))

    def exists(self) -> Filter:
        """The record has this attribute: ``{"#exists": "f"}``."""
        return Filter({"#exists": self._name})

    def not_exists(self) -> Filter:
        """The record lacks this attribute: ``{"#notExist": "f"}``."""
        return Filter({"#notExist": self._name})

    def _quantified(self, op: str, item_filter: FilterLike) -> Filter:
        if self._kind is not None:
            _fail(
                f"{op[1:]}() applies to list-of-objects custom attributes, not the {self._what()}"
            )
        return Filter({op: {self._name: Filter(item_filter)}})

    def all(self, item_filter: FilterLike) -> Filter:
        """Every item of this list-of-objects attribute matches ``item_filter`` (``#all``).

        Name item properties with :meth:`Field.custom`::

            F.custom("Cart").all(F.custom("ProductPrice") < 100)
        """
        return self._quantified("#all", item_filter)

    def any(self, item_filter: FilterLike) -> Filter:
        """At least one item of this list-of-objects attribute matches ``item_filter``."""
        return self._quantified("#any", item_filter)

    # Comparison operators build filters (as in SQLAlchemy), so a Field is not hashable.
    def __eq__(self, value: object) -> Filter:  # type: ignore[override]
        return self.eq(value)

    def __ne__(self, value: object) -> Filter:  # type: ignore[override]
        return self.ne(value)

    def __gt__(self, value: Any) -> Filter:
        return self.gt(value)

    def __ge__(self, value: Any) -> Filter:
        return self.gte(value)

    def __lt__(self, value: Any) -> Filter:
        return self.lt(value)

    def __le__(self, value: Any) -> Filter:
        return self.lte(value)

    __hash__ = None  # type: ignore[assignment]


F = Field
"""Short alias: ``F("city") == "London"``."""

tags: Final = Field("tags")
"""The person's tags: ``tags.contains("VIP")``, ``tags.not_contains("Churned")``."""

ARCHIVED_ATTRIBUTE: Final = "Archived"
"""The ``BOOLEAN`` custom attribute that carries a person's archived status (``True``: archived;
``False`` or not set: active). The service has no status of its own: this is the SDK's convention,
created by the first ``people.archive`` or ``people.activate``."""


def archived() -> Filter:
    """People archived with ``people.archive`` (:data:`ARCHIVED_ATTRIBUTE` is ``True``).

    The attribute must exist (any archive or activate call creates it): a filter naming an
    unknown attribute is a 400.

    >>> archived()
    Filter({"Archived":true})
    """
    return Field.custom(ARCHIVED_ATTRIBUTE).eq(True)


def active() -> Filter:
    """People not archived: never archived, or activated again.

    >>> active()
    Filter({"#or":[{"Archived":false},{"#notExist":"Archived"}]})
    """
    field = Field.custom(ARCHIVED_ATTRIBUTE)
    return or_(field.eq(False), field.not_exists())
