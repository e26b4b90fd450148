"""The persons list answers a tag condition or an equality on an indexed standard field from an
index instead of examining every person; the answer must be exactly the scan's.

A differential property test compares the indexed path with the plain scan (the same engine with
its indexes turned off) over random persons, random writes and random filters: same persons, same
order under every ``orderBy``, same paging, same totals, including how tags and emails ignore case.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infobip_profiles.testing import FakeProfiles
from infobip_profiles.testing.engine._domain import DomainError
from infobip_profiles.testing.engine.persons import PersonsEngine, _Person
from infobip_profiles.testing.engine.query import index_terms
from tests._support.wire import Wire

PERSONS = "/people/2/persons"

NAMES = ["Ada", "ada", "Bob", "Ćiro"]
CITIES = ["Zagreb", "zagreb", "Split"]
COUNTRIES = ["Croatia", "Spain"]
TAGS = ["VIP", "vip", "Beta", "straße"]
EMAILS = ["a@x.com", "A@X.com", "b@x.com", "c@x.com", "d@x.com"]
PHONES = ["41793026721", "+41793026722", "41793026723"]
EXTERNAL = ["e1", "e2", "E1", "e3"]


@st.composite
def bodies(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name, options in (
        ("firstName", NAMES),
        ("lastName", NAMES),
        ("city", CITIES),
        ("country", COUNTRIES),
        ("gender", ["MALE", "FEMALE"]),
        ("type", ["CUSTOMER", "LEAD"]),
    ):
        if draw(st.booleans()):
            body[name] = draw(st.sampled_from(options))
    if draw(st.booleans()):
        body["externalId"] = draw(st.sampled_from(EXTERNAL))
    if draw(st.booleans()):
        body["tags"] = draw(st.lists(st.sampled_from(TAGS), max_size=2))
    contacts: dict[str, Any] = {}
    if draw(st.booleans()):
        contacts["email"] = [{"address": draw(st.sampled_from(EMAILS))}]
    if draw(st.booleans()):
        contacts["phone"] = [{"number": draw(st.sampled_from(PHONES))}]
    if contacts:
        body["contactInformation"] = contacts
    return body


def leaf() -> st.SearchStrategy[dict[str, Any]]:
    eq_fields = {
        "firstName": NAMES,
        "lastName": NAMES,
        "city": CITIES,
        "country": COUNTRIES,
        "gender": ["MALE", "FEMALE"],
        "type": ["CUSTOMER", "LEAD"],
        "externalId": EXTERNAL,
        "email": [*EMAILS, "A@x.COM"],
        "phone": [*PHONES, "+41793026721"],
    }
    eq = st.sampled_from(sorted(eq_fields)).flatmap(
        lambda f: st.sampled_from(eq_fields[f]).flatmap(
            lambda v: st.sampled_from([{f: v}, {"#eq": {f: v}}, {"#ne": {f: v}}])
        )
    )
    tag = st.sampled_from([*TAGS, "STRASSE", "beta"]).flatmap(
        lambda t: st.sampled_from([{"#contains": {"tags": t}}, {"#notContain": {"tags": t}}])
    )
    other = st.sampled_from(
        [
            {"#startsWith": {"firstName": "A"}},
            {"#in": {"city": ["Zagreb", "Split"]}},
            {"#exists": "tags"},
            {"#notExist": "lastName"},
        ]
    )
    return st.one_of(eq, tag, other)


filters = st.recursive(
    leaf(),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda c: {"#and": c}),
        st.lists(inner, min_size=1, max_size=3).map(lambda c: {"#or": c}),
    ),
    max_leaves=5,
)


def populate(fake: FakeProfiles, data: st.DataObject) -> PersonsEngine:
    engine = fake.tenant().persons
    people = data.draw(st.lists(bodies(), min_size=5, max_size=30), label="people")
    for i, body in enumerate(people):
        with contextlib.suppress(DomainError):
            engine.create({"externalId": f"x{i}", **body})
    # Writes to stored persons: values change, tags come and go, persons leave.
    for _ in range(data.draw(st.integers(0, 8), label="writes")):
        ids = engine.ids()
        if not ids:
            break
        pid = data.draw(st.sampled_from(ids))
        action = data.draw(st.sampled_from(["patch", "tag", "untag", "delete", "merge"]))
        try:
            if action == "patch":
                engine.update(pid, data.draw(bodies()))
            elif action == "tag":
                name = data.draw(st.sampled_from(TAGS))
                fake.tenant().tags.ensure([name])
                engine.add_tag(pid, fake.tenant().tags.canonical([name])[0])
            elif action == "untag":
                engine.remove_tag(pid, data.draw(st.sampled_from(TAGS)))
            elif action == "delete":
                engine.delete(pid)
            elif len(ids) > 1:
                engine.merge(ids[-1], [pid])
        except DomainError:
            pass
    if data.draw(st.booleans(), label="delete a tag"):
        with contextlib.suppress(DomainError):
            fake.tenant().tags.delete(data.draw(st.sampled_from(TAGS)))
    engine.check_indexes()
    return engine


def scanned(engine: PersonsEngine, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> Any:
    with monkeypatch.context() as patch:
        patch.setattr(engine, "_candidates", lambda decoded: None)
        return engine.page(**kwargs, with_total=True)


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data(), query=filters)
def test_the_indexed_page_is_the_scanned_page(
    data: st.DataObject, query: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = populate(FakeProfiles("k"), data)
    text = json.dumps(query)
    order_by = data.draw(
        st.sampled_from([None, "firstName:asc", "lastName:desc", "createdAt:desc", "modifiedAt"])
    )
    page, limit = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 5))
    with_total = data.draw(st.booleans())
    kwargs = {"filter_json": text, "order_by": order_by, "page": page, "limit": limit}
    items, total = engine.page(**kwargs, with_total=with_total)
    want_items, want_total = scanned(engine, monkeypatch, **kwargs)
    assert items == want_items
    if with_total or order_by:
        assert total == want_total
    with monkeypatch.context() as patch:
        patch.setattr(engine, "_candidates", lambda decoded: None)
        want_ids = engine.matching(text)
    assert engine.matching(text) == want_ids


def test_terms_come_only_from_the_top_level_conjunction() -> None:
    assert index_terms({"#contains": {"tags": "VIP"}}) == [("tags", "VIP")]
    assert index_terms(
        {"#and": [{"city": "Zagreb"}, {"#and": [{"#eq": {"email": "A@x.com"}}]}, {"#ne": {"x": 1}}]}
    ) == [("city", "Zagreb"), ("email", "A@x.com")]
    assert index_terms({"#or": [{"city": "Zagreb"}, {"city": "Split"}]}) == []
    assert index_terms({"#ne": {"city": "Zagreb"}}) == []
    assert index_terms({"#contains": {"firstName": "A"}}) == []
    assert index_terms({"birthDate": "1990-01-01"}) == []


def test_an_index_narrows_what_is_examined(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeProfiles("k")
    engine = fake.tenant().persons
    for i in range(200):
        engine.create({"externalId": f"e{i}", "tags": ["rare"] if i in (7, 150) else []})
    examined: list[int] = []
    real = _Person.getter

    def counting(person: Any, field: str) -> Any:
        examined.append(person.id)
        return real(person, field)

    monkeypatch.setattr(_Person, "getter", counting)
    items, _ = engine.page(filter_json='{"#contains":{"tags":"RARE"}}', with_total=False)
    assert [p["id"] for p in items] == [8, 151]
    assert list(dict.fromkeys(examined)) == [8, 151]
    examined.clear()
    engine.page(filter_json='{"#startsWith":{"externalId":"e1"}}', limit=2, with_total=False)
    # No index: a scan, stopped once the page is full.
    assert list(dict.fromkeys(examined)) == list(range(1, 12))


@pytest.mark.parametrize("total", ["true", "false"])
def test_an_indexed_filter_over_the_api(wire: Wire, total: str) -> None:
    wire.fake.seed(
        people=[
            {"externalId": f"e{i}", "city": "Zagreb" if i % 3 else "Split", "tags": ["VIP"]}
            for i in range(10)
        ]
    )
    query = {"#and": [{"#contains": {"tags": "vip"}}, {"city": "Split"}]}
    params = {"filter": json.dumps(query), "limit": "2", "page": "2", "includeTotalCount": total}
    body = wire.get(PERSONS, params=params).json()
    assert [p["externalId"] for p in body["persons"]] == ["e6", "e9"]
    assert ("totalCount" in body) is (total == "true")
    if total == "true":
        assert body["totalCount"] == 4


def test_emails_and_tags_ignore_case_through_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = FakeProfiles("k").tenant().persons
    engine.create(
        {
            "externalId": "a",
            "tags": ["VIP"],
            "contactInformation": {"email": [{"address": "Ada@X.com"}]},
        }
    )
    engine.create(
        {"externalId": "b", "contactInformation": {"phone": [{"number": "+41793026721"}]}}
    )
    # An identity another product stored: its lower() is not its casefold().
    odd = engine.create_profile(identity={"type": "EMAIL", "identifier": "\u017fam@x.com"})
    engine.check_indexes()
    for query, want in (
        ({"email": "ADA@x.COM"}, ["a"]),
        ({"#contains": {"tags": "vip"}}, ["a"]),
        ({"phone": "+41793026721"}, ["b"]),
        ({"phone": "41793026721"}, []),
        ({"externalId": "A"}, []),
    ):
        items, _ = engine.page(filter_json=json.dumps(query), with_total=False)
        assert [p.get("externalId") for p in items] == want, query
        assert items == scanned(engine, monkeypatch, filter_json=json.dumps(query))[0]
    assert engine.matching({"email": "sam@x.com"}) == [odd]
    engine.delete(odd)
    engine.check_indexes()
    assert engine.matching({"email": "sam@x.com"}) == []
