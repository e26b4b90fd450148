"""Round trip: filters built with the client's builder, rendered to the query string, compiled by
the fake and evaluated against generated people, agree with a plain reference evaluation."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infobip_profiles.filters import F, Filter, and_, or_, relative_days, tags, to_query_param
from infobip_profiles.testing.engine.query import MISSING, compile_filter

NOW = datetime(2024, 2, 28, 18, 45, 10, tzinfo=timezone.utc)
NOW_NAIVE = NOW.replace(tzinfo=None)
TODAY = NOW_NAIVE.date()
ATTRS = {"age": "INTEGER", "score": "DECIMAL", "vip": "BOOLEAN", "Cart": "LIST_OF_OBJECTS"}

# A leaf of the spec is (operator, field, value); a node is ("and" | "or", [children]).
Spec = Any

# --- generated data ----------------------------------------------------------------------------

# Small domains, so that equal values, boundaries and case differences come up often.
short_text = st.sampled_from(["", "a", "A", "ab", "Ab", "ba", "aba"])
addresses = st.sampled_from(["a@b", "A@b", "a@B", "b@a", "ab@b"])
decimals = st.integers(-6, 6).map(lambda n: Decimal(n) / 4)
days = st.integers(-2, 2)
birth_dates = days.map(lambda n: TODAY + timedelta(days=n))
# Six-hour steps around NOW cross midnight and hit NOW +/- whole days exactly; +/-1 s probes edges.
moments = st.builds(
    lambda steps, jitter: NOW_NAIVE + timedelta(hours=6 * steps, seconds=jitter),
    st.integers(-10, 10),
    st.sampled_from([-1, 0, 0, 1]),
)


def maybe(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A value, or absent in one of the ways a getter can say so."""
    return st.one_of(values, st.just(MISSING), st.none())


records = st.fixed_dictionaries(
    {
        "firstName": maybe(short_text),
        "email": maybe(st.lists(addresses, max_size=2)),
        "tags": st.lists(st.sampled_from(["x", "X", "xy", "y"]), max_size=2, unique=True),
        "gender": maybe(st.sampled_from(["MALE", "FEMALE"])),
        "birthDate": maybe(birth_dates.map(date.isoformat)),
        "createdAt": maybe(moments.map(lambda m: m.strftime("%Y-%m-%dT%H:%M:%S"))),
        "age": maybe(st.integers(-2, 2)),
        # Stored decimals arrive as floats or Decimals; both mean the decimal written.
        "score": maybe(st.one_of(decimals, decimals.map(float), st.integers(-2, 2))),
        "vip": maybe(st.booleans()),
        "Cart": maybe(
            st.lists(
                st.fixed_dictionaries({"n": short_text, "p": st.integers(0, 3)}),
                max_size=3,
            )
        ),
    }
)

STRING_OPS = ["eq", "ne", "contains", "not_contains", "starts_with", "ends_with", "is_in", "not_in"]
ORDER_OPS = ["eq", "ne", "gt", "gte", "lt", "lte", "is_in", "not_in"]
RELATIVE_OPS = ["eq", "ne", "gt", "gte", "lt", "lte"]


def leaf(field: str, ops: list[str], value: st.SearchStrategy[Any]) -> st.SearchStrategy[Spec]:
    def with_value(op: str) -> st.SearchStrategy[Spec]:
        operand = st.lists(value, max_size=3) if op in ("is_in", "not_in") else value
        return st.tuples(st.just(op), st.just(field), operand)

    return st.sampled_from(ops).flatmap(with_value)


leaves = st.one_of(
    leaf("firstName", STRING_OPS, short_text),
    leaf("email", STRING_OPS, st.one_of(addresses, st.sampled_from(["", "A", "@B", "b@"]))),
    leaf("tags", ["contains", "not_contains"], st.sampled_from(["x", "X", "xy", "z"])),
    leaf("gender", ["eq", "ne"], st.sampled_from(["MALE", "FEMALE"])),
    leaf("birthDate", ORDER_OPS, st.one_of(birth_dates, birth_dates.map(date.isoformat))),
    leaf("birthDate", RELATIVE_OPS, days.map(relative_days)),
    leaf("createdAt", ORDER_OPS, moments),
    leaf("createdAt", RELATIVE_OPS, days.map(relative_days)),
    leaf("age", ORDER_OPS, st.integers(-2, 2)),
    leaf("score", ORDER_OPS, st.one_of(decimals, st.integers(-2, 2))),
    leaf("vip", ["eq", "ne"], st.booleans()),
    st.tuples(
        st.sampled_from(["exists", "not_exists"]),
        st.sampled_from(["firstName", "email", "tags", "birthDate", "score", "vip", "Cart"]),
        st.none(),
    ),
    st.tuples(
        st.sampled_from(["any", "all"]),
        st.just("Cart"),
        st.one_of(st.tuples(st.just("n"), short_text), st.tuples(st.just("p"), st.integers(0, 3))),
    ),
)

specs = st.recursive(
    leaves,
    lambda children: st.tuples(
        st.sampled_from(["and", "or"]), st.lists(children, min_size=1, max_size=3)
    ),
    max_leaves=6,
)

# --- building with the client's builder --------------------------------------------------------

CUSTOM = {"age", "score", "vip", "Cart"}


def build(spec: Spec) -> Filter:
    op, *rest = spec
    if op in ("and", "or"):
        children = [build(child) for child in rest[0]]
        return and_(children) if op == "and" else or_(children)
    field, value = rest
    target = tags if field == "tags" else F.custom(field) if field in CUSTOM else F(field)
    if op in ("any", "all"):
        prop, operand = value
        item = F.custom(prop) == operand if prop == "n" else F.custom(prop) > operand
        return target.any(item) if op == "any" else target.all(item)
    if op in ("exists", "not_exists"):
        return getattr(target, op)()  # type: ignore[no-any-return]
    return getattr(target, op)(value)  # type: ignore[no-any-return]


# --- the reference: plain Python over the spec -------------------------------------------------


def present(value: Any) -> bool:
    return value is not MISSING and value is not None and value != []


def as_number(value: Any) -> Decimal:
    return Decimal(str(value))  # str(float) is its shortest repr: the decimal that was stored


def literal(field: str, value: Any) -> Any:
    """The spec's value in the field's terms, or ("rel", days) for relative dates."""
    if hasattr(value, "period"):
        return ("rel", int(value.period[1:-1]))  # relative_days(n) is "P{n}D"
    if field == "birthDate":
        return value if isinstance(value, date) else date.fromisoformat(value)
    if field in ("age", "score"):
        return as_number(value)
    if field == "email":
        return value.lower()
    return value


def stored(field: str, value: Any) -> Any:
    if field == "birthDate":
        return date.fromisoformat(value)
    if field == "createdAt":
        return datetime.fromisoformat(value)
    if field in ("age", "score"):
        return as_number(value)
    return value


def compare(op: str, field: str, have: Any, want: Any) -> bool:
    """The positive operators on one present value."""
    if isinstance(want, tuple) and want[0] == "rel":
        moment = NOW_NAIVE + timedelta(days=want[1])
        if field == "birthDate":
            want = moment.date()
        elif op == "eq":
            return have.date() == moment.date()  # relative #eq on a timestamp: that day
        else:
            want = moment
    if op == "eq":
        return bool(have == want)
    if op == "contains":
        return want in have
    if op == "starts_with":
        return have.startswith(want)
    if op == "ends_with":
        return have.endswith(want)
    if op == "gt":
        return bool(have > want)
    if op == "gte":
        return bool(have >= want)
    if op == "lt":
        return bool(have < want)
    if op == "lte":
        return bool(have <= want)
    if op == "is_in":
        return any(compare("eq", field, have, w) for w in want)
    raise AssertionError(op)


NEGATIONS = {"ne": "eq", "not_contains": "contains", "not_in": "is_in", "not_exists": "exists"}


def reference(spec: Spec, record: dict[str, Any]) -> bool:
    op, *rest = spec
    if op == "and":
        return all(reference(child, record) for child in rest[0])
    if op == "or":
        return any(reference(child, record) for child in rest[0])
    if op in NEGATIONS:
        return not reference((NEGATIONS[op], *rest), record)
    field, value = rest
    have = record.get(field, MISSING)
    if op == "exists":
        return present(have)
    if not present(have):
        return False
    if op in ("any", "all"):
        prop, operand = value
        hits = [(item[prop] == operand) if prop == "n" else (item[prop] > operand) for item in have]
        return any(hits) if op == "any" else all(hits)
    if field == "tags":
        return any(tag.lower() == value.lower() for tag in have)
    want = [literal(field, v) for v in value] if op == "is_in" else literal(field, value)
    if field == "email":
        return any(compare(op, field, address.lower(), want) for address in have)
    return compare(op, field, stored(field, have), want)


def check(spec: Spec, people: list[dict[str, Any]]) -> None:
    query = to_query_param(build(spec))
    predicate = compile_filter(query, now=NOW, attribute_types=ATTRS)
    for person in people:
        got = predicate(lambda field, p=person: p.get(field, MISSING))
        assert got == reference(spec, person), (query, person)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=leaves, people=st.lists(records, min_size=4, max_size=12))
def test_each_operator_agrees_with_the_reference(spec: Spec, people: list[dict[str, Any]]) -> None:
    check(spec, people)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs, people=st.lists(records, min_size=1, max_size=6))
def test_combined_filters_agree_with_the_reference(
    spec: Spec, people: list[dict[str, Any]]
) -> None:
    check(spec, people)
