"""``fake.seed`` is all or nothing without copying the tenant: a refused item undoes what the
seed created (persons, tags, attribute definitions, companies, push applications, index entries,
id counters) and leaves what was stored before untouched.

A differential test runs random batches, valid and invalid, through the seed and through the
former semantics (copy the whole tenant, seed, put the copy back on failure) and compares them.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infobip_profiles.testing import FakeClock, FakeProfiles, SeedError
from infobip_profiles.testing._seed import seed_state
from infobip_profiles.testing._state import TenantState
from tests._support.wire import Wire

PERSONS = "/people/2/persons"


def person(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "externalId": f"p-{i}",
        "firstName": f"First{i}",
        "city": "Zagreb",
        "tags": ["vip" if i % 2 else "beta"],
        "customAttributes": {"tier": "gold"},
        "contactInformation": {"email": [{"address": f"p{i}@example.com"}]},
        **extra,
    }


def state_of(fake: FakeProfiles) -> dict[str, Any]:
    """Everything a seed may write, as data (indexes included)."""
    tenant = fake.tenant()
    persons = tenant.persons
    persons.check_indexes()
    return {
        "people": fake.people(),
        "tags": fake.tags(),
        "attributes": tenant.attributes.all(),
        "companies": fake.companies(),
        "counters": dict(tenant._counters),
        "rev": persons._rev,
        "by_value": copy.deepcopy(persons._by_value),
        "by_email": dict(persons._by_email),
        "by_external": dict(persons._by_external),
        "by_push": dict(persons._by_push),
        "by_channel": dict(persons._by_channel),
        "push_apps": sorted(tenant.push._applications),
    }


@pytest.fixture
def stocked() -> FakeProfiles:
    fake = FakeProfiles("k")
    fake.seed(
        custom_attributes=[{"name": "tier", "dataType": "STRING"}],
        tags=["vip"],
        people=[person(i) for i in range(3)],
    )
    return fake


def test_a_seed_whose_last_item_is_refused_changes_nothing(stocked: FakeProfiles) -> None:
    before = state_of(stocked)
    batch = [person(i) for i in range(100, 2099)]
    # The 2,000th item reuses the batch's first email: only the batch itself makes it a clash.
    batch.append(person(5000, contactInformation={"email": [{"address": "p100@example.com"}]}))
    with pytest.raises(SeedError, match=r"people\[1999\] refused: 409"):
        stocked.seed(
            people=batch,
            tags=["newtag"],
            custom_attributes=[{"name": "score", "dataType": "INTEGER"}],
            companies=[{"name": "Acme"}],
        )
    assert state_of(stocked) == before
    # The ids a refused seed took are handed out again.
    created = stocked.tenant().persons.create({"externalId": "next"})
    assert created["id"] == 4


def test_a_refused_push_contact_undoes_the_push_application(stocked: FakeProfiles) -> None:
    before = state_of(stocked)
    reg = {"registrationId": "r-1", "applicationId": "app-1"}
    with pytest.raises(SeedError, match=r"people\[1\]"):
        stocked.seed(
            people=[
                person(10, contactInformation={"push": [reg]}),
                person(11, contactInformation={"push": [reg]}),
            ]
        )
    assert state_of(stocked) == before


def test_a_refused_seed_over_the_control_plane_changes_nothing(wire: Wire) -> None:
    wire.fake.seed(people=[person(1)], custom_attributes=[{"name": "tier", "dataType": "STRING"}])
    before = state_of(wire.fake)
    bad = wire.post("/_fake/seed", json={"people": [person(2), person(3), person(2)]})
    assert bad.status_code == 400
    assert "people[2]" in bad.json()["error"]
    assert state_of(wire.fake) == before
    listed = wire.get(PERSONS, params={"filter": '{"city":"Zagreb"}', "includeTotalCount": "true"})
    assert listed.json()["totalCount"] == 1


# -- differential: the seed against the former copy-the-tenant semantics ----------------------------


def old_seed(fake: FakeProfiles, **kwargs: Any) -> Any:
    """The seed as it was: copy the whole tenant first, put the copy back on failure."""
    key = fake.api_key
    state = fake.tenant(key)
    backup: TenantState = copy.deepcopy(state, {id(fake.clock): fake.clock})
    try:
        return seed_state(state, **{k: list(v) for k, v in kwargs.items()})
    except BaseException:
        fake._tenants[key] = backup
        raise


EMAILS = st.sampled_from(["a@x.com", "A@x.com", "b@x.com", "c@x.com", "bad-email"])
TAG_NAMES = st.sampled_from(["vip", "VIP", "beta", "new"])


@st.composite
def seed_person(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if draw(st.booleans()):
        body["externalId"] = draw(st.sampled_from(["e1", "e2", "e3"]))
    if draw(st.booleans()):
        body["firstName"] = draw(st.sampled_from(["Ada", "Bob"]))
    if draw(st.booleans()):
        body["tags"] = draw(st.lists(TAG_NAMES, max_size=2))
    if draw(st.booleans()):
        body["customAttributes"] = {"tier": draw(st.sampled_from(["gold", 5]))}
    if draw(st.booleans()):
        body["gender"] = draw(st.sampled_from(["MALE", "FEMALE", "OTHER"]))
    contacts: dict[str, Any] = {}
    if draw(st.booleans()):
        contacts["email"] = [{"address": e} for e in draw(st.lists(EMAILS, max_size=2))]
    if draw(st.booleans()):
        reg = draw(st.sampled_from(["r1", "r2"]))
        contacts["push"] = [{"registrationId": reg, "applicationId": "app"}]
    if contacts:
        body["contactInformation"] = contacts
    return body


batches = st.fixed_dictionaries(
    {
        "people": st.lists(seed_person(), max_size=5),
        "tags": st.lists(TAG_NAMES, max_size=2),
        "custom_attributes": st.lists(
            st.fixed_dictionaries(
                {
                    "name": st.sampled_from(["tier", "Tier", "score"]),
                    "dataType": st.sampled_from(["STRING", "INTEGER", "NOPE"]),
                }
            ),
            max_size=2,
        ),
        "companies": st.lists(
            st.fixed_dictionaries({"name": st.sampled_from(["Acme", "Beta", ""])}), max_size=2
        ),
    }
)


def outcome(fn: Any, fake: FakeProfiles, batch: dict[str, Any]) -> Any:
    try:
        return ("ok", fn(fake, batch).to_dict())
    except SeedError as err:
        return ("refused", str(err))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(batches, min_size=1, max_size=4))
def test_the_seed_behaves_like_copying_the_tenant(sequence: list[dict[str, Any]]) -> None:
    clock = FakeClock(frozen=True)  # both fakes stamp the same times
    new, old = FakeProfiles("k", clock=clock), FakeProfiles("k", clock=clock)
    for batch in sequence:
        got = outcome(lambda f, b: f.seed(**b), new, batch)
        want = outcome(lambda f, b: old_seed(f, **b), old, batch)
        assert got == want
        assert state_of(new) == state_of(old)
