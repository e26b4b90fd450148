"""The v3 upsert's one-pass create path (``PersonsEngine._v3_create``) answers exactly what the
general path (parse, match, combine, store) answers, and stores exactly the same.

Two fakes get the same requests: one as shipped, one whose create path always declines (so every
item takes the general path). Their responses, stored persons, tags, indexes and id counters must
agree after every request, for valid items and for every kind of broken or unusual one.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infobip_profiles.testing import FakeProfiles
from tests._support.create_path import (
    differential_settings,
    path_fake,
    spy_create,
    upsert,
    upsert_batches,
)

EXTERNAL_IDS = st.one_of(
    st.sampled_from(["e1", "e2", "e3", "seeded-1", "", "x" * 257]),
    st.none(),
    st.integers(0, 3),
    st.just(["e1"]),
)
NAMES = st.one_of(st.sampled_from(["Ada", "Bob", "", "Al(ice)", "n" * 256, "Ünïcode"]), st.none())
EMAILS = st.sampled_from(
    ["a@x.com", "A@X.com", "b@x.com", "seeded@x.com", "not-an-email", "", "c" * 250 + "@x.com"]
)
PHONES = st.sampled_from(["41793026721", "+41793026721", "41793026722", "385911111111", "12", ""])
CONTACT = st.one_of(
    st.fixed_dictionaries({"type": st.just("EMAIL"), "identifier": EMAILS}),
    st.fixed_dictionaries({"type": st.just("PHONE"), "identifier": PHONES}),
    st.fixed_dictionaries(
        {"type": st.just("EMAIL"), "identifier": EMAILS, "primary": st.booleans()}
    ),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["FACEBOOK", "PUSH", "SMS", None]), "identifier": EMAILS}
    ),
    st.just({"type": "EMAIL"}),
    st.just({"type": "EMAIL", "identifier": 7}),
    st.just("a@x.com"),
)
CONTACTS = st.one_of(st.lists(CONTACT, max_size=3), st.none(), st.just({"email": []}))
TAGS = st.one_of(
    st.lists(st.sampled_from(["vip", "VIP", "beta", "new-tag", "", " ", "t" * 200]), max_size=3),
    st.none(),
    st.just("vip"),
    st.just([1]),
)
CUSTOM = st.one_of(
    st.dictionaries(
        st.sampled_from(["tier", "TIER", "score", "undefined", "spent", "SPENT"]),
        st.one_of(st.sampled_from(["gold", "", "s" * 5000]), st.integers(-2, 2), st.none()),
        max_size=3,
    ),
    st.none(),
    st.just([]),
)


@st.composite
def items(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 30)) == 0:
        return draw(st.sampled_from([None, "person", 3, []]))
    item: dict[str, Any] = {}
    optional = {
        "externalId": EXTERNAL_IDS,
        "firstName": NAMES,
        "lastName": NAMES,
        "nickName": NAMES,
        "gender": st.sampled_from(["MALE", "FEMALE", "", "other"]),
        "birthDate": st.sampled_from(["1990-01-31", "1990-02-31", "", "31.1.1990"]),
        "preferredLanguage": st.sampled_from(["en", "en-GB", "EN", ""]),
        "city": st.sampled_from(["Zagreb", "c" * 51, ""]),
        "type": st.one_of(st.sampled_from(["CUSTOMER", "LEAD", "", "VIP"]), st.none()),
        "tags": TAGS,
        "customAttributes": CUSTOM,
        "contactInformation": CONTACTS,
        "unknownField": st.just("ignored"),
        "id": st.just(99),
    }
    for name, strategy in optional.items():
        if draw(st.integers(0, 2)) == 0:
            item[name] = draw(strategy)
    return item


def _fake(general_only: bool, monkeypatch: pytest.MonkeyPatch) -> FakeProfiles:
    attributes = [{"name": "Tier", "dataType": "STRING"}, {"name": "Score", "dataType": "INTEGER"}]
    return path_fake(general_only, monkeypatch, attributes)


def _state(fake: FakeProfiles) -> dict[str, Any]:
    engine = fake.tenant("k").persons
    engine.check_indexes()
    return {"people": fake.people(), "tags": fake.tags(), "state": fake.state()}


@pytest.mark.nonconforming  # broken items on purpose: only the answers are checked against the spec
@differential_settings(300)
@given(batches=upsert_batches(items(), 6))
def test_the_create_path_answers_and_stores_what_the_general_path_does(
    batches: list[tuple[str, list[Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        fast = _fake(False, patch)
        general = _fake(True, patch)
        for method, persons in batches:
            assert upsert(fast, method, persons) == upsert(general, method, persons)
            assert _state(fast) == _state(general)


def test_the_create_path_takes_the_common_item(monkeypatch: pytest.MonkeyPatch) -> None:
    """A valid new person is created by the one-pass path (not silently by the general one)."""
    fake = _fake(False, monkeypatch)
    taken = spy_create(fake, monkeypatch)
    persons = [
        {
            "externalId": "new-1",
            "firstName": "Ada",
            "type": "LEAD",
            "tags": ["vip", "fresh"],
            "customAttributes": {"tier": "gold", "score": None},
            "contactInformation": [
                {"type": "EMAIL", "identifier": "ada@x.com"},
                {"type": "PHONE", "identifier": "+41793026729"},
            ],
        },
        {"externalId": "seeded-1", "firstName": "Matched"},  # a match: the general path
    ]
    status, body = upsert(fake, "PATCH", persons)

    assert status == 207
    assert [r["status"] for r in body["results"]] == ["CREATED", "UPDATED"]
    assert taken[0] == body["results"][0]["id"]
    assert taken[1] is None
    stored = fake.person(taken[0])
    assert stored["type"] == "LEAD"
    assert stored["tags"] == ["VIP", "fresh"]  # an existing tag keeps its spelling
    assert stored["customAttributes"] == {"Tier": "gold"}
    assert [t["name"] for t in fake.tags()] == ["VIP", "fresh"]


def _emails(count: int, *, upper_copies: int = 0) -> list[dict[str, str]]:
    contacts = [{"type": "EMAIL", "identifier": f"p{i}@x.com"} for i in range(count)]
    contacts += [{"type": "EMAIL", "identifier": f"P{i}@X.COM"} for i in range(upper_copies)]
    return contacts


@pytest.mark.parametrize(
    "item",
    [
        pytest.param({"externalId": "n", "contactInformation": _emails(100)}, id="100-emails"),
        pytest.param({"externalId": "n", "contactInformation": _emails(101)}, id="101-emails"),
        pytest.param(
            {"externalId": "n", "contactInformation": _emails(100, upper_copies=5)},
            id="105-emails-100-distinct",
        ),
        pytest.param(
            {
                "contactInformation": [
                    {"type": "PHONE", "identifier": f"4179302{i:04d}"} for i in range(101)
                ]
            },
            id="101-phones",
        ),
        pytest.param({"firstName": "No identity"}, id="no-identity"),
        pytest.param({"externalId": "", "contactInformation": []}, id="empty-identity"),
    ],
)
def test_contact_limits_and_identity_agree(
    item: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _fake(False, monkeypatch)
    general = _fake(True, monkeypatch)

    assert upsert(fast, "PATCH", [item]) == upsert(general, "PATCH", [item])
    assert _state(fast) == _state(general)
