"""The fake's filter/segment query evaluator: every operator, every type, absence, errors."""

from __future__ import annotations

import pickle
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from infobip_profiles.testing.engine.query import (
    COMPANY_FIELDS,
    MAX_DEPTH,
    MISSING,
    QueryError,
    compile_filter,
    compile_query,
    parse_period,
)

NOW = datetime(2024, 3, 31, 12, 30, 0, tzinfo=timezone.utc)

ATTRS = {
    "Nickname": "STRING",
    "age": "INTEGER",
    "score": "DECIMAL",
    "vip": "BOOLEAN",
    "Contract Expiry": "DATE",
    "lastSeen": "DATE_TIME",
    "Cart": "LIST_OF_OBJECTS",
}


def getter(record: dict[str, Any]) -> Any:
    return lambda field: record.get(field, MISSING)


def matches(query: Any, record: dict[str, Any], **kwargs: Any) -> bool:
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("attribute_types", ATTRS)
    return compile_filter(query, **kwargs)(getter(record))


def which(query: Any, records: list[dict[str, Any]], **kwargs: Any) -> list[int]:
    """Indexes of the records the query selects."""
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("attribute_types", ATTRS)
    predicate = compile_filter(query, **kwargs)
    return [i for i, r in enumerate(records) if predicate(getter(r))]


# --- strings -----------------------------------------------------------------------------------

NAMES = [{"firstName": "John"}, {"firstName": "johnny"}, {"firstName": "Ajohn"}, {}]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"firstName": "John"}, [0]),
        ({"#eq": {"firstName": "John"}}, [0]),
        ({"#ne": {"firstName": "John"}}, [1, 2, 3]),
        ({"#contains": {"firstName": "ohn"}}, [0, 1, 2]),
        ({"#contains": {"firstName": "john"}}, [1, 2]),
        ({"#notContain": {"firstName": "john"}}, [0, 3]),
        ({"#startsWith": {"firstName": "J"}}, [0]),
        ({"#endsWith": {"firstName": "ohn"}}, [0, 2]),
        ({"#in": {"firstName": ["John", "Ajohn", "Zed"]}}, [0, 2]),
        ({"#notIn": {"firstName": ["John", "Ajohn"]}}, [1, 3]),
        ({"#in": {"firstName": []}}, []),
        ({"#notIn": {"firstName": []}}, [0, 1, 2, 3]),
    ],
)
def test_string_operators_are_case_sensitive(query: Any, expected: list[int]) -> None:
    assert which(query, NAMES) == expected


def test_string_custom_attribute() -> None:
    records = [{"Nickname": "Ace"}, {"Nickname": "Bee"}]
    assert which({"#startsWith": {"Nickname": "A"}}, records) == [0]


def test_email_matches_any_address_ignoring_case() -> None:
    records = [
        {"email": ["Jane@Example.com", "other@x.io"]},
        {"email": ["bob@example.com"]},
        {"email": "solo@Example.COM"},  # a getter may return a lone string
        {},
    ]
    assert which({"email": "jane@example.COM"}, records) == [0]
    assert which({"#endsWith": {"email": "@EXAMPLE.com"}}, records) == [0, 1, 2]
    assert which({"#ne": {"email": "JANE@example.com"}}, records) == [1, 2, 3]
    assert which({"#in": {"email": ["BOB@example.com", "solo@example.com"]}}, records) == [1, 2]
    assert which({"#notContain": {"email": "example"}}, records) == [3]


def test_phone_matches_any_number_case_sensitively() -> None:
    records = [{"phone": ["41793026727", "385911234567"]}, {"phone": ["44123"]}]
    assert which({"phone": "385911234567"}, records) == [0]
    assert which({"#startsWith": {"phone": "44"}}, records) == [1]


# --- tags --------------------------------------------------------------------------------------


def test_tags_contains_and_not_contain_ignore_case() -> None:
    records = [{"tags": ["VIP", "Beta"]}, {"tags": ["vip client"]}, {"tags": []}, {}]
    assert which({"#contains": {"tags": "VIP"}}, records) == [0]
    assert which({"#contains": {"tags": "vip"}}, records) == [0]
    assert which({"#contains": {"tags": "VIP Client"}}, records) == [1]
    assert which({"#notContain": {"tags": "vip"}}, records) == [1, 2, 3]


def test_tags_contains_is_membership_not_substring() -> None:
    assert not matches({"#contains": {"tags": "VI"}}, {"tags": ["VIP"]})


# --- numbers -----------------------------------------------------------------------------------

AGES = [{"age": 17}, {"age": 18}, {"age": 30}, {"age": 18.0}, {}]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"age": 18}, [1, 3]),
        ({"#ne": {"age": 18}}, [0, 2, 4]),
        ({"#gt": {"age": 18}}, [2]),
        ({"#gte": {"age": 18}}, [1, 2, 3]),
        ({"#lt": {"age": 18}}, [0]),
        ({"#lte": {"age": 18}}, [0, 1, 3]),
        ({"#in": {"age": [17, 30]}}, [0, 2]),
        ({"#notIn": {"age": [17, 30]}}, [1, 3, 4]),
        ('{"age": 18.0}', [1, 3]),  # an integral decimal literal is a fine integer
    ],
)
def test_integer_operators(query: Any, expected: list[int]) -> None:
    assert which(query, AGES) == expected


def test_integer_comparisons_are_exact_at_64_bits() -> None:
    big = 9223372036854775807
    assert matches({"age": big}, {"age": big})
    assert not matches({"age": big}, {"age": big - 1})
    assert matches({"#gt": {"age": big - 1}}, {"age": big})


def test_decimal_equality_uses_the_decimal_value_not_binary_float() -> None:
    # 0.1 + 0.2 stored as a float is 0.30000000000000004, not 0.3.
    assert not matches({"score": Decimal("0.3")}, {"score": 0.1 + 0.2})
    assert matches({"score": Decimal("0.3")}, {"score": 0.3})
    assert matches({"score": 1.1}, {"score": Decimal("1.10")})
    assert matches('{"score": 1.10}', {"score": 1.1})
    assert matches({"score": 2}, {"score": Decimal("2.000")})


def test_decimal_ordering_beyond_float_precision() -> None:
    # The literal has more digits than a float holds; the comparison must not round it.
    query = '{"#gt": {"score": 1.10000000000000000001}}'
    assert not matches(query, {"score": 1.1})
    assert matches(query, {"score": Decimal("1.10000000000000000002")})
    assert matches('{"#lt": {"score": 1.10000000000000000001}}', {"score": 1.1})


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"#gt": {"score": 1.5}}, [2]),
        ({"#gte": {"score": 1.5}}, [1, 2]),
        ({"#lt": {"score": 1.5}}, [0]),
        ({"#lte": {"score": 1.5}}, [0, 1]),
        ({"#in": {"score": [1.5, 9]}}, [1]),
        ({"#notIn": {"score": [1.5]}}, [0, 2, 3]),
    ],
)
def test_decimal_operators(query: Any, expected: list[int]) -> None:
    records = [{"score": 1}, {"score": Decimal("1.50")}, {"score": 2.25}, {}]
    assert which(query, records) == expected


def test_a_stored_boolean_is_not_a_number() -> None:
    assert not matches({"age": 1}, {"age": True})


# --- booleans, gender, type --------------------------------------------------------------------


def test_boolean_eq_and_ne() -> None:
    records = [{"vip": True}, {"vip": False}, {}, {"vip": 1}]
    assert which({"vip": True}, records) == [0]
    assert which({"#eq": {"vip": False}}, records) == [1]
    assert which({"#ne": {"vip": True}}, records) == [1, 2, 3]


def test_gender_and_type() -> None:
    records = [
        {"gender": "MALE", "type": "CUSTOMER"},
        {"gender": "FEMALE", "type": "LEAD"},
        {},
    ]
    assert which({"gender": "MALE"}, records) == [0]
    assert which({"#ne": {"gender": "FEMALE"}}, records) == [0, 2]
    assert which({"type": "LEAD"}, records) == [1]
    assert which({"#ne": {"type": "LEAD"}}, records) == [0, 2]


# --- dates and timestamps ----------------------------------------------------------------------

BIRTHS = [{"birthDate": "1987-07-10"}, {"birthDate": "1987-07-11"}, {"birthDate": "2000-01-01"}, {}]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"birthDate": "1987-07-10"}, [0]),
        ({"#ne": {"birthDate": "1987-07-10"}}, [1, 2, 3]),
        ({"#gt": {"birthDate": "1987-07-10"}}, [1, 2]),
        ({"#gte": {"birthDate": "1987-07-11"}}, [1, 2]),
        ({"#lt": {"birthDate": "1987-07-11"}}, [0]),
        ({"#lte": {"birthDate": "1987-07-11"}}, [0, 1]),
        ({"#in": {"birthDate": ["1987-07-10", "2000-01-01"]}}, [0, 2]),
        ({"#notIn": {"birthDate": ["1987-07-10", "2000-01-01"]}}, [1, 3]),
    ],
)
def test_date_operators(query: Any, expected: list[int]) -> None:
    assert which(query, BIRTHS) == expected


def test_dates_compare_as_dates_not_text() -> None:
    # As text "1987-7-9" would sort after "1987-07-10"; as stored date objects they compare right.
    from datetime import date

    assert matches(
        {"#lt": {"Contract Expiry": "1987-07-10"}}, {"Contract Expiry": date(1987, 7, 9)}
    )


def test_date_time_operators_and_stored_formats() -> None:
    records = [
        {"lastSeen": "2024-03-30T23:59:59"},
        {"lastSeen": "2024-03-31T00:00:00"},
        {"lastSeen": "2024-03-31T10:00:00.250Z"},
        {"lastSeen": datetime(2024, 3, 31, 14, 0, tzinfo=timezone.utc)},
        {},
    ]
    assert which({"#gte": {"lastSeen": "2024-03-31T00:00:00"}}, records) == [1, 2, 3]
    assert which({"#lt": {"lastSeen": "2024-03-31"}}, records) == [0]  # a date means midnight
    assert which({"lastSeen": "2024-03-31T00:00:00"}, records) == [1]
    assert which({"#gt": {"lastSeen": "2024-03-31T13:00:00+02:00"}}, records) == [3]
    assert which({"#in": {"lastSeen": ["2024-03-30T23:59:59"]}}, records) == [0]


def test_standard_timestamps() -> None:
    records = [{"createdAt": "2024-01-01T00:00:00"}, {"createdAt": "2024-02-01T00:00:00"}]
    assert which({"#gt": {"createdAt": "2024-01-15T00:00:00"}}, records) == [1]


# --- #relNow -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # NOW is 2024-03-31 12:30 UTC: P-1D is 2024-03-30.
        ({"#eq": {"birthDate": {"#relNow": "P-1D"}}}, [1]),
        ({"birthDate": {"#relNow": "P-1D"}}, [1]),
        ({"#ne": {"birthDate": {"#relNow": "P-1D"}}}, [0, 2, 3, 4]),
        ({"#gt": {"birthDate": {"#relNow": "P-1D"}}}, [2, 3]),
        ({"#gte": {"birthDate": {"#relNow": "P-1D"}}}, [1, 2, 3]),
        ({"#lt": {"birthDate": {"#relNow": "P-1D"}}}, [0]),
        ({"#lte": {"birthDate": {"#relNow": "-P1D"}}}, [0, 1]),
        ({"#eq": {"birthDate": {"#relNow": "P1D"}}}, [3]),
        ({"#eq": {"birthDate": {"#relNow": "P0D"}}}, [2]),
        # Months clamp to the month's end: 31 March minus one month is 29 February 2024.
        ({"#eq": {"birthDate": {"#relNow": "P-1M"}}}, [0]),
        ({"#eq": {"birthDate": {"#relNow": "P-1W"}}}, []),
        ({"#eq": {"birthDate": {"#relNow": "PT-13H"}}}, [1]),  # 2024-03-30 23:30, its day
    ],
)
def test_rel_now_on_dates(query: Any, expected: list[int]) -> None:
    records = [
        {"birthDate": "2024-02-29"},
        {"birthDate": "2024-03-30"},
        {"birthDate": "2024-03-31"},
        {"birthDate": "2024-04-01"},
        {},
    ]
    assert which(query, records) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # PT-2H is 10:30: #eq compares within the hour 10:00-11:00.
        ({"#eq": {"lastSeen": {"#relNow": "PT-2H"}}}, [1, 2]),
        ({"#ne": {"lastSeen": {"#relNow": "PT-2H"}}}, [0, 3, 4, 5]),
        ({"#gt": {"lastSeen": {"#relNow": "PT-2H"}}}, [3]),  # after 10:30:00 exactly
        ({"#lt": {"lastSeen": {"#relNow": "PT-2H"}}}, [0, 1, 4]),
        # P-1D: the whole day 2024-03-30.
        ({"#eq": {"lastSeen": {"#relNow": "P-1D"}}}, [4]),
        ({"#gte": {"lastSeen": {"#relNow": "P-1D"}}}, [0, 1, 2, 3]),
        # PT-150M (10:00): minute precision.
        ({"#eq": {"lastSeen": {"#relNow": "PT-150M"}}}, [1]),
        ({"#eq": {"lastSeen": {"#relNow": "PT-7200S"}}}, [2]),
    ],
)
def test_rel_now_on_timestamps(query: Any, expected: list[int]) -> None:
    records = [
        {"lastSeen": "2024-03-31T09:59:59"},
        {"lastSeen": "2024-03-31T10:00:00"},
        {"lastSeen": "2024-03-31T10:30:00"},
        {"lastSeen": "2024-03-31T12:00:00"},
        {"lastSeen": "2024-03-30T08:00:00"},
        {},
    ]
    assert which(query, records) == expected


def test_rel_now_uses_the_given_now() -> None:
    query = {"#eq": {"birthDate": {"#relNow": "P-1D"}}}
    record = {"birthDate": "2030-01-01"}
    assert matches(query, record, now=datetime(2030, 1, 2))  # naive means UTC
    assert not matches(query, record, now=datetime(2030, 1, 3, tzinfo=timezone.utc))


@pytest.mark.parametrize(
    ("text", "months", "seconds"),
    [
        ("P-1D", 0, -86400),
        ("-P1D", 0, -86400),
        ("P1Y2M", 14, 0),
        ("P2W", 0, 14 * 86400),
        ("PT-2H", 0, -7200),
        ("P1DT1H1M1S", 0, 90061),
        ("PT1.5S", 0, 1.5),
        ("-PT1H-30M", 0, -1800),
    ],
)
def test_parse_period(text: str, months: int, seconds: float) -> None:
    period = parse_period(text)
    assert period.months == months
    assert period.delta.total_seconds() == seconds


@pytest.mark.parametrize("text", ["P", "PT", "1D", "P1.5D", "P1DT", "P1H", "PD", "", "yesterday"])
def test_parse_period_rejects_garbage(text: str) -> None:
    with pytest.raises(QueryError, match="invalid #relNow period"):
        parse_period(text)


# --- existence and absence ---------------------------------------------------------------------


@pytest.mark.parametrize("op", ["#exists", "#exist"])
def test_exists_spellings(op: str) -> None:
    records = [{"firstName": "A"}, {"firstName": None}, {}, {"firstName": ""}]
    assert which({op: "firstName"}, records) == [0, 3]
    assert which({"#notExist": "firstName"}, records) == [1, 2]


def test_empty_list_counts_as_absent() -> None:
    assert which({"#exists": "tags"}, [{"tags": []}, {"tags": ["x"]}, {}]) == [1]


def test_exists_on_custom_attribute() -> None:
    assert which({"#exists": "vip"}, [{"vip": False}, {}]) == [0]


@pytest.mark.parametrize(
    ("query", "absent_matches"),
    [
        ({"firstName": "x"}, False),
        ({"#ne": {"firstName": "x"}}, True),
        ({"#contains": {"firstName": "x"}}, False),
        ({"#notContain": {"firstName": "x"}}, True),
        ({"#startsWith": {"firstName": "x"}}, False),
        ({"#endsWith": {"firstName": "x"}}, False),
        ({"#in": {"firstName": ["x"]}}, False),
        ({"#notIn": {"firstName": ["x"]}}, True),
        ({"#gt": {"age": 1}}, False),
        ({"#gte": {"age": 1}}, False),
        ({"#lt": {"age": 1}}, False),
        ({"#lte": {"age": 1}}, False),
        ({"#gt": {"birthDate": {"#relNow": "P0D"}}}, False),
        ({"#eq": {"lastSeen": {"#relNow": "P0D"}}}, False),
        ({"vip": False}, False),
        ({"#contains": {"tags": "x"}}, False),
        ({"#notContain": {"tags": "x"}}, True),
        ({"#any": {"Cart": {"name": "x"}}}, False),
        ({"#all": {"Cart": {"name": "x"}}}, False),
    ],
)
@pytest.mark.parametrize("absent", [MISSING, None])
def test_absent_values(query: dict[str, Any], absent_matches: bool, absent: Any) -> None:
    ((key, arg),) = query.items()
    field = next(iter(arg)) if key.startswith("#") else key
    assert matches(query, {field: absent}) is absent_matches
    assert matches(query, {}) is absent_matches


def test_wrongly_typed_stored_values_never_match_positively() -> None:
    assert not matches({"#gt": {"age": 1}}, {"age": "5"})
    assert not matches({"#startsWith": {"firstName": "1"}}, {"firstName": 12})
    assert not matches({"birthDate": "2020-01-01"}, {"birthDate": "garbage"})
    assert matches({"#ne": {"birthDate": "2020-01-01"}}, {"birthDate": "garbage"})


def test_missing_sentinel() -> None:
    assert repr(MISSING) == "MISSING"
    assert not MISSING
    assert pickle.loads(pickle.dumps(MISSING)) is MISSING


# --- logic -------------------------------------------------------------------------------------


def test_and_or_nesting() -> None:
    records = [
        {"firstName": "John", "lastName": "Smith"},
        {"firstName": "Jane", "lastName": "Smith"},
        {"firstName": "John", "lastName": "Doe"},
        {"firstName": "Ann", "lastName": "Lee"},
    ]
    query = {
        "#and": [
            {"#or": [{"firstName": "John"}, {"firstName": "Jane"}]},
            {"#ne": {"lastName": "Doe"}},
            {"#exists": "lastName"},
        ]
    }
    assert which(query, records) == [0, 1]
    assert which(
        {"#or": [{"lastName": "Lee"}, {"lastName": "Doe"}, {"x": 1}]},
        records,
        attribute_types={"x": "INTEGER"},
    ) == [2, 3]
    assert which({"#and": [{"firstName": "Ann"}]}, records) == [3]
    assert which({"#or": [{"firstName": "Ann"}, {"lastName": "Doe"}]}, records) == [2, 3]


def test_the_spec_example() -> None:
    query = '{"#and":[{"firstName":"Alex"},{"#contains": { "tags":"VIP Client"}}]}'
    records = [
        {"firstName": "Alex", "tags": ["VIP Client"]},
        {"firstName": "Alex", "tags": ["VIP"]},
        {"firstName": "Alexa", "tags": ["VIP Client"]},
    ]
    assert which(query, records) == [0]


def test_empty_top_level_object_matches_everyone() -> None:
    assert which({}, [{}, {"firstName": "x"}]) == [0, 1]
    assert which("{}", [{}]) == [0]


# --- lists of objects --------------------------------------------------------------------------

CARTS = [
    {"Cart": [{"ProductName": "Laptop", "ProductPrice": 2000}]},
    {
        "Cart": [
            {"ProductName": "Laptop", "ProductPrice": 2000},
            {"ProductName": "Mouse", "ProductPrice": 20},
        ]
    },
    {"Cart": [{"ProductName": "Laptop", "ProductPrice": 1500.5}]},
    {"Cart": []},
    {},
]
LAPTOP_2000 = {"#and": [{"ProductName": "Laptop"}, {"ProductPrice": 2000}]}


def test_any_and_all_over_list_items() -> None:
    assert which({"#any": {"Cart": LAPTOP_2000}}, CARTS) == [0, 1]
    assert which({"#all": {"Cart": LAPTOP_2000}}, CARTS) == [0]
    assert which({"#all": {"Cart": {"ProductName": "Laptop"}}}, CARTS) == [0, 2]
    assert which({"#any": {"Cart": {"#lt": {"ProductPrice": 100}}}}, CARTS) == [1]
    assert which({"#any": {"data\u0001Cart": {"ProductPrice": 1500.5}}}, CARTS) == [2]


def test_list_items_typed_by_object_schema() -> None:
    schemas = {"Cart": {"ProductName": "STRING", "ProductPrice": "DECIMAL", "Added": "DATE"}}
    records = [{"Cart": [{"ProductName": "Pen", "ProductPrice": 3, "Added": "2024-01-02"}]}]
    assert which(
        {"#any": {"Cart": {"#gt": {"Added": "2024-01-01"}}}}, records, object_schemas=schemas
    ) == [0]
    with pytest.raises(QueryError, match="'ProductName' is a string attribute"):
        compile_filter(
            {"#any": {"Cart": {"ProductName": 5}}},
            now=NOW,
            attribute_types=ATTRS,
            object_schemas=schemas,
        )
    with pytest.raises(QueryError, match="unknown attribute 'Colour'"):
        compile_filter(
            {"#any": {"Cart": {"Colour": "red"}}},
            now=NOW,
            attribute_types=ATTRS,
            object_schemas=schemas,
        )


def test_schema_less_items_infer_dates_from_ordering_literals() -> None:
    records = [{"Cart": [{"Added": "2024-01-02"}]}, {"Cart": [{"Added": "2023-12-31"}]}]
    assert which({"#any": {"Cart": {"#gte": {"Added": "2024-01-01"}}}}, records) == [0]


# --- names -------------------------------------------------------------------------------------


def test_custom_attribute_names_ignore_case_and_accept_the_mangled_prefix() -> None:
    record = {"Contract Expiry": "2025-01-01"}
    assert matches({"contract expiry": "2025-01-01"}, record)
    assert matches({"data\u0001Contract Expiry": "2025-01-01"}, record)
    assert matches('{"#gt":{"data\\u0001Contract Expiry":"2024-12-31"}}', record)


def test_company_fields() -> None:
    records = [
        {"name": "Infobip", "domains": ["infobip.com"], "createdAt": "2024-01-01T00:00:00"},
        {"name": "Acme", "notes": "another one", "domains": ["acme.io"]},
    ]
    kwargs: dict[str, Any] = {"fields": COMPANY_FIELDS, "attribute_types": {}}
    assert which(
        '{"#or":[{"name":"Infobip"},{"#contains":{"notes":"another"}}]}', records, **kwargs
    ) == [0, 1]
    assert which({"#endsWith": {"domains": ".io"}}, records, **kwargs) == [1]
    with pytest.raises(QueryError, match="unknown attribute 'firstName'"):
        compile_filter({"firstName": "x"}, now=NOW, **kwargs)


def test_compile_query_is_compile_filter() -> None:
    assert compile_query is compile_filter


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{nope", "not valid JSON"),
        ('{"score": NaN}', "invalid JSON number NaN"),
        ('{"firstName":"a","firstName":"b"}', "duplicate key 'firstName'"),
        ([{"firstName": "x"}], "a clause must be a JSON object, not array"),
        ("42", "a clause must be a JSON object, not number"),
        ({"firstName": "x", "lastName": "y"}, "exactly one key, got 2"),
        ({"#and": [{}]}, "exactly one key, got 0"),
        ({"#foo": {"firstName": "x"}}, "unknown operator '#foo'"),
        ({"#exist": {"firstName": "x"}}, "#exist expects an attribute name"),
        ({"#and": []}, "#and expects a non-empty array"),
        ({"#or": {"firstName": "x"}}, "#or expects a non-empty array"),
        ({"#and": [1]}, "a clause must be a JSON object, not number (at $.#and[0])"),
        ({"#ne": "John"}, "#ne expects an object"),
        ({"#ne": {"firstName": "a", "lastName": "b"}}, "#ne expects exactly one field"),
        ({"nope": 1}, "unknown attribute 'nope'"),
        ({"#exists": "nope"}, "unknown attribute 'nope'"),
        ({"#gt": {"firstName": "J"}}, "#gt is not valid for string attribute 'firstName'"),
        ({"#gt": {"vip": True}}, "#gt is not valid for boolean attribute 'vip'"),
        ({"#contains": {"age": 1}}, "#contains is not valid for integer attribute 'age'"),
        ({"#in": {"gender": ["MALE"]}}, "#in is not valid for gender attribute 'gender'"),
        ({"tags": "VIP"}, "#eq is not valid for tags attribute 'tags'"),
        ({"Cart": "x"}, "#eq is not valid for list of objects attribute 'Cart'; use #all or #any"),
        ({"#contains": {"firstName": 3}}, "expected a string, got number 3"),
        ({"firstName": None}, "expected a string, got null"),
        ({"age": "18"}, "expected a number"),
        ({"age": 1.5}, "expected a whole number"),
        ({"score": True}, "expected a number"),
        ({"vip": "true"}, "expected true or false"),
        ({"gender": "male"}, "expected FEMALE or MALE"),
        ({"type": "VISITOR"}, "expected CUSTOMER or LEAD"),
        ({"birthDate": "10/07/1987"}, "expected a date 'YYYY-MM-DD'"),
        ({"birthDate": "1987-02-30"}, "expected a date 'YYYY-MM-DD'"),
        ({"birthDate": "1987-07-10T00:00:00"}, "expected a date 'YYYY-MM-DD'"),
        ({"lastSeen": "yesterday"}, "expected a date-time"),
        ({"firstName": {"#relNow": "P1D"}}, "expected a plain value"),
        ({"birthDate": {"#relNow": "P1X"}}, "invalid #relNow period 'P1X'"),
        ({"#in": {"birthDate": [{"#relNow": "P1D"}]}}, "#relNow cannot be used inside #in"),
        ({"#in": {"firstName": "John"}}, "#in expects an array"),
        ({"#in": {"age": [1, "2"]}}, "expected a number"),
        ({"#gt": {"birthDate": {"#relNow": "P999999999Y"}}}, "out of range"),
        ({"#any": {"firstName": {"x": 1}}}, "#any is only valid for list-of-objects attributes"),
        ({"#all": {"Cart": [1]}}, "a clause must be a JSON object"),
        ({"#any": {"Cart": {"#gt": {"Price": "cheap"}}}}, "#gt needs a number or a date"),
    ],
)
def test_invalid_queries(query: Any, message: str) -> None:
    with pytest.raises(QueryError) as info:
        compile_filter(query, now=NOW, attribute_types=ATTRS)
    assert message in str(info.value)


def test_query_error_is_a_value_error_with_a_path() -> None:
    with pytest.raises(ValueError) as info:
        compile_filter(
            {"#and": [{"firstName": "x"}, {"#or": [{"#gt": {"vip": 1}}]}]},
            now=NOW,
            attribute_types=ATTRS,
        )
    assert isinstance(info.value, QueryError)
    assert info.value.path == "$.#and[1].#or[0].#gt"


def test_unsupported_attribute_type_is_reported() -> None:
    with pytest.raises(QueryError, match="unsupported data type 'BLOB'"):
        compile_filter({"x": 1}, now=NOW, attribute_types={"x": "BLOB"})


def test_text_and_bytes_input() -> None:
    assert matches(b'{"firstName":"John"}', {"firstName": "John"})
    assert matches('{"firstName":"J\\u00f6rg"}', {"firstName": "Jörg"})


def test_a_query_nested_past_the_limit_is_refused_before_compiling() -> None:
    nested: dict[str, Any] = {"firstName": "Ada"}
    for _ in range(MAX_DEPTH):
        nested = {"#and": [nested]}

    with pytest.raises(QueryError, match="nested more than"):
        compile_filter(nested, now=NOW, attribute_types=ATTRS)


def test_a_query_at_the_limit_compiles() -> None:
    nested: dict[str, Any] = {"firstName": "Ada"}
    for _ in range((MAX_DEPTH - 1) // 2):
        nested = {"#and": [nested]}

    predicate = compile_filter(nested, now=NOW, attribute_types=ATTRS)

    assert predicate({"firstName": "Ada"}.get)
