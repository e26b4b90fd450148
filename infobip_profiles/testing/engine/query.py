"""The filter / segment query language, compiled to a fast predicate (docs/fake-semantics.md).

A query is a JSON object such as
``{"#and":[{"firstName":"John"},{"#gt":{"birthDate":"1990-01-01"}}]}``. :func:`compile_filter`
validates it completely up front (raising :class:`QueryError` for anything the service would answer
with a 400) and returns a predicate made of small closures, so evaluating it against a person costs
a few attribute reads and comparisons, with no JSON walking per call.

The predicate takes a *getter*: ``get(field) -> value`` that returns a person's value for a
standard wire field (``firstName``, ``birthDate``, ``tags``...) or, for any other name, the custom
attribute of that name; :data:`MISSING` when the person has none. ``None`` and an empty list count
as absent too.

Choices the docs leave open (marked inferred in docs/fake-semantics.md), all deliberate:

* Negative operators are exact complements of their positive twins, so they match people who lack
  the attribute: ``#ne`` is ``not #eq``, ``#notContain`` is ``not #contains``, ``#notIn`` is
  ``not #in``, ``#notExist`` is ``not #exists``. Ordering operators never match an absent value.
* Strings compare case-sensitively; email addresses and tag names ignore case (the service treats
  them as case-insensitive identities).
* On list-valued fields (``email``, ``phone``, company ``domains``) a positive operator matches when
  any element does.
* ``#relNow`` takes an ISO-8601 period/duration (``P-1D``, ``P1M``, ``PT-2H``, ``-P1W``) added to
  ``now``. Ordering operators compare with that instant (its day for DATE attributes).
  ``#eq``/``#ne`` compare at the precision of the smallest unit in the period: the day for
  ``P-1D``, the hour for ``PT-2H``, the minute for ``PT30M``, the second for ``PT10S``.
* ``#all`` over a list of objects needs at least one item; ``#any`` needs one matching item.
* A clause is an object with exactly one key; a top-level ``{}`` matches everyone.
* Custom attributes are named as defined (case-insensitively, like the service's uniqueness rule);
  the spec's mangled ``data\\u0001<name>`` form is accepted as well. Unknown attributes are errors.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any, Final

__all__ = [
    "COMPANY_FIELDS",
    "MAX_DEPTH",
    "MISSING",
    "PERSON_FIELDS",
    "Getter",
    "Predicate",
    "QueryError",
    "compile_filter",
    "compile_query",
    "decode_filter",
    "index_terms",
    "nesting_depth",
    "parse_period",
]


class _Missing:
    """Type of :data:`MISSING`."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
"""What a getter returns for an attribute the person does not have."""

Getter = Callable[[str], Any]
"""``get(field) -> value``: a person's value of a wire field or custom attribute, or MISSING."""

Predicate = Callable[[Getter], bool]
"""A compiled query: ``predicate(get) -> bool``."""


class QueryError(ValueError):
    """The query is malformed: bad JSON, unknown operator or attribute, wrong shape or value type.

    ``path`` locates the offending clause (``$`` is the root, ``$.#and[1]`` its second clause).
    """

    def __init__(self, message: str, path: str = "$") -> None:
        super().__init__(f"{message} (at {path})" if path != "$" else message)
        self.path = path
        self.reason = message


# --- attribute kinds -------------------------------------------------------------------------

# Custom attribute data types (IamAdditionalFieldDataType) double as kinds; the rest are the
# standard fields' own kinds.
STRING, INTEGER, DECIMAL, BOOLEAN = "STRING", "INTEGER", "DECIMAL", "BOOLEAN"
DATE, DATE_TIME, LIST_OF_OBJECTS = "DATE", "DATE_TIME", "LIST_OF_OBJECTS"
GENDER, PERSON_TYPE, TAGS = "GENDER", "PERSON_TYPE", "TAGS"
EMAIL, STRING_LIST = "EMAIL", "STRING_LIST"
_INFERRED = "INFERRED"  # list-item properties without a schema: the literal decides

CUSTOM_TYPES: Final = frozenset(
    {STRING, INTEGER, DECIMAL, BOOLEAN, DATE, DATE_TIME, LIST_OF_OBJECTS}
)

PERSON_FIELDS: Final[Mapping[str, str]] = {
    "id": INTEGER,
    "externalId": STRING,
    "firstName": STRING,
    "lastName": STRING,
    "middleName": STRING,
    "nickName": STRING,
    "address": STRING,
    "city": STRING,
    "country": STRING,
    "preferredLanguage": STRING,
    "profilePicture": STRING,
    "origin": STRING,
    "modifiedFrom": STRING,
    "type": PERSON_TYPE,
    "gender": GENDER,
    "birthDate": DATE,
    "createdAt": DATE_TIME,
    "modifiedAt": DATE_TIME,
    "tags": TAGS,
    "email": EMAIL,
    "phone": STRING_LIST,
}
"""Standard person wire fields and their kinds (default ``fields`` of :func:`compile_filter`)."""

COMPANY_FIELDS: Final[Mapping[str, str]] = {
    "id": INTEGER,
    "name": STRING,
    "externalId": STRING,
    "notes": STRING,
    "vatNumber": STRING,
    "accountManager": STRING,
    "customerStage": STRING,
    "industry": STRING,
    "region": STRING,
    "segment": STRING,
    "country": STRING,
    "createdAt": DATE_TIME,
    "modifiedAt": DATE_TIME,
    "tags": TAGS,
    "domains": STRING_LIST,
}
"""Standard company wire fields and their kinds (pass as ``fields=`` for company filters)."""

_ENUM_VALUES: Final[Mapping[str, frozenset[str]]] = {
    GENDER: frozenset({"MALE", "FEMALE"}),
    PERSON_TYPE: frozenset({"CUSTOMER", "LEAD"}),
}

_EQ, _NE = "#eq", "#ne"
_CONTAINS, _NOT_CONTAIN = "#contains", "#notContain"
_STARTS, _ENDS = "#startsWith", "#endsWith"
_GT, _GTE, _LT, _LTE = "#gt", "#gte", "#lt", "#lte"
_IN, _NOT_IN = "#in", "#notIn"
_ORDERING: Final = frozenset({_GT, _GTE, _LT, _LTE})
_TEXT_OPS: Final = frozenset({_CONTAINS, _NOT_CONTAIN, _STARTS, _ENDS})
_COMPARISONS: Final = frozenset({_EQ, _NE, _IN, _NOT_IN} | _ORDERING | _TEXT_OPS)
_NEGATED: Final[Mapping[str, str]] = {_NE: _EQ, _NOT_CONTAIN: _CONTAINS, _NOT_IN: _IN}
_EXISTS: Final = frozenset({"#exists", "#exist"})
_NOT_EXIST: Final = "#notExist"
_LOGICAL: Final = frozenset({"#and", "#or"})
_QUANTIFIERS: Final = frozenset({"#all", "#any"})

_OPS_BY_KIND: Final[Mapping[str, frozenset[str]]] = {
    STRING: frozenset({_EQ, _NE, _IN, _NOT_IN}) | _TEXT_OPS,
    EMAIL: frozenset({_EQ, _NE, _IN, _NOT_IN}) | _TEXT_OPS,
    STRING_LIST: frozenset({_EQ, _NE, _IN, _NOT_IN}) | _TEXT_OPS,
    INTEGER: frozenset({_EQ, _NE, _IN, _NOT_IN}) | _ORDERING,
    DECIMAL: frozenset({_EQ, _NE, _IN, _NOT_IN}) | _ORDERING,
    DATE: frozenset({_EQ, _NE, _IN, _NOT_IN}) | _ORDERING,
    DATE_TIME: frozenset({_EQ, _NE, _IN, _NOT_IN}) | _ORDERING,
    BOOLEAN: frozenset({_EQ, _NE}),
    GENDER: frozenset({_EQ, _NE}),
    PERSON_TYPE: frozenset({_EQ, _NE}),
    TAGS: frozenset({_CONTAINS, _NOT_CONTAIN}),
    LIST_OF_OBJECTS: frozenset(),
}

_KIND_LABEL: Final[Mapping[str, str]] = {
    STRING: "string",
    EMAIL: "email",
    STRING_LIST: "string list",
    INTEGER: "integer",
    DECIMAL: "decimal",
    DATE: "date",
    DATE_TIME: "date-time",
    BOOLEAN: "boolean",
    GENDER: "gender",
    PERSON_TYPE: "person type",
    TAGS: "tags",
    LIST_OF_OBJECTS: "list of objects",
}


# --- ISO-8601 periods (#relNow) --------------------------------------------------------------

_PERIOD_RE: Final = re.compile(
    r"(?P<sign>[+-])?P"
    r"(?:(?P<Y>[+-]?\d+)Y)?(?:(?P<Mo>[+-]?\d+)M)?(?:(?P<W>[+-]?\d+)W)?(?:(?P<D>[+-]?\d+)D)?"
    r"(?:T(?:(?P<H>[+-]?\d+)H)?(?:(?P<Mi>[+-]?\d+)M)?(?:(?P<S>[+-]?\d+(?:[.,]\d{1,9})?)S)?)?",
    re.IGNORECASE,
)

# Precision of #eq with #relNow: the smallest unit the period names.
_DAY, _HOUR, _MINUTE, _SECOND = "day", "hour", "minute", "second"


class _Period:
    """A parsed ISO-8601 period: calendar months plus an exact duration."""

    __slots__ = ("delta", "months", "precision")

    def __init__(self, months: int, delta: timedelta, precision: str) -> None:
        self.months = months
        self.delta = delta
        self.precision = precision

    def added_to(self, moment: datetime) -> datetime:
        """``moment`` shifted by this period (months first, clamping the day to the month's end)."""
        if self.months:
            total = moment.year * 12 + moment.month - 1 + self.months
            year, month0 = divmod(total, 12)
            if not 1 <= year <= 9999:
                raise OverflowError("year out of range")
            day = min(moment.day, calendar.monthrange(year, month0 + 1)[1])
            moment = moment.replace(year=year, month=month0 + 1, day=day)
        return moment + self.delta


def parse_period(text: str) -> _Period:
    """Parse ``P[nY][nM][nW][nD][T[nH][nM][n[.f]S]]``, signed as a whole (``-P1D``) or per unit.

    Raises :class:`QueryError` for anything else (``P``, ``PT``, ``1D``, ``P1.5D``...).
    """
    m = _PERIOD_RE.fullmatch(text) if isinstance(text, str) else None
    if m is None or text.upper().endswith(("P", "T")):
        raise QueryError(
            f"invalid #relNow period {text!r}: expected ISO-8601 like 'P-1D' or 'PT-2H'"
        )
    g = m.groupdict()
    sign = -1 if g["sign"] == "-" else 1
    years, months = int(g["Y"] or 0), int(g["Mo"] or 0)
    weeks, days = int(g["W"] or 0), int(g["D"] or 0)
    hours, minutes = int(g["H"] or 0), int(g["Mi"] or 0)
    seconds = Decimal((g["S"] or "0").replace(",", "."))
    if g["S"] is not None:
        precision = _SECOND
    elif g["Mi"] is not None:
        precision = _MINUTE
    elif g["H"] is not None:
        precision = _HOUR
    else:
        precision = _DAY
    try:
        delta = timedelta(
            weeks=sign * weeks,
            days=sign * days,
            hours=sign * hours,
            minutes=sign * minutes,
            seconds=float(sign * seconds),
        )
    except OverflowError:
        raise QueryError(f"#relNow period {text!r} is out of range") from None
    return _Period(sign * (years * 12 + months), delta, precision)


def _truncate(moment: datetime, precision: str) -> tuple[datetime, datetime]:
    """The [start, end) bucket of ``precision`` containing ``moment``."""
    if precision == _DAY:
        start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        return start, start + timedelta(days=1)
    if precision == _HOUR:
        start = moment.replace(minute=0, second=0, microsecond=0)
        return start, start + timedelta(hours=1)
    if precision == _MINUTE:
        start = moment.replace(second=0, microsecond=0)
        return start, start + timedelta(minutes=1)
    start = moment.replace(microsecond=0)
    return start, start + timedelta(seconds=1)


# --- value coercion (record side: lenient, None = not comparable) ------------------------------


def _naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        return moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


_DATE_RE: Final = re.compile(r"\d{4}-\d\d-\d\d")
_DATETIME_RE: Final = re.compile(
    r"(\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?([Zz]|[+-]\d\d:\d\d)?"
)


def _strict_datetime(text: str) -> datetime | None:
    """``yyyy-MM-ddTHH:mm:ss[.fff][Z|+hh:mm]`` or a bare ``yyyy-MM-dd`` (midnight), as naive UTC."""
    try:
        if _DATE_RE.fullmatch(text):
            d = date.fromisoformat(text)
            return datetime(d.year, d.month, d.day)
        m = _DATETIME_RE.fullmatch(text)
        if m is None:
            return None
        head, frac, zone = m.groups()
        # Python 3.10's fromisoformat wants 0, 3 or 6 fraction digits: normalise to 6.
        if frac is not None:
            head += "." + (frac + "000000")[:6]
        if zone is not None:
            head += "+00:00" if zone in "Zz" else zone
        return _naive_utc(datetime.fromisoformat(head.replace(" ", "T").replace("t", "T")))
    except ValueError:
        return None


def _parse_datetime_text(text: str) -> datetime | None:
    """A stored timestamp as naive UTC; lenient, with a fast path for the v2 wire format.

    The fast path takes only text with every separator of ``yyyy-MM-ddTHH:mm:ss`` in place:
    ``fromisoformat`` alone would also take forms the strict parser refuses (an offset without
    seconds, an ISO week date), and more of them on newer Pythons."""
    if (
        len(text) == 19
        and text[10] == "T"
        and text[4] == text[7] == "-"
        and text[13] == text[16] == ":"
    ):
        try:
            return _naive_utc(datetime.fromisoformat(text))
        except ValueError:
            return None
    return _strict_datetime(text)


def _to_number(value: Any) -> int | Decimal | None:
    cls = value.__class__
    if cls is int or cls is Decimal:
        return value  # type: ignore[no-any-return]
    if cls is float:
        # repr() is the shortest text that round-trips, i.e. what the JSON said.
        return Decimal(repr(value)) if value == value and value not in (_INF, -_INF) else None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        return value
    return None


_INF = float("inf")


def _to_date(value: Any) -> date | None:
    if value.__class__ is str:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def _to_datetime(value: Any) -> datetime | None:
    if value.__class__ is str:
        return _parse_datetime_text(value)
    if isinstance(value, datetime):
        return _naive_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return None


def _to_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Enum) and isinstance(value.value, str):
        return value.value
    return None


def _to_bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _to_texts(value: Any) -> list[str]:
    """A list-valued string field (email, phone, domains); a lone string counts as one element."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def _absent(value: Any) -> bool:
    return value is MISSING or value is None or (isinstance(value, (list, tuple)) and not value)


# --- compilation -----------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise QueryError(f"invalid JSON number {name}")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise QueryError(f"duplicate key {key!r} in a query object")
        result[key] = value
    return result


MAX_DEPTH = 64
"""Deepest nesting of objects and arrays a query may have (a deeper one is refused, not a 500)."""


def nesting_depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deeply ``value`` nests objects and arrays, found without recursion; the search stops
    once it passes ``limit`` (the answer is then ``limit + 1``)."""
    # Level by level: a bulk body holds thousands of scalars, each skipped by one type lookup.
    depth = 0
    frontier: list[Any] = [value]
    while frontier:
        below: list[Any] = []
        found = False
        for node in frontier:
            kind = type(node)
            if kind in _SCALARS:
                continue
            if kind is dict or isinstance(node, Mapping):
                below.extend(node.values())
            elif kind is list or isinstance(node, (list, tuple)):
                below.extend(node)
            else:
                continue
            found = True
        if not found:
            return depth
        depth += 1
        if depth > limit:
            return depth
        frontier = below
    return depth


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _loads(text: str | bytes) -> Any:
    try:
        return json.loads(
            text,
            parse_float=Decimal,  # keeps decimals exact
            parse_constant=_reject_constant,
            object_pairs_hook=_no_duplicates,
        )
    except QueryError:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise QueryError(f"the query is not valid JSON: {exc}") from None
    except RecursionError:
        raise QueryError(f"the query is nested more than {MAX_DEPTH} levels deep") from None


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float, Decimal)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


class _Compiler:
    """One compilation: the field tables plus ``now``. Methods return predicates."""

    def __init__(
        self,
        *,
        now: datetime,
        fields: Mapping[str, str],
        attribute_types: Mapping[str, str],
        object_schemas: Mapping[str, Mapping[str, str]],
        infer_unknown: bool = False,
    ) -> None:
        self.now = _naive_utc(now)
        self.fields = fields
        self.attribute_types = attribute_types
        self.object_schemas = object_schemas
        self.infer_unknown = infer_unknown
        self._folded = {name.casefold(): name for name in attribute_types}

    # -- structure --

    def clause(self, node: Any, path: str) -> Predicate:
        if not isinstance(node, Mapping):
            raise QueryError(f"a clause must be a JSON object, not {_type_name(node)}", path)
        if len(node) != 1:
            raise QueryError(
                f"a clause must have exactly one key, got {len(node)}"
                + (
                    f" ({', '.join(map(repr, node))}); combine conditions with #and" if node else ""
                ),
                path,
            )
        ((key, arg),) = node.items()
        if not isinstance(key, str):
            raise QueryError("clause keys must be strings", path)
        sub = f"{path}.{key}"
        if key in _LOGICAL:
            return self.logical(key, arg, sub)
        if key in _EXISTS or key == _NOT_EXIST:
            return self.exists(key, arg, sub)
        if key in _QUANTIFIERS:
            return self.quantifier(key, arg, sub)
        if key in _COMPARISONS:
            if not isinstance(arg, Mapping):
                raise QueryError(
                    f"{key} expects an object like {{{key!r}: {{'field': value}}}}, "
                    f"not {_type_name(arg)}",
                    sub,
                )
            if len(arg) != 1:
                raise QueryError(f"{key} expects exactly one field, got {len(arg)}", sub)
            ((field, operand),) = arg.items()
            return self.comparison(key, field, operand, sub)
        if key.startswith("#"):
            raise QueryError(f"unknown operator {key!r}", path)
        # Shorthand equality: {"firstName": "John"}.
        return self.comparison(_EQ, key, arg, path)

    def logical(self, op: str, arg: Any, path: str) -> Predicate:
        if not isinstance(arg, list) or not arg:
            raise QueryError(f"{op} expects a non-empty array of clauses", path)
        preds = tuple(self.clause(c, f"{path}[{i}]") for i, c in enumerate(arg))
        if len(preds) == 1:
            return preds[0]
        if op == "#and":
            if len(preds) == 2:
                a, b = preds
                return lambda get: a(get) and b(get)

            def all_of(get: Getter) -> bool:
                # A plain loop: noticeably cheaper than all() over a generator on the hot path.
                for p in preds:  # noqa: SIM110
                    if not p(get):
                        return False
                return True

            return all_of
        if len(preds) == 2:
            a, b = preds
            return lambda get: a(get) or b(get)

        def any_of(get: Getter) -> bool:
            for p in preds:  # noqa: SIM110 - see all_of
                if p(get):
                    return True
            return False

        return any_of

    def exists(self, op: str, arg: Any, path: str) -> Predicate:
        if not isinstance(arg, str):
            raise QueryError(
                f"{op} expects an attribute name (a string), not {_type_name(arg)}", path
            )
        key, _kind = self.resolve(arg, path)
        if op == _NOT_EXIST:
            return lambda get: _absent(get(key))
        return lambda get: not _absent(get(key))

    def quantifier(self, op: str, arg: Any, path: str) -> Predicate:
        if not isinstance(arg, Mapping) or len(arg) != 1:
            raise QueryError(
                f"{op} expects an object with one list attribute and a clause for its items", path
            )
        ((field, inner),) = arg.items()
        key, kind = self.resolve(field, path)
        if kind != LIST_OF_OBJECTS:
            raise QueryError(
                f"{op} is only valid for list-of-objects attributes; {field!r} is "
                f"{_KIND_LABEL.get(kind, kind)}",
                path,
            )
        schema = self.object_schemas.get(key)
        item_compiler = _Compiler(
            now=self.now,
            fields={},
            attribute_types=dict(schema) if schema is not None else {},
            object_schemas={},
            infer_unknown=schema is None,
        )
        item_pred = item_compiler.clause(inner, f"{path}.{field}")

        def item_matches(item: Any) -> bool:
            if not isinstance(item, Mapping):
                return False
            return item_pred(lambda name: item.get(name, MISSING))

        if op == "#all":

            def all_items(get: Getter) -> bool:
                items = get(key)
                if not isinstance(items, (list, tuple)) or not items:
                    return False
                return all(item_matches(i) for i in items)

            return all_items

        def any_item(get: Getter) -> bool:
            items = get(key)
            if not isinstance(items, (list, tuple)):
                return False
            return any(item_matches(i) for i in items)

        return any_item

    # -- fields --

    def resolve(self, field: Any, path: str) -> tuple[str, str]:
        """(getter key, kind) for a field name, or QueryError."""
        if not isinstance(field, str) or not field:
            raise QueryError(f"attribute names must be non-empty strings, not {field!r}", path)
        kind = self.fields.get(field)
        if kind is not None:
            return field, kind
        name = field[5:] if field.startswith("data\x01") else field
        canonical = name if name in self.attribute_types else self._folded.get(name.casefold())
        if canonical is not None:
            dtype = self.attribute_types[canonical]
            kind = dtype.upper() if isinstance(dtype, str) else ""
            if kind not in CUSTOM_TYPES:
                raise QueryError(
                    f"attribute {canonical!r} has unsupported data type {dtype!r}", path
                )
            return canonical, kind
        if self.infer_unknown:
            return name, _INFERRED
        raise QueryError(f"unknown attribute {field!r}", path)

    # -- comparisons --

    def comparison(self, op: str, field: Any, operand: Any, path: str) -> Predicate:
        key, kind = self.resolve(field, path)
        if kind == _INFERRED:
            kind = self.infer_kind(op, field, operand, path)
        allowed = _OPS_BY_KIND[kind]
        if op not in allowed:
            label = _KIND_LABEL[kind]
            hint = f"; valid: {' '.join(sorted(allowed))}" if allowed else "; use #all or #any"
            raise QueryError(f"{op} is not valid for {label} attribute {field!r}{hint}", path)
        positive = _NEGATED.get(op, op)
        if op in (_IN, _NOT_IN):
            if not isinstance(operand, list):
                raise QueryError(
                    f"{op} expects an array of values for {field!r}, not {_type_name(operand)}",
                    path,
                )
            values = [self.literal(kind, field, v, path, allow_rel=False) for v in operand]
            pred = self.membership(key, kind, values)
        else:
            value = self.literal(kind, field, operand, path, allow_rel=op not in _TEXT_OPS)
            if isinstance(value, _Period):
                pred = self.relative(key, kind, positive, value)
            else:
                pred = self.simple(key, kind, positive, value)
        if positive != op:
            return lambda get: not pred(get)
        return pred

    def infer_kind(self, op: str, field: str, operand: Any, path: str) -> str:
        """Kind of a schema-less list-item property, from the literal it is compared with."""
        sample = operand[0] if isinstance(operand, list) and operand else operand
        if isinstance(sample, bool):
            return BOOLEAN
        if isinstance(sample, (int, float, Decimal)):
            return DECIMAL
        if isinstance(sample, Mapping) and "#relNow" in sample:
            return DATE_TIME
        if isinstance(sample, str) and op in _ORDERING:
            if _DATE_RE.fullmatch(sample) and _to_date(sample) is not None:
                return DATE
            if _strict_datetime(sample) is not None:
                return DATE_TIME
            raise QueryError(f"{op} needs a number or a date for {field!r}, not {sample!r}", path)
        return STRING

    def literal(self, kind: str, field: str, value: Any, path: str, *, allow_rel: bool) -> Any:
        """The query's value, checked against the attribute's kind and made comparable."""
        label = _KIND_LABEL[kind]

        def bad(expected: str) -> QueryError:
            return QueryError(
                f"{field!r} is a {label} attribute: expected {expected}, got "
                f"{_type_name(value)} {value!r}",
                path,
            )

        if isinstance(value, Mapping):
            if set(value) == {"#relNow"} and kind in (DATE, DATE_TIME):
                if not allow_rel:
                    raise QueryError(f"#relNow cannot be used inside #in/#notIn ({field!r})", path)
                return parse_period(value["#relNow"])
            raise bad("a plain value" if kind not in (DATE, DATE_TIME) else "a date or #relNow")
        if kind in (STRING, EMAIL, STRING_LIST, TAGS):
            if not isinstance(value, str):
                raise bad("a string")
            return value.casefold() if kind == EMAIL else value
        if kind in (GENDER, PERSON_TYPE):
            options = _ENUM_VALUES[kind]
            if not isinstance(value, str) or value not in options:
                raise bad(" or ".join(sorted(options)))
            return value
        if kind == BOOLEAN:
            if not isinstance(value, bool):
                raise bad("true or false")
            return value
        if kind in (INTEGER, DECIMAL):
            number = _to_number(value)
            if number is None:
                raise bad("a number")
            if kind == INTEGER:
                if isinstance(number, Decimal):
                    if number != number.to_integral_value():
                        raise bad("a whole number")
                    number = int(number)
                return number
            return Decimal(number) if isinstance(number, int) else number
        if kind == DATE:
            if (
                not isinstance(value, str)
                or not _DATE_RE.fullmatch(value)
                or _to_date(value) is None
            ):
                raise bad("a date 'YYYY-MM-DD'")
            return _to_date(value)
        if kind == DATE_TIME:
            moment = _strict_datetime(value) if isinstance(value, str) else None
            if moment is None:
                raise bad("a date-time 'yyyy-MM-ddTHH:mm:ss'")
            return moment
        raise bad("nothing: this attribute can only be tested with #exists/#notExist")

    def relative(self, key: str, kind: str, op: str, period: _Period) -> Predicate:
        try:
            target = period.added_to(self.now)
        except OverflowError:
            raise QueryError("#relNow period is out of range") from None
        if kind == DATE:
            return self.simple(key, kind, op, target.date())
        if op == _EQ:
            start, end = _truncate(target, period.precision)

            def within(get: Getter) -> bool:
                v = _to_datetime(get(key))
                return v is not None and start <= v < end

            return within
        return self.simple(key, kind, op, target)

    def membership(self, key: str, kind: str, values: list[Any]) -> Predicate:
        if kind in (EMAIL, STRING_LIST):
            options = frozenset(values)
            fold = kind == EMAIL
            return lambda get: any(
                (v.casefold() if fold else v) in options for v in _to_texts(get(key))
            )
        coerce = _COERCE[kind]
        if kind in (STRING, INTEGER, DECIMAL, DATE, DATE_TIME):
            hashable = frozenset(values)  # 1 == Decimal("1.0") and hash alike: numeric sets work

            def member(get: Getter) -> bool:
                v = coerce(get(key))
                return v is not None and v in hashable

            return member
        raise AssertionError(kind)  # pragma: no cover - guarded by _OPS_BY_KIND

    def simple(self, key: str, kind: str, op: str, value: Any) -> Predicate:
        if kind == TAGS:
            # Only #contains reaches here (#notContain is its negation). Tag names ignore case;
            # the exact-case membership test first is the cheap common case.
            folded = value.casefold()

            def has_tag(get: Getter) -> bool:
                tags = get(key)
                if tags.__class__ is list and value in tags:
                    return True
                return folded in map(str.casefold, _to_texts(tags))

            return has_tag
        if kind in (EMAIL, STRING_LIST):
            test = _TEXT_TESTS[op]
            fold = kind == EMAIL
            return lambda get: any(
                test(v.casefold() if fold else v, value) for v in _to_texts(get(key))
            )
        if kind == STRING:
            if op == _EQ:
                return lambda get: _to_text(get(key)) == value
            test = _TEXT_TESTS[op]

            def text_test(get: Getter) -> bool:
                v = _to_text(get(key))
                return v is not None and test(v, value)

            return text_test
        coerce = _COERCE[kind]
        compare = _ORDER_TESTS[op]
        if kind in (INTEGER, DECIMAL):
            return self.numeric(key, compare, value)

        def ordered(get: Getter) -> bool:
            v = coerce(get(key))
            return v is not None and compare(v, value)

        return ordered

    @staticmethod
    def numeric(key: str, compare: Callable[[Any, Any], bool], value: int | Decimal) -> Predicate:
        """Numbers compare exactly; a stored float means the decimal its repr() shows."""
        # When the literal survives a trip through float, comparing a stored float with it in float
        # space gives the same answer as comparing their decimal reprs, and is far cheaper.
        try:
            as_float = float(value)
            float_ok = Decimal(repr(as_float)) == value
        except OverflowError:
            as_float, float_ok = 0.0, False

        def number_test(get: Getter) -> bool:
            v = get(key)
            cls = v.__class__
            if cls is float and float_ok:
                return compare(v, as_float)
            if cls is int or cls is Decimal:
                return compare(v, value)
            v = _to_number(v)
            return v is not None and compare(v, value)

        return number_test


def _contains(v: str, x: str) -> bool:
    return x in v


_TEXT_TESTS: Final[Mapping[str, Callable[[str, str], bool]]] = {
    _EQ: str.__eq__,
    _CONTAINS: _contains,
    _STARTS: str.startswith,
    _ENDS: str.endswith,
}

_ORDER_TESTS: Final[Mapping[str, Callable[[Any, Any], bool]]] = {
    _EQ: lambda v, x: v == x,
    _GT: lambda v, x: v > x,
    _GTE: lambda v, x: v >= x,
    _LT: lambda v, x: v < x,
    _LTE: lambda v, x: v <= x,
}

_COERCE: Final[Mapping[str, Callable[[Any], Any]]] = {
    STRING: _to_text,
    INTEGER: _to_number,
    DECIMAL: _to_number,
    DATE: _to_date,
    DATE_TIME: _to_datetime,
    BOOLEAN: _to_bool,
    GENDER: _to_text,
    PERSON_TYPE: _to_text,
}


def _match_all(get: Getter) -> bool:
    return True


def compile_filter(
    filter_json: Any,
    *,
    now: datetime,
    attribute_types: Mapping[str, str],
    fields: Mapping[str, str] = PERSON_FIELDS,
    object_schemas: Mapping[str, Mapping[str, str]] | None = None,
) -> Predicate:
    """Compile a filter/segment query into ``predicate(get) -> bool``.

    ``filter_json`` is the decoded JSON object, or its text (decoded here, decimals kept exact;
    prefer passing the text when you have it). ``now`` anchors ``#relNow`` (naive means UTC).
    ``attribute_types`` maps each defined custom attribute to its data type (``STRING``,
    ``INTEGER``, ``DECIMAL``, ``BOOLEAN``, ``DATE``, ``DATE_TIME``, ``LIST_OF_OBJECTS``). ``fields``
    is the table of standard fields (:data:`PERSON_FIELDS` by default, :data:`COMPANY_FIELDS` for
    companies).
    ``object_schemas`` optionally maps a list attribute to its ``objectSchema`` so ``#all``/``#any``
    compare item properties by type; without one, the literal in the query decides.

    Raises :class:`QueryError` (a ``ValueError``) for a query the service would reject.

    >>> from datetime import datetime
    >>> p = compile_filter('{"#gt":{"age":30}}', now=datetime(2024, 1, 1),
    ...                    attribute_types={"age": "INTEGER"})
    >>> p({"age": 31}.get), p(lambda f: MISSING)
    (True, False)
    """
    if isinstance(filter_json, (str, bytes)):
        filter_json = _loads(filter_json)
    if nesting_depth(filter_json) > MAX_DEPTH:
        raise QueryError(f"the query is nested more than {MAX_DEPTH} levels deep")
    if isinstance(filter_json, Mapping) and not filter_json:
        return _match_all
    compiler = _Compiler(
        now=now,
        fields=fields,
        attribute_types=attribute_types,
        object_schemas=object_schemas or {},
    )
    return compiler.clause(filter_json, "$")


compile_query = compile_filter
"""Alias of :func:`compile_filter` for segment queries (same language)."""


def decode_filter(filter_json: Any) -> Any:
    """A filter as :func:`compile_filter` reads it: text decoded (decimals exact, duplicate keys
    refused), ``None`` or ``""`` as ``{}``, anything else as given. Raises :class:`QueryError`."""
    if filter_json is None or filter_json == "" or filter_json == b"":
        return {}
    if isinstance(filter_json, (str, bytes)):
        return _loads(filter_json)
    return filter_json


# Standard person fields an index can answer, by the operator that compares them: equality on
# these, and #contains on tags.
_INDEXED_EQ: Final = frozenset(
    {"firstName", "lastName", "city", "country", "type", "gender", "externalId", "email", "phone"}
)


def index_terms(query: Any) -> list[tuple[str, str]]:
    """``(field, value)`` conditions every person matching the (valid, decoded) ``query`` meets
    and a person index can answer: an equality on a field of ``_INDEXED_EQ`` or a ``tags``
    ``#contains``, alone or among the clauses of top-level (possibly nested) ``#and``s. Anything
    else gives no term; the caller then has to scan."""
    terms: list[tuple[str, str]] = []

    def visit(node: Any) -> None:
        if not isinstance(node, Mapping) or len(node) != 1:
            return
        ((key, arg),) = node.items()
        if key == "#and" and isinstance(arg, list):
            for child in arg:
                visit(child)
            return
        if key in (_EQ, _CONTAINS):
            if not isinstance(arg, Mapping) or len(arg) != 1:
                return
            ((field, value),) = arg.items()
        elif isinstance(key, str) and not key.startswith("#"):
            field, value = key, arg
            key = _EQ
        else:
            return
        if not isinstance(value, str):
            return
        if (key == _EQ and field in _INDEXED_EQ) or (key == _CONTAINS and field == "tags"):
            terms.append((field, value))

    visit(query)
    return terms
