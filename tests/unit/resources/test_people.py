"""The ``people`` resource on the wire: each method's request and the decoding of its response.

respx answers; every test runs against the sync and the async client (the ``client`` fixture).
"""

from __future__ import annotations

import copy
import inspect
import json
import pickle
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import attrs
import httpx
import pytest
import respx

from infobip_profiles import (
    AsyncProfilesClient,
    ContactInformation,
    IdentifierType,
    Person,
    PersonRef,
    ProfilesClient,
    ValidationError,
)
from infobip_profiles.errors import BadRequestError, ProfilesError
from infobip_profiles.models import (
    EmailContact,
    Gender,
    PersonType,
    PersonUpdate,
    PhoneContact,
    UpsertStatus,
)
from tests._support.client import (
    client_fixture,
    collect,
    last_request,
    resolve,
    router_fixture,
)

KEY = "test-key"
BASE = "https://acme.api.infobip.com"
PERSONS = f"{BASE}/people/2/persons"
STORED = {
    "id": 42,
    "externalId": "crm-1",
    "type": "CUSTOMER",
    "firstName": "Ada",
    "createdAt": "2024-01-02T03:04:05",
    "modifiedAt": "2024-02-03T04:05:06",
    "origin": "API",
}


client = client_fixture(KEY, BASE)
api = router_fixture()


def query(request: httpx.Request) -> list[tuple[str, str]]:
    return parse_qsl(request.url.query.decode(), keep_blank_values=True)


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


REF = PersonRef.external_id("crm-1")
REF_QUERY = [("identifier", "crm-1"), ("type", "EXTERNAL_ID")]


# -- get / list / count ------------------------------------------------------------------------


async def test_get_sends_identifier_and_type(client: Any, api: Any) -> None:
    route = api.get(PERSONS).respond(200, json=STORED)

    await resolve(client.people.get(REF))

    request = last_request(route)
    assert request.method == "GET"
    assert request.url.path == "/people/2/persons"
    assert query(request) == REF_QUERY
    assert request.content == b""


async def test_get_decodes_the_person(client: Any, api: Any) -> None:
    api.get(PERSONS).respond(200, json=STORED)

    person = await resolve(client.people.get(REF))

    assert person.id == 42
    assert person.external_id == "crm-1"
    assert person.type is PersonType.CUSTOMER
    assert person.created_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert person.last_name is None


@pytest.mark.parametrize(
    "stamp",
    [
        "2024-01-02T03:04:05",
        "2024-01-02T03:04:05.000Z",
        "2024-01-02T03:04:05.000+0000",
        "2024-01-02T05:04:05+02:00",
    ],
)
async def test_get_reads_every_timestamp_form_as_utc(client: Any, api: Any, stamp: str) -> None:
    api.get(PERSONS).respond(200, json={**STORED, "modifiedAt": stamp})

    person = await resolve(client.people.get(REF))

    assert person.modified_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


async def test_get_ignores_unknown_response_fields(client: Any, api: Any) -> None:
    api.get(PERSONS).respond(
        200,
        json={
            **STORED,
            "brandNewField": {"nested": [1, 2]},
            "contactInformation": {"email": [{"address": "a@b.co", "label": "work"}]},
        },
    )

    person = await resolve(client.people.get(REF))

    assert person.id == 42
    assert person.emails == ["a@b.co"]


async def test_get_keeps_an_unknown_enum_value_as_text(client: Any, api: Any) -> None:
    api.get(PERSONS).respond(200, json={**STORED, "gender": "OTHER", "origin": "NEW_SOURCE"})

    person = await resolve(client.people.get(REF))

    assert person.gender == "OTHER"
    assert person.origin == "NEW_SOURCE"


async def test_get_decodes_custom_attribute_values_exactly(client: Any, api: Any) -> None:
    content = (
        b'{"id":1,"birthDate":"1990-05-17","gender":"FEMALE",'
        b'"customAttributes":{"Balance":12.3400000000000000001,"Visits":7,"Vip":true,'
        b'"Plan":"gold","Orders":[{"sku":"A1","qty":2}]}}'
    )
    api.get(PERSONS).respond(200, content=content, headers={"Content-Type": "application/json"})

    person = await resolve(client.people.get(REF))

    assert person.birth_date == date(1990, 5, 17)
    assert person.gender is Gender.FEMALE
    assert person.custom_attributes == {
        "Balance": Decimal("12.3400000000000000001"),
        "Visits": 7,
        "Vip": True,
        "Plan": "gold",
        "Orders": [{"sku": "A1", "qty": 2}],
    }


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        (PersonRef.id(42), [("identifier", "42"), ("type", "ID")]),
        (PersonRef.email("a+b@x.co"), [("identifier", "a+b@x.co"), ("type", "EMAIL")]),
        (PersonRef.phone("41793026727"), [("identifier", "41793026727"), ("type", "PHONE")]),
        (
            PersonRef.channel(IdentifierType.LINE, "U4af/+ &=?#%x", sender="app 1&2"),
            [("identifier", "U4af/+ &=?#%x"), ("type", "LINE"), ("sender", "app 1&2")],
        ),
    ],
)
async def test_identifiers_survive_url_encoding(
    client: Any, api: Any, ref: PersonRef, expected: list[tuple[str, str]]
) -> None:
    route = api.get(PERSONS).respond(200, json=STORED)

    await resolve(client.people.get(ref))

    assert query(last_request(route)) == expected


async def test_unsafe_characters_are_percent_encoded(client: Any, api: Any) -> None:
    route = api.get(PERSONS).respond(200, json=STORED)

    await resolve(client.people.get(PersonRef.channel("LINE", "a+b c/d", sender="s")))

    raw = last_request(route).url.query.decode()
    assert raw == "identifier=a%2Bb%20c%2Fd&type=LINE&sender=s"


async def test_list_first_request_carries_filter_order_and_size(client: Any, api: Any) -> None:
    route = api.get(PERSONS).respond(200, json={"persons": []})

    pager = client.people.list(
        filter={"firstName": "Ada"}, order_by="modified_at:desc", page_size=50
    )
    await resolve(pager.first_page())

    assert query(last_request(route)) == [
        ("filter", '{"firstName":"Ada"}'),
        ("orderBy", "modifiedAt:desc"),
        ("page", "1"),
        ("limit", "50"),
    ]


@pytest.mark.parametrize("order_by", ["age:desc", "firstName:sideways", ""])
def test_list_rejects_an_unknown_order_before_any_request(
    client: Any, api: Any, order_by: str
) -> None:
    route = api.route().respond(200)

    with pytest.raises(ValidationError, match="order_by"):
        client.people.list(order_by=order_by)

    assert not route.called


@pytest.mark.parametrize("size", [0, 1001])
def test_list_rejects_a_page_size_out_of_range(client: Any, api: Any, size: int) -> None:
    route = api.route().respond(200)

    with pytest.raises(ValidationError, match="page_size"):
        client.people.list(page_size=size)

    assert not route.called


async def test_count_asks_for_the_total(client: Any, api: Any) -> None:
    route = api.get(PERSONS).respond(200, json={"persons": [STORED], "totalCount": 1234})

    total = await resolve(client.people.count(filter={"city": "Zagreb"}))

    assert total == 1234
    assert query(last_request(route)) == [
        ("filter", '{"city":"Zagreb"}'),
        ("page", "1"),
        ("limit", "1"),
        ("includeTotalCount", "true"),
    ]


# -- create / replace / update / delete --------------------------------------------------------


async def test_create_posts_only_the_fields_given(client: Any, api: Any) -> None:
    route = api.post(PERSONS).respond(200, json=STORED)
    person = Person(
        external_id="crm-1",
        first_name="Ada",
        birth_date=date(1990, 5, 17),
        gender=Gender.FEMALE,
        tags=["VIP"],
        custom_attributes={"Balance": Decimal("10.50"), "Renewal": date(2026, 1, 31)},
        contact_information=ContactInformation.of(emails=["ada@example.com"]),
    )

    created = await resolve(client.people.create(person))

    request = last_request(route)
    assert (request.method, request.url.path, query(request)) == ("POST", "/people/2/persons", [])
    assert request.headers["Content-Type"] == "application/json"
    assert body(request) == {
        "externalId": "crm-1",
        "firstName": "Ada",
        "birthDate": "1990-05-17",
        "gender": "FEMALE",
        "tags": ["VIP"],
        "customAttributes": {"Balance": 10.50, "Renewal": "2026-01-31"},
        "contactInformation": {"email": [{"address": "ada@example.com"}]},
    }
    assert b'"Balance":10.50' in request.content
    assert created.id == 42


async def test_create_refuses_read_only_fields_before_sending(client: Any, api: Any) -> None:
    route = api.post(PERSONS).respond(200, json=STORED)
    person = Person(
        id=7,
        external_id="crm-1",
        created_at=datetime(2024, 1, 1, tzinfo=timezone.utc),
        computed_attributes={"x": 1},
    )

    with pytest.raises(ValidationError, match="computed_attributes, created_at, id are read-only"):
        await resolve(client.people.create(person))

    assert not route.called


@pytest.mark.parametrize(
    "call",
    [
        lambda people, p: people.replace(REF, p),
        lambda people, p: people.update(REF, p),
        lambda people, p: people.create_many([Person(external_id="ok"), p]),
        lambda people, p: people.update_many([PersonUpdate(REF, p)]),
    ],
    ids=["replace", "update", "create_many", "update_many"],
)
async def test_every_person_write_refuses_a_read_only_field(
    client: Any, api: Any, call: Any
) -> None:
    route = api.route().respond(200, json=STORED)

    with pytest.raises(ValidationError, match="computed_attributes is read-only"):
        await resolve(call(client.people, Person(external_id="x", computed_attributes={})))

    assert not route.called


async def test_a_fetched_person_with_read_only_fields_is_sent_back_without_them(
    client: Any, api: Any
) -> None:
    api.get(PERSONS).respond(200, json={**STORED, "computedAttributes": {"Score": 3}})
    route = api.put(PERSONS).respond(200, json=STORED)
    person = await resolve(client.people.get(REF))

    await resolve(client.people.replace(REF, person))

    assert "computedAttributes" not in body(last_request(route))
    assert "id" not in body(last_request(route))


async def test_create_sends_datetimes_in_the_v2_form(client: Any, api: Any) -> None:
    route = api.post(PERSONS).respond(200, json=STORED)
    when = datetime(2024, 3, 4, 5, 6, 7, 890000, tzinfo=timezone.utc)

    await resolve(
        client.people.create(Person(external_id="crm-1", custom_attributes={"LastSeen": when}))
    )

    assert body(last_request(route)) == {
        "externalId": "crm-1",
        "customAttributes": {"LastSeen": "2024-03-04T05:06:07"},
    }


async def test_replace_puts_the_person_at_the_ref(client: Any, api: Any) -> None:
    route = api.put(PERSONS).respond(200, json=STORED)

    await resolve(client.people.replace(REF, Person(first_name="Ada", last_name="L")))

    request = last_request(route)
    assert request.method == "PUT"
    assert query(request) == REF_QUERY
    assert body(request) == {"firstName": "Ada", "lastName": "L"}


async def test_update_patches_only_what_was_given(client: Any, api: Any) -> None:
    route = api.patch(PERSONS).respond(200, json=STORED)

    await resolve(client.people.update(REF, Person(city="Split")))

    request = last_request(route)
    assert request.method == "PATCH"
    assert query(request) == REF_QUERY
    assert body(request) == {"city": "Split"}


@pytest.mark.nonconforming  # null / an unknown parameter: outside the spec on purpose
async def test_update_sends_null_for_an_explicit_none(client: Any, api: Any) -> None:
    route = api.patch(PERSONS).respond(200, json=STORED)

    await resolve(
        client.people.update(REF, Person(middle_name=None, custom_attributes={"Plan": None}))
    )

    assert body(last_request(route)) == {"middleName": None, "customAttributes": {"Plan": None}}


async def test_update_sends_a_field_assigned_after_construction(client: Any, api: Any) -> None:
    route = api.patch(PERSONS).respond(200, json=STORED)
    person = Person()
    person.country = "HR"

    await resolve(client.people.update(REF, person))

    assert body(last_request(route)) == {"country": "HR"}


async def test_delete_sends_the_ref_and_returns_none(client: Any, api: Any) -> None:
    route = api.delete(PERSONS).respond(200)

    result = await resolve(client.people.delete(PersonRef.id(42)))

    request = last_request(route)
    assert result is None
    assert query(request) == [("identifier", "42"), ("type", "ID")]
    assert request.content == b""


# -- contacts ------------------------------------------------------------------------------------

CONTACTS = ContactInformation.of(emails=["a@b.co"], phones=["41793026727"])
CONTACTS_WIRE = {
    "contactInformation": {"email": [{"address": "a@b.co"}], "phone": [{"number": "41793026727"}]}
}


@pytest.mark.parametrize(
    ("method", "verb"),
    [("set_contacts", "PUT"), ("add_contacts", "PATCH"), ("remove_contacts", "DELETE")],
)
async def test_contact_methods_send_the_contacts_to_the_ref(
    client: Any, api: Any, method: str, verb: str
) -> None:
    route = api.route(method=verb, url=f"{PERSONS}/contactInformation").respond(200, json=STORED)

    person = await resolve(getattr(client.people, method)(REF, CONTACTS))

    request = last_request(route)
    assert query(request) == REF_QUERY
    assert body(request) == CONTACTS_WIRE
    assert person.id == 42


async def test_contacts_with_only_emails_send_no_phone_key(client: Any, api: Any) -> None:
    route = api.patch(f"{PERSONS}/contactInformation").respond(200, json=STORED)

    await resolve(
        client.people.add_contacts(REF, ContactInformation(email=[EmailContact("x@y.z")]))
    )

    assert body(last_request(route)) == {"contactInformation": {"email": [{"address": "x@y.z"}]}}


# -- client-side validation -------------------------------------------------------------------


@pytest.mark.parametrize("char", list('&<>"/\\\n\r:(){}=;#'))
async def test_forbidden_name_characters_fail_before_any_request(
    client: Any, api: Any, char: str
) -> None:
    route = api.route().respond(200, json=STORED)

    with pytest.raises(ValidationError, match="forbidden") as info:
        await resolve(client.people.create(Person(first_name=f"Ada{char}")))

    assert info.value.field == "firstName"
    assert not route.called


@pytest.mark.parametrize("field", ["last_name", "middle_name"])
async def test_forbidden_characters_are_checked_in_every_name_field(
    client: Any, api: Any, field: str
) -> None:
    route = api.route().respond(200, json=STORED)

    with pytest.raises(ValidationError, match="forbidden"):
        await resolve(client.people.update(REF, Person(**{field: "a;b"})))

    assert not route.called


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("create_many", {}),
        ("upsert_many", {"strict": True}),
        ("merge", {"strict": True}),
        ("update_many", {}),
    ],
)
async def test_a_bad_item_of_a_many_call_is_named_by_its_position(
    client: Any, api: Any, method: str, kwargs: dict[str, Any]
) -> None:
    route = api.route().respond(200, json={})
    persons = [Person(external_id=f"crm-{i}", first_name="Ada") for i in range(5)]
    persons[3] = Person(external_id="crm-3", first_name="Ada;")
    items: list[Any] = persons
    if method == "update_many":
        items = [(PersonRef.external_id(f"crm-{i}"), p) for i, p in enumerate(persons)]

    with pytest.raises(ValidationError, match=r"^item 3: firstName contains forbidden") as info:
        await resolve(getattr(client.people, method)(items, **kwargs))

    assert (info.value.index, info.value.field) == (3, "firstName")
    assert not route.called


async def test_a_wrong_type_in_a_many_call_is_named_by_its_position(client: Any, api: Any) -> None:
    route = api.route().respond(200, json={})

    with pytest.raises(TypeError, match=r"^item 1: expected a Person, got dict"):
        await resolve(
            client.people.upsert_many([Person(external_id="a"), {"externalId": "b"}], strict=True)
        )

    assert not route.called


def test_channel_ref_without_sender_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="sender"):
        PersonRef.channel(IdentifierType.WHATSAPP, "385911234567")


@pytest.mark.parametrize("kind", ["emails", "phones"])
async def test_more_than_100_contacts_fail_before_any_request(
    client: Any, api: Any, kind: str
) -> None:
    route = api.route().respond(200, json=STORED)
    values = [f"p{i}@x.co" if kind == "emails" else f"3859100{i:04d}" for i in range(101)]
    contacts = ContactInformation.of(**{kind: values})

    with pytest.raises(ValidationError, match="at most 100"):
        await resolve(client.people.create(Person(contact_information=contacts)))

    assert not route.called


async def test_exactly_100_contacts_are_sent(client: Any, api: Any) -> None:
    route = api.patch(f"{PERSONS}/contactInformation").respond(200, json=STORED)
    contacts = ContactInformation.of(emails=[f"p{i}@x.co" for i in range(100)])

    await resolve(client.people.add_contacts(REF, contacts))

    assert len(body(last_request(route))["contactInformation"]["email"]) == 100


@pytest.mark.parametrize(
    ("field", "wire", "limit"),
    [
        ("external_id", "externalId", 256),
        ("first_name", "firstName", 255),
        ("last_name", "lastName", 255),
        ("middle_name", "middleName", 50),
        ("city", "city", 50),
        ("country", "country", 50),
        ("address", "address", 256),
        ("profile_picture", "profilePicture", 2083),
    ],
)
async def test_length_limits_fail_before_any_request(
    client: Any, api: Any, field: str, wire: str, limit: int
) -> None:
    route = api.route().respond(200, json=STORED)

    with pytest.raises(ValidationError, match=str(limit)) as info:
        await resolve(client.people.create(Person(**{field: "x" * (limit + 1)})))

    assert info.value.field == wire
    assert not route.called


async def test_a_value_at_the_length_limit_is_sent(client: Any, api: Any) -> None:
    route = api.post(PERSONS).respond(200, json=STORED)

    await resolve(client.people.create(Person(external_id="crm-1", middle_name="x" * 50)))

    assert body(last_request(route)) == {"externalId": "crm-1", "middleName": "x" * 50}


async def test_email_and_phone_lengths_are_checked(client: Any, api: Any) -> None:
    route = api.route().respond(200, json=STORED)
    contacts = ContactInformation(phone=[PhoneContact("1" * 51)])

    with pytest.raises(ValidationError, match="50"):
        await resolve(client.people.set_contacts(REF, contacts))

    assert not route.called


async def test_nick_name_is_refused_on_v2_calls(client: Any, api: Any) -> None:
    route = api.route().respond(200, json=STORED)

    with pytest.raises(ValidationError, match="nick_name"):
        await resolve(client.people.create(Person(nick_name="Addy")))

    assert not route.called


async def test_one_bad_person_in_a_batch_sends_nothing(client: Any, api: Any) -> None:
    route = api.route().respond(200, json={"results": []})
    persons = [Person(external_id=f"e{i}") for i in range(1500)] + [Person(first_name="<b>")]

    with pytest.raises(ValidationError, match="forbidden"):
        await resolve(client.people.create_many(persons))

    assert not route.called


# -- batches -------------------------------------------------------------------------------------


async def test_create_many_posts_people_in_one_request(client: Any, api: Any) -> None:
    route = api.post(f"{PERSONS}/batch").respond(200, json={"results": []})

    result = await resolve(
        client.people.create_many([Person(external_id="a"), Person(external_id="b")])
    )

    assert body(last_request(route)) == {"people": [{"externalId": "a"}, {"externalId": "b"}]}
    assert [(i.index, i.ok, i.status) for i in result] == [(0, True, 200), (1, True, 200)]


async def test_create_many_splits_at_1000_and_keeps_input_order(client: Any, api: Any) -> None:
    failure = {"index": 5, "status": 409, "errors": [{"message": "Destination(email) taken"}]}
    route = api.post(f"{PERSONS}/batch").mock(
        side_effect=[
            httpx.Response(200, json={"results": []}),
            httpx.Response(207, json={"results": [failure]}),
            httpx.Response(200, json={"results": []}),
        ]
    )
    persons = [Person(external_id=f"e{i}") for i in range(2500)]

    result = await resolve(client.people.create_many(persons))

    sizes = [len(body(call.request)["people"]) for call in route.calls]
    assert sizes == [1000, 1000, 500]
    assert body(route.calls[1].request)["people"][0] == {"externalId": "e1000"}
    assert len(result) == 2500
    assert [i.index for i in result] == list(range(2500))
    assert [(f.index, f.status, f.errors) for f in result.failed] == [
        (1005, 409, ("Destination(email) taken",))
    ]


async def test_create_many_reads_successes_with_ids(client: Any, api: Any) -> None:
    api.post(f"{PERSONS}/batch").respond(
        200, json={"results": [{"index": 0, "status": 200, "id": 77}]}
    )

    result = await resolve(client.people.create_many([Person(external_id="a")]))

    assert result[0].id == 77


async def test_create_many_of_nothing_sends_nothing(client: Any, api: Any) -> None:
    route = api.route().respond(200)

    result = await resolve(client.people.create_many([]))

    assert len(result) == 0
    assert not route.called


async def test_update_many_sends_query_and_update_pairs(client: Any, api: Any) -> None:
    route = api.patch(f"{PERSONS}/batch").respond(200, json={"results": []})

    await resolve(
        client.people.update_many(
            [
                PersonUpdate(PersonRef.id(1), Person(city="Split")),
                (PersonRef.email("a@b.co"), Person(tags=["VIP"])),
            ]
        )
    )

    assert body(last_request(route)) == {
        "people": [
            {"query": {"identifier": "1", "type": "ID"}, "update": {"city": "Split"}},
            {"query": {"identifier": "a@b.co", "type": "EMAIL"}, "update": {"tags": ["VIP"]}},
        ]
    }


async def test_update_many_places_failures_by_their_query(client: Any, api: Any) -> None:
    failure = {
        "query": {"identifier": "A@B.CO", "type": "EMAIL"},
        "status": 409,
        "errors": [{"message": "There is no person matching the query"}],
    }
    api.patch(f"{PERSONS}/batch").respond(207, json={"results": [failure]})
    items = [(PersonRef.id(i), Person(city="X")) for i in range(3)]
    items.insert(1, (PersonRef.email("a@b.co"), Person(city="X")))

    result = await resolve(client.people.update_many(items))

    assert [i.ok for i in result] == [True, False, True, True]
    assert result[1].query == PersonRef.email("a@b.co")
    assert result[1].errors == ("There is no person matching the query",)


async def test_update_many_splits_at_1000(client: Any, api: Any) -> None:
    failure = {"query": {"identifier": "2050", "type": "ID"}, "status": 409, "errors": []}
    route = api.patch(f"{PERSONS}/batch").mock(
        side_effect=[
            httpx.Response(200, json={"results": []}),
            httpx.Response(207, json={"results": [failure]}),
        ]
    )

    result = await resolve(
        client.people.update_many([(PersonRef.id(i), Person(city="X")) for i in range(1001, 2101)])
    )

    assert [len(body(c.request)["people"]) for c in route.calls] == [1000, 100]
    assert [f.index for f in result.failed] == [1049]


async def test_delete_many_sends_queries(client: Any, api: Any) -> None:
    route = api.delete(f"{PERSONS}/batch").respond(200, json={"results": []})

    result = await resolve(client.people.delete_many([PersonRef.id(1), PersonRef.phone("385")]))

    assert body(last_request(route)) == {
        "people": [
            {"query": {"identifier": "1", "type": "ID"}},
            {"query": {"identifier": "385", "type": "PHONE"}},
        ]
    }
    assert result.ok


async def test_delete_many_splits_at_1000_and_reports_each_ref(client: Any, api: Any) -> None:
    route = api.delete(f"{PERSONS}/batch").respond(200, json={"results": []})
    refs = [PersonRef.id(i) for i in range(2001)]

    result = await resolve(client.people.delete_many(refs))

    assert route.call_count == 3
    assert [r.query for r in result] == refs


async def test_delete_many_rejects_a_non_ref_before_any_request(client: Any, api: Any) -> None:
    route = api.route().respond(200)

    with pytest.raises(TypeError, match="PersonRef"):
        await resolve(client.people.delete_many([PersonRef.id(1), "2"]))

    assert not route.called


# -- v3: upsert and merge ------------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "verb"), [("partial", "PATCH"), ("full", "PUT")])
async def test_upsert_many_uses_the_mode_method_and_v3_contacts(
    client: Any, api: Any, mode: str, verb: str
) -> None:
    route = api.route(method=verb, url=f"{BASE}/people/3/persons/upsert").respond(
        207, json={"results": [{"id": 9, "index": 0, "status": "CREATED"}], "errors": []}
    )
    person = Person(
        external_id="crm-1",
        nick_name="Addy",
        contact_information=ContactInformation.of(emails=["a@b.co"], phones=["385911"]),
    )

    result = await resolve(client.people.upsert_many([person], mode=mode))

    assert body(last_request(route)) == {
        "persons": [
            {
                "externalId": "crm-1",
                "nickName": "Addy",
                "contactInformation": [
                    {"type": "EMAIL", "identifier": "a@b.co"},
                    {"type": "PHONE", "identifier": "385911"},
                ],
            }
        ]
    }
    assert result[0].status is UpsertStatus.CREATED
    assert result.created == 1


async def test_upsert_many_reports_item_errors_in_input_order(client: Any, api: Any) -> None:
    api.patch(f"{BASE}/people/3/persons/upsert").respond(
        207,
        json={
            "results": [
                {"id": 1, "index": 0, "status": "UPDATED"},
                {"id": 2, "index": 2, "status": "NOT_MODIFIED"},
            ],
            "errors": [
                {
                    "code": 400100,
                    "message": "Invalid contact",
                    "index": 1,
                    "details": [
                        {
                            "property": "persons[1].contactInformation[0].identifier",
                            "message": "bad",
                        }
                    ],
                }
            ],
        },
    )

    result = await resolve(
        client.people.upsert_many([Person(external_id=str(i)) for i in range(3)])
    )

    assert [(i.index, i.ok, i.status) for i in result] == [
        (0, True, UpsertStatus.UPDATED),
        (1, False, None),
        (2, True, UpsertStatus.NOT_MODIFIED),
    ]
    assert result[1].code == "400100"
    assert result[1].details == (("persons[1].contactInformation[0].identifier", "bad"),)


async def test_upsert_many_splits_at_1000_with_global_indexes(client: Any, api: Any) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        n = len(body(request)["persons"])
        results = [{"id": i, "index": i, "status": "CREATED"} for i in range(n)]
        return httpx.Response(207, json={"results": results, "errors": []})

    route = api.patch(f"{BASE}/people/3/persons/upsert").mock(side_effect=answer)

    result = await resolve(
        client.people.upsert_many([Person(external_id=str(i)) for i in range(1200)])
    )

    assert route.call_count == 2
    assert [i.index for i in result] == list(range(1200))
    assert result.created == 1200


async def test_upsert_many_marks_an_item_without_outcome_as_failed(client: Any, api: Any) -> None:
    api.patch(f"{BASE}/people/3/persons/upsert").respond(
        207, json={"results": [{"id": 1, "index": 0, "status": "CREATED"}]}
    )

    result = await resolve(client.people.upsert_many([Person(external_id="a"), Person()]))

    assert len(result) == 2
    assert not result[1].ok


async def test_upsert_many_rejects_an_unknown_mode(client: Any, api: Any) -> None:
    route = api.route().respond(200)

    with pytest.raises(ValidationError, match="mode"):
        await resolve(client.people.upsert_many([Person(external_id="a")], mode="sideways"))

    assert not route.called


async def test_merge_posts_v3_persons(client: Any, api: Any) -> None:
    route = api.post(f"{BASE}/people/3/persons/merge").respond(
        207, json={"results": [{"id": 5, "index": 0}], "errors": []}
    )

    result = await resolve(
        client.people.merge([Person(contact_information=ContactInformation.of(phones=["385"]))])
    )

    assert body(last_request(route)) == {
        "persons": [{"contactInformation": [{"type": "PHONE", "identifier": "385"}]}]
    }
    assert result[0].id == 5
    assert result.ok


async def test_match_posts_identities_and_decodes_matches(client: Any, api: Any) -> None:
    route = api.post(f"{PERSONS}/match").respond(
        200,
        json={
            "matches": [
                {"type": "EMAIL", "identifier": "a@b.co", "personId": 11},
                {"type": "LINE", "identifier": "U1", "sender": "s", "personId": 12},
            ]
        },
    )
    refs = [PersonRef.email("a@b.co"), PersonRef.channel("LINE", "U1", sender="s")]

    matches = await resolve(client.people.match(refs))

    assert body(last_request(route)) == {
        "identities": [
            {"identifier": "a@b.co", "type": "EMAIL"},
            {"identifier": "U1", "type": "LINE", "sender": "s"},
        ]
    }
    assert [(m.person_id, m.ref) for m in matches] == [(11, refs[0]), (12, refs[1])]


async def test_match_treats_404_as_no_matches(client: Any, api: Any) -> None:
    api.post(f"{PERSONS}/match").respond(404)

    matches = await resolve(client.people.match([PersonRef.email("a@b.co")]))

    assert matches == []


async def test_append_to_attribute_posts_the_item_to_the_encoded_name(
    client: Any, api: Any
) -> None:
    route = api.post(url__regex=r".*/people/2/customAttributes/.+/append").respond(
        200, json=[{"sku": "A1"}, {"sku": "B2", "price": 9.99}]
    )

    items = await resolve(
        client.people.append_to_attribute(
            REF, "My Orders/2024", {"sku": "B2", "price": Decimal("9.99")}
        )
    )

    request = last_request(route)
    assert (
        request.url.raw_path.split(b"?")[0]
        == b"/people/2/customAttributes/My%20Orders%2F2024/append"
    )
    assert query(request) == REF_QUERY
    assert body(request) == {"sku": "B2", "price": 9.99}
    assert items == [{"sku": "A1"}, {"sku": "B2", "price": Decimal("9.99")}]


# -- per-call options -----------------------------------------------------------------------------


async def test_per_call_timeout_overrides_the_clients(client: Any, api: Any) -> None:
    route = api.get(PERSONS).respond(200, json=STORED)

    await resolve(client.people.get(REF, timeout=1.5))

    assert last_request(route).extensions["timeout"] == {
        "connect": 1.5,
        "read": 1.5,
        "write": 1.5,
        "pool": 1.5,
    }


async def test_per_call_timeout_none_means_no_timeout(client: Any, api: Any) -> None:
    route = api.get(PERSONS).respond(200, json=STORED)

    await resolve(client.people.get(REF, timeout=None))

    assert set(last_request(route).extensions["timeout"].values()) == {None}


async def test_extra_headers_are_sent(client: Any, api: Any) -> None:
    route = api.get(PERSONS).respond(200, json=STORED)

    await resolve(client.people.get(REF, extra_headers={"X-Trace": "t-1"}))

    assert last_request(route).headers["X-Trace"] == "t-1"


@pytest.mark.nonconforming  # null / an unknown parameter: outside the spec on purpose
async def test_extra_query_is_appended(client: Any, api: Any) -> None:
    route = api.get(PERSONS).respond(200, json=STORED)

    await resolve(client.people.get(REF, extra_query={"debug": "yes please"}))

    assert query(last_request(route)) == [*REF_QUERY, ("debug", "yes please")]


async def test_extra_query_replaces_a_parameter_of_the_same_name(client: Any, api: Any) -> None:
    route = api.get(PERSONS).respond(200, json={"persons": []})

    await resolve(client.people.list(page_size=10, extra_query={"limit": "7"}).first_page())

    assert query(last_request(route)) == [("page", "1"), ("limit", "7")]


async def test_options_apply_to_every_page_of_a_list(client: Any, api: Any) -> None:
    route = api.get(PERSONS).mock(
        side_effect=[
            httpx.Response(200, json={"persons": [STORED]}),
            httpx.Response(200, json={"persons": []}),
        ]
    )

    pager = client.people.list(page_size=1, extra_headers={"X-Trace": "t-2"})
    items = await collect(pager)

    assert len(items) == 1
    assert [c.request.headers["X-Trace"] for c in route.calls] == ["t-2", "t-2"]


async def test_options_apply_to_every_chunk_of_a_batch(client: Any, api: Any) -> None:
    route = api.delete(f"{PERSONS}/batch").respond(200, json={"results": []})

    await resolve(
        client.people.delete_many(
            [PersonRef.id(i) for i in range(1001)], extra_headers={"X-Trace": "t-3"}
        )
    )

    assert [c.request.headers["X-Trace"] for c in route.calls] == ["t-3", "t-3"]


# -- a failing request in a split batch ------------------------------------------------------------


async def test_a_failing_first_chunk_raises_and_sends_no_more(client: Any, api: Any) -> None:
    route = api.post(f"{PERSONS}/batch").mock(
        side_effect=[httpx.Response(400), httpx.Response(200, json={"results": []})]
    )

    with pytest.raises(BadRequestError):
        await resolve(client.people.create_many([Person(external_id=str(i)) for i in range(1500)]))

    assert route.call_count == 1


async def test_a_failing_later_chunk_comes_back_as_failed_items(client: Any, api: Any) -> None:
    error = {"requestError": {"serviceException": {"messageId": "BAD_REQUEST", "text": "Nope"}}}
    route = api.delete(f"{PERSONS}/batch").mock(
        side_effect=[
            httpx.Response(200, json={"results": []}),
            httpx.Response(400, json=error),
            httpx.Response(200, json={"results": []}),
        ]
    )
    refs = [PersonRef.id(i) for i in range(2500)]

    result = await resolve(client.people.delete_many(refs))

    assert route.call_count == 3
    assert len(result) == 2500
    assert [i.index for i in result.failed] == list(range(1000, 2000))
    assert {(i.status, i.errors) for i in result.failed} == {(400, ("Nope",))}
    assert result[1500].query == refs[1500]


async def test_a_failing_later_upsert_chunk_keeps_its_code(client: Any, api: Any) -> None:
    done = {"results": [{"id": i, "index": i, "status": "CREATED"} for i in range(1000)]}
    api.patch(f"{BASE}/people/3/persons/upsert").mock(
        side_effect=[
            httpx.Response(207, json=done),
            httpx.Response(400, json={"code": 400103, "message": "Malformed"}),
        ]
    )

    result = await resolve(
        client.people.upsert_many([Person(external_id=str(i)) for i in range(1001)])
    )

    assert result.created == 1000
    assert (result[1000].ok, result[1000].code, result[1000].errors) == (
        False,
        "400103",
        ("Malformed",),
    )


# -- the twins -----------------------------------------------------------------------------------


def _public(cls: type) -> set[str]:
    return {name for name in vars(cls) if not name.startswith("_")}


def test_people_and_async_people_have_the_same_methods() -> None:
    from infobip_profiles.resources.people import AsyncPeople, People

    assert _public(People) == _public(AsyncPeople)
    assert len(_public(People)) == 24


def test_async_people_methods_are_coroutines_and_list_is_async_iterable() -> None:
    from infobip_profiles.resources.people import AsyncPeople

    people = AsyncProfilesClient(api_key=KEY, throttle=False).people

    for name in _public(AsyncPeople) - {"list"}:
        assert inspect.iscoroutinefunction(getattr(people, name)), name
    assert hasattr(people.list(), "__aiter__")


def _scenario_router() -> Any:
    router = respx.mock(assert_all_called=False)
    router.get(PERSONS).mock(
        side_effect=lambda request: httpx.Response(
            200,
            json={"persons": [STORED], "totalCount": 1}
            if "identifier" not in request.url.params
            else STORED,
        )
    )
    for verb in ("POST", "PUT", "PATCH"):
        router.route(method=verb, url=PERSONS).respond(200, json=STORED)
    router.delete(PERSONS).respond(200)
    router.route(url=f"{PERSONS}/contactInformation").respond(200, json=STORED)
    router.post(f"{PERSONS}/batch").respond(
        207, json={"results": [{"index": 1, "status": 409, "errors": [{"message": "taken"}]}]}
    )
    failed_query = {"query": REF.to_wire(), "status": 409, "errors": [{"message": "no match"}]}
    router.route(method__in=["PATCH", "DELETE"], url=f"{PERSONS}/batch").respond(
        207, json={"results": [failed_query]}
    )
    router.post(f"{PERSONS}/match").respond(
        200, json={"matches": [{"type": "ID", "identifier": "42", "personId": 42}]}
    )
    router.route(url=f"{BASE}/people/3/persons/upsert").respond(
        207, json={"results": [{"id": 1, "index": 0, "status": "UPDATED"}], "errors": []}
    )
    router.post(f"{BASE}/people/3/persons/merge").respond(
        207, json={"results": [{"id": 1, "index": 0}], "errors": []}
    )
    router.post(url__regex=r".*/append").respond(200, json=[{"sku": "A1"}])
    return router


async def _every_people_method(client: Any) -> list[Any]:
    """Call each of the 17 methods once; return what each returned."""
    people = client.people
    two = [Person(external_id="a"), Person(external_id="b")]
    calls = [
        lambda: people.get(REF),
        lambda: people.count(filter={"firstName": "Ada"}),
        lambda: people.create(Person(external_id="crm-1", first_name="Ada")),
        lambda: people.replace(REF, Person(first_name="Ada")),
        lambda: people.update(REF, Person(city="Split")),
        lambda: people.delete(REF),
        lambda: people.set_contacts(REF, CONTACTS),
        lambda: people.add_contacts(REF, CONTACTS),
        lambda: people.remove_contacts(REF, CONTACTS),
        lambda: people.create_many(two),
        lambda: people.update_many([(REF, Person(city="X"))]),
        lambda: people.delete_many([REF]),
        lambda: people.upsert_many(two[:1], mode="full"),
        lambda: people.match([PersonRef.id(42)]),
        lambda: people.merge(two[:1]),
        lambda: people.append_to_attribute(REF, "Orders", {"sku": "A1"}),
    ]
    results = [await resolve(call()) for call in calls]
    results.append([p.id for p in await collect(people.list(page_size=5))])
    return results


async def test_sync_and_async_clients_send_the_same_requests_and_return_the_same() -> None:
    seen: dict[str, tuple[list[Any], list[Any]]] = {}
    for name, cls in (("sync", ProfilesClient), ("async", AsyncProfilesClient)):
        with _scenario_router() as router:
            client = cls(api_key=KEY, base_url=BASE, throttle=False, max_retries=0)
            results = await _every_people_method(client)
            requests = [
                (c.request.method, str(c.request.url), c.request.content) for c in router.calls
            ]
        seen[name] = (requests, [repr(r) for r in results])

    assert len(seen["sync"][0]) == 17
    assert seen["sync"] == seen["async"]


async def test_a_failure_echoed_without_its_sender_is_still_placed(client: Any, api: Any) -> None:
    line = PersonRef.channel("LINE", "U1", sender="bot")
    failure = {"query": {"identifier": "U1", "type": "LINE"}, "status": 409, "errors": []}
    api.delete(f"{PERSONS}/batch").respond(207, json={"results": [failure]})

    result = await resolve(client.people.delete_many([PersonRef.id(1), line]))

    assert [i.ok for i in result] == [True, False]


async def test_a_failure_for_a_query_never_sent_is_not_dropped(client: Any, api: Any) -> None:
    failure = {"query": {"identifier": "999", "type": "ID"}, "status": 409, "errors": []}
    api.delete(f"{PERSONS}/batch").respond(207, json={"results": [failure]})

    with pytest.raises(ProfilesError, match="not in the request"):
        await resolve(client.people.delete_many([PersonRef.id(1)]))


async def test_a_misspelt_option_is_a_type_error_before_any_request(client: Any, api: Any) -> None:
    route = api.route().respond(200, json=STORED)

    with pytest.raises(TypeError, match="extra_header"):
        await resolve(client.people.get(REF, extra_header={"X": "1"}))

    assert not route.called


def test_a_misspelt_option_on_a_list_fails_when_called(client: Any, api: Any) -> None:
    route = api.route().respond(200, json={"persons": []})

    with pytest.raises(TypeError, match="timout"):
        client.people.list(timout=3)

    assert not route.called


# -- models keep track of what was set ---------------------------------------------------------

ADA = Person(first_name="Ada", contact_information=ContactInformation.of(emails=["a@b.co"]))
ADA_WIRE = {"firstName": "Ada", "contactInformation": {"email": [{"address": "a@b.co"}]}}


@pytest.mark.parametrize(
    "duplicate",
    [copy.copy, copy.deepcopy, lambda p: pickle.loads(pickle.dumps(p))],
    ids=["copy", "deepcopy", "pickle"],
)
async def test_a_copied_person_sends_the_same_fields(client: Any, api: Any, duplicate: Any) -> None:
    route = api.post(PERSONS).respond(200, json=STORED)

    await resolve(client.people.create(duplicate(ADA)))

    assert body(last_request(route)) == ADA_WIRE


async def test_attrs_evolve_sends_the_fields_set_and_the_change(client: Any, api: Any) -> None:
    route = api.post(PERSONS).respond(200, json=STORED)

    await resolve(client.people.create(attrs.evolve(ADA, last_name="Lovelace")))

    assert body(last_request(route)) == {**ADA_WIRE, "lastName": "Lovelace"}


async def test_a_fetched_person_can_be_sent_back_changed(client: Any, api: Any) -> None:
    api.get(PERSONS).respond(200, json={**STORED, "tags": ["VIP"]})
    route = api.patch(PERSONS).respond(200, json=STORED)
    person = await resolve(client.people.get(REF))

    person.city = "Split"
    await resolve(client.people.update(REF, person))

    assert body(last_request(route)) == {
        "externalId": "crm-1",
        "type": "CUSTOMER",
        "firstName": "Ada",
        "tags": ["VIP"],
        "city": "Split",
    }


async def test_match_results_carry_the_identity_that_was_sent(client: Any, api: Any) -> None:
    api.post(f"{PERSONS}/match").respond(
        200,
        json={
            "matches": [
                {"type": "EMAIL", "identifier": "ada@example.com", "personId": 1},
                {"type": "LINE", "identifier": "U1", "personId": 2},
            ]
        },
    )
    email = PersonRef.email("Ada@Example.com")
    line = PersonRef.channel("LINE", "U1", sender="bot")

    matches = await resolve(client.people.match([email, line]))

    assert [(m.person_id, m.ref) for m in matches] == [(1, email), (2, line)]


@pytest.mark.parametrize("not_a_ref", [42, "crm-1", {"identifier": "1", "type": "ID"}])
async def test_a_plain_value_where_a_ref_belongs_is_a_type_error(
    client: Any, api: Any, not_a_ref: Any
) -> None:
    route = api.route().respond(200, json=STORED)

    with pytest.raises(TypeError, match="PersonRef"):
        await resolve(client.people.get(not_a_ref))

    assert not route.called
