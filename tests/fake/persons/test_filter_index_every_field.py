"""Every field the persons engine indexes for filters, indexed path against a scan.

The list of indexed equality fields is read from the query module (``_INDEXED_EQ``), plus tags'
``#contains``: a field indexed later with no way below to store a value in it fails the first test.
For each, random persons hold values from a small pool (in varying case where the filter ignores
case), and an equality on it (alone, inside ``#and`` with another indexed condition, or beside a
condition the index cannot answer) must list exactly the persons, in the order and with the total,
that the same engine gives with its indexes turned off.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infobip_profiles.testing import FakeProfiles
from infobip_profiles.testing.engine._domain import DomainError
from infobip_profiles.testing.engine.persons import PersonsEngine
from infobip_profiles.testing.engine.query import _INDEXED_EQ

#: How a value of each indexed field is stored on a person (v2 create body), and its value pool.
STORE: dict[str, tuple[Callable[[str], dict[str, Any]], list[str]]] = {
    "firstName": (lambda v: {"firstName": v}, ["Ada", "ada", "Ćiro"]),
    "lastName": (lambda v: {"lastName": v}, ["Lovelace", "LOVELACE", "Ng"]),
    "city": (lambda v: {"city": v}, ["Zagreb", "zagreb", "Split"]),
    "country": (lambda v: {"country": v}, ["Croatia", "Spain"]),
    "type": (lambda v: {"type": v}, ["CUSTOMER", "LEAD"]),
    "gender": (lambda v: {"gender": v}, ["MALE", "FEMALE"]),
    "externalId": (lambda v: {"externalId": v}, ["e1", "E1", "e2"]),
    "email": (
        lambda v: {"contactInformation": {"email": [{"address": v}]}},
        ["a@x.com", "A@X.COM", "b@x.com"],
    ),
    "phone": (
        lambda v: {"contactInformation": {"phone": [{"number": v}]}},
        ["41793026721", "41793026722"],
    ),
    "tags": (lambda v: {"tags": [v]}, ["VIP", "vip", "straße"]),
}


def test_every_indexed_field_has_a_way_to_store_a_value() -> None:
    assert set(_INDEXED_EQ) | {"tags"} == set(STORE)


def _condition(field: str, value: str) -> dict[str, Any]:
    return {"#contains": {"tags": value}} if field == "tags" else {field: value}


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dict[str, Any], str | None]:
    fields = sorted(STORE)
    people = []
    for i in range(draw(st.integers(3, 25))):
        body: dict[str, Any] = {"externalId": f"x{i}"}
        for field in draw(st.lists(st.sampled_from(fields), max_size=3, unique=True)):
            store, pool = STORE[field]
            extra = store(draw(st.sampled_from(pool)))
            if "contactInformation" in extra and "contactInformation" in body:
                body["contactInformation"].update(extra["contactInformation"])
            else:
                body.update(extra)
        people.append(body)
    field = draw(st.sampled_from(fields))
    query: dict[str, Any] = _condition(field, draw(st.sampled_from(STORE[field][1])))
    shape = draw(st.sampled_from(["alone", "and indexed", "and scanned"]))
    if shape == "and indexed":
        other = draw(st.sampled_from(fields))
        query = {"#and": [query, _condition(other, draw(st.sampled_from(STORE[other][1])))]}
    elif shape == "and scanned":
        query = {"#and": [{"#exists": "lastName"}, query]}
    order = draw(st.sampled_from([None, "createdAt:desc", "firstName:asc", "lastName:desc"]))
    return people, query, order


def _page(engine: PersonsEngine, query: dict[str, Any], order: str | None) -> Any:
    return engine.page(filter_json=json.dumps(query), order_by=order, limit=7, with_total=True)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(case=cases())
def test_an_equality_on_any_indexed_field_lists_what_a_scan_lists(
    case: tuple[list[dict[str, Any]], dict[str, Any], str | None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people, query, order = case
    fake = FakeProfiles()
    engine = fake.tenant().persons
    fake.tenant().tags.ensure(list(STORE["tags"][1]))
    for body in people:
        if "tags" in body:
            body["tags"] = fake.tenant().tags.canonical(body["tags"])
        with contextlib.suppress(DomainError):  # an identifier another person holds
            engine.create(body)
    engine.check_indexes()

    indexed = _page(engine, query, order)
    with monkeypatch.context() as patch:
        patch.setattr(engine, "_candidates", lambda decoded: None)
        scanned = _page(engine, query, order)

    assert indexed == scanned
