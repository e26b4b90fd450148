"""The fake's events: definitions, single and batch sends, computed attributes, exports.

Every test talks to the fake over the wire, in-process and over loopback HTTP (``wire``).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from infobip_profiles.testing import FakeProfiles
from tests._support.wire import Wire, service_exception

DEFS = "/peopleevents/2/definitions"
BATCH = "/people/3/events"
EXPORT = "/peopleevents/1/export"
NOW = datetime(2026, 3, 10, 12, 0, 0, tzinfo=timezone.utc)

CART = {
    "definitionId": "AddedToCart",
    "title": "Added to cart",
    "description": "An item went into the cart",
    "fields": [
        {"name": "productId", "type": "String"},
        {"name": "price", "type": "Decimal"},
        {"name": "promo", "type": "Boolean"},
        {"name": "seenAt", "type": "DateTime"},
        {
            "name": "items",
            "type": "List",
            "schema": {"type": "Object", "fields": [{"name": "sku", "type": "String"}]},
        },
    ],
}


@pytest.fixture(autouse=True)
def frozen(fake: FakeProfiles) -> None:
    fake.clock.freeze(NOW)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def seed_person(wire: Wire, email: str = "ada@example.com") -> int:
    seeded = wire.fake.seed(people=[{"contactInformation": {"email": [{"address": email}]}}])
    return int(seeded.people[0]["id"])


def define_cart(wire: Wire) -> None:
    assert wire.post(DEFS, json=CART).status_code == 201


def send_path(identifier: str, definition: str = "AddedToCart") -> str:
    return f"/peopleevents/2/persons/{identifier}/definitions/{definition}/events"


def item(who: str = "ada@example.com", kind: str = "EMAIL", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "definitionId": "AddedToCart",
        "occurredTime": iso(NOW - timedelta(hours=1)),
        "identifier": {"id": who, "type": kind},
        "properties": {"productId": "p1", "price": 9.5},
    }
    body.update(extra)
    return body


def problem(wire_response: Any) -> list[dict[str, Any]]:
    body = wire_response.json()
    assert body["status"] == 400
    assert "traceId" in body
    assert "title" in body
    assert "type" in body
    errors: list[dict[str, Any]] = body["errors"]
    return errors


# -- definitions ---------------------------------------------------------------------------------


def test_create_definition_answers_201_with_the_stored_definition(wire: Wire) -> None:
    response = wire.post(DEFS, json=CART)
    assert response.status_code == 201
    body = response.json()
    assert body["isInternalDefinition"] is False
    assert body["category"] == "external"
    assert body["definitionId"] == "AddedToCart"
    assert body["fields"] == CART["fields"]


def test_create_definition_with_an_existing_id_is_409_without_body(wire: Wire) -> None:
    define_cart(wire)
    response = wire.post(DEFS, json={**CART, "title": "Other"})
    assert response.status_code == 409
    assert response.content == b""
    assert wire.get(f"{DEFS}/AddedToCart").json()["title"] == "Added to cart"


@pytest.mark.nonconforming  # deliberately invalid requests
@pytest.mark.parametrize(
    "change",
    [
        {"definitionId": "added-to-cart"},
        {"definitionId": "x" * 37},
        {"definitionId": "emailOpened"},
        {"title": None},
        {"title": "t" * 101},
        {"description": "d" * 2001},
        {"templateId": "chatSessionStarted"},
        {"fields": [{"name": "Price", "type": "Decimal"}]},
        {"fields": [{"name": "price", "type": "Money"}]},
        {"fields": [{"name": "price", "type": "Decimal"}, {"name": "PRICE", "type": "String"}]},
        {"fields": [{"name": f"f{i}", "type": "String"} for i in range(121)]},
        {"fields": [{"name": "items", "type": "List"}]},
        {"fields": [{"name": "p", "type": "String", "schema": {"type": "Object", "fields": []}}]},
        {
            "fields": [
                {
                    "name": n,
                    "type": "List",
                    "schema": {"type": "Object", "fields": [{"name": "a", "type": "String"}]},
                }
                for n in ("one", "two")
            ]
        },
        {
            "fields": [
                {
                    "name": "items",
                    "type": "List",
                    "schema": {
                        "type": "Object",
                        "fields": [
                            {
                                "name": "inner",
                                "type": "List",
                                "schema": {
                                    "type": "Object",
                                    "fields": [{"name": "a", "type": "String"}],
                                },
                            }
                        ],
                    },
                }
            ]
        },
    ],
    ids=[
        "id-chars",
        "id-length",
        "standard-id",
        "no-title",
        "long-title",
        "long-description",
        "id-and-template",
        "field-name-pattern",
        "field-type",
        "duplicate-field-ignoring-case",
        "121-fields",
        "list-without-schema",
        "schema-on-scalar",
        "two-list-fields",
        "nested-list",
    ],
)
def test_invalid_definition_is_400_without_body_and_stores_nothing(
    wire: Wire, change: dict[str, Any]
) -> None:
    response = wire.post(DEFS, json={**CART, **change})
    assert response.status_code == 400
    assert response.content == b""
    assert wire.get(f"{DEFS}/AddedToCart").status_code == 404


def test_definition_from_a_template_takes_its_id_title_and_fields(wire: Wire) -> None:
    wire.fake.register_session_templates()
    response = wire.post(
        DEFS,
        json={"templateId": "chatSessionStarted", "fields": [{"name": "locale", "type": "String"}]},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["definitionId"] == "chatSessionStarted"
    assert body["category"] == "template"
    assert body["title"] == "Chat session started"
    names = [f["name"] for f in body["fields"]]
    assert names[0] == "sessionId"
    assert names[-1] == "locale"


@pytest.mark.parametrize(
    "body",
    [{"templateId": "noSuchTemplate"}, {"templateId": "chatSessionStarted", "title": "Mine"}],
)
def test_bad_template_request_is_400(wire: Wire, body: dict[str, Any]) -> None:
    wire.fake.register_session_templates()
    response = wire.post(DEFS, json=body)
    assert response.status_code == 400
    assert response.content == b""


def test_get_unknown_definition_is_404_without_body(wire: Wire) -> None:
    response = wire.get(f"{DEFS}/nothingHere")
    assert response.status_code == 404
    assert response.content == b""


def test_update_adds_fields_and_changes_title(wire: Wire) -> None:
    define_cart(wire)
    fields = [*CART["fields"], {"name": "coupon", "type": "String"}]
    response = wire.post(f"{DEFS}/AddedToCart", json={"title": "Cart add", "fields": fields})
    assert response.status_code == 200
    stored = wire.get(f"{DEFS}/AddedToCart").json()
    assert stored["title"] == "Cart add"
    assert stored["fields"][-1] == {"name": "coupon", "type": "String"}


@pytest.mark.parametrize(
    "fields",
    [
        CART["fields"][1:],
        [{"name": "productId", "type": "Numeric"}, *CART["fields"][1:]],
    ],
    ids=["removes-a-field", "retypes-a-field"],
)
def test_update_that_removes_or_retypes_is_400_and_changes_nothing(
    wire: Wire, fields: list[dict[str, Any]]
) -> None:
    define_cart(wire)
    response = wire.post(f"{DEFS}/AddedToCart", json={"title": "Changed", "fields": fields})
    assert response.status_code == 400
    stored = wire.get(f"{DEFS}/AddedToCart").json()
    assert stored["title"] == "Added to cart"
    assert stored["fields"] == CART["fields"]


def test_update_of_a_template_definition_keeps_the_template_title(wire: Wire) -> None:
    wire.fake.register_session_templates("chatSessionEnded")
    wire.post(DEFS, json={"templateId": "chatSessionEnded"})
    response = wire.post(f"{DEFS}/chatSessionEnded", json={"title": "My title"})
    assert response.status_code == 200
    assert response.json()["title"] == "Chat session ended"


def test_update_of_a_standard_definition_is_400(wire: Wire) -> None:
    response = wire.post(f"{DEFS}/emailOpened", json={"title": "Mine now"})
    assert response.status_code == 400


def test_update_of_an_unknown_definition_is_404(wire: Wire) -> None:
    assert wire.post(f"{DEFS}/ghost", json={"title": "x"}).status_code == 404


def test_list_filters_by_category_and_search_text(wire: Wire) -> None:
    define_cart(wire)
    wire.post(DEFS, json={"definitionId": "Checkout", "title": "Checked out"})
    mine = wire.get(DEFS, params={"category": "external"}).json()
    searched = wire.get(DEFS, params={"searchText": "cart"}).json()
    assert [d["definitionId"] for d in mine] == ["AddedToCart", "Checkout"]
    assert [d["definitionId"] for d in searched] == ["AddedToCart"]


def test_list_orders_and_pages_with_offset_and_limit(wire: Wire) -> None:
    for name in ("Bravo", "Alpha", "Charlie"):
        wire.post(DEFS, json={"definitionId": name, "title": name})
    params = {"category": "external", "orderField": "DefinitionId", "orderType": "Desc"}
    page = wire.get(DEFS, params={**params, "offset": 1, "limit": 1}).json()
    assert [d["definitionId"] for d in page] == ["Bravo"]


def test_list_with_nothing_matching_is_404_without_body(wire: Wire) -> None:
    response = wire.get(DEFS, params={"category": "external"})
    assert response.status_code == 404
    assert response.content == b""


def test_list_includes_the_standard_definitions(wire: Wire) -> None:
    body = wire.get(DEFS, params={"category": "product"}).json()
    assert body
    assert all(d["isInternalDefinition"] for d in body)


@pytest.mark.nonconforming  # deliberately invalid requests
@pytest.mark.parametrize(
    "params",
    [
        {"orderField": "Created"},
        {"category": "mine"},
        {"offset": "-1"},
        {"offset": ""},
        {"limit": " 5"},
        {"limit": "1_0"},
        {"category": ["person", "person"]},  # the spec declares the array's items unique
    ],
)
def test_list_with_bad_parameters_is_400(wire: Wire, params: dict[str, Any]) -> None:
    response = wire.get(DEFS, params=params)

    assert response.status_code == 400
    assert response.content == b""


# -- sending one event ---------------------------------------------------------------------------


def test_send_records_the_event_and_answers_201(wire: Wire) -> None:
    define_cart(wire)
    pid = seed_person(wire)
    response = wire.post(
        send_path("ada@example.com"),
        params={"identifierType": "EMAIL"},
        json={"properties": {"productId": "p1", "price": 19.9, "promo": True}},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["definitionId"] == "AddedToCart"
    assert body["occurredTime"] == iso(NOW)
    assert body["metadata"] == {"source": "API"}
    assert body["eventId"] == body["eventId"].upper()
    [stored] = wire.fake.events()
    assert stored["personId"] == pid
    assert stored["properties"] == {"productId": "p1", "price": 19.9, "promo": True}


def _properties(properties: dict[str, Any]) -> bytes:
    return json.dumps({"properties": properties}).encode()


UNREADABLE = pytest.mark.nonconforming


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"{not json", id="not-json", marks=UNREADABLE),
        pytest.param(b"null", id="null-body", marks=UNREADABLE),
        pytest.param(
            b'{"properties": {"price": 1' + b"0" * 400 + b"}}",
            id="decimal-past-a-double",
            marks=UNREADABLE,
        ),
        pytest.param(_properties({"colour": "red"}), id="unknown"),
        pytest.param(_properties({"price": "cheap"}), id="decimal"),
        pytest.param(_properties({"promo": "yes"}), id="boolean"),
        pytest.param(_properties({"seenAt": "yesterday"}), id="datetime"),
        pytest.param(_properties({"items": [{"sku": 5}]}), id="list-item"),
    ],
)
def test_send_with_a_body_it_cannot_take_is_400_without_body_and_stores_nothing(
    wire: Wire, content: bytes
) -> None:
    # The spec declares this operation's 400 without a body, unlike its v2 404.
    define_cart(wire)
    seed_person(wire)

    response = wire.post(
        send_path("ada@example.com"),
        params={"identifierType": "EMAIL"},
        content=content,
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.content == b""
    assert wire.fake.events() == ()


def test_send_for_an_unknown_person_is_404(wire: Wire) -> None:
    define_cart(wire)
    response = wire.post(
        send_path("nobody@example.com"), params={"identifierType": "EMAIL"}, json={}
    )
    assert response.status_code == 404
    assert service_exception(response)["messageId"] == "NOT_FOUND"
    assert wire.fake.events() == ()


def test_send_with_create_person_creates_a_customer(wire: Wire) -> None:
    define_cart(wire)
    response = wire.post(
        send_path("crm-77"),
        params={"identifierType": "EXTERNAL_ID", "createPerson": "true"},
        json={"properties": {"productId": "p9"}},
    )
    assert response.status_code == 201
    [person] = wire.fake.people()
    assert person["externalId"] == "crm-77"
    assert person["type"] == "CUSTOMER"
    assert wire.fake.events()[0]["personId"] == person["id"]


def test_create_person_by_id_is_400(wire: Wire) -> None:
    define_cart(wire)
    response = wire.post(
        send_path("99"), params={"identifierType": "ID", "createPerson": "true"}, json={}
    )
    assert response.status_code == 400
    assert response.content == b""


def test_repeated_event_id_is_stored_once(wire: Wire) -> None:
    define_cart(wire)
    seed_person(wire)
    for _ in range(2):
        response = wire.post(
            send_path("ada@example.com"),
            params={"identifierType": "EMAIL"},
            json={"eventId": "order-1", "properties": {"productId": "p1"}},
        )
        assert response.status_code == 201
    assert [e["eventId"] for e in wire.fake.events()] == ["order-1"]


@pytest.mark.parametrize(
    ("definition", "status"),
    [
        pytest.param("emailOpened", 400, id="standard-is-400"),
        pytest.param("Nope", 404, id="unknown-is-404"),
    ],
)
def test_send_to_a_standard_or_unknown_definition_is_refused(
    wire: Wire, definition: str, status: int
) -> None:
    seed_person(wire)
    response = wire.post(
        send_path("ada@example.com", definition), params={"identifierType": "EMAIL"}, json={}
    )
    assert response.status_code == status


# -- the batch call ------------------------------------------------------------------------------


def test_batch_answers_202_without_body_and_stores_every_event(wire: Wire) -> None:
    define_cart(wire)
    seed_person(wire)
    response = wire.post(BATCH, json=[item(), item(eventId="e-2")])
    assert response.status_code == 202
    assert response.content == b""
    assert len(wire.fake.events()) == 2


def test_batch_creates_a_customer_for_an_unknown_email(wire: Wire) -> None:
    define_cart(wire)
    wire.post(BATCH, json=[item("new@example.com")])
    [person] = wire.fake.people()
    assert person["type"] == "CUSTOMER"
    assert person["contactInformation"]["email"] == [{"address": "new@example.com"}]


def test_batch_clamps_future_times_to_now(wire: Wire) -> None:
    define_cart(wire)
    wire.post(BATCH, json=[item(occurredTime=iso(NOW + timedelta(days=3)))])
    assert wire.fake.events()[0]["occurredTime"] == iso(NOW)


def test_batch_keeps_past_times(wire: Wire) -> None:
    define_cart(wire)
    when = NOW - timedelta(days=29)
    wire.post(BATCH, json=[item(occurredTime=iso(when))])
    assert wire.fake.events()[0]["occurredTime"] == iso(when)


def test_batch_is_all_or_nothing(wire: Wire) -> None:
    define_cart(wire)
    response = wire.post(BATCH, json=[item("a@example.com"), item(eventId="bad id!")])
    assert response.status_code == 400
    [error] = problem(response)
    assert (error["index"], error["code"]) == (1, 400504)
    assert error["details"] == [
        {
            "property": "eventId",
            "message": "Must only include letters (A-Z, a-z), digits (0-9), underscores (_), "
            "and hyphens (-).",
        }
    ]
    assert wire.fake.events() == ()
    assert wire.fake.people() == ()


@pytest.mark.nonconforming  # deliberately invalid requests
@pytest.mark.parametrize(
    ("change", "prop"),
    [
        ({"occurredTime": iso(NOW - timedelta(days=31))}, "occurredTime"),
        ({"occurredTime": "last tuesday"}, "occurredTime"),
        ({"identifier": {"id": "", "type": "EMAIL"}}, "identifier.id"),
        ({"identifier": {"id": "x", "type": "FAX"}}, "identifier.type"),
        ({"identifier": {"id": "x", "type": "LINE"}}, "identifier.sender"),
    ],
    ids=["older-than-30-days", "bad-time", "empty-id", "unknown-type", "channel-without-sender"],
)
def test_batch_item_validation_is_400504_with_details(
    wire: Wire, change: dict[str, Any], prop: str
) -> None:
    define_cart(wire)
    response = wire.post(BATCH, json=[item(**change)])
    [error] = problem(response)
    assert error["code"] == 400504
    assert prop in [d["property"] for d in error["details"]]


def test_batch_item_over_512000_bytes_is_400504(wire: Wire) -> None:
    define_cart(wire)
    response = wire.post(BATCH, json=[item(properties={"productId": "x" * 512_000})])
    [error] = problem(response)
    assert error["code"] == 400504


@pytest.mark.nonconforming  # deliberately invalid requests
@pytest.mark.parametrize(
    ("body", "code"),
    [({"not": "an array"}, 400500), ([], 400502)],
    ids=["not-an-array", "empty"],
)
def test_batch_whole_request_errors_have_index_minus_one(wire: Wire, body: Any, code: int) -> None:
    [error] = problem(wire.post(BATCH, json=body))
    assert (error["index"], error["code"]) == (-1, code)


@pytest.mark.nonconforming  # deliberately invalid requests
def test_batch_malformed_json_is_400500(wire: Wire) -> None:
    response = wire.post(BATCH, content=b"[{", headers={"content-type": "application/json"})
    [error] = problem(response)
    assert error["code"] == 400500


def test_batch_over_5000_items_is_400503(wire: Wire) -> None:
    define_cart(wire)
    [error] = problem(wire.post(BATCH, json=[item()] * 5001))
    assert (error["index"], error["code"]) == (-1, 400503)


def test_batch_unknown_person_by_id_is_400505(wire: Wire) -> None:
    define_cart(wire)
    [error] = problem(wire.post(BATCH, json=[item("404", "ID")]))
    assert (error["index"], error["code"]) == (0, 400505)


def test_batch_with_a_standard_definition_is_400506(wire: Wire) -> None:
    [error] = problem(wire.post(BATCH, json=[item(definitionId="emailOpened", properties=None)]))
    assert error["code"] == 400506


@pytest.mark.parametrize(
    "properties", [{"colour": "red"}, {"price": "free"}], ids=["unknown", "wrong-type"]
)
def test_batch_properties_mismatch_is_400501(wire: Wire, properties: dict[str, Any]) -> None:
    define_cart(wire)
    [error] = problem(wire.post(BATCH, json=[item(properties=properties)]))
    assert error["code"] == 400501


def test_batch_unknown_definition_is_400501(wire: Wire) -> None:
    [error] = problem(wire.post(BATCH, json=[item(definitionId="Unknown")]))
    assert error["code"] == 400501


# -- events follow their person ------------------------------------------------------------------


def test_deleting_a_person_drops_their_events(wire: Wire) -> None:
    define_cart(wire)
    pid = seed_person(wire)
    wire.post(BATCH, json=[item()])
    response = wire.delete("/people/2/persons", params={"identifier": str(pid), "type": "ID"})
    assert response.status_code == 200
    assert wire.fake.events() == ()


def test_merged_persons_events_move_to_the_primary(wire: Wire) -> None:
    define_cart(wire)
    first = seed_person(wire, "one@example.com")
    second = seed_person(wire, "two@example.com")
    wire.post(BATCH, json=[item("one@example.com"), item("two@example.com")])
    wire.fake.tenant().persons.merge(first, [second])
    assert {e["personId"] for e in wire.fake.events()} == {first}


# -- computed attributes -------------------------------------------------------------------------


def test_computed_attributes_aggregate_a_persons_events(wire: Wire) -> None:
    define_cart(wire)
    pid = seed_person(wire)
    wire.fake.define_computed_attribute("cartAdds", "AddedToCart", "count")
    wire.fake.define_computed_attribute("totalSpend", "AddedToCart", "sum", "price")
    wire.fake.define_computed_attribute("avgPrice", "AddedToCart", "average", "price")
    wire.fake.define_computed_attribute("lastSeen", "AddedToCart", "last")
    latest = NOW - timedelta(minutes=5)
    wire.post(
        BATCH,
        json=[
            item(properties={"price": 10.25}, occurredTime=iso(NOW - timedelta(days=2))),
            item(properties={"price": 4.75}, occurredTime=iso(latest)),
        ],
    )
    person = wire.get("/people/2/persons", params={"identifier": str(pid), "type": "ID"}).json()
    assert person["computedAttributes"] == {
        "cartAdds": 2,
        "totalSpend": 15,
        "avgPrice": 7.5,
        "lastSeen": latest.strftime("%Y-%m-%dT%H:%M:%S"),
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("x", "Unknown", "count"), "does not exist"),
        (("x", "AddedToCart", "sum", "productId"), "Numeric or Decimal"),
        (("x", "AddedToCart", "median", "price"), "aggregation"),
    ],
    ids=["unknown-definition", "non-numeric-property", "unknown-aggregation"],
)
def test_unworkable_computed_attribute_is_refused(
    fake: FakeProfiles, args: tuple[Any, ...], message: str
) -> None:
    fake.tenant().events.create_definition(json.loads(json.dumps(CART)))
    with pytest.raises(ValueError, match=message):
        fake.define_computed_attribute(*args)


def test_is_computed_names_the_read_only_attributes(fake: FakeProfiles) -> None:
    engine = fake.tenant().events
    engine.create_definition(json.loads(json.dumps(CART)))
    fake.define_computed_attribute("totalSpend", "AddedToCart", "sum", "price")
    assert engine.is_computed("TOTALSPEND")
    assert not engine.is_computed("plan")


# -- exports -------------------------------------------------------------------------------------

EXPORT_BODY = {
    "roleArn": "arn:aws:iam::123456789012:role/exporter",
    "bucket": "exported-events",
    "region": "EU_CENTRAL_1",
    "startTime": (NOW - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
    "endTime": (NOW - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
}


def start_export(wire: Wire, **change: Any) -> str:
    response = wire.post(EXPORT, json={**EXPORT_BODY, **change})
    assert response.status_code == 202
    return str(response.json()["requestId"])


def status_of(wire: Wire, request_id: str) -> dict[str, Any]:
    response = wire.get(f"{EXPORT}/status/{request_id}")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_export_progresses_on_the_fake_clock(wire: Wire) -> None:
    define_cart(wire)
    seed_person(wire)
    wire.post(BATCH, json=[item()])
    request_id = start_export(wire)
    seen = [status_of(wire, request_id)["status"]]
    wire.fake.clock.advance(10)
    seen.append(status_of(wire, request_id)["status"])
    wire.fake.clock.advance(60)
    done = status_of(wire, request_id)
    assert seen == ["SUBMITTED", "IN_PROGRESS"]
    assert done == {
        "requestId": request_id,
        "status": "COMPLETED_SUCCESSFULLY",
        "message": "1 events exported.",
    }


def test_export_of_an_empty_window_says_so(wire: Wire) -> None:
    request_id = start_export(wire)
    wire.fake.clock.advance(3600)
    assert status_of(wire, request_id)["message"] == "0 events found for the time period queried."


def test_cancel_answers_202_and_the_request_ends_cancelled(wire: Wire) -> None:
    request_id = start_export(wire)
    response = wire.delete(f"{EXPORT}/{request_id}")
    assert response.status_code == 202
    assert status_of(wire, request_id)["status"] == "CANCELLED_BY_CUSTOMER"


def test_cancel_of_a_finished_request_is_409(wire: Wire) -> None:
    request_id = start_export(wire)
    wire.fake.clock.advance(3600)
    response = wire.delete(f"{EXPORT}/{request_id}")
    assert response.status_code == 409
    assert service_exception(response)["messageId"] == "BAD_REQUEST"
    assert status_of(wire, request_id)["status"] == "COMPLETED_SUCCESSFULLY"


def test_status_of_an_unknown_request_is_404(wire: Wire) -> None:
    response = wire.get(f"{EXPORT}/status/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert service_exception(response)["messageId"] == "NOT_FOUND"


@pytest.mark.nonconforming  # deliberately invalid requests
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"roleArn": "not-an-arn"}, "roleArn"),
        ({"bucket": None}, "bucket"),
        ({"startTime": "2026-03-10"}, "startTime"),
        ({"endTime": (NOW + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")}, "endTime"),
        (
            {"startTime": (NOW - timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")},
            "endTime",
        ),
        ({"definitionIdList": "AddedToCart"}, "definitionIdList"),
    ],
    ids=[
        "role-arn",
        "missing-bucket",
        "time-format",
        "end-in-future",
        "wider-than-24h",
        "ids-not-list",
    ],
)
def test_invalid_export_is_400_with_validation_errors(
    wire: Wire, change: dict[str, Any], field: str
) -> None:
    response = wire.post(EXPORT, json={**EXPORT_BODY, **change})
    assert response.status_code == 400
    assert field in service_exception(response)["validationErrors"]


def test_more_than_72_hours_of_exports_in_progress_is_429(wire: Wire) -> None:
    for hours in range(0, 72, 24):
        start = NOW - timedelta(hours=hours + 25)
        start_export(
            wire,
            startTime=start.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            endTime=(start + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        )
    response = wire.post(EXPORT, json=EXPORT_BODY)
    assert response.status_code == 429
    assert service_exception(response)["messageId"] == "TOO_MANY_REQUESTS"


def test_export_definitions_lists_standard_and_custom_ids(wire: Wire) -> None:
    define_cart(wire)
    body = wire.get(f"{EXPORT}/definitions").json()
    assert "AddedToCart" in body["definitionIdList"]
    assert "emailOpened" in body["definitionIdList"]


def test_writing_a_computed_attribute_is_refused(wire: Wire) -> None:
    define_cart(wire)
    pid = seed_person(wire)
    wire.fake.define_computed_attribute("totalSpend", "AddedToCart", "sum", "price")
    query = {"identifier": str(pid), "type": "ID"}
    response = wire.patch(
        "/people/2/persons", params=query, json={"customAttributes": {"totalSpend": 5}}
    )
    assert response.status_code == 400
    person = wire.get("/people/2/persons", params=query).json()
    assert person["computedAttributes"] == {"totalSpend": 0}
    assert "totalSpend" not in person["customAttributes"]


def test_computed_attribute_declared_through_the_control_plane(wire: Wire) -> None:
    define_cart(wire)
    pid = seed_person(wire)
    declared = wire.post(
        "/_fake/computed-attributes",
        json={"name": "cartAdds", "definitionId": "AddedToCart", "aggregation": "count"},
    )
    wire.post(BATCH, json=[item()])
    person = wire.get("/people/2/persons", params={"identifier": str(pid), "type": "ID"}).json()
    assert declared.status_code == 201
    assert person["computedAttributes"] == {"cartAdds": 1}


def test_unworkable_computed_attribute_through_the_control_plane_is_400(wire: Wire) -> None:
    response = wire.post(
        "/_fake/computed-attributes",
        json={"name": "x", "definitionId": "Nope", "aggregation": "count"},
    )
    assert response.status_code == 400
    assert "does not exist" in response.json()["error"]


@pytest.mark.parametrize("event_id", ["", "has space", "x" * 37], ids=["empty", "chars", "long"])
def test_send_with_a_bad_event_id_is_400(wire: Wire, event_id: str) -> None:
    define_cart(wire)
    seed_person(wire)
    response = wire.post(
        send_path("ada@example.com"), params={"identifierType": "EMAIL"}, json={"eventId": event_id}
    )
    assert response.status_code == 400
    assert wire.fake.events() == ()
