"""``upsert_many`` and ``merge`` encode each person to JSON text in one pass; the text is
pinned against the general path (v2 wire body, ``check_person``, reshaped to v3, then ``dumps``):
the same bytes, key order included, and the same error for every broken rule."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infobip_profiles import ContactInformation, Person, ValidationError
from infobip_profiles._converter import dumps
from infobip_profiles.models import EmailContact, Gender, PersonType, PhoneContact
from infobip_profiles.resources._person_bodies import v3_body_reference, v3_json


def _fetched() -> Person:
    person = Person(external_id="crm-1", first_name="Ada", tags=["VIP"])
    person.contact_information = ContactInformation.of(emails=["ada@example.com"])
    return copy.deepcopy(person)


VALID: dict[str, Any] = {
    "empty": lambda: Person(),
    "common": lambda: Person(
        external_id="bulk-1",
        first_name="First1",
        last_name="Last1",
        contact_information=ContactInformation.of(emails=["bulk1@example.com"]),
    ),
    "every_field": lambda: Person(
        external_id="x",
        type=PersonType.LEAD,
        first_name="A",
        last_name="B",
        middle_name="C",
        nick_name="D",
        gender=Gender.FEMALE,
        birth_date=date(1990, 1, 2),
        preferred_language="en-GB",
        profile_picture="https://example.com/a.png",
        address="1 Street",
        city="Zagreb",
        country="Croatia",
        tags=["VIP", "beta"],
        custom_attributes={"Tier": "gold", "Score": Decimal("1.50"), "When": date(2026, 1, 3)},
        contact_information=ContactInformation.of(
            emails=["a@example.com", "b@example.com"], phones=["385911", "385922"]
        ),
    ),
    "nulls_clear": lambda: Person(first_name=None, tags=None, custom_attributes=None),
    "null_contacts_not_sent": lambda: Person(external_id="a", contact_information=None),
    "empty_contacts_not_sent": lambda: Person(
        external_id="a", contact_information=ContactInformation()
    ),
    "empty_email_list_sent_empty": lambda: Person(
        contact_information=ContactInformation.of(emails=[])
    ),
    "null_email_list_sent_empty": lambda: Person(
        contact_information=ContactInformation(email=None)
    ),
    "blank_address_skipped": lambda: Person(
        contact_information=ContactInformation(email=[EmailContact(""), EmailContact("a@b.co")])
    ),
    "null_address_skipped": lambda: Person(
        contact_information=ContactInformation(
            email=[EmailContact(None)], phone=[PhoneContact("1")]
        )
    ),
    "tuple_of_contacts": lambda: Person(
        contact_information=ContactInformation(email=(EmailContact("a@b.co"),))  # type: ignore[arg-type]
    ),
    "fetched_copy": _fetched,
    "limits_exactly": lambda: Person(
        external_id="e" * 256,
        first_name="f" * 255,
        middle_name="m" * 50,
        nick_name="n" * 50,
        custom_attributes={"Long": "t" * 4096},
        contact_information=ContactInformation.of(
            emails=["e" * 245 + "@x.example"], phones=["1" * 50]
        ),
    ),
    "hundred_contacts": lambda: Person(
        contact_information=ContactInformation.of(emails=[f"p{i}@x.co" for i in range(100)])
    ),
    "text_needing_escapes": lambda: Person(
        external_id='crm "1" \\ \t\u0001',
        first_name="Zoë 李",
        city="Zürich 🏔",
        tags=['a"b', "ü"],
        custom_attributes={'Quote"d': 'x"\ny'},
        contact_information=ContactInformation.of(emails=['"odd"@example.com']),
    ),
    "nulls_for_every_kind": lambda: Person(
        type=None, gender=None, birth_date=None, city=None, custom_attributes=None
    ),
    "tags_not_all_text": lambda: Person(tags=["a", 1]),  # type: ignore[list-item]
    "non_str_attribute_keys": lambda: Person(
        custom_attributes={1: "one", "nested": {"a": [date(2026, 1, 1)]}}  # type: ignore[dict-item]
    ),
}

INVALID: dict[str, Any] = {
    "long_external_id": lambda: Person(external_id="e" * 257),
    "long_city": lambda: Person(city="c" * 51),
    "forbidden_first_name": lambda: Person(first_name="A<b>"),
    "forbidden_nick_name": lambda: Person(nick_name="a;b"),
    "long_attribute": lambda: Person(custom_attributes={"Long": "t" * 4097}),
    "long_email": lambda: Person(
        contact_information=ContactInformation.of(emails=["e" * 250 + "@x.example"])
    ),
    "long_phone": lambda: Person(contact_information=ContactInformation.of(phones=["1" * 51])),
    "too_many_phones": lambda: Person(
        contact_information=ContactInformation.of(phones=[str(i) for i in range(101)])
    ),
    "two_rules_first_wins": lambda: Person(first_name="a/b", external_id="e" * 300),
}


@pytest.mark.parametrize("make", VALID.values(), ids=VALID.keys())
def test_one_pass_body_is_the_general_body(make: Any) -> None:
    text = v3_json(make())

    expected = dumps(v3_body_reference(make())).decode()
    assert text == expected


_texts = st.text(max_size=60)


@settings(max_examples=300, deadline=None)
@given(
    external_id=st.none() | _texts,
    first_name=st.none() | _texts,
    city=st.none() | _texts,
    tags=st.none() | st.lists(_texts, max_size=3),
    attributes=st.none() | st.dictionaries(_texts, st.none() | _texts | st.integers(), max_size=3),
    emails=st.none() | st.lists(_texts, max_size=3),
)
def test_any_person_encodes_as_the_general_path_does(
    external_id: Any, first_name: Any, city: Any, tags: Any, attributes: Any, emails: Any
) -> None:
    def make() -> Person:
        contacts = None if emails is None else ContactInformation.of(emails=emails)
        return Person(
            external_id=external_id,
            first_name=first_name,
            city=city,
            tags=tags,
            custom_attributes=attributes,
            contact_information=contacts,
        )

    try:
        expected: str | ValidationError = dumps(v3_body_reference(make())).decode()
    except ValidationError as reference:
        expected = reference
    if isinstance(expected, str):
        assert v3_json(make()) == expected
    else:
        with pytest.raises(ValidationError) as fast:
            v3_json(make())
        assert str(fast.value) == str(expected)


@pytest.mark.parametrize("make", INVALID.values(), ids=INVALID.keys())
def test_one_pass_body_raises_the_general_error(make: Any) -> None:
    with pytest.raises(ValidationError) as reference:
        v3_body_reference(make())

    with pytest.raises(ValidationError) as fast:
        v3_json(make())
    assert (str(fast.value), fast.value.field) == (str(reference.value), reference.value.field)


def test_one_pass_body_refuses_what_is_not_a_person() -> None:
    with pytest.raises(TypeError, match="expected a Person"):
        v3_json({"externalId": "a"})  # type: ignore[arg-type]
