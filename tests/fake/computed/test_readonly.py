"""Computed attributes are read-only everywhere: every person write naming one is a 400 naming
the attribute, in the operation's own error envelope, and changes nothing; a custom attribute
cannot take a computed attribute's name, nor the other way round.

Over the wire, in-process and over loopback HTTP (``wire``), and through the client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from infobip_profiles import AsyncProfilesClient, Person, PersonRef, ProfilesClient
from infobip_profiles.errors import BadRequestError, ValidationError
from infobip_profiles.testing import FakeProfiles, SeedError
from infobip_profiles.testing.engine.persons import PersonsEngine
from tests._support.persons import BATCH, MERGE, PERSONS, UPSERT
from tests._support.wire import Wire, service_exception

NAME = "totalSpend"
EMAIL = "ada@example.com"
ADA = {"identifier": EMAIL, "type": "EMAIL"}
CART = {
    "definitionId": "AddedToCart",
    "title": "Added to cart",
    "fields": [{"name": "price", "type": "Decimal"}],
}


@pytest.fixture(autouse=True)
def computed(fake: FakeProfiles) -> None:
    """A person (Ada), a list attribute, and the computed attribute ``totalSpend``."""
    fake.tenant().events.create_definition(dict(CART))
    fake.define_computed_attribute(NAME, "AddedToCart", "sum", "price")
    fake.seed(
        custom_attributes=[
            {"name": "plan", "dataType": "STRING"},
            {"name": "orders", "dataType": "LIST_OF_OBJECTS", "objectSchema": {"sku": "STRING"}},
        ],
        people=[{"firstName": "Ada", "contactInformation": {"email": [{"address": EMAIL}]}}],
    )


def read_only_message(text: str, name: str = NAME) -> None:
    assert name in text
    assert "read-only" in text


def v2_refusal(response: httpx.Response, name: str = NAME) -> None:
    assert response.status_code == 400, response.text
    errors = service_exception(response)["validationErrors"]
    assert list(errors) == [f"customAttributes.{name}"]
    read_only_message(errors[f"customAttributes.{name}"][0], name)


def v3_refusal(response: httpx.Response) -> None:
    assert response.status_code == 207, response.text
    body = response.json()
    assert body["results"] == []
    [error] = body["errors"]
    assert error["code"] == 400100
    [detail] = error["details"]
    assert detail["property"] == f"persons[0].customAttributes.{NAME}"
    read_only_message(detail["message"])


def v3_person(**custom: Any) -> dict[str, Any]:
    return {
        "contactInformation": [{"type": "EMAIL", "identifier": EMAIL}],
        "customAttributes": custom,
    }


# -- the v2 person writes ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [5, None, "x"], ids=["number", "null", "text"])
def test_create_naming_a_computed_attribute_is_400(
    wire: Wire, fake: FakeProfiles, value: Any
) -> None:
    before = fake.people()
    response = wire.post(
        PERSONS,
        json={
            "contactInformation": {"phone": [{"number": "41793026727"}]},
            "customAttributes": {NAME: value},
        },
    )
    v2_refusal(response)
    assert fake.people() == before


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_put_and_patch_naming_a_computed_attribute_are_400(
    wire: Wire, fake: FakeProfiles, method: str
) -> None:
    before = fake.people()
    body = {
        "firstName": "Augusta",
        "contactInformation": {"email": [{"address": EMAIL}]},
        "customAttributes": {"plan": "gold", "TOTALSPEND": 1},
    }
    response = wire.request(method, PERSONS, params=ADA, json=body)
    v2_refusal(response, "TOTALSPEND")
    assert fake.people() == before


def test_batch_create_and_update_items_naming_it_fail_alone(wire: Wire, fake: FakeProfiles) -> None:
    created = wire.post(
        BATCH,
        json={
            "people": [
                {"contactInformation": {"email": [{"address": "b@x.com"}]}},
                {
                    "contactInformation": {"email": [{"address": "c@x.com"}]},
                    "customAttributes": {NAME: 1},
                },
            ]
        },
    )
    updated = wire.patch(
        BATCH, json={"people": [{"query": ADA, "update": {"customAttributes": {NAME: 2}}}]}
    )

    assert created.status_code == 207
    [failure] = created.json()["results"]
    assert failure["index"] == 1
    assert failure["status"] == 400
    read_only_message(failure["errors"][0]["message"])
    assert updated.status_code == 207
    [failure] = updated.json()["results"]
    read_only_message(failure["errors"][0]["message"])
    assert {p["contactInformation"]["email"][0]["address"] for p in fake.people()} == {
        EMAIL,
        "b@x.com",
    }
    assert all(NAME not in p["customAttributes"] for p in fake.people())


# -- the v3 calls ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_upsert_items_naming_it_are_400100(wire: Wire, fake: FakeProfiles, method: str) -> None:
    before = fake.people()
    v3_refusal(wire.request(method, UPSERT, json={"persons": [v3_person(totalSpend=3)]}))
    assert fake.people() == before


def test_an_upsert_creating_a_person_with_it_is_400100(wire: Wire, fake: FakeProfiles) -> None:
    item = {
        "contactInformation": [{"type": "EMAIL", "identifier": "new@x.com"}],
        "customAttributes": {NAME: 3},
    }
    v3_refusal(wire.put(UPSERT, json={"persons": [item]}))
    assert len(fake.people()) == 1


def test_merge_items_naming_it_are_400100(wire: Wire, fake: FakeProfiles) -> None:
    before = fake.people()
    v3_refusal(wire.post(MERGE, json={"persons": [v3_person(totalSpend=None)]}))
    assert fake.people() == before


def test_the_one_pass_create_path_agrees_with_the_general_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fast create path declines an item naming a computed attribute; the general path
    refuses it: both fakes answer and store the same."""

    def run(fake: FakeProfiles) -> tuple[Any, ...]:
        fake.clock.freeze()
        fake.tenant().events.create_definition(dict(CART))
        fake.define_computed_attribute(NAME, "AddedToCart", "sum", "price")
        fake.seed(custom_attributes=[{"name": "plan", "dataType": "STRING"}])
        client = httpx.Client(
            transport=fake.transport(),
            base_url="https://fake.api.infobip.com",
            headers={"Authorization": "App test-key"},
        )
        items = [
            {"externalId": "a", "customAttributes": {"plan": "gold"}},
            {"externalId": "b", "customAttributes": {"plan": "gold", NAME: 1}},
            {"externalId": "c", "customAttributes": {"totalspend": None}},
        ]
        response = client.put(UPSERT, json={"persons": items})
        return response.status_code, response.json(), fake.people()

    shipped = run(FakeProfiles("test-key"))
    declining: Callable[..., Any] = lambda self, item: None  # noqa: E731
    monkeypatch.setattr(PersonsEngine, "_v3_create", declining)
    general = run(FakeProfiles("test-key"))
    assert shipped == general
    assert [r["index"] for r in shipped[1]["results"]] == [0]


# -- lists and append ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", f"/people/3/lists/{NAME}", [{"sku": "A"}]),
        ("PATCH", f"/people/3/lists/{NAME}", [{"__id": "x", "sku": "A"}]),
        ("POST", f"/people/3/lists/{NAME}/items", [{"sku": "A"}]),
        ("DELETE", "/people/3/lists", None),
    ],
    ids=["replace", "update", "append", "delete-lists"],
)
def test_list_writes_naming_it_are_400_in_the_lists_envelope(
    wire: Wire, fake: FakeProfiles, method: str, path: str, body: Any
) -> None:
    before = fake.people()
    params = {**ADA, "listNames": NAME} if body is None else ADA
    kwargs: dict[str, Any] = {"params": params}
    if body is not None:
        kwargs["json"] = body
    response = wire.request(method, path, **kwargs)
    assert response.status_code == 400
    assert response.json()["errorCode"] == 300109
    read_only_message(response.json()["message"])
    assert fake.people() == before


def test_append_naming_it_is_a_v2_400(wire: Wire, fake: FakeProfiles) -> None:
    before = fake.people()
    response = wire.post(f"/people/2/customAttributes/{NAME}/append", params=ADA, json={"sku": "A"})
    assert response.status_code == 400
    errors = service_exception(response)["validationErrors"]
    read_only_message(errors[NAME][0])
    assert fake.people() == before


def test_reading_a_person_still_shows_it(wire: Wire) -> None:
    person = wire.get(PERSONS, params=ADA).json()
    assert person["computedAttributes"] == {NAME: 0}


# -- push login ------------------------------------------------------------------------------------


def test_a_login_writing_it_is_refused(wire: Wire, fake: FakeProfiles) -> None:
    reg = fake.register_device(app_code="app-1")
    before = fake.people()
    response = wire.post(
        f"/people/2/contactInformation/push/{reg}/personalize",
        headers={"AppCode": "app-1"},
        json={"identity": {"email": "new@x.com"}, "attributes": {"customAttributes": {NAME: 1}}},
    )
    assert response.status_code == 400
    assert response.json()["errorCode"] == 48014
    read_only_message(response.json()["errorMessage"])
    assert fake.people() == before


# -- names are shared between custom and computed attributes ---------------------------------------


@pytest.mark.parametrize("name", [NAME, "TotalSpend"])
def test_a_custom_attribute_cannot_take_a_computed_name(
    wire: Wire, fake: FakeProfiles, name: str
) -> None:
    response = wire.post("/people/2/customAttributes", json={"name": name, "dataType": "DECIMAL"})
    assert response.status_code == 400
    assert "Duplicate" in service_exception(response)["text"]
    assert [d["name"] for d in fake.custom_attributes()] == ["plan", "orders"]


def test_a_seeded_custom_attribute_cannot_take_a_computed_name(fake: FakeProfiles) -> None:
    with pytest.raises(SeedError, match=r"custom_attributes\[0\].*Duplicate"):
        fake.seed(custom_attributes=[{"name": NAME, "dataType": "DECIMAL"}])


def test_a_computed_attribute_cannot_take_a_custom_name(fake: FakeProfiles) -> None:
    with pytest.raises(ValueError, match="already a custom attribute"):
        fake.define_computed_attribute("PLAN", "AddedToCart", "count")
    assert fake.tenant().events.computed_names() == [NAME]


def test_the_control_plane_refuses_a_computed_custom_name(wire: Wire) -> None:
    response = wire.post(
        "/_fake/computed-attributes",
        json={"name": "plan", "definitionId": "AddedToCart", "aggregation": "count"},
    )
    assert response.status_code == 400
    assert "custom attribute" in response.json()["error"]


# -- through the client ----------------------------------------------------------------------------
# The client may refuse such a write before sending it (a ValidationError) or pass on the fake's
# 400 (a BadRequestError); either way nothing is written.


def test_client_update_naming_it_is_refused(client: ProfilesClient, fake: FakeProfiles) -> None:
    with pytest.raises((BadRequestError, ValidationError)) as info:
        client.people.update(PersonRef.email(EMAIL), Person(custom_attributes={NAME: 1}))
    assert NAME in str(info.value)
    assert NAME not in fake.people()[0]["customAttributes"]


async def test_async_client_update_naming_it_is_refused(
    aclient: AsyncProfilesClient, fake: FakeProfiles
) -> None:
    with pytest.raises((BadRequestError, ValidationError)) as info:
        await aclient.people.update(PersonRef.email(EMAIL), Person(custom_attributes={NAME: 1}))
    assert NAME in str(info.value)
    assert NAME not in fake.people()[0]["customAttributes"]
