"""Validation of person writes: every rejection is a 400/409 in the v2 envelope and changes
nothing."""

from __future__ import annotations

import pytest

from tests._support.persons import PERSONS, create, error_text, person_body, validation_errors
from tests._support.wire import Wire

pytestmark = pytest.mark.nonconforming  # these requests break the spec's rules on purpose


def rejected(wire: Wire, body: dict) -> dict[str, list[str]]:
    response = wire.post(PERSONS, json=body)
    assert response.status_code == 400, response.text
    assert wire.fake.people() == (), "a rejected create stores nothing"
    return validation_errors(response)


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("externalId", 256),
        ("firstName", 255),
        ("lastName", 255),
        ("middleName", 50),
        ("city", 50),
        ("country", 50),
        ("address", 256),
        ("profilePicture", 2083),
    ],
)
def test_too_long_fields_are_rejected(wire: Wire, field: str, limit: int) -> None:
    errors = rejected(wire, person_body(email="a@x.com", **{field: "x" * (limit + 1)}))

    assert errors == {field: [f"size must be between 0 and {limit}"]}


@pytest.mark.parametrize("field", ["externalId", "firstName", "city"])
def test_fields_at_the_limit_are_accepted(wire: Wire, field: str) -> None:
    limit = {"externalId": 256, "firstName": 255, "city": 50}[field]

    create(wire, email="a@x.com", **{field: "x" * limit})


@pytest.mark.parametrize("char", [*list('&<>"/\\:(){}=;#'), "\n", "\r"])
def test_forbidden_characters_in_names(wire: Wire, char: str) -> None:
    errors = rejected(wire, person_body(email="a@x.com", firstName=f"Ada{char}"))

    assert list(errors) == ["firstName"]


def test_forbidden_characters_on_edit_too(wire: Wire) -> None:
    create(wire, externalId="a", lastName="Lovelace")

    response = wire.patch(
        PERSONS, params={"type": "EXTERNAL_ID", "identifier": "a"}, json={"lastName": "L<b>"}
    )

    assert response.status_code == 400
    assert wire.fake.people()[0]["lastName"] == "Lovelace"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("birthDate", "1990-13-01"),
        ("birthDate", "01.01.1990"),
        ("gender", "OTHER"),
        ("preferredLanguage", "english"),
        ("type", "VISITOR"),
    ],
)
def test_bad_formats(wire: Wire, field: str, value: str) -> None:
    assert field in rejected(wire, person_body(email="a@x.com", **{field: value}))


@pytest.mark.parametrize("language", ["en", "en-US"])
def test_language_codes(wire: Wire, language: str) -> None:
    assert (
        create(wire, email="a@x.com", preferredLanguage=language)["preferredLanguage"] == language
    )


def test_invalid_email_names_the_item(wire: Wire) -> None:
    errors = rejected(wire, person_body(email=["ok@x.com", "broken"]))

    assert list(errors) == ["contactInformation.email[1].address"]


def test_invalid_phone(wire: Wire) -> None:
    assert "contactInformation.phone[0].number" in rejected(wire, person_body(phone="12-ab"))


def test_more_than_100_phones(wire: Wire) -> None:
    phones = [f"4179302{i:04d}" for i in range(101)]

    assert "contactInformation.phone" in rejected(wire, person_body(phone=phones))


def test_at_least_one_identifier_is_required(wire: Wire) -> None:
    response = wire.post(PERSONS, json={"firstName": "Ada"})

    assert response.status_code == 400
    assert error_text(response) == "At least one of phone, email or externalId is required"


def test_undefined_custom_attribute(wire: Wire) -> None:
    errors = rejected(wire, person_body(email="a@x.com", customAttributes={"nope": 1}))

    assert errors == {"customAttributes.nope": ["Custom attribute nope is not defined"]}


def test_wrongly_typed_custom_attribute(wire: Wire) -> None:
    wire.fake.seed(custom_attributes=[{"name": "score", "dataType": "INTEGER"}])

    errors = rejected(wire, person_body(email="a@x.com", customAttributes={"score": "high"}))

    assert list(errors) == ["customAttributes.score"]


def test_custom_attribute_string_over_4096(wire: Wire) -> None:
    wire.fake.seed(custom_attributes=[{"name": "note", "dataType": "STRING"}])

    errors = rejected(wire, person_body(email="a@x.com", customAttributes={"note": "x" * 4097}))

    assert list(errors) == ["customAttributes.note"]


def test_custom_attribute_names_match_ignoring_case(wire: Wire) -> None:
    wire.fake.seed(custom_attributes=[{"name": "Tier", "dataType": "STRING"}])

    person = create(wire, email="a@x.com", customAttributes={"tier": "gold"})

    assert person["customAttributes"] == {"Tier": "gold"}


def test_body_must_be_an_object(wire: Wire) -> None:
    response = wire.post(PERSONS, json=["not", "an", "object"])

    assert response.status_code == 400


def test_malformed_json_is_400(wire: Wire) -> None:
    response = wire.post(
        PERSONS, content=b"{not json", headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert wire.fake.people() == ()


@pytest.mark.parametrize(
    "body",
    [
        b'{"externalId": "a", "customAttributes": {"Score": NaN}}',
        b'{"externalId": "a", "customAttributes": {"Score": -Infinity}}',
        b'{"externalId": "a", "customAttributes": {"Score": 1e400}}',  # past a double
    ],
)
def test_numbers_json_cannot_carry_are_malformed_json(wire: Wire, body: bytes) -> None:
    # Accepted, they would be stored and echoed as NaN/Infinity: a response no JSON parser reads.
    wire.fake.seed(custom_attributes=[{"name": "Score", "dataType": "DECIMAL"}])

    response = wire.post(PERSONS, content=body, headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert error_text(response) == "Request body is not valid JSON"
    assert wire.fake.people() == ()


def test_a_body_nested_too_deeply_is_400_not_a_crash(wire: Wire) -> None:
    body = b'{"externalId": "a", "customAttributes": {"x": ' + b"[" * 5000 + b"]" * 5000 + b"}}"

    response = wire.post(PERSONS, content=body, headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert wire.fake.people() == ()


def test_a_body_nested_past_100_levels_is_400_naming_the_limit(wire: Wire) -> None:
    nested: object = "x"
    for _ in range(101):
        nested = [nested]

    response = wire.post(PERSONS, json={"externalId": "a", "customAttributes": {"x": nested}})

    assert response.status_code == 400
    assert "100 levels" in error_text(response)
    assert wire.fake.people() == ()


def test_a_decimal_value_past_a_double_is_400_not_a_crash(wire: Wire) -> None:
    wire.fake.seed(custom_attributes=[{"name": "Score", "dataType": "DECIMAL"}])
    body = b'{"externalId": "a", "customAttributes": {"Score": 1' + b"0" * 400 + b"}}"

    response = wire.post(PERSONS, content=body, headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert validation_errors(response) == {
        "customAttributes.Score": ["value does not match data type DECIMAL"]
    }
    assert wire.fake.people() == ()
