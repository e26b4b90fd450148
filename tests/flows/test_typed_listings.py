"""The listings through the real clients give the same pages with the typed path as without it.

``people.list``, ``companies.list`` and ``custom_attributes.list`` may decode a page with msgspec
straight into typed mirrors of the models. Against the fake (sync and async, in-process and over
loopback HTTP) every page, every item (class, repr, fields set, nested models), every count and
``first_page()`` must be what the general path gives when the typed path is turned off; and the
typed path must really be the one that decoded the fake's own answers. Hostile answers (wrong
shapes, missing ids, nulls) must raise the same error, or give the same page, either way.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import pytest

import infobip_profiles._plan as plan_module
import infobip_profiles._typed as typed_module
import infobip_profiles.pagination as pagination_module
from infobip_profiles import AsyncProfilesClient, ProfilesClient
from infobip_profiles._converter import Model
from infobip_profiles.filters import F, tags
from infobip_profiles.models import CustomAttribute, StoredCompany, StoredPerson
from infobip_profiles.testing import FakeProfiles
from tests._support.mock_transport import answering, mock_client

ATTRIBUTES = [
    {"name": "tier", "dataType": "STRING"},
    {"name": "balance", "dataType": "DECIMAL"},
    {"name": "since", "dataType": "DATE"},
    {"name": "vip", "dataType": "BOOLEAN"},
    {
        "name": "cart",
        "dataType": "LIST_OF_OBJECTS",
        "objectSchema": {"sku": "STRING", "n": "INTEGER"},
    },
]
COMPANIES = [
    {"name": "Acme", "domains": ["acme.example"], "tags": ["Partner"], "industry": "Retail"},
    {"name": "Globex", "region": "EMEA", "customerStage": "Lead"},
    {"name": "Initech"},
]
PEOPLE = [
    {
        "externalId": "ada",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "type": "LEAD",
        "gender": "FEMALE",
        "birthDate": "1815-12-10",
        "city": "London",
        "country": "GB",
        "tags": ["vip", "early"],
        "customAttributes": {
            "tier": "gold",
            "balance": Decimal("19.90"),
            "since": "2020-05-06",
            "vip": True,
            "cart": [{"sku": "a-1", "n": 2}],
        },
        "contactInformation": {
            "email": [{"address": "ada@example.com"}, {"address": "a.l@example.com"}],
            "phone": [{"number": "41793026727"}],
        },
    },
    {"externalId": "bob", "firstName": "Bob", "city": "London", "customAttributes": {"tier": "x"}},
    {"externalId": "cy", "firstName": "Cy", "middleName": "Q", "city": "Paris"},
    {
        "externalId": "di",
        "lastName": "Di",
        "contactInformation": {"email": [{"address": "di@example.com"}]},
    },
    {
        "externalId": "ed",
        "firstName": "Ed",
        "nickName": "E",
        "preferredLanguage": "en",
        "address": "1 Road",
    },
    {
        "externalId": "fay",
        "firstName": "Fay",
        "tags": ["vip"],
        "customAttributes": {"balance": Decimal("0.10")},
    },
    {"contactInformation": {"phone": [{"number": "41793026728"}]}, "firstName": "Gus"},
]


def _seed(fake: FakeProfiles) -> None:
    fake.seed(custom_attributes=ATTRIBUTES, companies=COMPANIES, people=PEOPLE)


def snapshot(value: Any) -> Any:
    """Everything a user could tell apart: classes all the way down, fields set, reprs."""
    if isinstance(value, Model):
        fields = attrs.fields(type(value))
        return (
            type(value),
            value.fields_set(),
            repr(value),
            [snapshot(getattr(value, f.name)) for f in fields],
        )
    if isinstance(value, list):
        return (list, [snapshot(v) for v in value])
    if isinstance(value, dict):
        return (dict, [(type(k), k, snapshot(v)) for k, v in value.items()])
    return (type(value), repr(value))


def _page(page: Any) -> Any:
    return (page.number, page.size, page.total, page.total_pages, snapshot(page.items), page.items)


class Spy:
    """What the typed path answered for each page the listings decoded."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answers: list[Any] = []
        real = plan_module.typed_page

        def spy(call: Any, response: Any) -> Any:
            page = real(call, response)
            self.answers.append(page)
            return page

        monkeypatch.setattr(pagination_module, "typed_page", spy)

    @property
    def typed(self) -> int:
        return sum(page is not None for page in self.answers)


def _disable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(typed_module, "page_decoder", lambda *args, **kwargs: None)


_LISTINGS: list[tuple[str, Callable[[Any], Any]]] = [
    ("people", lambda c: c.people.list(page_size=3)),
    ("people by name", lambda c: c.people.list(order_by="firstName:desc", page_size=4)),
    ("people, one full page", lambda c: c.people.list(page_size=7)),
    ("londoners", lambda c: c.people.list(filter=F("city") == "London", page_size=1)),
    ("vips", lambda c: c.people.list(filter=tags.contains("vip"), page_size=100)),
    ("nobody", lambda c: c.people.list(filter=F("city") == "Nowhere")),
    ("companies", lambda c: c.companies.list(page_size=2)),
    ("companies by name", lambda c: c.companies.list(order_by="name", page_size=100)),
    ("attributes", lambda c: c.custom_attributes.list(page_size=2)),
    ("attributes, one page", lambda c: c.custom_attributes.list(page_size=100)),
]


def _read(client: ProfilesClient) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, make in _LISTINGS:
        out[name] = [_page(page) for page in make(client).pages()]
        out[name + " (first page)"] = _page(make(client).first_page())
        out[name + " (items)"] = snapshot(make(client).to_list())
    return out


async def _aread(client: AsyncProfilesClient) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, make in _LISTINGS:
        out[name] = [_page(page) async for page in make(client).pages()]
        out[name + " (first page)"] = _page(await make(client).first_page())
        out[name + " (items)"] = snapshot(await make(client).to_list())
    return out


def _check(typed: dict[str, Any], general: dict[str, Any]) -> None:
    assert typed.keys() == general.keys()
    for name in typed:
        assert typed[name] == general[name], name
    people = [p for page in typed["people"] for p in page[-1]]
    assert len(people) == len(PEOPLE)
    assert {type(p) for p in people} == {StoredPerson}
    assert [len(page[-1]) for page in typed["people"]] == [3, 3, 1]
    # a last page exactly full: the empty page after it ends the listing
    assert [len(page[-1]) for page in typed["people, one full page"]] == [7]
    assert [(page[0], page[2]) for page in typed["attributes"]] == [(1, 5), (2, 5), (3, 5)]
    assert [p.external_id for page in typed["londoners"] for p in page[-1]] == ["ada", "bob"]
    assert len([p for page in typed["vips"] for p in page[-1]]) == 2
    assert typed["nobody"] == []
    companies = [c for page in typed["companies"] for c in page[-1]]
    assert sorted(c.name for c in companies) == ["Acme", "Globex", "Initech"]
    assert {type(c) for c in companies} == {StoredCompany}
    attributes = [a for page in typed["attributes"] for a in page[-1]]
    assert {type(a) for a in attributes} == {CustomAttribute}
    assert {a.name for a in attributes} >= {"tier", "balance", "cart"}
    ada = next(p for p in people if p.external_id == "ada")
    assert str(ada.custom_attributes["balance"]) == "19.90"
    assert ada.contact_information is not None
    assert ada.contact_information.fields_set() >= {"email", "phone"}
    emails = ada.contact_information.email
    assert emails is not None
    assert [e.fields_set() for e in emails] == [{"address"}, {"address"}]


def test_sync_listings_are_the_same_with_the_typed_path(
    client: ProfilesClient, fake: FakeProfiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(fake)
    spy = Spy(monkeypatch)

    typed = _read(client)
    # the fake's own answers are decoded by the typed path, every one of them
    assert spy.typed == len(spy.answers) > 0

    _disable(monkeypatch)
    spy.answers.clear()
    general = _read(client)
    assert spy.typed == 0
    assert spy.answers

    _check(typed, general)


async def test_async_listings_are_the_same_with_the_typed_path(
    aclient: AsyncProfilesClient, fake: FakeProfiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(fake)
    spy = Spy(monkeypatch)

    typed = await _aread(aclient)
    assert spy.typed == len(spy.answers) > 0

    _disable(monkeypatch)
    spy.answers.clear()
    general = await _aread(aclient)
    assert spy.typed == 0

    _check(typed, general)


def test_the_typed_items_are_the_stored_ones(
    client: ProfilesClient, fake: FakeProfiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(fake)
    spy = Spy(monkeypatch)

    listed = {p.id: p for p in client.people.list(page_size=100)}
    assert spy.typed == 1

    from infobip_profiles import PersonRef

    for person_id, person in listed.items():
        # a single get decodes by the general path: the same object
        fetched = client.people.get(PersonRef.id(person_id))
        assert snapshot(person) == snapshot(fetched)
        # and what a listed person sends back is what a fetched one sends
        from infobip_profiles._converter import to_wire

        assert to_wire(person) == to_wire(fetched)


# -- hostile answers -----------------------------------------------------------------------------


def _outcome(kind: str, body: bytes, listing: str) -> Any:
    async def run_async(client: AsyncProfilesClient) -> Any:
        async with client:
            pager = getattr(client, listing).list(page_size=5)
            first = await pager.first_page()
            return _page(first), snapshot(
                await getattr(client, listing).list(page_size=5).to_list()
            )

    def run_sync(client: ProfilesClient) -> Any:
        with client:
            pager = getattr(client, listing).list(page_size=5)
            first = pager.first_page()
            return _page(first), snapshot(getattr(client, listing).list(page_size=5).to_list())

    client = mock_client(kind, answering(body))
    try:
        if kind == "sync":
            return "value", run_sync(client)
        import asyncio

        return "value", asyncio.run(run_async(client))
    except Exception as exc:
        return "error", type(exc), str(exc)


_P = b'"tags": [], "customAttributes": {}'
HOSTILE: list[tuple[str, bytes]] = [
    ("people", b'{"persons": [{"firstName": "x"}]}'),
    ("people", b'{"persons": "x"}'),
    ("people", b"{}"),
    ("people", b"[]"),
    ("people", b"null"),
    ("people", b""),
    ("people", b"<html>busy</html>"),
    ("people", b'{"persons": [{"id": null}]}'),
    ("people", b'{"persons": [{"id": 1, "middleName": null}]}'),
    ("people", b'{"persons": [{"id": 1}]}'),
    ("people", b'{"persons": null}'),
    ("people", b'{"persons": [], "totalCount": 5}'),
    ("people", b'{"persons": [1, 2]}'),
    ("people", b'{"persons": [{"id": "7", ' + _P + b"}]}"),
    ("people", b'{"persons": [{"id": 7, "type": "ROBOT", ' + _P + b"}]}"),
    ("people", b'{"persons": [{"id": 7, "createdAt": "2026-01-02 03:04:05.5Z", ' + _P + b"}]}"),
    ("people", b'{"persons": [{"id": 7, "createdAt": "yesterday", ' + _P + b"}]}"),
    ("people", b'{"persons": [{"id": 7, "birthDate": "1990-01-02T00:00:00", ' + _P + b"}]}"),
    ("people", b'{"persons": [{"id": 7, ' + _P + b', "contactInformation": {"email": [{}]}}]}'),
    (
        "people",
        b'{"persons": [' + b",".join(b'{"id": %d, ' % i + _P + b"}" for i in range(6)) + b"]}",
    ),
    ("people", b'{"persons": [{"id": 7, ' + _P + b'}], "totalCount": 1, "totalCount": -1}'),
    (
        "people",
        b'{"persons": [{"id": 7, ' + _P + b'}], "paging": {"totalResults": 1, "totalPages": 1}}',
    ),
    ("people", b'{"persons": [{"id": 7, "id": null, ' + _P + b"}]}"),
    ("companies", b'{"companies": [{"id": 1}]}'),
    ("companies", b'{"companies": [{"name": "Acme"}]}'),
    ("companies", b'{"companies": [{"id": 1, "name": "Acme", "domains": null}]}'),
    ("companies", b'{"companies": [{"id": 1, "name": "Acme", "domains": ["a"]}], "totalCount": 1}'),
    ("companies", b'{"companies": {}}'),
    ("custom_attributes", b'{"customAttributes": [{"name": "a", "dataType": "NEW_KIND"}]}'),
    ("custom_attributes", b'{"customAttributes": [{"name": "a", "dataType": null}]}'),
    ("custom_attributes", b'{"customAttributes": [{"dataType": "STRING"}]}'),
    ("custom_attributes", b'{"customAttributes": [{"name": "a", "objectSchema": {"x": "ODD"}}]}'),
    ("custom_attributes", b'{"customAttributes": [{"name": "a", "dataType": "STRING"}]}'),
    ("custom_attributes", b"{}"),
    ("custom_attributes", b"[]"),
]


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    ("listing", "body"), HOSTILE, ids=[f"{n}-{i}" for i, (n, _) in enumerate(HOSTILE)]
)
def test_a_hostile_answer_gives_what_it_gave_without_the_typed_path(
    kind: str, listing: str, body: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed = _outcome(kind, body, listing)
    _disable(monkeypatch)
    general = _outcome(kind, body, listing)
    assert typed == general


def test_ordinary_answers_take_the_typed_path(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy(monkeypatch)
    body = b'{"persons": [{"id": 7, "firstName": "Ada", ' + _P + b'}], "totalCount": 1}'
    kind, (page, _) = _outcome("sync", body, "people")
    assert kind == "value"
    assert page[2] == 1
    assert spy.answers
    assert all(answer is not None for answer in spy.answers)
