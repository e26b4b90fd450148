"""Bad input, property-based: valid persons round-trip unchanged, invalid ones change nothing.

Valid persons come from ``strategies.persons()`` and go through the SDK (create, then get) in
process and over HTTP; invalid bodies from ``strategies.invalid_person_bodies()`` go to the fake as
raw requests (create, replace, patch, batch) and must get a 400 in the v2 envelope naming the
field, with the stored state exactly as before.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infobip_profiles import (
    BadRequestError,
    ContactInformation,
    Person,
    PersonRef,
    ProfilesClient,
    ValidationError,
)
from infobip_profiles.testing import FakeProfiles
from tests._support.strategies import CUSTOM_ATTRIBUTES, invalid_person_bodies, names, persons
from tests._support.wire import service_exception

PERSONS = "/people/2/persons"
BATCH = "/people/2/persons/batch"
EXISTING = {
    "externalId": "existing-1",
    "firstName": "Grace",
    "lastName": "Hopper",
    "contactInformation": {"email": [{"address": "grace@example.com"}]},
}

FIXTURES_PER_EXAMPLE = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def fresh(fake: FakeProfiles) -> None:
    """Empty the fake and define what the strategies use (run at the start of every example)."""
    fake.reset()
    fake.seed(
        custom_attributes=[{"name": n, "dataType": t} for n, t in CUSTOM_ATTRIBUTES.items()],
        people=[EXISTING],
    )


def same_fields(sent: Person, got: Person) -> None:
    """Every field the person was created with reads back unchanged."""
    for name in sent.fields_set():
        want, have = getattr(sent, name), getattr(got, name)
        if name == "contact_information":
            assert (have.emails, have.phones) == (want.emails, want.phones)
        else:
            assert have == want, f"{name}: sent {want!r}, got {have!r}"


def assert_refused(response: httpx.Response, field: str | None) -> None:
    assert response.status_code == 400, response.text
    exc = service_exception(response)
    assert exc["messageId"] == "BAD_REQUEST"
    if field is not None:
        assert field in (exc.get("validationErrors") or {}), exc


# -- valid persons round-trip -----------------------------------------------------------------------


@settings(FIXTURES_PER_EXAMPLE, max_examples=60)
@given(person=persons())
def test_a_valid_person_round_trips_through_create_and_get_in_process(person: Person) -> None:
    fake = FakeProfiles("rel-input-key")
    fresh(fake)
    with fake.client(throttle=False) as client:
        created = client.people.create(person)
        fetched = client.people.get(PersonRef.id(created.id or 0))

    same_fields(person, created)
    same_fields(person, fetched)
    assert len(fake.people()) == 2


@pytest.mark.http
@settings(FIXTURES_PER_EXAMPLE, max_examples=15)
@given(person=persons())
def test_a_valid_person_round_trips_over_http(person: Person, fake: FakeProfiles) -> None:
    fresh(fake)
    with fake.serve() as base_url, ProfilesClient("test-key", base_url, throttle=False) as client:
        created = client.people.create(person)
        fetched = client.people.get(PersonRef.id(created.id or 0))

    same_fields(person, fetched)


@settings(FIXTURES_PER_EXAMPLE, max_examples=30)
@given(person=persons())
def test_a_valid_person_round_trips_through_upsert_many_and_get(person: Person) -> None:
    fake = FakeProfiles("rel-input-key")
    fresh(fake)
    with fake.client(throttle=False) as client:
        result = client.people.upsert_many([person])
        (outcome,) = result.items
        assert outcome.ok, outcome
        fetched = client.people.get(PersonRef.id(outcome.id or 0))

    same_fields(person, fetched)


# -- invalid values change nothing -------------------------------------------------------------------


@pytest.mark.nonconforming
@settings(FIXTURES_PER_EXAMPLE, max_examples=60)
@given(case=invalid_person_bodies())
def test_an_invalid_person_is_refused_on_create_and_nothing_is_stored(
    wire: Any, case: tuple[dict[str, Any], str | None]
) -> None:
    body, field = case
    fresh(wire.fake)
    before = wire.fake.people()

    response = wire.post(PERSONS, json=body)

    assert_refused(response, field)
    assert wire.fake.people() == before


@pytest.mark.nonconforming
@pytest.mark.parametrize(
    ("method", "cases"),
    [
        pytest.param("put", invalid_person_bodies(), id="replacement"),
        # a patch keeps the identity it does not name: a body lacking one is not refused
        pytest.param(
            "patch", invalid_person_bodies().filter(lambda c: c[1] is not None), id="patch"
        ),
    ],
)
@settings(FIXTURES_PER_EXAMPLE, max_examples=40)
@given(data=st.data())
def test_an_invalid_change_is_refused_and_the_person_is_unchanged(
    wire: Any,
    method: str,
    cases: st.SearchStrategy[tuple[dict[str, Any], str | None]],
    data: st.DataObject,
) -> None:
    body, field = data.draw(cases)
    fresh(wire.fake)
    before = wire.fake.people()

    response = getattr(wire, method)(
        PERSONS, params={"type": "EXTERNAL_ID", "identifier": "existing-1"}, json=body
    )

    assert_refused(response, field)
    assert wire.fake.people() == before


@pytest.mark.nonconforming
@settings(FIXTURES_PER_EXAMPLE, max_examples=25)
@given(
    case=invalid_person_bodies(),
    valid=st.lists(names(20), min_size=1, max_size=4, unique=True),
)
def test_a_batch_with_an_invalid_person_stores_exactly_the_valid_ones(
    wire: Any, case: tuple[dict[str, Any], str | None], valid: list[str]
) -> None:
    body, _ = case
    fresh(wire.fake)
    good = [{"externalId": f"batch-{i}", "firstName": n} for i, n in enumerate(valid)]

    response = wire.post(BATCH, json={"people": [*good, body]})

    stored = {p.get("externalId") for p in wire.fake.people()}
    assert response.status_code == 207, response.text
    failed = [r["index"] for r in response.json()["results"] if r["status"] >= 400]
    assert failed == [len(good)]
    assert stored == {"existing-1", *(g["externalId"] for g in good)}


# -- the client refuses what it can check before sending -----------------------------------------------


@settings(FIXTURES_PER_EXAMPLE, max_examples=30)
@given(
    field=st.sampled_from(["first_name", "last_name", "middle_name"]),
    bad=st.sampled_from(list('&<>"/\\:(){}=;#')),
)
def test_the_client_refuses_forbidden_name_characters_before_sending(field: str, bad: str) -> None:
    fake = FakeProfiles("rel-input-key")
    named = Person(external_id="x")
    setattr(named, field, f"Ada{bad}")  # assigning marks the field as set, like the constructor

    with fake.client(throttle=False) as client, pytest.raises(ValidationError):
        client.people.create(named)

    assert len(fake.calls) == 0


def test_a_value_only_the_server_checks_comes_back_as_a_bad_request_error() -> None:
    fake = FakeProfiles("rel-input-key")
    with fake.client(throttle=False) as client, pytest.raises(BadRequestError) as raised:
        client.people.create(
            Person(contact_information=ContactInformation.of(emails=["not-an-email"]))
        )

    assert raised.value.status_code == 400
    assert "contactInformation.email[0].address" in raised.value.validation_errors
    assert fake.people() == ()
