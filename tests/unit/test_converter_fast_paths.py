"""The converter's fast paths give exactly what the general paths give.

Decoding builds models without the constructor, timestamps in the v2 form skip the general
parser, ``dumps`` tries plain ``json.dumps`` first, and encoding caches which fields to send per
set of fields set: each test pins one behaviour those shortcuts must keep.
"""

from __future__ import annotations

import copy
import json
import sys
from datetime import datetime, timezone
from decimal import Decimal

import attrs
import cattrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from infobip_profiles import NOT_GIVEN, ContactInformation, Person, Tag, ValidationError
from infobip_profiles._converter import dumps, from_wire, parse_datetime, to_wire
from infobip_profiles.models import StoredPerson

UTC = timezone.utc


def test_decoded_person_marks_exactly_the_writable_fields_the_response_held() -> None:
    person = from_wire({"id": 7, "firstName": "Ada", "lastName": None}, Person)

    assert person.fields_set() == {"first_name", "last_name"}
    assert person.id == 7  # read-only: kept for reading, never sent back


def test_decoded_person_reads_fields_the_response_left_out_as_none() -> None:
    person = from_wire({"firstName": "Ada"}, Person)

    assert (person.city, person.tags, person.contact_information) == (None, None, None)


def test_decoded_person_resends_only_the_writable_fields_it_held() -> None:
    person = from_wire({"id": 7, "externalId": "crm-7", "createdAt": "2026-01-02T03:04:05"}, Person)

    assert to_wire(person) == {"externalId": "crm-7"}


def test_decoding_a_malformed_value_reports_it_as_cattrs_does() -> None:
    with pytest.raises(cattrs.ClassValidationError) as caught:
        from_wire({"id": "not a number"}, Person)

    assert [type(e) for e in caught.value.exceptions] == [ValueError]


def test_decoding_a_nested_model_keeps_its_own_fields_set() -> None:
    person = from_wire({"contactInformation": {"email": [{"address": "ada@example.com"}]}}, Person)

    assert person.contact_information is not None
    assert person.contact_information.fields_set() == {"email"}


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-02T03:04:05",
        " 2026-01-02T03:04:05 ",
        "2026-01-02 03:04:05",
        "2026-01-02T03:04:05.000Z",
        "2026-01-02T04:04:05+01:00",
        "2026-01-02T04:04:05+0100",
    ],
)
def test_every_timestamp_form_reads_as_the_same_utc_moment(text: str) -> None:
    assert parse_datetime(text) == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_a_v2_timestamp_reads_as_aware_utc() -> None:
    assert parse_datetime("2026-01-02T03:04:05").tzinfo is UTC


def test_dumps_writes_decimals_as_exact_numbers_anywhere_in_a_body() -> None:
    body = {"persons": [{"customAttributes": {"Price": Decimal("19.90")}}]}

    assert dumps(body) == b'{"persons":[{"customAttributes":{"Price":19.90}}]}'


def test_dumps_without_decimals_is_compact_json_keeping_unicode() -> None:
    assert (
        dumps({"firstName": "Đuro", "tags": ["a"]}) == '{"firstName":"Đuro","tags":["a"]}'.encode()
    )


def test_dumps_refuses_a_value_json_cannot_write() -> None:
    with pytest.raises(TypeError):
        dumps({"tags": {"a"}})


def test_dumps_refuses_a_non_finite_decimal() -> None:
    with pytest.raises(ValueError):
        dumps({"score": Decimal("NaN")})


def test_persons_with_different_fields_set_each_send_their_own() -> None:
    first = Person(external_id="a", first_name="Ada")
    second = Person(external_id="b", city="Zagreb")

    assert (to_wire(first), to_wire(second)) == (
        {"externalId": "a", "firstName": "Ada"},
        {"externalId": "b", "city": "Zagreb"},
    )


def test_encoding_sends_contacts_in_declaration_order() -> None:
    person = Person(
        contact_information=ContactInformation.of(emails=["ada@example.com"]), external_id="a"
    )

    assert list(to_wire(person)) == ["externalId", "contactInformation"]


@pytest.mark.parametrize(
    "text", ["\x00dec:42\x00", "\x00dec:-1.5E+3\x00", '"\\u0000dec:7\\u0000"', "\x00dec:"]
)
def test_dumps_keeps_a_string_that_looks_like_a_decimal_a_string(text: str) -> None:
    body = {"customAttributes": {"Note": text, "Price": Decimal("1.10")}, "tags": [text]}

    assert json.loads(dumps(body), parse_float=Decimal) == body


def test_dumps_writes_decimals_in_tuples_and_under_non_string_keys_as_json_does() -> None:
    body = {1: (Decimal("0.1"), "x"), None: [Decimal("-0"), None], "e": Decimal("1E+3")}

    assert dumps(body) == b'{"1":[0.1,"x"],"null":[-0,null],"e":1E+3}'


_json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.sampled_from(["\x00dec:42\x00", "\x00dec:", "\\u0000dec:1\\u0000"]),
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_json_values)
def test_dumps_round_trips_every_value_exactly(value: object) -> None:
    # Decimal equality ignores trailing zeros, so compare the digits too.
    decoded = json.loads(dumps(value), parse_float=Decimal)

    assert decoded == value
    assert repr(decoded) == repr(_as_read(value))


def _as_read(value: object) -> object:
    """What loads() gives back for ``value``: integral Decimals written without a point or
    exponent come back as int."""
    if isinstance(value, Decimal):
        text = str(value)
        return int(text) if text.lstrip("-").isdigit() else Decimal(text)
    if isinstance(value, dict):
        return {k: _as_read(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_read(v) for v in value]
    return value


def test_an_unset_field_reads_as_none_and_is_not_sent() -> None:
    person = Person(first_name="Ada")

    assert (person.last_name, person.tags, person.contact_information) == (None, None, None)
    assert to_wire(person) == {"firstName": "Ada"}


def test_an_explicit_none_is_sent_as_null_and_not_given_unsets() -> None:
    person = Person(first_name="Ada", last_name=None)
    person.city = None
    person.first_name = NOT_GIVEN

    assert person.first_name is None
    assert to_wire(person) == {"lastName": None, "city": None}


def test_replace_keeps_the_fields_set_and_marks_every_change() -> None:
    person = Person(first_name="Ada")

    changed = person.replace(city=None, first_name="Augusta")

    assert to_wire(changed) == {"firstName": "Augusta", "city": None}
    assert to_wire(person) == {"firstName": "Ada"}


def test_attrs_evolve_keeps_the_fields_set_and_marks_the_changed_ones() -> None:
    person = Person(first_name="Ada", last_name=None)

    assert to_wire(attrs.evolve(person, city="Split")) == {
        "firstName": "Ada",
        "lastName": None,
        "city": "Split",
    }


def test_replace_refuses_an_unknown_field() -> None:
    with pytest.raises(TypeError, match="no field"):
        Person().replace(nickname="x")


@pytest.mark.parametrize(
    ("data", "cls"),
    [
        ({"id": 1, "name": "VIP", "createdAt": "2026-01-02T03:04:05"}, Tag),
        ({"id": 1, "firstName": "Ada", "computedAttributes": {"x": 1}, "origin": "API"}, Person),
        ({"contactInformation": {"push": [{"applicationId": "a"}]}}, Person),
    ],
)
def test_a_decoded_object_is_sent_back_without_its_read_only_fields(data: dict, cls: type) -> None:
    decoded = from_wire(data, cls)

    wire = to_wire(decoded)

    assert not {"id", "createdAt", "computedAttributes", "origin"} & set(wire)
    assert "push" not in wire.get("contactInformation", {})


@pytest.mark.parametrize(
    "person",
    [
        Person(id=3),
        Person(computed_attributes={"Score": 1}),
        Person(contact_information=ContactInformation(push=[])),
    ],
)
def test_a_read_only_field_set_by_the_caller_is_refused(person: Person) -> None:
    with pytest.raises(ValidationError, match="read-only"):
        to_wire(person)


class _NotPlainDict(dict):  # type: ignore[type-arg]
    """A dict subclass: decoding takes cattrs' general path for it."""


_PERSON_KEYS = {
    "id": st.integers(1, 10**9),
    "externalId": st.text(max_size=5),
    "firstName": st.none() | st.text(max_size=5),
    "tags": st.lists(st.text(max_size=3), max_size=2),
    "customAttributes": st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    "createdAt": st.just("2026-01-02T03:04:05"),
    "type": st.sampled_from(["CUSTOMER", "LEAD", "SOMETHING_NEW"]),
    "contactInformation": st.just({"email": [{"address": "a@x.io"}]}),
}


@given(st.fixed_dictionaries({}, optional=_PERSON_KEYS))
@pytest.mark.parametrize("cls", [Person, StoredPerson])
def test_the_fast_decoder_and_cattrs_agree(cls: type, data: dict) -> None:
    if cls is StoredPerson and "id" not in data:
        data = {**data, "id": 1}

    fast, general = from_wire(data, cls), from_wire(_NotPlainDict(data), cls)

    assert fast == general
    assert fast.fields_set() == general.fields_set()
    assert to_wire(fast) == to_wire(general)


def test_a_stored_person_reads_empty_collections_for_what_the_answer_left_out() -> None:
    person = from_wire({"id": 7}, StoredPerson)

    assert (person.id, person.tags, person.custom_attributes) == (7, [], {})
    assert to_wire(person) == {}
    assert isinstance(person, Person)


def test_a_stored_person_without_an_id_is_not_decoded() -> None:
    with pytest.raises(cattrs.ClassValidationError):
        from_wire({"firstName": "Ada"}, StoredPerson)


@pytest.mark.skipif(sys.version_info < (3, 13), reason="copy.replace is new in Python 3.13")
def test_copy_replace_marks_every_change_as_set() -> None:
    person = Person(first_name="Ada")

    changed = copy.replace(person, city=None)  # type: ignore[attr-defined]

    assert to_wire(changed) == {"firstName": "Ada", "city": None}


def test_dunder_replace_marks_every_change_as_set() -> None:
    assert to_wire(Person(first_name="Ada").__replace__(city=None)) == {
        "firstName": "Ada",
        "city": None,
    }


def test_unsetting_a_field_gives_back_its_default() -> None:
    person = from_wire({"id": 7, "tags": ["VIP"], "city": "Split"}, StoredPerson)

    person.tags = NOT_GIVEN
    person.city = NOT_GIVEN

    assert (person.tags, person.city) == ([], None)
    assert to_wire(person) == {}
    assert StoredPerson(id=1, tags=NOT_GIVEN).tags == []
