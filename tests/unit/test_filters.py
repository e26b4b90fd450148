"""The client's filter builder: what each call renders, and what it refuses."""

from __future__ import annotations

import enum
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from infobip_profiles.filters import (
    STANDARD_FIELDS,
    F,
    Field,
    Filter,
    RelNow,
    and_,
    or_,
    rel_now,
    relative_days,
    tags,
    to_query_param,
)
from infobip_profiles.models import Gender, PersonType


class Tier(enum.IntEnum):
    GOLD = 3


# --- rendering ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("built", "wire"),
    [
        (F("firstName") == "John", '{"firstName":"John"}'),
        (F("firstName").eq("John"), '{"firstName":"John"}'),
        (F("firstName") != "John", '{"#ne":{"firstName":"John"}}'),
        (F("firstName").ne("John"), '{"#ne":{"firstName":"John"}}'),
        (F("firstName").contains("oh"), '{"#contains":{"firstName":"oh"}}'),
        (F("firstName").not_contains("oh"), '{"#notContain":{"firstName":"oh"}}'),
        (F("firstName").starts_with("J"), '{"#startsWith":{"firstName":"J"}}'),
        (F("firstName").ends_with("n"), '{"#endsWith":{"firstName":"n"}}'),
        (F("firstName").is_in(["John", "Jane"]), '{"#in":{"firstName":["John","Jane"]}}'),
        (F("firstName").not_in(("John",)), '{"#notIn":{"firstName":["John"]}}'),
        (F("firstName").exists(), '{"#exists":"firstName"}'),
        (F("firstName").not_exists(), '{"#notExist":"firstName"}'),
        (F.custom("age") > 30, '{"#gt":{"age":30}}'),
        (F.custom("age") >= 30, '{"#gte":{"age":30}}'),
        (F.custom("age") < 30, '{"#lt":{"age":30}}'),
        (F.custom("age") <= 30, '{"#lte":{"age":30}}'),
        (F.custom("age").gt(30), '{"#gt":{"age":30}}'),
        (F.custom("age").gte(30), '{"#gte":{"age":30}}'),
        (F.custom("age").lt(30), '{"#lt":{"age":30}}'),
        (F.custom("age").lte(30), '{"#lte":{"age":30}}'),
        (tags.contains("VIP Client"), '{"#contains":{"tags":"VIP Client"}}'),
        (tags.not_contains("Churned"), '{"#notContain":{"tags":"Churned"}}'),
        (F("email").ends_with("@acme.com"), '{"#endsWith":{"email":"@acme.com"}}'),
        (
            F.custom("Cart").all(F.custom("ProductPrice") < 100),
            '{"#all":{"Cart":{"#lt":{"ProductPrice":100}}}}',
        ),
        (
            F.custom("Cart").any(
                and_(F.custom("ProductName") == "Laptop", F.custom("ProductPrice") == 2000)
            ),
            '{"#any":{"Cart":{"#and":[{"ProductName":"Laptop"},{"ProductPrice":2000}]}}}',
        ),
    ],
)
def test_operators_render(built: Filter, wire: str) -> None:
    assert to_query_param(built) == wire


@pytest.mark.parametrize(
    ("value", "rendered"),
    [
        ('Zoë "q"', '"Zoë \\"q\\""'),
        (7, "7"),
        (9223372036854775807, "9223372036854775807"),
        (True, "true"),
        (False, "false"),
        (2.5, "2.5"),
        (0.1, "0.1"),
        (Decimal("1.10"), "1.10"),
        (Decimal("0.1000000000000000055511151231257827"), "0.1000000000000000055511151231257827"),
        (Decimal("-12345678901234567890.000000001"), "-12345678901234567890.000000001"),
        (Decimal("1E+3"), "1E+3"),
        (date(1987, 7, 10), '"1987-07-10"'),
        (date(5, 1, 2), '"0005-01-02"'),
        (datetime(2024, 1, 2, 3, 4, 5), '"2024-01-02T03:04:05"'),
        (datetime(2024, 1, 2, 3, 4, 5, 999999), '"2024-01-02T03:04:05"'),
        (datetime(2024, 1, 2, 1, 0, tzinfo=timezone(timedelta(hours=2))), '"2024-01-01T23:00:00"'),
        (Tier.GOLD, "3"),
        (Gender.FEMALE, '"FEMALE"'),
    ],
)
def test_values_render_on_untyped_fields(value: Any, rendered: str) -> None:
    assert to_query_param(F.custom("x") == value) == '{"x":' + rendered + "}"


def test_decimal_keeps_its_exact_digits_through_to_dict() -> None:
    built = F.custom("price") > Decimal("19.990")
    assert built.to_dict() == {"#gt": {"price": Decimal("19.990")}}
    assert str(built.to_dict()["#gt"]["price"]) == "19.990"
    assert json.loads(built.to_json(), parse_float=Decimal) == built.to_dict()


def test_enums_render_by_value_on_standard_fields() -> None:
    assert (F("gender") == Gender.MALE).to_dict() == {"gender": "MALE"}
    assert (F("type") != PersonType.LEAD).to_dict() == {"#ne": {"type": "LEAD"}}


def test_standard_timestamp_fields_take_dates_as_midnight() -> None:
    assert (F("createdAt") >= date(2024, 1, 1)).to_dict() == {
        "#gte": {"createdAt": "2024-01-01T00:00:00"}
    }
    assert (F("modifiedAt") < "2024-01-01").to_dict() == {
        "#lt": {"modifiedAt": "2024-01-01T00:00:00"}
    }
    assert (F("createdAt") == "2024-01-01T10:00:00").to_dict() == {
        "createdAt": "2024-01-01T10:00:00"
    }


def test_birth_date_takes_dates_and_date_strings() -> None:
    assert (F("birthDate") == date(1987, 7, 10)).to_dict() == {"birthDate": "1987-07-10"}
    assert (F("birthDate") > "1987-07-10").to_dict() == {"#gt": {"birthDate": "1987-07-10"}}
    assert (F("birthDate").is_in([date(1987, 7, 10), "1987-07-11"])).to_dict() == {
        "#in": {"birthDate": ["1987-07-10", "1987-07-11"]}
    }


def test_untyped_ordering_accepts_date_and_timestamp_strings() -> None:
    assert (F.custom("Contract Expiry") < "2025-01-01").to_dict() == {
        "#lt": {"Contract Expiry": "2025-01-01"}
    }
    assert (F.custom("seen") >= "2025-01-01T10:00:00").to_dict() == {
        "#gte": {"seen": "2025-01-01T10:00:00"}
    }


# --- relative dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("made", "period"),
    [
        (rel_now("P-1D"), "P-1D"),
        (rel_now("PT-2H"), "PT-2H"),
        (rel_now("-P1M"), "-P1M"),
        (rel_now(days=-1), "P-1D"),
        (rel_now(months=1, days=-3), "P1M-3D"),
        (rel_now(years=-1), "P-1Y"),
        (rel_now(weeks=2), "P2W"),
        (rel_now(hours=-2, minutes=30), "PT-2H30M"),
        (rel_now(days=1, seconds=5), "P1DT5S"),
        (rel_now(), "P0D"),
        (relative_days(-7), "P-7D"),
        (relative_days(0), "P0D"),
    ],
)
def test_rel_now_periods(made: RelNow, period: str) -> None:
    assert made.period == period
    assert made.to_dict() == {"#relNow": period}


def test_rel_now_renders_in_comparisons() -> None:
    assert (F("birthDate") > rel_now("P-1D")).to_dict() == {
        "#gt": {"birthDate": {"#relNow": "P-1D"}}
    }
    # Equality needs the #eq form: the shorthand cannot carry an object value.
    assert (F("birthDate") == relative_days(1)).to_dict() == {
        "#eq": {"birthDate": {"#relNow": "P1D"}}
    }
    assert (F("createdAt") != rel_now("PT-2H")).to_dict() == {
        "#ne": {"createdAt": {"#relNow": "PT-2H"}}
    }
    assert (F.custom("Contract Expiry") <= rel_now(months=1)).to_dict() == {
        "#lte": {"Contract Expiry": {"#relNow": "P1M"}}
    }


@pytest.mark.parametrize(
    "period", ["P", "PT", "1D", "P1.5D", "P1DT", "P1H", "yesterday", "", "P-D"]
)
def test_rel_now_rejects_invalid_periods(period: str) -> None:
    with pytest.raises(ValueError, match="invalid #relNow period"):
        rel_now(period)


def test_rel_now_rejects_mixed_or_fractional_input() -> None:
    with pytest.raises(ValueError, match="either an ISO-8601 period or its parts"):
        rel_now("P1D", days=1)
    with pytest.raises(ValueError, match="whole numbers"):
        rel_now(days=1.5)  # type: ignore[arg-type]


def test_rel_now_value_semantics() -> None:
    assert rel_now("P1D") == rel_now(days=1)
    assert hash(rel_now("P1D")) == hash(relative_days(1))
    assert repr(rel_now("P-1D")) == "rel_now('P-1D')"
    with pytest.raises(AttributeError):
        rel_now("P1D")._period = "P2D"  # type: ignore[misc]


# --- combining ---------------------------------------------------------------------------------


def test_and_or_render() -> None:
    a, b, c = F("firstName") == "A", F("lastName") == "B", F("city") == "C"
    assert and_(a, b).to_dict() == {"#and": [{"firstName": "A"}, {"lastName": "B"}]}
    assert or_(a, b).to_dict() == {"#or": [{"firstName": "A"}, {"lastName": "B"}]}
    assert (a & b) == and_(a, b)
    assert (a | b) == or_(a, b)
    assert (a & (b | c)).to_dict() == {
        "#and": [{"firstName": "A"}, {"#or": [{"lastName": "B"}, {"city": "C"}]}]
    }


def test_chains_flatten() -> None:
    a, b, c = F("firstName") == "A", F("lastName") == "B", F("city") == "C"
    assert (a & b & c).to_dict() == {"#and": [{"firstName": "A"}, {"lastName": "B"}, {"city": "C"}]}
    assert (a | b | c).to_dict() == {"#or": [{"firstName": "A"}, {"lastName": "B"}, {"city": "C"}]}
    assert and_(and_(a, b), c) == a & b & c
    # Different operators never merge.
    assert len(or_(a & b, c).to_dict()["#or"]) == 2


def test_single_filter_and_iterables() -> None:
    a, b = F("firstName") == "A", F("lastName") == "B"
    assert and_(a) == a
    assert or_([a, b]) == a | b
    assert and_(x for x in (a, b)) == a & b


def test_empty_combination_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"and_\(\) needs at least one filter"):
        and_()
    with pytest.raises(ValueError, match=r"or_\(\) needs at least one filter"):
        or_([])


def test_raw_mappings_are_accepted_everywhere() -> None:
    raw = {"#contains": {"tags": "VIP"}}
    built = F("firstName") == "Alex"
    expected = {"#and": [{"firstName": "Alex"}, {"#contains": {"tags": "VIP"}}]}
    assert and_(built, raw).to_dict() == expected
    assert (built & raw).to_dict() == expected
    assert (raw & built).to_dict() == {"#and": [raw, {"firstName": "Alex"}]}
    assert (raw | built).to_dict() == {"#or": [raw, {"firstName": "Alex"}]}
    assert to_query_param(raw) == '{"#contains":{"tags":"VIP"}}'
    assert Filter(raw).to_dict() == raw
    assert F.custom("Cart").any({"Name": "Pen"}).to_dict() == {"#any": {"Cart": {"Name": "Pen"}}}


def test_raw_mappings_render_python_values() -> None:
    raw = {
        "#and": [
            {"#gt": {"birthDate": date(1990, 1, 2)}},
            {"#lt": {"price": Decimal("9.990")}},
            {"gender": Gender.MALE},
            {"#gte": {"createdAt": rel_now("P-1D")}},
            F("city") == "Split",
        ]
    }
    assert to_query_param(raw) == (
        '{"#and":[{"#gt":{"birthDate":"1990-01-02"}},{"#lt":{"price":9.990}},{"gender":"MALE"},'
        '{"#gte":{"createdAt":{"#relNow":"P-1D"}}},{"city":"Split"}]}'
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({1: "x"}, "keys must be strings"),
        ({"x": float("nan")}, "cannot be sent in a filter"),
        ({"x": Decimal("Infinity")}, "cannot be sent in a filter"),
        ({"x": object()}, "cannot use object"),
    ],
)
def test_raw_mappings_that_cannot_be_rendered(raw: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        to_query_param(raw)


def test_a_filter_is_a_filter_or_a_mapping() -> None:
    with pytest.raises(ValueError, match="not list"):
        Filter([{"firstName": "x"}])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        (F("firstName") == "x") & 3  # type: ignore[operator]


# --- value semantics ---------------------------------------------------------------------------


def test_filters_are_immutable_values() -> None:
    built = F("firstName") == "John"
    assert built == Filter({"firstName": "John"})
    assert built != (F("firstName") == "Jane")
    assert len({built, Filter({"firstName": "John"})}) == 1
    assert repr(built) == 'Filter({"firstName":"John"})'
    with pytest.raises(AttributeError):
        built._json = "{}"  # type: ignore[misc]
    copy = built.to_dict()
    copy["firstName"] = "Mallory"
    assert built.to_dict() == {"firstName": "John"}


def test_filters_refuse_a_truth_value() -> None:
    with pytest.raises(TypeError, match="combine filters with &"):
        _ = (F("firstName") == "A") and (F("lastName") == "B")


def test_fields() -> None:
    assert F is Field
    assert Field("first_name").name == "firstName"
    assert Field("birth_date").name == "birthDate"
    assert Field("preferred_language").name == "preferredLanguage"
    assert Field("Contract Expiry").name == "Contract Expiry"
    assert Field.custom("first_name").name == "first_name"
    assert repr(Field("created_at")) == "Field('createdAt')"
    assert repr(Field.custom("Cart")) == "Field.custom('Cart')"
    with pytest.raises(TypeError):
        hash(Field("city"))
    with pytest.raises(AttributeError):
        Field("city")._name = "x"  # type: ignore[misc]
    with pytest.raises(ValueError, match="non-empty string"):
        Field("")


def test_every_standard_field_has_a_snake_case_spelling() -> None:
    for wire in STANDARD_FIELDS:
        snake = "".join("_" + ch.lower() if ch.isupper() else ch for ch in wire)
        assert Field(snake).name == wire


def test_a_custom_attribute_named_like_a_standard_field_is_untyped() -> None:
    # As a custom attribute "birthDate" could hold anything; no date check applies.
    assert (Field.custom("birthDate") == "soon").to_dict() == {"birthDate": "soon"}


def test_names_starting_with_hash_use_the_explicit_eq_form() -> None:
    assert (F.custom("#weird") == 1).to_dict() == {"#eq": {"#weird": 1}}


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: F.custom("vip") > True, "cannot compare booleans"),
        (lambda: F.custom("vip").lte(False), "cannot compare booleans"),
        (lambda: F.custom("x").is_in([True]), "cannot take booleans"),
        (lambda: F.custom("x").gt("abc"), "'abc' is neither"),
        (lambda: F.custom("x").gt("2024-02-30"), "is neither"),
        (lambda: F.custom("x").gt([1]), "compares numbers and dates, not list"),
        (lambda: F("firstName").contains(3), "contains() takes a string, got int 3"),
        (lambda: F.custom("x").starts_with(Decimal(1)), "takes a string"),
        (lambda: F.custom("x").ends_with(None), "takes a string"),
        (lambda: tags.contains(1), "takes a string"),
        (lambda: F("firstName") > "a", "gt() is not valid for the string field 'firstName'"),
        (lambda: F("firstName") == 3, "takes strings, got int 3"),
        (lambda: F("firstName").is_in([1]), "takes strings"),
        (lambda: F("firstName").is_in("John"), "takes a list of values, got str"),
        (lambda: F("firstName").is_in({"a": 1}), "takes a list of values"),
        (lambda: F("firstName") == None, "use exists() / not_exists()"),  # noqa: E711
        (lambda: F.custom("x") == [1], "cannot compare field 'x' with list"),
        (lambda: F.custom("x") == {"a": 1}, "cannot compare"),
        (lambda: F.custom("x") == float("inf"), "cannot be sent in a filter"),
        (lambda: F.custom("x").is_in([1, "a"]), "must all be of one type"),
        (lambda: F.custom("x").is_in([date(2020, 1, 1), datetime(2020, 1, 1)]), "one type"),
        (lambda: F.custom("x").is_in([rel_now("P1D")]), "cannot take rel_now()"),
        (lambda: tags == "VIP", "eq() is not valid for the tags field 'tags'"),
        (lambda: tags.starts_with("V"), "not valid for the tags field"),
        (lambda: tags.is_in(["V"]), "not valid for the tags field"),
        (lambda: F("gender") == "male", "is one of MALE, FEMALE"),
        (lambda: F("gender").contains("MA"), "gender supports eq() and ne()"),
        (lambda: F("gender").is_in(["MALE"]), "not valid for the gender field"),
        (lambda: F("type") == "VISITOR", "is one of CUSTOMER, LEAD"),
        (lambda: F("type") > "LEAD", "not valid for the person type field"),
        (lambda: F("birthDate") == datetime(2020, 1, 1), "pass a datetime.date, not a datetime"),
        (lambda: F("birthDate") > "1.1.1990", "takes a datetime.date or 'YYYY-MM-DD'"),
        (lambda: F("birthDate") > 1990, "takes a datetime.date"),
        (lambda: F("createdAt") < "yesterday", "takes a datetime, a date or"),
        (lambda: F("id") == "42", "takes whole numbers"),
        (lambda: F("id") > 1.5, "takes whole numbers"),
        (lambda: F("firstName") == rel_now("P1D"), "rel_now() compares dates"),
        (lambda: F("birthDate").contains("1987"), "not valid for the date field"),
        (lambda: F("firstName").all({"x": 1}), "applies to list-of-objects custom attributes"),
        (lambda: tags.any({"x": 1}), "applies to list-of-objects"),
        (lambda: F.custom("Cart").any([1]), "a filter is a Filter or a mapping"),
    ],
)
def test_invalid_filters_fail_before_any_request(make: Any, message: str) -> None:
    with pytest.raises(ValueError) as info:
        make()
    assert message in str(info.value)


def test_in_lists_mix_date_objects_only_with_date_strings() -> None:
    mixed = F.custom("x").is_in([date(2020, 1, 1), "2020-01-02"])
    assert mixed.to_dict() == {"#in": {"x": ["2020-01-01", "2020-01-02"]}}
    stamps = F.custom("x").is_in([datetime(2020, 1, 1), "2020-01-02T10:00:00"])
    assert stamps.to_dict() == {"#in": {"x": ["2020-01-01T00:00:00", "2020-01-02T10:00:00"]}}
    # Alone, strings may be anything: a string attribute can hold date-like text.
    assert F.custom("x").not_in(["2020-01-01", "abc"]).to_dict() == {
        "#notIn": {"x": ["2020-01-01", "abc"]}
    }
    with pytest.raises(ValueError, match="dates and other strings"):
        F.custom("x").is_in([date(2020, 1, 1), "abc"])
    with pytest.raises(ValueError, match="one type, got number, string"):
        F.custom("x").is_in([Decimal("1.5"), "1.5"])
