"""``people.upsert`` (find-or-create in one request), the checks made before an upsert is sent,
and how failed upsert and merge outcomes show their details.

Against the fake, in-process and over loopback HTTP, with the sync and the async client.
"""

from __future__ import annotations

from typing import Any

import pytest

from infobip_profiles import (
    AsyncProfilesClient,
    ConflictError,
    ContactInformation,
    Person,
    PersonRef,
    ProfilesClient,
    UpsertItemResult,
    UpsertStatus,
    ValidationError,
    validate_person_for_upsert,
)
from infobip_profiles.testing import FakeProfiles

UPSERT = "upsert-persons-partial"


@pytest.fixture(params=["sync", "async"])
def people(
    request: pytest.FixtureRequest, client: ProfilesClient, aclient: AsyncProfilesClient
) -> Any:
    return client.people if request.param == "sync" else aclient.people


async def run(value: Any) -> Any:
    return await value if hasattr(value, "__await__") else value


def ada(**changes: Any) -> Person:
    fields: dict[str, Any] = {
        "external_id": "crm-1",
        "first_name": "Ada",
        "contact_information": ContactInformation.of(emails=["ada@example.com"]),
    }
    fields.update(changes)
    return Person(**fields)


async def test_upsert_finds_or_creates_in_one_request(people: Any, fake: FakeProfiles) -> None:
    created = await run(people.upsert(ada()))
    again = await run(people.upsert(ada()))
    changed = await run(people.upsert(Person(external_id="crm-1", city="London")))

    assert (created.status, again.status, changed.status) == (
        UpsertStatus.CREATED,
        UpsertStatus.NOT_MODIFIED,
        UpsertStatus.UPDATED,
    )
    assert created.ok
    assert created.id is not None
    assert again.id == created.id == changed.id
    assert fake.calls.count(op_id=UPSERT) == 3
    stored = fake.person(created.id)
    assert (stored["firstName"], stored["city"]) == ("Ada", "London")  # partial kept firstName


async def test_upsert_full_mode_clears_what_it_leaves_out(people: Any, fake: FakeProfiles) -> None:
    created = await run(people.upsert(ada(city="Paris")))

    await run(people.upsert(Person(external_id="crm-1", first_name="Ada"), mode="full"))

    assert fake.person(created.id).get("city") is None
    assert fake.calls.count(op_id="upsert-persons-full") == 1


async def test_upsert_of_identifiers_of_two_people_raises_conflict(
    people: Any, fake: FakeProfiles
) -> None:
    await run(people.upsert(ada()))
    await run(people.upsert(Person(external_id="crm-2")))

    with pytest.raises(ConflictError) as info:
        await run(people.upsert(ada(external_id="crm-2")))

    assert info.value.message_id is not None
    assert info.value.message_id.startswith("409")


async def test_upsert_checks_before_sending(people: Any, fake: FakeProfiles) -> None:
    with pytest.raises(ValidationError, match="at least one of external_id, an email or a phone"):
        await run(people.upsert(Person(first_name="Ada")))
    with pytest.raises(ValidationError, match="forbidden"):
        await run(people.upsert(ada(first_name="Ada;")))
    with pytest.raises(ValidationError, match="mode"):
        await run(people.upsert(ada(), mode="merge"))

    assert len(fake.calls) == 0


async def test_create_checks_for_an_identifier_as_the_docs_say(
    people: Any, fake: FakeProfiles
) -> None:
    with pytest.raises(ValidationError, match="at least one of external_id") as info:
        await run(people.create_many([ada(), Person(first_name="Nobody")]))
    assert info.value.index == 1
    with pytest.raises(ValidationError, match="at least one of external_id"):
        await run(people.create(Person(first_name="Nobody")))

    assert len(fake.calls) == 0


async def test_one_invalid_item_fails_alone_and_the_rest_are_sent(
    people: Any, fake: FakeProfiles
) -> None:
    persons = [ada(external_id=f"crm-{i}", contact_information=None) for i in range(5)]
    persons[1] = Person(first_name="Nobody")  # nothing to match on
    persons[3] = ada(external_id="crm-3", contact_information=None, first_name="A&B")

    result = await run(people.upsert_many(persons))

    assert [i.ok for i in result] == [True, False, True, False, True]
    assert [i.index for i in result] == [0, 1, 2, 3, 4]
    assert result.created == 3
    assert result.failed[0].details == (
        ("externalId", "a person needs at least one of external_id, an email or a phone"),
    )
    assert result.failed[1].details[0][0] == "firstName"
    assert isinstance(result.failed[1].error, ValidationError)
    assert result.failed[1].error.index == 3
    sent = [p["externalId"] for call in fake.calls for p in call.body["persons"]]
    assert sent == ["crm-0", "crm-2", "crm-4"]


async def test_upsert_many_raises_only_when_every_item_fails_or_when_strict(
    people: Any, fake: FakeProfiles
) -> None:
    with pytest.raises(ValidationError, match=r"^item 0: a person needs"):
        await run(people.upsert_many([Person(first_name="A"), Person(first_name="B")]))
    with pytest.raises(ValidationError, match=r"^item 1: a person needs"):
        await run(people.upsert_many([ada(), Person(first_name="B")], strict=True))

    assert len(fake.calls) == 0
    assert len(await run(people.upsert_many([]))) == 0


async def test_merge_refuses_an_invalid_item_alone(people: Any, fake: FakeProfiles) -> None:
    result = await run(people.merge([ada(), ada(external_id="crm-9", first_name="x=y")]))

    assert [i.ok for i in result] == [True, False]
    assert result.failed[0].details[0][0] == "firstName"
    assert fake.calls.count(op_id="merge-persons") == 1


async def test_failed_outcomes_print_their_property_and_message(
    people: Any, fake: FakeProfiles
) -> None:
    await run(people.upsert(ada()))
    await run(people.upsert(Person(external_id="crm-2")))

    result = await run(people.upsert_many([ada(external_id="crm-2"), ada(external_id="crm-3")]))

    (failed,) = result.failed
    assert failed.code is not None
    assert failed.code.startswith("409")
    text = str(failed)
    assert text.startswith("item 0: failed (409")
    assert failed.errors[0] in text
    assert failed.errors[0] in repr(result.failed)


def test_a_refused_item_prints_the_field_and_the_reason() -> None:
    item = UpsertItemResult(
        index=3,
        ok=False,
        code="400100",
        errors=("Validation failed",),
        details=(("persons[3].contactInformation[0].identifier", "must be a well-formed email"),),
    )

    assert str(item) == (
        "item 3: failed (400100): Validation failed; "
        "persons[3].contactInformation[0].identifier: must be a well-formed email"
    )
    assert "must be a well-formed email" in repr([item])


def test_validate_person_for_upsert_lists_the_problems() -> None:
    assert validate_person_for_upsert(ada()) == []
    assert validate_person_for_upsert(Person(first_name="Ada")) == [
        "a person needs at least one of external_id, an email or a phone"
    ]
    (problem,) = validate_person_for_upsert(ada(last_name="x" * 300))
    assert "lastName" in problem
    (problem,) = validate_person_for_upsert({"externalId": "x"})  # type: ignore[arg-type]
    assert "expected a Person" in problem


def test_an_empty_identifier_is_no_identifier() -> None:
    person = Person(external_id="", contact_information=ContactInformation.of(emails=[""]))
    assert validate_person_for_upsert(person) != []
    assert (
        validate_person_for_upsert(
            Person(contact_information=ContactInformation.of(phones=["41793026727"]))
        )
        == []
    )
    assert PersonRef.external_id("crm-1")  # refs stay usable for the match that follows


async def test_an_unknown_on_error_is_refused_before_sending(
    people: Any, fake: FakeProfiles
) -> None:
    for method in ("upsert_many", "merge", "create_many", "delete_many"):
        with pytest.raises(ValidationError, match="on_error"):
            await run(getattr(people, method)([], on_error="ignore"))

    assert len(fake.calls) == 0
