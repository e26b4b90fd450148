"""The engines of a tenant, and the hooks through which they hear of person deletes and merges."""

from __future__ import annotations

from infobip_profiles.testing import FakeProfiles
from infobip_profiles.testing._state import TenantState


def test_engines_names_every_engine_the_state_holds(fake: FakeProfiles) -> None:
    state = fake.tenant()
    held = {name for name, value in vars(state).items() if getattr(value, "_state", None) is state}

    # push's all-or-nothing personalize copies exactly these: one left out would not be undone
    assert set(TenantState.ENGINES) == held


def test_every_engine_with_person_hooks_hears_them(fake: FakeProfiles) -> None:
    state = fake.tenant()
    hooked = {
        name
        for name in state.ENGINES
        if name != "persons"
        and callable(getattr(getattr(state, name), "person_deleted", None))
        and callable(getattr(getattr(state, name), "persons_merged", None))
    }

    assert {type(engine) for engine in state._dependents()} == {
        type(getattr(state, name)) for name in hooked
    }


def test_a_deleted_person_leaves_its_company_and_its_events(fake: FakeProfiles) -> None:
    state = fake.tenant()
    pid = state.persons.create_profile(
        person_type="CUSTOMER", identity={"type": "EMAIL", "identifier": "ada@example.com"}
    )
    company = state.companies.create({"name": "Acme"})["id"]
    state.companies.add_persons(
        company, {"people": [{"query": {"identifier": "ada@example.com", "type": "EMAIL"}}]}
    )
    state.events.create_definition({"definitionId": "orderPlaced", "title": "Order placed"})
    state.events.send("ada@example.com", "EMAIL", "orderPlaced", {}, create_person=False)
    assert state.events.events_for(pid, "orderPlaced")

    state.persons.delete(pid)

    assert state.companies.company_of(pid) is None
    assert state.events.events_for(pid, "orderPlaced") == []
